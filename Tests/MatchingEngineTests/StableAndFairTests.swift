@testable import MatchingEngine
import Testing

@Suite struct StableMatcherTests {
    @Test(arguments: StableMatcher.Proposer.allCases)
    func neverLeavesABlockingPair(proposing: StableMatcher.Proposer) throws {
        var rng = TestRandom(state: 7)
        for round in 0..<600 {
            let rows = Int.random(in: 1...9, using: &rng), cols = Int.random(in: 1...9, using: &rng)
            let capacity = (0..<cols).map { _ in Int.random(in: 1...3, using: &rng) }
            let s = rng.matrix(rows: rows, cols: cols, forbid: 0.25, ties: round % 3 == 0, negative: false)
            let m = try StableMatcher.solve(s, capacity: capacity, proposing: proposing)
            #expect(StableMatcher.blockingPairs(s, capacity: capacity, matching: m) == 0, "round \(round)")
            var load = [Int](repeating: 0, count: cols)
            for p in m.pairs { load[p.col] += 1; #expect(s.isAllowed(p.row, p.col)) }
            #expect(zip(load, capacity).allSatisfy { $0 <= $1 })
            #expect(Set(m.pairs.map(\.row)).count == m.count)
        }
    }

    @Test func withDistinctScoresBothSidesGetTheGreedyMatching() throws {
        var rng = TestRandom(state: 11)
        for _ in 0..<200 {
            let s = rng.matrix(rows: 6, cols: 5, forbid: 0.2, ties: false, negative: false)
            let capacity = [2, 1, 1, 2, 1]
            // Greedy by descending score is the unique stable matching when both sides rank by one score.
            var order = (0..<30).filter { s.values[$0].isFinite }
            order.sort { s.values[$0] > s.values[$1] }
            var rowUsed = Set<Int>(), load = [Int](repeating: 0, count: 5), greedy: [Pair] = []
            for k in order {
                let (i, j) = (k / 5, k % 5)
                if !rowUsed.contains(i) && load[j] < capacity[j] { rowUsed.insert(i); load[j] += 1; greedy.append(Pair(row: i, col: j, score: s.values[k])) }
            }
            #expect(try StableMatcher.solve(s, capacity: capacity, proposing: .mentees) == Matching(pairs: greedy))
            #expect(try StableMatcher.solve(s, capacity: capacity, proposing: .mentors) == Matching(pairs: greedy))
        }
    }

    @Test func countsBlockingPairsOfABadMatching() {
        let s = ScoreMatrix(rows: 2, cols: 2, values: [0.9, 0.1, 0.8, 0.2])
        let bad = Matching(pairs: [Pair(row: 0, col: 1, score: 0.1), Pair(row: 1, col: 0, score: 0.8)])
        #expect(StableMatcher.blockingPairs(s, capacity: [1, 1], matching: bad) == 1)
    }
}

@Suite struct FairMatcherTests {
    @Test func maximisesTheLowestScoreAmongTheLargestMatchings() throws {
        var rng = TestRandom(state: 5)
        for round in 0..<500 {
            let rows = Int.random(in: 1...6, using: &rng), cols = Int.random(in: 1...6, using: &rng)
            let capacity = (0..<cols).map { _ in round % 2 == 0 ? 1 : Int.random(in: 1...2, using: &rng) }
            let s = rng.matrix(rows: rows, cols: cols, forbid: 0.3, ties: round % 4 == 0, negative: round % 5 == 0)
            let fair = try FairMatcher.solve(s, capacity: capacity)
            let most = BruteForce.best(s, capacity: capacity, objective: .participation).count
            #expect(fair.count == most, "round \(round)")
            guard most > 0 else { continue }
            // The best possible minimum: the largest threshold that still allows `most` pairs.
            let thresholds = Array(Set(s.values.filter(\.isFinite))).sorted(by: >)
            var bestMin = -Double.infinity
            var restricted = s
            for t in thresholds {
                restricted = s
                for k in restricted.values.indices where restricted.values[k] < t { restricted.values[k] = -.infinity }
                if BruteForce.best(restricted, capacity: capacity, objective: .participation).count == most { bestMin = t; break }
            }
            #expect(fair.pairs.map(\.score).min() == bestMin, "round \(round)")
            let bestTotal = BruteForce.best(restricted, capacity: capacity, objective: .participation).total
            #expect(abs(fair.total - bestTotal) < 1e-9, "round \(round)")
        }
    }
}

extension FairMatcherTests {
    /// Every row's best and every column's best is 10, but two mentees want the same mentor: the
    /// ceiling (10) is infeasible and the bisection has to find the real floor (1).
    @Test func searchesBelowAnInfeasibleCeiling() throws {
        let s = ScoreMatrix(rows: 3, cols: 3, values: [10, 1, 1,
                                                       10, 1, 1,
                                                       1, 10, 10])
        #expect(FairMatcher.ceiling(s, [1, 1, 1], target: 3) == 10)
        let fair = try FairMatcher.solve(s, capacity: [1, 1, 1])
        #expect(fair.count == 3)
        #expect(fair.pairs.map(\.score).min() == 1)
        #expect(fair.total == 21)
    }

    /// A column that must take two mentees bounds the floor by its second best score, which holds here.
    @Test func aFeasibleCeilingFromCapacity() throws {
        let s = ScoreMatrix(rows: 3, cols: 2, values: [9, 2,
                                                       8, 3,
                                                       7, 1])
        #expect(FairMatcher.ceiling(s, [2, 1], target: 3) == 3)
        let fair = try FairMatcher.solve(s, capacity: [2, 1])
        #expect(fair.pairs.map(\.score).min() == 3)
        #expect(fair.total == 19)
    }
}

@Suite struct StableMatcherBatchTests {
    /// Preference lists longer than one batch (16), with ties and forbidden pairs, both proposers.
    @Test func longPreferenceListsStayStable() throws {
        var rng = TestRandom(state: 21)
        for round in 0..<40 {
            let rows = Int.random(in: 30...70, using: &rng), cols = Int.random(in: 20...60, using: &rng)
            let capacity = (0..<cols).map { _ in Int.random(in: 1...2, using: &rng) }
            let s = rng.matrix(rows: rows, cols: cols, forbid: 0.2, ties: round % 2 == 0, negative: false)
            for side in StableMatcher.Proposer.allCases {
                let m = try StableMatcher.solve(s, capacity: capacity, proposing: side)
                #expect(StableMatcher.blockingPairs(s, capacity: capacity, matching: m) == 0, "round \(round) \(side)")
            }
        }
    }

    /// A mentee who is refused by everyone walks their whole list, across many batches.
    @Test func aMenteeWalksPastManyBatches() throws {
        // Every mentor prefers rows 1...40 to row 0, and each takes one; row 0 ends unmatched.
        let s = ScoreMatrix(rows: 41, cols: 40) { i, j in i == 0 ? 0.5 + Double(j) / 1000 : 1 + Double((i * 7 + j * 13) % 40) / 100 }
        let m = try StableMatcher.solve(s, capacity: Array(repeating: 1, count: 40))
        #expect(m.count == 40 && !m.pairs.contains { $0.row == 0 })
        #expect(StableMatcher.blockingPairs(s, capacity: Array(repeating: 1, count: 40), matching: m) == 0)
    }
}
