import Foundation
import MatchingEngine

/// Where a stored run is.
public enum RunStatus: String, Sendable, Codable, CaseIterable {
    case queued, running, done, failed
}

/// What a run was computed from: the program's settings, enrolments and pair rules at that moment. The
/// same snapshot always gives the same pairs; a run is stale once the program's current snapshot has
/// another fingerprint.
public struct RunSnapshot: Sendable, Codable, Equatable {
    public var settings: MatchingSettings
    public var enrolments: [Enrolment]
    public var rules: [PairRule]
    /// Time-zone offsets are taken on this day (the program's first, or the day of the run).
    public var referenceDay: CalendarDate
    /// Pairs accepted in earlier programs, kept apart unless the program allows repeat pairs (not part
    /// of the fingerprint: a pair accepted elsewhere later does not make a run stale).
    public var pastPairs: [[String]]

    public init(settings: MatchingSettings, enrolments: [Enrolment], rules: [PairRule], referenceDay: CalendarDate, pastPairs: [[String]] = []) {
        self.settings = settings
        self.pastPairs = pastPairs.sorted { $0.joined(separator: " ") < $1.joined(separator: " ") }
        self.enrolments = enrolments.sorted { $0.employeeID < $1.employeeID }
        self.rules = rules.sorted { ($0.kind.rawValue, $0.menteeID, $0.mentorID) < ($1.kind.rawValue, $1.menteeID, $1.mentorID) }
        self.referenceDay = referenceDay
    }

    /// A digest of what decides the pairs (settings, enrolments, locks and exclusions with their
    /// overrides), independent of ids and times of the rules. It detects change, it is not a security
    /// measure.
    public var fingerprint: String { Self.fingerprint(settings: settings, enrolments: enrolments, rules: rules) }

    /// The fingerprint of a snapshot of these settings, enrolments and rules, in any order: FNV-1a (64
    /// bits) over every field of every enrolment, length-prefixed, the settings as canonical JSON and
    /// each rule's kind, people, overridden rule and reason. Hashed field by field rather than through
    /// JSON: publishing checks 20,000 enrolments this way (0.46 s through `JSONEncoder`).
    public static func fingerprint(settings: MatchingSettings, enrolments: [Enrolment], rules: [PairRule]) -> String {
        var digest = InputDigest()
        digest.add("flipside input 2")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        digest.add(bytes: (try? encoder.encode(settings)) ?? Data())
        digest.add(enrolments.count)
        for enrolment in enrolments.sorted(by: { $0.employeeID < $1.employeeID }) { digest.add(enrolment) }
        let rules = rules.sorted { ($0.kind.rawValue, $0.menteeID, $0.mentorID) < ($1.kind.rawValue, $1.menteeID, $1.mentorID) }
        digest.add(rules.count)
        for rule in rules {
            for field in [rule.kind.rawValue, rule.menteeID, rule.mentorID, rule.overriddenRule ?? "", rule.reason ?? ""] { digest.add(field) }
        }
        return String(format: "%016llx", digest.value)
    }

    var reference: Date { referenceDay.startUTC }

    enum CodingKeys: String, CodingKey { case settings, enrolments, rules, referenceDay = "reference_day", pastPairs = "past_pairs" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        settings = try c.decode(MatchingSettings.self, forKey: .settings)
        enrolments = try c.decode([Enrolment].self, forKey: .enrolments)
        rules = try c.decode([PairRule].self, forKey: .rules)
        referenceDay = try c.decode(CalendarDate.self, forKey: .referenceDay)
        pastPairs = try c.decodeIfPresent([[String]].self, forKey: .pastPairs) ?? []
    }
}

/// One pair of a run, with what its score is made of.
public struct RunPair: Sendable, Codable, Hashable {
    public var menteeID: String
    public var mentorID: String
    public var score: Double
    public var locked: Bool
    /// Each score component's points (they add up to the score).
    public var points: [String: Double]
    /// The mentee's topics this mentor can teach, and the ones they cannot.
    public var coveredTopics: [String]
    public var uncoveredTopics: [String]
    public var overriddenRule: String?
    public var overrideReason: String?

    enum CodingKeys: String, CodingKey {
        case menteeID = "mentee_id", mentorID = "mentor_id", score, locked, points, coveredTopics = "covered_topics"
        case uncoveredTopics = "uncovered_topics", overriddenRule = "overridden_rule", overrideReason = "override_reason"
    }
}

/// Someone a run left without a partner (or a mentor with places left), and why.
public struct RunNote: Sendable, Codable, Hashable {
    public var id: String
    public var reason: String
}

/// A run's figures.
public struct RunSummary: Sendable, Codable, Hashable {
    public var mentees: Int
    public var mentors: Int
    public var pairs: Int
    public var total: Double
    public var mean: Double?
    public var lowest: Double?
    public var unmatchedMentees: Int

    enum CodingKeys: String, CodingKey {
        case mentees, mentors, pairs, total, mean, lowest, unmatchedMentees = "unmatched_mentees"
    }
}

/// What a run found.
public struct RunResult: Sendable, Codable, Hashable {
    public var pairs: [RunPair]
    public var summary: RunSummary
    public var unmatchedMentees: [RunNote]
    public var mentorsWithPlacesLeft: [RunNote]
    /// Locks the run could not honour because someone is no longer enrolled.
    public var ignoredLocks: [String]

    enum CodingKeys: String, CodingKey {
        case pairs, summary, unmatchedMentees = "unmatched_mentees", mentorsWithPlacesLeft = "mentors_with_places_left"
        case ignoredLocks = "ignored_locks"
    }
}

/// A stored match run.
public struct MatchRun: Sendable, Equatable {
    public var id: UUID
    public var programID: UUID
    public var algorithm: MatchingAlgorithm
    public var objective: Objective
    public var status: RunStatus
    public var snapshot: RunSnapshot
    public var fingerprint: String
    public var createdAt: Date
    public var finishedAt: Date?
    public var error: String?
    public var result: RunResult?
    /// For a re-run after declines: only these mentees and the places still free were matched.
    public var onlyMentees: [String]?

    public init(id: UUID = UUID(), programID: UUID, algorithm: MatchingAlgorithm, objective: Objective, status: RunStatus,
                snapshot: RunSnapshot, createdAt: Date, finishedAt: Date? = nil, error: String? = nil, result: RunResult? = nil,
                onlyMentees: [String]? = nil) {
        self.id = id
        self.programID = programID
        self.algorithm = algorithm
        self.objective = objective
        self.status = status
        self.snapshot = snapshot
        fingerprint = snapshot.fingerprint
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.error = error
        self.result = result
        self.onlyMentees = onlyMentees
    }
}

/// Why a run could not be computed.
public enum RunError: Error, Equatable, Sendable {
    /// A lock on a pair that now breaks a hard rule (e.g. the level gap was raised after it was made).
    case lockBreaksRule(menteeID: String, mentorID: String, rule: String)
    /// More locks on one mentor than they have places, or two on one mentee.
    case tooManyLocks(String)
    case engine(String)

    public var message: String {
        switch self {
        case let .lockBreaksRule(mentee, mentor, rule):
            return "The lock on \(mentee)–\(mentor) breaks the \(rule) rule now; remove it, or lock it again with a written reason to override the rule."
        case let .tooManyLocks(what): return what
        case let .engine(text): return "The matching could not be computed: \(text)."
        }
    }
}

/// Computes a run from its snapshot: the one matching entry point (`Matcher.solve`) under the program's
/// settings, with its exclusions, its locks (overrides included) and, for a re-run, only the people
/// still to pair and the places still free.
public enum MatchRunning {
    /// Up to this many mentees a run's reasons also say exactly what each unpaired mentee's best option
    /// would cost the program (the switching costs: about 1 s at 2,000, 30 s at 10,000 on two cores); above
    /// it they name who holds the place and leave the figure out.
    public static let switchingCostLimit = 2_000

    /// - Parameters:
    ///   - directory: the enrolled people and everyone above them in the reporting lines.
    ///   - held: for a re-run, the pairs that keep their places (mentor id → places taken, mentees to leave out).
    public static func compute(_ snapshot: RunSnapshot, directory: [String: Person], algorithm: MatchingAlgorithm,
                               objective: Objective, held: (places: [String: Int], mentees: Set<String>) = ([:], [])) throws -> RunResult {
        let clock = ContinuousClock()
        var lap = clock.now
        func phase(_ name: String) {
            trace("run \(name): \((clock.now - lap).components.seconds)s \((clock.now - lap).components.attoseconds / 1_000_000_000_000_000)ms")
            lap = clock.now
        }
        var rules = snapshot.settings.rules
        rules.exclusions = snapshot.rules.filter { $0.kind == .exclusion }.map { [$0.menteeID, $0.mentorID] }
        rules.pastPairs = snapshot.pastPairs
        let locks = snapshot.rules.filter { $0.kind == .lock && !held.mentees.contains($0.menteeID) }
        rules.overrides = locks.compactMap { lock in
            lock.overriddenRule == nil ? nil : RuleOverride(menteeID: lock.menteeID, mentorID: lock.mentorID, reason: lock.reason ?? "")
        }
        // A re-run leaves out the mentees who keep their pairs, and the mentors with no place left.
        var enrolments = snapshot.enrolments.filter { !held.mentees.contains($0.employeeID) }
        enrolments = enrolments.compactMap { e in
            guard e.role == .mentor, let taken = held.places[e.employeeID] else { return e }
            var e = e
            e.capacity -= taken
            return e.capacity > 0 ? e : nil
        }
        let input = MatchInput(people: directory, enrolments: enrolments, rules: rules, reference: snapshot.reference)
        let problem = ScoringProblem(mentees: input.mentees, mentors: input.mentors, rules: rules)
        phase("input")
        let matrix = problem.matrix()
        phase("scores")
        let row = Dictionary(uniqueKeysWithValues: input.mentees.enumerated().map { ($1.id, $0) })
        let col = Dictionary(uniqueKeysWithValues: input.mentors.enumerated().map { ($1.id, $0) })
        var lockCells: [(row: Int, col: Int)] = []
        var ignored: [String] = []
        var lockedMentees = Set<Int>()
        var locksPerMentor = [Int](repeating: 0, count: input.mentors.count)
        for lock in locks {
            guard let i = row[lock.menteeID], let j = col[lock.mentorID] else { ignored.append("\(lock.menteeID)–\(lock.mentorID)"); continue }
            if let rule = problem.brokenRule(mentee: i, mentor: j) {
                throw RunError.lockBreaksRule(menteeID: lock.menteeID, mentorID: lock.mentorID, rule: rule.rawValue)
            }
            guard lockedMentees.insert(i).inserted else { throw RunError.tooManyLocks("\(lock.menteeID) is locked to more than one mentor.") }
            locksPerMentor[j] += 1
            if locksPerMentor[j] > problem.capacity[j] {
                throw RunError.tooManyLocks("\(lock.mentorID) has more locked mentees than places (\(problem.capacity[j])).")
            }
            lockCells.append((i, j))
        }
        let matching: Matching
        var switching: SwitchingCosts?
        do {
            if algorithm == .optimal || lockCells.isEmpty {
                let result = try Matcher.solve(matrix, capacity: problem.capacity,
                                               MatchRequest(algorithm, objective: objective, locks: lockCells,
                                                            switchingCosts: algorithm == .optimal && input.mentees.count <= switchingCostLimit))
                matching = result.matching
                switching = result.switching
            } else {
                matching = try solveAroundLocks(matrix, capacity: problem.capacity, locks: lockCells, algorithm: algorithm)
            }
        } catch {
            throw RunError.engine(String(describing: error))
        }
        phase("solve")
        let explanation = MatchExplanation(problem: problem, matrix: matrix, matching: matching, people: directory, switching: switching)
        phase("explanation")
        let lockedPairs = Set(lockCells.map { "\($0.row) \($0.col)" })
        let pairs = zip(matching.pairs, explanation.pairs).map { p, e in
            RunPair(menteeID: e.menteeID, mentorID: e.mentorID, score: p.score, locked: lockedPairs.contains("\(p.row) \(p.col)"),
                    points: e.components.mapValues(\.points), coveredTopics: e.coveredTopics.map(\.topic), uncoveredTopics: e.uncoveredTopics,
                    overriddenRule: e.override?.rule, overrideReason: e.override?.reason)
        }
        let scores = pairs.map(\.score)
        let summary = RunSummary(mentees: input.mentees.count, mentors: input.mentors.count, pairs: pairs.count, total: scores.reduce(0, +),
                                 mean: scores.isEmpty ? nil : scores.reduce(0, +) / Double(scores.count), lowest: scores.min(),
                                 unmatchedMentees: input.mentees.count - pairs.count)
        return RunResult(pairs: pairs, summary: summary,
                         unmatchedMentees: explanation.unmatchedMentees.map { RunNote(id: $0.id, reason: $0.reason) },
                         mentorsWithPlacesLeft: explanation.mentorsWithFreeCapacity.map { RunNote(id: $0.id, reason: $0.reason) },
                         ignoredLocks: ignored)
    }

    /// Fair and stable pairings honour locks by pairing the locked people first and matching the others
    /// around them (the locked mentees leave, their mentors keep their other places).
    static func solveAroundLocks(_ matrix: ScoreMatrix, capacity: [Int], locks: [(row: Int, col: Int)],
                                 algorithm: MatchingAlgorithm) throws -> Matching {
        let lockedRows = Set(locks.map(\.row))
        var left = capacity
        for lock in locks { left[lock.col] -= 1 }
        let rows = (0..<matrix.rows).filter { !lockedRows.contains($0) }
        let cols = (0..<matrix.cols).filter { left[$0] > 0 }
        var values: [Double] = []
        values.reserveCapacity(rows.count * cols.count)
        for i in rows { for j in cols { values.append(matrix[i, j]) } }
        let sub = ScoreMatrix(rows: rows.count, cols: cols.count, values: values)
        let solved = rows.isEmpty || cols.isEmpty ? Matching(pairs: [])
            : try Matcher.solve(sub, capacity: cols.map { left[$0] }, MatchRequest(algorithm)).matching
        let pairs = solved.pairs.map { MatchingEngine.Pair(row: rows[$0.row], col: cols[$0.col], score: $0.score) }
            + locks.map { MatchingEngine.Pair(row: $0.row, col: $0.col, score: matrix[$0.row, $0.col]) }
        return Matching(pairs: pairs)
    }
}

/// Two runs side by side: which pairs they share, which differ, and how the figures moved.
public struct RunComparison: Sendable, Equatable {
    public struct PairKey: Sendable, Hashable, Comparable {
        public var menteeID: String
        public var mentorID: String
        public static func < (a: PairKey, b: PairKey) -> Bool { (a.menteeID, a.mentorID) < (b.menteeID, b.mentorID) }
    }

    public var shared: [PairKey]
    public var onlyInFirst: [PairKey]
    public var onlyInSecond: [PairKey]
    /// Second minus first.
    public var pairsChange: Int
    public var totalChange: Double
    public var meanChange: Double?
    public var lowestChange: Double?

    public init(_ first: RunResult, _ second: RunResult) {
        let a = Set(first.pairs.map { PairKey(menteeID: $0.menteeID, mentorID: $0.mentorID) })
        let b = Set(second.pairs.map { PairKey(menteeID: $0.menteeID, mentorID: $0.mentorID) })
        shared = a.intersection(b).sorted()
        onlyInFirst = a.subtracting(b).sorted()
        onlyInSecond = b.subtracting(a).sorted()
        pairsChange = second.summary.pairs - first.summary.pairs
        totalChange = second.summary.total - first.summary.total
        meanChange = difference(first.summary.mean, second.summary.mean)
        lowestChange = difference(first.summary.lowest, second.summary.lowest)
    }
}

/// `b − a`, when both are known.
private func difference(_ a: Double?, _ b: Double?) -> Double? {
    guard let a, let b else { return nil }
    return b - a
}

/// FNV-1a over length-prefixed fields, so that no two different inputs run together into the same bytes.
struct InputDigest {
    private(set) var value: UInt64 = 0xcbf2_9ce4_8422_2325

    mutating func add(bytes: UnsafeRawBufferPointer) {
        var hash = value
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        value = hash
    }

    mutating func add(bytes: Data) {
        add(bytes.count)
        bytes.withUnsafeBytes { add(bytes: $0) }
    }

    mutating func add(_ number: Int) {
        withUnsafeBytes(of: Int64(number).littleEndian) { add(bytes: $0) }
    }

    mutating func add(_ text: String) {
        var text = text
        add(text.utf8.count)
        text.withUTF8 { add(bytes: UnsafeRawBufferPointer($0)) }
    }

    mutating func add(_ id: UUID) {
        withUnsafeBytes(of: id.uuid) { add(bytes: $0) }
    }

    /// Every field of an enrolment (a test holds this to the struct's fields).
    mutating func add(_ e: Enrolment) {
        add(e.id)
        add(e.programID)
        add(e.employeeID)
        add(e.role.rawValue)
        add(e.offers.count)
        for offer in e.offers { add(offer.topic.key); add(offer.proficiency) }
        add(e.wants.count)
        for want in e.wants { add(want.topic.key); add(want.priority) }
        add(e.industries.count)
        for industry in e.industries { add(industry) }
        add(e.channels.count)
        for channel in e.channels { add(channel.rawValue) }
        add(e.cadence.rawValue)
        add(e.capacity)
        add(e.availability.count)
        for hours in e.availability { add(hours.start); add(hours.end) }
    }
}
