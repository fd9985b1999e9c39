/// An optional that is written as `null` when absent (synthesised `Encodable` leaves the key out), so
/// that a reader always finds every documented key.
@propertyWrapper
public struct EncodedAsNull<Value: Encodable & Sendable>: Encodable, Sendable {
    public var wrappedValue: Value?
    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}

/// The parts of an explanation.
extension MatchExplanation {
    public struct Component: Encodable, Sendable {
        /// 0 to 1.
        public var value: Double
        /// The component's share of the 0–100 score: value × weight.
        public var points: Double
    }

    public struct CoveredTopic: Encodable, Sendable {
        public var topic: String
        public var priority: Int
        public var proficiency: Int
    }

    public struct PairExplanation: Encodable, Sendable {
        public var menteeID: String
        public var mentorID: String
        public var score: Double
        public var components: [String: Component]
        public var coveredTopics: [CoveredTopic]
        public var uncoveredTopics: [String]
        /// When a coordinator paired them against a hard rule: the rule and the written reason.
        @EncodedAsNull public var override: Override?
    }

    public struct Override: Encodable, Sendable, Equatable {
        public var rule: String
        public var reason: String
    }

    public struct Holder: Encodable, Sendable {
        public var menteeID: String
        public var score: Double
    }

    public struct Unmatched: Encodable, Sendable {
        public var id: String
        public var reason: String
        public var eligiblePartners: Int
        /// How many partners each hard rule excluded.
        public var excludedBy: [String: Int]
        /// The best-scoring partners a rule excluded, with the rule (ignoring the rules to score them).
        public var closestExcluded: [Closest]
        /// For a mentee with eligible mentors: the best one, and who holds its capacity.
        @EncodedAsNull public var bestEligible: BestEligible?
        /// For a mentor with places left and eligible mentees: the best one, and where they are instead.
        @EncodedAsNull public var bestEligibleMentee: BestMentee?
    }

    public struct BestMentee: Encodable, Sendable {
        public var menteeID: String
        /// Their score with this mentor.
        public var score: Double
        @EncodedAsNull public var currentMentorID: String?
        @EncodedAsNull public var currentScore: Double?
        /// What moving them to this mentor would change in the program's optimum.
        @EncodedAsNull public var programTotalChange: Double?
        @EncodedAsNull public var programPairsChange: Int?
    }

    public struct Closest: Encodable, Sendable {
        public var id: String
        public var rule: String
        public var scoreWithoutRules: Double
    }

    public struct BestEligible: Encodable, Sendable {
        public var mentorID: String
        public var score: Double
        public var heldBy: [Holder]
        /// What pairing them would change in the program's optimum (as for alternatives).
        @EncodedAsNull public var programTotalChange: Double?
        @EncodedAsNull public var programPairsChange: Int?
    }

    public struct Alternative: Encodable, Sendable {
        public var mentorID: String
        public var score: Double
        /// The alternative's score minus the current pair's score (negative: a worse fit for this mentee).
        public var scoreDifference: Double
        /// Whether the mentor's capacity is taken, so that switching would displace someone.
        public var mentorIsFull: Bool
        /// What pairing this mentee with this mentor would change in the program's optimum (the best
        /// matching that keeps the pair, minus the optimum): exact, from the solver's dual prices.
        /// Nil when the matching is not an optimum, or the switch would break a lock.
        @EncodedAsNull public var programTotalChange: Double?
        @EncodedAsNull public var programPairsChange: Int?
    }

    public struct Alternatives: Encodable, Sendable {
        public var menteeID: String
        @EncodedAsNull public var currentMentorID: String?
        @EncodedAsNull public var currentScore: Double?
        public var nextBest: [Alternative]
    }
}
