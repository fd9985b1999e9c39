import Fluent
import FlipsideCore
import Foundation
import MatchingEngine
import Vapor

/// Which pairing a preview shows.
enum PreviewAlgorithm: String, CaseIterable, Codable {
    case optimal, fair, stable

    /// From a query parameter; absent means `optimal`.
    init(query: String?) throws {
        guard let query, !query.isEmpty else { self = .optimal; return }
        guard let algorithm = PreviewAlgorithm(rawValue: query) else {
            throw APIError(.badRequest, code: "bad_request", "'\(query)' is not a matching algorithm: use optimal, fair or stable.")
        }
        self = algorithm
    }

    var label: String {
        switch self {
        case .optimal: return "Best total"
        case .fair: return "Fairest"
        case .stable: return "Stable"
        }
    }

    var summary: String {
        switch self {
        case .optimal: return "The most pairs, then the highest total score."
        case .fair: return "The most pairs, then the highest lowest pair score (nobody gets a poor match if it can be avoided), then the highest total."
        case .stable: return "Nobody would rather leave their pair for someone who would rather have them too (mentees propose)."
        }
    }
}

/// A program's pairing under its rules, with its explanation; nothing is stored.
struct MatchPreview {
    var algorithm: PreviewAlgorithm
    var rules: MatchRules
    var input: MatchInput
    var matching: Matching
    var explanation: MatchExplanation
    /// The enrolled people and everyone above them in the reporting lines.
    var people: [String: Person]
}

struct MatchPreviewService {
    let db: any Database

    func preview(_ program: Program, algorithm: PreviewAlgorithm) async throws -> MatchPreview {
        let enrolments = try await EnrolmentService(db: db).all(in: program.id)
        // The enrolled people and their reporting chains (the hard rules need every manager above them).
        let people = try await PeopleService(db: db).withManagementChains(of: enrolments.map(\.employeeID))
        var rules = MatchRules()
        rules.minLevelGap = program.settings.minLevelGap
        rules.defaultCapacity = program.settings.defaultCapacity
        let reference = program.startDate.flatMap { DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"),
                                                                   year: $0.year, month: $0.month, day: $0.day).date } ?? Date()
        let input = MatchInput(people: people, enrolments: enrolments, rules: rules, reference: reference)
        let problem = ScoringProblem(mentees: input.mentees, mentors: input.mentors, rules: rules)
        let matrix = problem.matrix()
        let matching: Matching
        var switching: SwitchingCosts?
        switch algorithm {
        case .optimal: (matching, switching) = try OptimalMatcher.solveWithSwitchingCosts(matrix, capacity: problem.capacity)
        case .fair: matching = try FairMatcher.solve(matrix, capacity: problem.capacity)
        case .stable: matching = try StableMatcher.solve(matrix, capacity: problem.capacity)
        }
        let explanation = MatchExplanation(problem: problem, matrix: matrix, matching: matching, people: people, switching: switching)
        return MatchPreview(algorithm: algorithm, rules: rules, input: input, matching: matching, explanation: explanation, people: people)
    }
}
