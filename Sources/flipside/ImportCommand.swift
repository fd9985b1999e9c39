import ArgumentParser
import FlipsideCore
import FlipsideServer
import Foundation
import MatchingEngine

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import a CSV file: all of it, or nothing.",
                                                    subcommands: [People.self, Enrolments.self])

    struct People: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import people from an HR export (upserts by employee_id).",
            discussion: """
            Column names of the usual HR exports are recognised (Employee ID, Work Email, First Name + Last Name,             Business Title, Supervisor ID, Original Hire Date, Worker Status, Termination Date, Job Level...).             For the rest, --mapping names a JSON file: {"columns": {"Person No": "employee_id", "Team": "ignore"},             "levels": {"L5": 5}, "statuses": {"Gone": "exited"}, "date_format": "MM/DD/YYYY", "time_zone": "Europe/Berlin"}.             It is kept for the next file with the same columns.
            """)
        @ArgumentParser.Argument(help: "The CSV file (`,` or `;` separated; UTF-8 or UTF-16).") var file: String
        @ArgumentParser.Option(help: "A JSON file saying how the export's columns and values read.") var mapping: String?

        func run() async throws {
            let text = try readCSV(file)
            var given: ImportMapping?
            if let mapping {
                guard let data = FileManager.default.contents(atPath: mapping) else { throw ValidationError("Cannot read \(mapping).") }
                do { given = try JSONDecoder().decode(ImportMapping.self, from: data) } catch {
                    throw ValidationError("\(mapping) is not a mapping: \(ImportActions.describe(error))")
                }
            }
            let started = ContinuousClock.now
            // The file is read on another core while the database is opened and migrated.
            let parsing = Task.detached { try CSVTable(text: text) }
            let counts = try await reportingProblems {
                try await withMigratedApplication { app in
                    let table = try await parsing.value
                    trace("people import parsed")
                    return try await ImportActions.people(table, mapping: given, app: app)
                }
            }
            print("Imported \(file): \(counts.created) created, \(counts.updated) updated, \(counts.unchanged) unchanged in \(String(format: "%.2f", (ContinuousClock.now - started).seconds)) s.")
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
    guard let text = try UploadedText.read(data) else { throw ValidationError("\(path) is neither a .xlsx workbook nor UTF-8 or UTF-16 text; export it as CSV UTF-8.") }
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
    } catch let rejected as MappingRejected {
        var stderr = StandardError()
        print("The mapping cannot be used; nothing was imported.", to: &stderr)
        for problem in rejected.problems { print("  \(problem.field) \(problem.reason)", to: &stderr) }
        throw ExitCode(1)
    }
}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}
