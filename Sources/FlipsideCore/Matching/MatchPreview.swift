import Foundation
import MatchingEngine

/// Which pairing a preview shows.
public enum PreviewAlgorithm: String, CaseIterable, Codable, Sendable {
    case optimal, fair, stable

    /// A short name for a choice on a page.
    public var label: String {
        switch self {
        case .optimal: return "Best total"
        case .fair: return "Fairest"
        case .stable: return "Stable"
        }
    }

    /// What the pairing maximises, in a sentence.
    public var summary: String {
        switch self {
        case .optimal: return "The most pairs, then the highest total score."
        case .fair: return "The most pairs, then the highest lowest pair score (nobody gets a poor match if it can be avoided), then the highest total."
        case .stable: return "Nobody would rather leave their pair for someone who would rather have them too (mentees propose)."
        }
    }
}

/// A program's pairing under its rules, with its explanation; nothing is stored.
public struct MatchPreview: Sendable {
    public var algorithm: PreviewAlgorithm
    public var rules: MatchRules
    public var input: MatchInput
    public var matching: Matching
    public var explanation: MatchExplanation
    /// The enrolled people and everyone above them in the reporting lines.
    public var people: [String: Person]

    /// Reads the program's enrolments and the people they need (enrolled people and their managers,
    /// level by level), scores every pair under the program's rules, and pairs them.
    public static func make(for program: Program, algorithm: PreviewAlgorithm, people: any PeopleRepository,
                            enrolments: any EnrolmentRepository) async throws -> MatchPreview {
        let enrolled = try await enrolments.enrolments(in: program.id)
        let directory = try await people.withManagementChains(of: enrolled.map(\.employeeID))
        var rules = MatchRules()
        rules.minLevelGap = program.settings.minLevelGap
        rules.defaultCapacity = program.settings.defaultCapacity
        // Time-zone offsets as on the program's first day (daylight saving), or today.
        let reference = program.startDate.flatMap { DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"),
                                                                   year: $0.year, month: $0.month, day: $0.day).date } ?? Date()
        let input = MatchInput(people: directory, enrolments: enrolled, rules: rules, reference: reference)
        let problem = ScoringProblem(mentees: input.mentees, mentors: input.mentors, rules: rules)
        let matrix = problem.matrix()
        let matching: Matching
        var switching: SwitchingCosts?
        switch algorithm {
        case .optimal: (matching, switching) = try OptimalMatcher.solveWithSwitchingCosts(matrix, capacity: problem.capacity)
        case .fair: matching = try FairMatcher.solve(matrix, capacity: problem.capacity)
        case .stable: matching = try StableMatcher.solve(matrix, capacity: problem.capacity)
        }
        let explanation = MatchExplanation(problem: problem, matrix: matrix, matching: matching, people: directory, switching: switching)
        return MatchPreview(algorithm: algorithm, rules: rules, input: input, matching: matching, explanation: explanation, people: directory)
    }
}
