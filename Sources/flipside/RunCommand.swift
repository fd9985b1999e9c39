import ArgumentParser
import FlipsideCore
import FlipsideServer
import Foundation
import MatchingEngine

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the matching of a program (in matching, or active: then only the people without a pair) and store the run; optionally publish it.")
    @ArgumentParser.Argument(help: "The program's id or exact name.") var program: String
    @ArgumentParser.Option(help: "optimal, fair or stable.") var algorithm: MatchingAlgorithm = .optimal
    @ArgumentParser.Flag(help: "Publish the run's pairs when it is done.") var publish = false

    func run() async throws {
        let outcome = try await withMigratedApplication { try await RunActions.run(program: program, algorithm: algorithm, publish: publish, app: $0) }
        print("Run \(outcome.id.uuidString.lowercased()): \(outcome.status). \(outcome.summary)")
        if let published = outcome.published { print("Published \(published) pair\(published == 1 ? "" : "s").") }
        if outcome.status != "done" { throw ExitCode(1) }
    }
}
