import Foundation
import MatchingEngine

/// Which pairing a preview shows: the engine's algorithms, with the words a page uses for them.
public typealias PreviewAlgorithm = MatchingAlgorithm

extension MatchingAlgorithm {
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
                            enrolments: any EnrolmentRepository, now: Date) async throws -> MatchPreview {
        try make(from: try await MatchPreviewInput.read(for: program, people: people, enrolments: enrolments, now: now), algorithm: algorithm)
    }

    /// Scores every pair of `input` under its rules and pairs them: the same input always gives the same
    /// preview, so a preview may be kept by `MatchPreviewInput.key`.
    public static func make(from source: MatchPreviewInput, algorithm: PreviewAlgorithm) throws -> MatchPreview {
        let rules = source.rules
        let input = MatchInput(people: source.directory, enrolments: source.enrolments, rules: rules, reference: source.reference)
        let problem = ScoringProblem(mentees: input.mentees, mentors: input.mentors, rules: rules)
        let matrix = problem.matrix()
        let result = try Matcher.solve(matrix, capacity: problem.capacity, MatchRequest(algorithm, switchingCosts: true))
        let explanation = MatchExplanation(problem: problem, matrix: matrix, matching: result.matching, people: source.directory, switching: result.switching)
        return MatchPreview(algorithm: algorithm, rules: rules, input: input, matching: result.matching, explanation: explanation, people: source.directory)
    }
}

/// Everything a program's preview is computed from: its settings, its enrolments and the people they
/// need, and the day whose time-zone offsets apply.
public struct MatchPreviewInput: Sendable {
    public var programID: UUID
    public var settings: MatchingSettings
    public var enrolments: [Enrolment]
    /// The enrolled people and everyone above them in the reporting lines.
    public var directory: [String: Person]
    /// Time-zone offsets (daylight saving) are taken on this day: the program's first, or today.
    public var referenceDay: CalendarDate

    public var rules: MatchRules { settings.rules }

    var reference: Date { referenceDay.startUTC }

    /// Reads what the program's preview needs.
    public static func read(for program: Program, people: any PeopleRepository, enrolments: any EnrolmentRepository,
                            now: Date) async throws -> MatchPreviewInput {
        let enrolled = try await enrolments.enrolments(in: program.id)
        let directory = try await people.withManagementChains(of: enrolled.map(\.employeeID))
        return MatchPreviewInput(programID: program.id, settings: program.settings, enrolments: enrolled, directory: directory,
                                 referenceDay: program.referenceDay(now: now))
    }
}

extension ScoreComponent {
    /// The component's name on a page.
    public var label: String {
        switch self {
        case .goalCoverage: return "Topics the mentor can teach"
        case .perspective: return "Different perspective"
        case .channel: return "Meeting channel fit"
        case .cadence: return "Meeting rhythm fit"
        case .availability: return "Time overlap"
        }
    }
}

extension MatchingMode {
    public var label: String {
        switch self {
        case .coordinator: return "The coordinator runs the matching and publishes pairs"
        case .selfService: return "Mentees choose: they see suggestions and request a mentor"
        }
    }
}
