import Dispatch

/// Mentees (rows) and mentors (columns) compiled for fast scoring: strings interned to integers,
/// topics as dense proficiency tables, hours as UTC bit masks. `matrix()` scores every pair on both cores.
public struct ScoringProblem: Sendable {
    public let mentees: [MatchParticipant]
    public let mentors: [MatchParticipant]
    public let rules: MatchRules
    let weights: [Double]

    // Interned data.
    let topicCount: Int
    let topicNames: [String]
    let menteeWants: [[(topic: Int32, priority: Double)]]
    let menteePrioritySum: [Double]
    let mentorProficiency: [UInt8]          // mentor * topicCount + topic
    let department: (mentee: [Int32], mentor: [Int32])
    let location: (mentee: [Int32], mentor: [Int32])
    let attribute: (mentee: [[Int32]], mentor: [[Int32]])   // [attribute index][person] value id, -1 missing
    let personID: (mentee: [Int32], mentor: [Int32])
    let manager: (mentee: [Int32], mentor: [Int32])
    let chain: (mentee: [[Int32]], mentor: [[Int32]])
    let utcHours: (mentee: [UInt32], mentor: [UInt32])
    let excluded: Set<Int>                   // mentee * mentors.count + mentor
    let pairedBefore: Set<Int>               // same key
    /// Overridden pairs (same key) and their reasons.
    let overridden: [Int: String]
    public let capacity: [Int]

    public init(mentees: [MatchParticipant], mentors: [MatchParticipant], rules: MatchRules) {
        self.mentees = mentees
        self.mentors = mentors
        self.rules = rules
        weights = rules.normalisedWeights
        var names = Interner()
        var topics = Interner()
        func ids(_ people: [MatchParticipant], _ key: (MatchParticipant) -> String?) -> [Int32] {
            people.map { key($0).map { names.id($0) } ?? -1 }
        }
        personID = (ids(mentees) { $0.id }, ids(mentors) { $0.id })
        manager = (ids(mentees) { $0.managerID }, ids(mentors) { $0.managerID })
        chain = (mentees.map { $0.managementChain.map { names.id($0) } }, mentors.map { $0.managementChain.map { names.id($0) } })
        department = (ids(mentees) { "dept:" + $0.department }, ids(mentors) { "dept:" + $0.department })
        location = (ids(mentees) { "loc:" + $0.location }, ids(mentors) { "loc:" + $0.location })
        attribute = (rules.perspectiveAttributes.map { a in ids(mentees) { $0.attributes[a].map { "attr:\(a):" + $0 } } },
                     rules.perspectiveAttributes.map { a in ids(mentors) { $0.attributes[a].map { "attr:\(a):" + $0 } } })
        for p in mentees + mentors { for t in p.topics.keys.sorted() { _ = topics.id(t) } }
        topicCount = max(1, topics.names.count)
        topicNames = topics.names
        menteeWants = mentees.map { m in m.topics.sorted { $0.key < $1.key }.map { (topics.id($0.key), Double($0.value)) } }
        menteePrioritySum = menteeWants.map { $0.reduce(0) { $0 + $1.priority } }
        var proficiency = [UInt8](repeating: 0, count: mentors.count * topicCount)
        for (j, m) in mentors.enumerated() {
            for (t, p) in m.topics { proficiency[j * topicCount + Int(topics.id(t))] = UInt8(clamping: max(0, min(5, p))) }
        }
        mentorProficiency = proficiency
        utcHours = (mentees.map(Self.utcMask), mentors.map(Self.utcMask))
        let menteeIndex = Dictionary(mentees.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        let mentorIndex = Dictionary(mentors.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        func keys(_ pairs: [[String]]) -> Set<Int> {
            Set(pairs.compactMap { pair -> Int? in
                guard pair.count == 2, let i = menteeIndex[pair[0]], let j = mentorIndex[pair[1]] else { return nil }
                return i * mentors.count + j
            })
        }
        excluded = keys(rules.exclusions)
        pairedBefore = keys(rules.pastPairs)
        var overridden: [Int: String] = [:]
        for o in rules.overrides {
            guard let i = menteeIndex[o.menteeID], let j = mentorIndex[o.mentorID] else { continue }
            overridden[i * mentors.count + j] = o.reason
        }
        self.overridden = overridden
        capacity = mentors.map { max(1, $0.capacity) }
    }

    /// Local available hours rotated into UTC (to the nearest hour).
    public static func utcMask(_ p: MatchParticipant) -> UInt32 {
        guard p.availableHours != 0 else { return 0 }
        let shift = ((-Int((Double(p.utcOffsetMinutes) / 60).rounded()) % 24) + 24) % 24
        let mask = p.availableHours & 0xFF_FFFF
        return ((mask << UInt32(shift)) | (mask >> UInt32(24 - shift))) & 0xFF_FFFF
    }

    /// The first hard rule the pair breaks, or nil when it may be matched (also when a coordinator
    /// overrode the rule for this pair).
    public func brokenRule(mentee i: Int, mentor j: Int) -> EligibilityRule? {
        if !excluded.isEmpty && excluded.contains(i * mentors.count + j) { return .excluded }
        if !overridden.isEmpty && overridden[i * mentors.count + j] != nil { return nil }
        return hardRule(mentee: i, mentor: j)
    }

    /// For a pair a coordinator allowed against a hard rule: the rule and the reason given.
    public func override(mentee i: Int, mentor j: Int) -> (rule: EligibilityRule, reason: String)? {
        guard let reason = overridden[i * mentors.count + j], let rule = hardRule(mentee: i, mentor: j) else { return nil }
        return (rule, reason)
    }

    /// The first rule of the program (not the coordinator's exclusions or overrides) the pair breaks.
    func hardRule(mentee i: Int, mentor j: Int) -> EligibilityRule? {
        if !pairedBefore.isEmpty && pairedBefore.contains(i * mentors.count + j) { return .pairedBefore }
        if mentees[i].level - mentors[j].level < rules.minLevelGap { return .levelGap }
        if chain.mentee[i].contains(personID.mentor[j]) || chain.mentor[j].contains(personID.mentee[i]) { return .sameReportingChain }
        if rules.forbidSharedManager && manager.mentee[i] >= 0 && manager.mentee[i] == manager.mentor[j] { return .sharedManager }
        if rules.requireCommonChannel && mentees[i].channels.intersection(mentors[j].channels).isEmpty { return .noCommonChannel }
        return nil
    }

    /// Each component of the pair's score, from 0 to 1, in `ScoreComponent.allCases` order.
    public func components(mentee i: Int, mentor j: Int) -> [Double] {
        let c = componentValues(mentee: i, mentor: j)
        return [c.0, c.1, c.2, c.3, c.4]
    }

    /// The five components without an array (scoring 100 million pairs must not allocate per pair).
    @inline(__always)
    func componentValues(mentee i: Int, mentor j: Int) -> (Double, Double, Double, Double, Double) {
        var goal = 0.0
        if menteePrioritySum[i] > 0 {
            let base = j * topicCount
            for want in menteeWants[i] { goal += Self.goalTerm(priority: want.priority, proficiency: mentorProficiency[base + Int(want.topic)]) }
            goal /= menteePrioritySum[i]
        }
        var differences = 0
        if department.mentee[i] != department.mentor[j] { differences += 1 }
        if location.mentee[i] != location.mentor[j] { differences += 1 }
        for a in attribute.mentee.indices {
            let x = attribute.mentee[a][i], y = attribute.mentor[a][j]
            if x >= 0 && y >= 0 && x != y { differences += 1 }
        }
        let a = utcHours.mentee[i], b = utcHours.mentor[j]
        let availability = a != 0 && b != 0
            ? Self.hoursFit(common: (a & b).nonzeroBitCount, fewer: min(a.nonzeroBitCount, b.nonzeroBitCount))
            : Self.offsetFit(minutes: abs(mentees[i].utcOffsetMinutes - mentors[j].utcOffsetMinutes))
        return (goal, Self.perspective(differences: differences, attributes: attribute.mentee.count),
                Self.channelFit(mentee: mentees[i].channels.rawValue, mentor: mentors[j].channels.rawValue),
                Self.cadenceFit(steps: min(2, abs(mentees[i].cadence - mentors[j].cadence))), availability)
    }

    // Each component's value from what it compares: written once, for `componentValues` and for the
    // tables `matrix()` looks them up in (so both give the same bits).

    /// One goal's share of goal coverage before dividing by the priorities' sum.
    @inline(__always) static func goalTerm(priority: Double, proficiency: UInt8) -> Double { priority * Double(proficiency) / 5 }
    /// Different perspective: the share of the checks (department, location, each attribute) that differ.
    @inline(__always) static func perspective(differences: Int, attributes: Int) -> Double { Double(differences) / Double(2 + attributes) }
    /// Channel fit: the share of the mentee's channels the mentor also uses.
    @inline(__always) static func channelFit(mentee: UInt8, mentor: UInt8) -> Double {
        mentee == 0 ? 0 : Double((mentee & mentor).nonzeroBitCount) / Double(mentee.nonzeroBitCount)
    }
    /// Cadence fit by steps apart (0, 1, 2 or more).
    @inline(__always) static func cadenceFit(steps: Int) -> Double { steps == 0 ? 1.0 : steps == 1 ? 0.5 : 0.0 }
    /// Availability when both gave hours: the common hours over the fewer of the two.
    @inline(__always) static func hoursFit(common: Int, fewer: Int) -> Double { Double(common) / Double(fewer) }
    /// Availability otherwise: by how far apart the time zones are (12 hours or more: 0).
    @inline(__always) static func offsetFit(minutes: Int) -> Double { 1 - min(Double(minutes) / 60, 12) / 12 }

    /// The pair's score from 0 to 100, or nil when a hard rule forbids it.
    public func score(mentee i: Int, mentor j: Int) -> Double? {
        guard brokenRule(mentee: i, mentor: j) == nil else { return nil }
        return scoreIgnoringRules(mentee: i, mentor: j)
    }

    /// The weighted sum of the components, 0 to 100, whether or not a hard rule forbids the pair
    /// (to say how close an excluded pair would have been).
    public func scoreIgnoringRules(mentee i: Int, mentor j: Int) -> Double {
        // The same sum, in the same order, as over `components` (so every path gives the same score).
        let c = componentValues(mentee: i, mentor: j)
        var total = 0.0
        total += weights[0] * c.0
        total += weights[1] * c.1
        total += weights[2] * c.2
        total += weights[3] * c.3
        total += weights[4] * c.4
        return total
    }

    /// The topics of the mentee's goals that the mentor can teach, with priority and proficiency.
    public func coveredTopics(mentee i: Int, mentor j: Int) -> [(topic: String, priority: Int, proficiency: Int)] {
        menteeWants[i].compactMap { want in
            let p = Int(mentorProficiency[j * topicCount + Int(want.topic)])
            return p > 0 ? (topicNames[Int(want.topic)], Int(want.priority), p) : nil
        }
    }
}

/// Strings to dense integer ids.
struct Interner {
    private var table: [String: Int32] = [:]
    private(set) var names: [String] = []
    mutating func id(_ s: String) -> Int32 {
        if let id = table[s] { return id }
        let id = Int32(names.count)
        table[s] = id
        names.append(s)
        return id
    }
}

/// A ranked suggestion: a mentor for one mentee, with the score and its components.
public struct Suggestion: Sendable, Equatable {
    public var mentor: Int
    public var score: Double
    /// In `ScoreComponent.allCases` order, each 0 to 1.
    public var components: [Double]
}

extension ScoringProblem {
    /// "Who would make a good reverse mentor for this person?": the `k` best eligible mentors for
    /// mentee `i` by score (ties to the lower index), ignoring capacity and everyone else.
    public func suggest(mentee i: Int, k: Int) -> [Suggestion] {
        var ranked: [Suggestion] = []
        for j in mentors.indices {
            guard let s = score(mentee: i, mentor: j) else { continue }
            ranked.append(Suggestion(mentor: j, score: s, components: components(mentee: i, mentor: j)))
        }
        ranked.sort { $0.score > $1.score || ($0.score == $1.score && $0.mentor < $1.mentor) }
        return Array(ranked.prefix(max(0, k)))
    }
}
