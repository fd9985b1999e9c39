import ArgumentParser
import FlipsideCore
import Foundation
import MatchingEngine

/// `flipside suggest`: who in the organisation would make a good reverse mentor for one person.
struct Suggest: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rank the enrolled mentors who would make a good reverse mentor for one mentee, with the reasons.")

    @ArgumentParser.Option(help: "People CSV (the HR import format).") var people: String
    @ArgumentParser.Option(help: "Enrolments CSV (the enrolment import format).") var enrolments: String
    @ArgumentParser.Option(help: "Rules and weights as JSON.") var rules: String?
    @ArgumentParser.Option(help: "The mentee's employee id.") var mentee: String
    @ArgumentParser.Option(name: .short, help: "How many suggestions.") var k: Int = 5

    func run() throws {
        let match = try Match.parse(["--people", people, "--enrolments", enrolments, "--out", "/dev/null"] + (rules.map { ["--rules", $0] } ?? []))
        let matchRules = try match.readRules()
        let (input, byID) = try match.readInput(matchRules)
        guard let i = input.mentees.firstIndex(where: { $0.id == mentee }) else {
            throw ValidationError("\(mentee) is not enrolled as a mentee in \(enrolments).")
        }
        let problem = ScoringProblem(mentees: input.mentees, mentors: input.mentors, rules: matchRules)
        let names = ScoreComponent.allCases.map(\.rawValue)
        for (rank, s) in problem.suggest(mentee: i, k: k).enumerated() {
            let mentor = input.mentors[s.mentor]
            let topics = problem.coveredTopics(mentee: i, mentor: s.mentor).map { "\($0.topic) (proficiency \($0.proficiency))" }
            print("\(rank + 1). \(mentor.id) \(byID[mentor.id]?.name ?? "") — score \(String(format: "%.1f", s.score))")
            print("   " + zip(names, s.components).map { "\($0) \(String(format: "%.2f", $1))" }.joined(separator: ", "))
            print("   teaches: " + (topics.isEmpty ? "none of the goals" : topics.joined(separator: ", ")))
        }
    }
}
