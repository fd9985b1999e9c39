import MatchingEngine
import Testing

/// The one entry point gives each algorithm's own answer, with what was asked along with it.
@Suite struct MatcherTests {
    static func random(_ rows: Int, _ cols: Int, seed: UInt64) -> ScoreMatrix {
        var state = seed
        var values: [Double] = []
        for _ in 0..<(rows * cols) {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let draw = Double(state >> 33) / Double(1 << 31)
            values.append(draw < 0.15 ? -.infinity : (draw * 100).rounded())
        }
        return ScoreMatrix(rows: rows, cols: cols, values: values)
    }

    @Test func eachAlgorithmAnswersAsItsSolverDoes() throws {
        for seed in UInt64(1)...20 {
            let scores = Self.random(9, 7, seed: seed)
            let capacity = Array(repeating: 2, count: 7)
            let optimal = try Matcher.solve(scores, capacity: capacity, MatchRequest(.optimal, switchingCosts: true))
            #expect(optimal.matching.total == (try OptimalMatcher.solve(scores, capacity: capacity)).total)
            #expect(optimal.switching != nil && optimal.blockingPairs == nil)
            let quality = try Matcher.solve(scores, capacity: capacity, MatchRequest(.optimal, objective: .quality))
            #expect(quality.matching.total == (try OptimalMatcher.solve(scores, capacity: capacity, objective: .quality)).total)
            let fair = try Matcher.solve(scores, capacity: capacity, MatchRequest(.fair))
            #expect(fair.matching.pairs.map(\.score).min() == (try FairMatcher.solve(scores, capacity: capacity)).pairs.map(\.score).min())
            let stable = try Matcher.solve(scores, capacity: capacity, MatchRequest(.stable, proposing: .mentors, countBlockingPairs: true))
            #expect(stable.matching.pairs.map(\.row) == (try StableMatcher.solve(scores, capacity: capacity, proposing: .mentors)).pairs.map(\.row))
            #expect(stable.blockingPairs == 0)
        }
    }

    @Test func locksNeedTheOptimalAlgorithm() {
        let scores = Self.random(3, 3, seed: 7)
        #expect(throws: MatchRequestError.locksNeedOptimal) {
            try Matcher.solve(scores, capacity: [1, 1, 1], MatchRequest(.fair, locks: [(0, 0)]))
        }
        #expect(throws: MatchRequestError.matching(.invalidCapacity(0))) {
            try Matcher.solve(scores, capacity: [0, 1, 1], MatchRequest(.stable))
        }
    }

    /// A lock on a forbidden pair (or outside the matrix) is refused on every path, never solved into a
    /// pairing with a score of −∞.
    @Test func aLockOnAForbiddenPairIsRefused() {
        let scores = ScoreMatrix(rows: 2, cols: 2, values: [-.infinity, 5, 3, 4])
        #expect(throws: MatchRequestError.lockedPairForbidden(row: 0, col: 0)) {
            try Matcher.solve(scores, capacity: [1, 1], MatchRequest(.optimal, locks: [(0, 0)]))
        }
        #expect(throws: MatchRequestError.lockedPairForbidden(row: 2, col: 0)) {
            try Matcher.solve(scores, capacity: [1, 1], MatchRequest(.optimal, locks: [(2, 0)]))
        }
    }

    /// On one core (a server's background run) the engine gives exactly what it gives on two.
    @Test func oneCoreGivesTheSameAnswers() throws {
        let scores = Self.random(300, 280, seed: 11)
        let capacity = Array(repeating: 2, count: 280)
        let two = try Matcher.solve(scores, capacity: capacity, MatchRequest(.optimal, switchingCosts: true))
        let one = try Parallelism.alone { try Matcher.solve(scores, capacity: capacity, MatchRequest(.optimal, switchingCosts: true)) }
        #expect(one.matching == two.matching)
        let queries = (0..<50).map { (row: $0, col: ($0 * 7) % 280) }
        #expect(one.switching?.changes(queries).map { $0?.total } == two.switching?.changes(queries).map { $0?.total })
    }
}
