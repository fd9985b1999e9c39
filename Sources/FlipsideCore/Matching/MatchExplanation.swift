import Foundation
import MatchingEngine

/// Why the matching is what it is: every pair's score components and covered goals, every unmatched
/// person's reason (with numbers), and each mentee's next best alternatives.
public struct MatchExplanation: Encodable, Sendable {
    public var weights: [String: Double]
    public var pairs: [PairExplanation]
    public var unmatchedMentees: [Unmatched]
    public var mentorsWithFreeCapacity: [Unmatched]
    public var alternatives: [Alternatives]

    /// - Parameter matrix: `problem.matrix()`, as the matching was solved on.
    /// - Parameter switching: the optimal solver's switching costs for `matching`, or nil when the
    ///   matching came from another algorithm (then no switching costs are given).
    public init(problem: ScoringProblem, matrix: ScoreMatrix, matching: Matching, people: [String: Person],
                switching: SwitchingCosts? = nil) {
        let names = ScoreComponent.allCases.map(\.rawValue)
        let w = problem.rules.normalisedWeights
        weights = Dictionary(uniqueKeysWithValues: zip(names, w))
        let mentees = problem.mentees, mentors = problem.mentors
        let started = ContinuousClock.now
        pairs = matching.pairs.map { p in
            let parts = problem.components(mentee: p.row, mentor: p.col)
            let covered = problem.coveredTopics(mentee: p.row, mentor: p.col)
            let coveredNames = Set(covered.map(\.topic))
            return PairExplanation(
                menteeID: mentees[p.row].id, mentorID: mentors[p.col].id, score: p.score,
                components: Dictionary(uniqueKeysWithValues: names.indices.map { (names[$0], Component(value: parts[$0], points: parts[$0] * w[$0])) }),
                coveredTopics: covered.map { CoveredTopic(topic: $0.topic, priority: $0.priority, proficiency: $0.proficiency) },
                uncoveredTopics: mentees[p.row].topics.keys.filter { !coveredNames.contains($0) }.sorted(),
                override: problem.override(mentee: p.row, mentor: p.col).map { Override(rule: $0.rule.rawValue, reason: $0.reason) })
        }
        trace("explanation: pairs \(ContinuousClock.now - started)")
        var mentorOf = [Int?](repeating: nil, count: mentees.count)
        var held = [[Int]](repeating: [], count: mentors.count)
        for p in matching.pairs { mentorOf[p.row] = p.col; held[p.col].append(p.row) }

        /// Over the other side of one person: how many partners each hard rule excluded, the three
        /// best-scoring excluded ones, and the eligible ones.
        @Sendable func survey(_ others: Range<Int>, pair: (Int) -> (mentee: Int, mentor: Int), id: (Int) -> String)
            -> (excluded: [String: Int], closest: [Closest], eligible: [Int]) {
            var excluded: [String: Int] = [:]
            var closest: [Closest] = []
            var eligible: [Int] = []
            for k in others {
                let (i, j) = pair(k)
                // `matrix` is `problem.matrix()`: a pair is allowed there exactly when no rule is broken,
                // so only the others are asked which rule (a million pairs for a 2,000 x 2,000 run).
                if !matrix.isAllowed(i, j), let rule = problem.brokenRule(mentee: i, mentor: j) {
                    excluded[rule.rawValue, default: 0] += 1
                    closest.append(Closest(id: id(k), rule: rule.rawValue, scoreWithoutRules: problem.scoreIgnoringRules(mentee: i, mentor: j)))
                } else {
                    eligible.append(k)
                }
            }
            return (excluded, Array(closest.sorted { $0.scoreWithoutRules > $1.scoreWithoutRules }.prefix(3)), eligible)
        }
        // Each mentee's three best other eligible mentors, by one pass (higher score first, ties to the lower index).
        let options: [[Int]] = mentees.indices.map { i in
            let current = mentorOf[i]
            var options: [Int] = []
            for j in mentors.indices where j != current && matrix.isAllowed(i, j) {
                let s = matrix[i, j]
                if options.count == 3, let last = options.last, !(s > matrix[i, last]) { continue }
                var at = options.count
                while at > 0 && s > matrix[i, options[at - 1]] { at -= 1 }
                options.insert(j, at: at)
                if options.count > 3 { options.removeLast() }
            }
            return options
        }
        trace("explanation: options \(ContinuousClock.now - started)")
        let queries = options.enumerated().flatMap { i, js in js.map { (row: i, col: $0) } }
        let changes = switching?.changes(queries) ?? queries.map { _ in nil }
        // Each mentee's options with their switching costs.
        var changeOf: [[SwitchingCosts.Change?]] = []
        var next = changes.makeIterator()
        for js in options { changeOf.append(js.map { _ in next.next()! }) }
        unmatchedMentees = mentees.indices.filter { mentorOf[$0] == nil }.map { i in
            let (excluded, closest, eligible) = survey(mentors.indices, pair: { (i, $0) }, id: { mentors[$0].id })
            if let best = eligible.max(by: { matrix[i, $0] < matrix[i, $1] || (matrix[i, $0] == matrix[i, $1] && $0 > $1) }) {
                let holders = held[best].map { Holder(menteeID: mentees[$0].id, score: matrix[$0, best]) }
                // The best eligible mentor is the first option (the same order, ties to the lower index).
                let change = options[i].first == best ? changeOf[i][0] : nil
                var reason = "Every eligible mentor's capacity is taken. The best, \(mentors[best].id) (score \(Self.points(matrix[i, best]))), "
                    + "is matched with " + holders.map { "\($0.menteeID) (score \(Self.points($0.score)))" }.joined(separator: ", ")
                    + "; the program's total is higher that way."
                if let change {
                    reason += " Pairing them would change the program's total by \(Self.points(change.total))"
                        + (change.pairs == 0 ? "" : " and its pairs by \(change.pairs)") + "."
                }
                return Unmatched(id: mentees[i].id, reason: reason, eligiblePartners: eligible.count, excludedBy: excluded,
                                 closestExcluded: closest,
                                 bestEligible: BestEligible(mentorID: mentors[best].id, score: matrix[i, best], heldBy: holders,
                                                            programTotalChange: change?.total, programPairsChange: change?.pairs),
                                 bestEligibleMentee: nil)
            }
            let rules = excluded.sorted { $0.value > $1.value }.map { "\($0.key) (\($0.value))" }.joined(separator: ", ")
            return Unmatched(id: mentees[i].id, reason: "No eligible mentor: every mentor breaks a hard rule: \(rules).",
                             eligiblePartners: 0, excludedBy: excluded, closestExcluded: closest, bestEligible: nil, bestEligibleMentee: nil)
        }
        trace("explanation: unmatched mentees \(ContinuousClock.now - started)")
        // Mentors with places left: their eligible mentees, the best of them, and what moving them here would do.
        // Each surveys every mentee: on both cores.
        let withPlaces = mentors.indices.filter { held[$0].count < problem.capacity[$0] }
        let menteeOf = mentorOf
        let open = Parallelism.inParts(withPlaces.count, large: withPlaces.count * mentees.count >= 1 << 16) { part in
            part.map { k in
                let j = withPlaces[k]
                let (excluded, closest, eligible) = survey(mentees.indices, pair: { ($0, j) }, id: { mentees[$0].id })
                // The mentee it could have instead: never one it already has.
                let others = eligible.filter { menteeOf[$0] != j }
                let best = others.max { matrix[$0, j] < matrix[$1, j] || (matrix[$0, j] == matrix[$1, j] && $0 > $1) }
                return (j: j, excluded: excluded, closest: closest, eligible: eligible, others: others.count, best: best)
            }
        }
        trace("explanation: open mentors surveyed \(ContinuousClock.now - started)")
        let moves = open.compactMap { o in o.best.map { (row: $0, col: o.j) } }
        var moveChanges = (switching?.changes(moves) ?? moves.map { _ in nil }).makeIterator()
        mentorsWithFreeCapacity = open.map { o in
            let free = problem.capacity[o.j] - held[o.j].count
            guard let k = o.best else {
                let reason = o.eligible.isEmpty
                    ? "No eligible mentee: every mentee breaks a hard rule."
                    : "\(free) place(s) left: every eligible mentee (\(o.eligible.count)) is already its mentee; the others break a hard rule."
                return Unmatched(id: mentors[o.j].id, reason: reason, eligiblePartners: o.eligible.count,
                                 excludedBy: o.excluded, closestExcluded: o.closest, bestEligible: nil, bestEligibleMentee: nil)
            }
            let change = moveChanges.next()!
            let current = mentorOf[k]
            var reason = "\(free) place(s) left: each of the \(o.others) other eligible mentees is matched with a mentor the program's total prefers. "
                + "The best, \(mentees[k].id) (score \(Self.points(matrix[k, o.j])) here), "
                + (current.map { "is with \(mentors[$0].id) (score \(Self.points(matrix[k, $0])))" } ?? "is unmatched")
            if let change {
                reason += "; moving them here would change the program's total by \(Self.points(change.total))"
                    + (change.pairs == 0 ? "" : " and its pairs by \(change.pairs)")
            }
            reason += "."
            return Unmatched(id: mentors[o.j].id, reason: reason, eligiblePartners: o.eligible.count, excludedBy: o.excluded,
                             closestExcluded: o.closest, bestEligible: nil,
                             bestEligibleMentee: BestMentee(menteeID: mentees[k].id, score: matrix[k, o.j], currentMentorID: current.map { mentors[$0].id },
                                                            currentScore: current.map { matrix[k, $0] },
                                                            programTotalChange: change?.total, programPairsChange: change?.pairs))
        }
        trace("explanation: open mentors \(ContinuousClock.now - started)")
        alternatives = mentees.indices.map { i in
            let current = mentorOf[i]
            let currentScore = current.map { matrix[i, $0] }
            return Alternatives(menteeID: mentees[i].id, currentMentorID: current.map { mentors[$0].id }, currentScore: currentScore,
                                nextBest: zip(options[i], changeOf[i]).map { j, change in
                                    return Alternative(mentorID: mentors[j].id, score: matrix[i, j], scoreDifference: matrix[i, j] - (currentScore ?? 0),
                                                       mentorIsFull: held[j].count >= problem.capacity[j],
                                                       programTotalChange: change?.total, programPairsChange: change?.pairs)
                                })
        }
    }

    /// A score or points with one decimal, as explanations and pages show them.
    public static func points(_ x: Double) -> String { String(format: "%.1f", x) }

    /// Pretty JSON with snake_case keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try encoder.encode(self), as: UTF8.self) + "\n"
    }
}
