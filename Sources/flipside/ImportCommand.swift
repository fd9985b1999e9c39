import ArgumentParser
import FlipsideCore
import FlipsideServer
import Foundation

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import a CSV file: all of it, or nothing.",
                                                    subcommands: [People.self, Enrolments.self])

    struct People: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import people from an HR export (upserts by employee_id).")
        @ArgumentParser.Argument(help: "The CSV file.") var file: String

        func run() async throws {
            let text = try readCSV(file)
            let started = Date()
            let counts = try await reportingProblems { try await withMigratedApplication { try await ImportActions.people(text, app: $0) } }
            print("Imported \(file): \(counts.created) created, \(counts.updated) updated, \(counts.unchanged) unchanged in \(String(format: "%.2f", Date().timeIntervalSince(started))) s.")
        }
    }

    struct Enrolments: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Import enrolments into a program (upserts by employee_id).")
        @ArgumentParser.Argument(help: "The program's id or exact name.") var program: String
        @ArgumentParser.Argument(help: "The CSV file.") var file: String

        func run() async throws {
            let text = try readCSV(file)
            let (counts, warnings) = try await reportingProblems {
                try await withMigratedApplication { try await ImportActions.enrolments(text, program: program, app: $0) }
            }
            print("Imported \(file): \(counts.created) created, \(counts.updated) updated, \(counts.unchanged) unchanged.")
            for warning in warnings { print("warning: \(warning.message)") }
        }
    }
}

func readCSV(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("Cannot read \(path).") }
    guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("\(path) is not UTF-8 text; export it as CSV UTF-8.") }
    return text
}

/// Prints every problem of a rejected import, one a line, and exits with status 1.
func reportingProblems<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let failure as ImportFailure {
        var stderr = StandardError()
        print("The file was not imported: \(failure.problems.count) problem(s). Nothing was changed.", to: &stderr)
        for problem in failure.problems { print("  \(problem)", to: &stderr) }
        throw ExitCode(1)
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}
