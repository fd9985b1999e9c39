import Foundation
import MatchingEngine

/// The life cycle of a reverse-mentoring program (a cohort).
public enum ProgramStatus: String, Codable, Sendable, CaseIterable {
    case draft, enrolling, matching, active, closed

    /// The statuses a program may move to from this one. Matching may go back to enrolling
    /// (the coordinator reopens sign-up); everything else moves forward only.
    public var allowedNext: [ProgramStatus] {
        switch self {
        case .draft: return [.enrolling]
        case .enrolling: return [.matching]
        case .matching: return [.enrolling, .active]
        case .active: return [.closed]
        case .closed: return []
        }
    }

    /// Whether people may still enrol or change their enrolment.
    public var acceptsEnrolments: Bool { self == .draft || self == .enrolling }

    /// Whether pairs are made now: a coordinator's match runs, a mentee's choice of mentor.
    public var isPairing: Bool { self == .matching || self == .active }
}

/// How a program's pairs are found.
public enum MatchingMode: String, Codable, Sendable, CaseIterable {
    /// The coordinator runs the matching, adjusts it and publishes pairs.
    case coordinator
    /// Mentees see their ranked suggestions and request a mentor, who accepts or declines.
    case selfService = "self"
}

/// Per-program matching settings: the full rule set of `flipside match --rules` and how pairs come about.
public struct MatchingSettings: Hashable, Codable, Sendable {
    /// A mentee's level must exceed their mentor's by at least this much.
    public var minLevelGap: Int
    /// How many mentees a mentor takes unless their enrolment says otherwise.
    public var defaultCapacity: Int
    /// Also forbid pairs who share a direct manager.
    public var forbidSharedManager: Bool
    /// Require at least one channel (in person, video, chat) both sides can use.
    public var requireCommonChannel: Bool
    /// Background attributes that count towards a different perspective.
    public var perspectiveAttributes: [String]
    /// Weights of the five score components (non-negative; scaled to sum to 100).
    public var weights: [String: Double]
    public var mode: MatchingMode
    /// Whether a proposed pair waits for both sides to accept (otherwise it starts accepted).
    public var pairsNeedAcceptance: Bool
    /// How many days a mentee's request to a mentor stays open (self-matching).
    public var requestDays: Int
    /// Whether people who were paired in an earlier program may be paired again.
    public var allowRepeatPairs: Bool

    public static let defaultPerspectiveAttributes = ["career_path", "previous_industry"]

    public init(minLevelGap: Int = 1, defaultCapacity: Int = 1, forbidSharedManager: Bool = false, requireCommonChannel: Bool = true,
                perspectiveAttributes: [String] = MatchingSettings.defaultPerspectiveAttributes,
                weights: [String: Double] = MatchRules.defaultWeights, mode: MatchingMode = .coordinator,
                pairsNeedAcceptance: Bool = true, requestDays: Int = 7, allowRepeatPairs: Bool = false) {
        self.minLevelGap = minLevelGap
        self.defaultCapacity = defaultCapacity
        self.forbidSharedManager = forbidSharedManager
        self.requireCommonChannel = requireCommonChannel
        self.perspectiveAttributes = perspectiveAttributes
        self.weights = weights
        self.mode = mode
        self.pairsNeedAcceptance = pairsNeedAcceptance
        self.requestDays = requestDays
        self.allowRepeatPairs = allowRepeatPairs
    }

    /// The engine's rules for these settings (locks and exclusions are the program's, added by a run).
    public var rules: MatchRules {
        var rules = MatchRules()
        rules.minLevelGap = minLevelGap
        rules.defaultCapacity = defaultCapacity
        rules.forbidSharedManager = forbidSharedManager
        rules.requireCommonChannel = requireCommonChannel
        rules.perspectiveAttributes = perspectiveAttributes
        rules.weights = weights
        return rules
    }

    /// Problems with the settings, each naming its field under `settings.`.
    public func problems() -> [FieldProblem] {
        var problems: [FieldProblem] = []
        func add(_ field: String, _ reason: String) { problems.append(FieldProblem(field: "settings.\(field)", reason: reason)) }
        if minLevelGap < 0 || minLevelGap > 50 { add("min_level_gap", "must be between 0 and 50") }
        if defaultCapacity < 1 || defaultCapacity > 50 { add("default_capacity", "must be between 1 and 50") }
        let known = ScoreComponent.allCases.map(\.rawValue)
        for (key, value) in weights.sorted(by: { $0.key < $1.key }) {
            if !known.contains(key) {
                add("weights.\(TextLimits.preview(key))", "is not a score component (known: \(known.joined(separator: ", ")))")
            } else if !value.isFinite || value < 0 || value > 1000 {
                add("weights.\(key)", "must be a number from 0 to 1000")
            }
        }
        if !known.contains(where: { (weights[$0] ?? 0) > 0 && weights[$0]!.isFinite }) { add("weights", "at least one weight must be above 0") }
        if perspectiveAttributes.count > 10 { add("perspective_attributes", "may name at most 10 attributes") }
        for name in perspectiveAttributes {
            if name.isBlank || name.count > 40 || !name.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0 == "_" || ("0"..."9").contains($0) }) {
                add("perspective_attributes", "'\(TextLimits.preview(name))' is not an attribute name (letters, digits and _, up to 40)")
            }
        }
        if requestDays < 1 || requestDays > 90 { add("request_days", "must be between 1 and 90") }
        return problems
    }

    enum CodingKeys: String, CodingKey {
        case minLevelGap = "min_level_gap", defaultCapacity = "default_capacity", forbidSharedManager = "forbid_shared_manager"
        case requireCommonChannel = "require_common_channel", perspectiveAttributes = "perspective_attributes", weights, mode
        case pairsNeedAcceptance = "pairs_need_acceptance", requestDays = "request_days", allowRepeatPairs = "allow_repeat_pairs"
    }

    /// Every field is optional when read: a missing one takes its default (settings stored before a field
    /// existed read as they behaved).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = MatchingSettings()
        minLevelGap = try c.decodeIfPresent(Int.self, forKey: .minLevelGap) ?? d.minLevelGap
        defaultCapacity = try c.decodeIfPresent(Int.self, forKey: .defaultCapacity) ?? d.defaultCapacity
        forbidSharedManager = try c.decodeIfPresent(Bool.self, forKey: .forbidSharedManager) ?? d.forbidSharedManager
        requireCommonChannel = try c.decodeIfPresent(Bool.self, forKey: .requireCommonChannel) ?? d.requireCommonChannel
        perspectiveAttributes = try c.decodeIfPresent([String].self, forKey: .perspectiveAttributes) ?? d.perspectiveAttributes
        weights = try c.decodeIfPresent([String: Double].self, forKey: .weights) ?? d.weights
        mode = try c.decodeIfPresent(MatchingMode.self, forKey: .mode) ?? d.mode
        pairsNeedAcceptance = try c.decodeIfPresent(Bool.self, forKey: .pairsNeedAcceptance) ?? d.pairsNeedAcceptance
        requestDays = try c.decodeIfPresent(Int.self, forKey: .requestDays) ?? d.requestDays
        allowRepeatPairs = try c.decodeIfPresent(Bool.self, forKey: .allowRepeatPairs) ?? d.allowRepeatPairs
    }
}

/// A reverse-mentoring program.
public struct Program: Hashable, Codable, Sendable {
    public var id: UUID
    public var name: String
    public var purpose: String
    public var startDate: CalendarDate?
    public var endDate: CalendarDate?
    public var status: ProgramStatus
    public var settings: MatchingSettings
    /// The topics the enrolment form offers (empty: seeded from what enrolled people name; see `TopicCatalogue`).
    public var topicCatalogue: [Topic] = []

    public init(id: UUID = UUID(), name: String, purpose: String = "", startDate: CalendarDate? = nil,
                endDate: CalendarDate? = nil, status: ProgramStatus = .draft, settings: MatchingSettings = .init(),
                topicCatalogue: [Topic] = []) {
        self.topicCatalogue = topicCatalogue
        self.id = id
        self.name = name
        self.purpose = purpose
        self.startDate = startDate
        self.endDate = endDate
        self.status = status
        self.settings = settings
    }

    /// Moves the program to `next`, or throws when the life cycle does not allow it.
    public mutating func transition(to next: ProgramStatus) throws(ProgramError) {
        guard status.allowedNext.contains(next) else {
            throw .illegalTransition(from: status, to: next)
        }
        status = next
    }

    /// How many mentees someone in `role` takes unless their enrolment says otherwise: a mentor the
    /// program's default, a mentee always one mentor.
    public func defaultCapacity(for role: EnrolmentRole) -> Int {
        role == .mentor ? settings.defaultCapacity : 1
    }

    /// Why the program cannot be deleted now, or `nil` when it can (an active program has pairs running).
    public var deletionBlocker: String? {
        status == .active ? "An active program cannot be deleted; close it first." : nil
    }

    /// Checks the fields a coordinator typed.
    public func validate() throws(ProgramError) {
        var problems: [FieldProblem] = []
        if name.isBlank {
            problems.append(FieldProblem(field: "name", reason: "must not be empty"))
        }
        if let reason = TextLimits.problem(name, most: TextLimits.short) { problems.append(FieldProblem(field: "name", reason: reason)) }
        if let reason = TextLimits.problem(purpose, most: TextLimits.long, multiline: true) {
            problems.append(FieldProblem(field: "purpose", reason: reason))
        }
        if let s = startDate, let e = endDate, e < s {
            problems.append(FieldProblem(field: "end_date", reason: "must not be before start_date (\(s))"))
        }
        problems += settings.problems()
        problems += TopicCatalogue.problems(topicCatalogue)
        if !problems.isEmpty { throw .invalid(problems) }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, purpose, startDate = "start_date", endDate = "end_date", status, settings
    }
}

/// One problem with one field of a submitted form or JSON body.
public struct FieldProblem: Hashable, Codable, Sendable {
    public var field: String
    public var reason: String
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// What can go wrong with a program.
public enum ProgramError: Error, Equatable, Sendable {
    case illegalTransition(from: ProgramStatus, to: ProgramStatus)
    case invalid([FieldProblem])
    case closedForEnrolment(ProgramStatus)
    case notFound
    /// Another program took the name at the same moment (the database's unique rule fired).
    case nameTaken(String)
    /// The program cannot be deleted now; says why.
    case cannotDelete(String)
    case refused(AccessDecision)

    /// A sentence for a person.
    public var message: String {
        switch self {
        case let .illegalTransition(from, to):
            let allowed = from.allowedNext.map(\.rawValue).joined(separator: ", ")
            return "A program cannot move from \(from.rawValue) to \(to.rawValue)"
                + (allowed.isEmpty ? "; it is \(from.rawValue) for good." : "; from \(from.rawValue) it can move to: \(allowed).")
        case let .invalid(problems):
            return problems.map { "\($0.field) \($0.reason)" }.joined(separator: "; ")
        case let .closedForEnrolment(status):
            return "The program is \(status.rawValue); enrolments can only change while it is draft or enrolling."
        case .notFound: return "Program was not found."
        case let .nameTaken(name): return "Another program named '\(TextLimits.preview(name))' was saved at the same moment; choose another name."
        case let .cannotDelete(reason): return reason
        case .refused: return "You are not allowed to do this."
        }
    }
}

extension Program {
    /// The day the matching takes time-zone offsets (daylight saving) on: the program's first, or today.
    public func referenceDay(now: Date) -> CalendarDate { startDate ?? .today(now: now) }
}
