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

struct PairRuleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pair-rule",
        abstract: "Lock two people together in every run of a program (also: pair them by hand), or exclude the pair.")
    @ArgumentParser.Argument(help: "lock or exclusion.") var kind: PairRule.Kind
    @ArgumentParser.Argument(help: "The program's id or exact name.") var program: String
    @ArgumentParser.Argument(help: "The mentee's employee id.") var mentee: String
    @ArgumentParser.Argument(help: "The mentor's employee id.") var mentor: String
    @ArgumentParser.Option(help: "Why (needed to lock a pair that breaks a hard rule).") var reason: String?

    func run() async throws {
        let rule = try await withMigratedApplication {
            try await RunActions.addRule(kind, program: program, mentee: mentee, mentor: mentor, reason: reason, app: $0)
        }
        let what = rule.kind == .lock ? "Locked" : "Excluded"
        print("\(what) \(rule.menteeID)–\(rule.mentorID)" + (rule.overriddenRule.map { " (overrides \($0): \(rule.reason ?? ""))" } ?? "") + ".")
    }
}

extension PairRule.Kind: ExpressibleByArgument {}

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a program's outcomes report (retention, diversity, engagement; small figures suppressed) as one HTML file.")
    @ArgumentParser.Argument(help: "The program's id or exact name.") var program: String
    @ArgumentParser.Option(help: "Where to write the HTML file.") var out: String
    @ArgumentParser.Option(help: "Follow people up to this day (YYYY-MM-DD); default today.") var censor: String?

    func run() async throws {
        let html = try await withMigratedApplication { try await ReportActions.outcomes(program: program, censor: censor, app: $0) }
        do {
            try html.write(toFile: out, atomically: true, encoding: .utf8)
        } catch {
            throw ValidationError("Cannot write \(out): \(error.localizedDescription)")
        }
        print("Wrote \(out).")
    }
}
