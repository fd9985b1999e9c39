/// Ways to meet, as bits: in person, video, chat.
public struct ChannelSet: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let inPerson = ChannelSet(rawValue: 1)
    public static let video = ChannelSet(rawValue: 2)
    public static let chat = ChannelSet(rawValue: 4)
}

/// One side of a potential pair, as the score model sees it. Built by FlipsideCore from a person and an enrolment.
public struct MatchParticipant: Sendable {
    public var id: String
    public var level: Int
    public var department: String
    public var location: String
    /// Offset from UTC in minutes (from the person's IANA time zone, at the program's start).
    public var utcOffsetMinutes: Int
    /// The manager's id, if any.
    public var managerID: String?
    /// Every manager above, nearest first.
    public var managementChain: [String]
    /// Background attributes that can make a perspective different (e.g. career_path, previous_industry).
    public var attributes: [String: String]
    public var channels: ChannelSet
    /// 0 weekly, 1 biweekly, 2 monthly.
    public var cadence: Int
    /// Hours of the day (local time) the person is available: bit h set for [h, h+1). 0 = not given.
    public var availableHours: UInt32
    /// Mentor: topic → proficiency 1–5 (industries count as topics). Mentee: topic → priority 1–3.
    public var topics: [String: Int]
    /// How many mentees a mentor takes (1 for a mentee).
    public var capacity: Int

    public init(id: String, level: Int, department: String, location: String, utcOffsetMinutes: Int, managerID: String?,
                managementChain: [String], attributes: [String: String], channels: ChannelSet, cadence: Int,
                availableHours: UInt32, topics: [String: Int], capacity: Int = 1) {
        self.id = id
        self.level = level
        self.department = department
        self.location = location
        self.utcOffsetMinutes = utcOffsetMinutes
        self.managerID = managerID
        self.managementChain = managementChain
        self.attributes = attributes
        self.channels = channels
        self.cadence = cadence
        self.availableHours = availableHours
        self.topics = topics
        self.capacity = capacity
    }
}

/// The named parts of a pair's score, each from 0 to 1.
public enum ScoreComponent: String, CaseIterable, Sendable, Codable {
    /// How much of what the mentee wants (by priority) the mentor can teach (by proficiency).
    case goalCoverage = "goal_coverage"
    /// Different department, location and configured background attributes.
    case perspective = "different_perspective"
    /// Share of the mentee's preferred channels that the mentor also uses.
    case channel = "channel_fit"
    /// Same cadence 1, one step apart 0.5, weekly against monthly 0.
    case cadence = "cadence_fit"
    /// Overlap of available hours in UTC; without hours given, closeness of time zones.
    case availability = "availability_overlap"
}

/// Why a pair may not be matched.
public enum EligibilityRule: String, Sendable, Codable, CaseIterable {
    case levelGap = "level_gap"
    case sameReportingChain = "same_reporting_chain"
    case sharedManager = "shared_manager"
    case noCommonChannel = "no_common_channel"
    case excluded = "coordinator_exclusion"
    /// The two were paired in an earlier program, and the program does not pair people again.
    case pairedBefore = "paired_before"
}

/// A pair that breaks a hard rule, allowed anyway by a coordinator, with why.
public struct RuleOverride: Sendable, Codable, Equatable, Hashable {
    public var menteeID: String
    public var mentorID: String
    public var reason: String

    public init(menteeID: String, mentorID: String, reason: String) {
        self.menteeID = menteeID
        self.mentorID = mentorID
        self.reason = reason
    }

    enum CodingKeys: String, CodingKey { case menteeID = "mentee_id", mentorID = "mentor_id", reason }
}

/// A program's matching rules and weights. Decodes from JSON with every field optional.
public struct MatchRules: Sendable, Codable, Equatable {
    /// A mentee's level must exceed the mentor's by at least this much.
    public var minLevelGap: Int = 1
    /// Also forbid pairs who share a direct manager.
    public var forbidSharedManager: Bool = false
    /// Require at least one common channel.
    public var requireCommonChannel: Bool = true
    /// Background attributes that count towards a different perspective.
    public var perspectiveAttributes: [String] = ["career_path", "previous_industry"]
    /// Weights of the score components (any non-negative numbers; scaled so that they sum to 100).
    public var weights: [String: Double] = MatchRules.defaultWeights
    /// Pairs the coordinator excluded, as [mentee id, mentor id].
    public var exclusions: [[String]] = []
    /// Pairs that must be kept, as [mentee id, mentor id].
    public var locks: [[String]] = []
    /// Pairs who were paired in an earlier program, as [mentee id, mentor id]: ineligible
    /// (`paired_before`) unless overridden.
    public var pastPairs: [[String]] = []
    /// Mentees each mentor takes unless their enrolment says otherwise.
    public var defaultCapacity: Int = 1
    /// Pairs a coordinator allowed although a hard rule forbids them, each with the written reason. An
    /// exclusion still wins over an override.
    public var overrides: [RuleOverride] = []

    public static let defaultWeights: [String: Double] = [
        ScoreComponent.goalCoverage.rawValue: 50, ScoreComponent.perspective.rawValue: 20,
        ScoreComponent.channel.rawValue: 10, ScoreComponent.cadence.rawValue: 10, ScoreComponent.availability.rawValue: 10,
    ]

    public init() {}

    enum CodingKeys: String, CodingKey {
        case minLevelGap = "min_level_gap", forbidSharedManager = "forbid_shared_manager"
        case requireCommonChannel = "require_common_channel", perspectiveAttributes = "perspective_attributes"
        case weights, exclusions, locks, defaultCapacity = "default_capacity", overrides, pastPairs = "past_pairs"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        minLevelGap = try c.decodeIfPresent(Int.self, forKey: .minLevelGap) ?? 1
        forbidSharedManager = try c.decodeIfPresent(Bool.self, forKey: .forbidSharedManager) ?? false
        requireCommonChannel = try c.decodeIfPresent(Bool.self, forKey: .requireCommonChannel) ?? true
        perspectiveAttributes = try c.decodeIfPresent([String].self, forKey: .perspectiveAttributes) ?? ["career_path", "previous_industry"]
        weights = try c.decodeIfPresent([String: Double].self, forKey: .weights) ?? MatchRules.defaultWeights
        exclusions = try c.decodeIfPresent([[String]].self, forKey: .exclusions) ?? []
        locks = try c.decodeIfPresent([[String]].self, forKey: .locks) ?? []
        defaultCapacity = try c.decodeIfPresent(Int.self, forKey: .defaultCapacity) ?? 1
        overrides = try c.decodeIfPresent([RuleOverride].self, forKey: .overrides) ?? []
        pastPairs = try c.decodeIfPresent([[String]].self, forKey: .pastPairs) ?? []
    }

    /// Problems with the rules, each naming the field.
    public func problems() -> [String] {
        var problems: [String] = []
        let known = Set(ScoreComponent.allCases.map(\.rawValue))
        for (key, value) in weights {
            if !known.contains(key) { problems.append("weights.\(key): unknown component (known: \(known.sorted().joined(separator: ", ")))") }
            if !(value >= 0) || !value.isFinite { problems.append("weights.\(key): must be a number ≥ 0") }
        }
        if weights.values.reduce(0, +) <= 0 { problems.append("weights: at least one weight must be above 0") }
        if minLevelGap < 0 { problems.append("min_level_gap: must be ≥ 0") }
        if defaultCapacity < 1 { problems.append("default_capacity: must be ≥ 1") }
        for pair in exclusions + locks where pair.count != 2 { problems.append("exclusions/locks: each entry is [mentee id, mentor id], got \(pair)") }
        for o in overrides where o.reason.allSatisfy(\.isWhitespace) {
            problems.append("overrides: the override of \(o.menteeID)–\(o.mentorID) needs a written reason")
        }
        return problems
    }

    /// Weights scaled to sum to 100, in `ScoreComponent.allCases` order.
    public var normalisedWeights: [Double] {
        let raw = ScoreComponent.allCases.map { weights[$0.rawValue] ?? 0 }
        let sum = raw.reduce(0, +)
        return raw.map { sum > 0 ? $0 * 100 / sum : 0 }
    }
}
