@testable import MatchingEngine
import Testing

@Suite struct OptimalMatcherTests {
    /// Checks the solver's output is a valid matching and returns it.
    func checked(_ s: ScoreMatrix, _ capacity: [Int], _ m: Matching) -> Matching {
        var rowSeen = Set<Int>()
        var load = [Int](repeating: 0, count: s.cols)
        for p in m.pairs {
            #expect(rowSeen.insert(p.row).inserted, "row \(p.row) matched twice")
            load[p.col] += 1
            #expect(s.isAllowed(p.row, p.col), "forbidden pair used")
            #expect(p.score == s[p.row, p.col])
        }
        for j in 0..<s.cols { #expect(load[j] <= capacity[j], "column \(j) over capacity") }
        return m
    }

    /// Edges added to a candidate graph after pricing (merged into each row in order) give the graph
    /// that lists of all the edges would give: the same targets, in order, without repeats, and weights.
    @Test func addedEdgesGiveTheSameGraphAsTheirLists() {
        var rng = TestRandom(state: 7)
        for _ in 0..<500 {
            let n = Int.random(in: 1...12, using: &rng), m = Int.random(in: 1...12, using: &rng)
            let costs = ClosureCosts(left: n, right: m) { l, r in Double(l * 31 + r * 7 % 13) }
            let lists = (0..<n).map { _ in (0..<Int.random(in: 0...m, using: &rng)).map { _ in Int32.random(in: 0..<Int32(m), using: &rng) } }
            let extra = (0..<Int.random(in: 0...20, using: &rng)).map { _ in (Int.random(in: 0..<n, using: &rng), Int32.random(in: 0..<Int32(m), using: &rng)) }
            var all = lists
            for (l, r) in extra { all[l].append(r) }
            let merged = CandidateGraph(lists: lists, costs: costs).adding(extra, costs: costs), whole = CandidateGraph(lists: all, costs: costs)
            #expect(merged.start == whole.start && merged.target == whole.target && merged.weight == whole.weight)
        }
    }

    @Test(arguments: [Objective.participation, .quality])
    func equalsBruteForceOnThousandsOfSmallInstances(objective: Objective) throws {
        var rng = TestRandom(state: objective == .participation ? 1 : 2)
        for round in 0..<1500 {
            let rows = Int.random(in: 1...8, using: &rng), cols = Int.random(in: 1...8, using: &rng)
            let capacity = (0..<cols).map { _ in round % 3 == 0 ? Int.random(in: 1...2, using: &rng) : 1 }
            let s = rng.matrix(rows: rows, cols: cols, forbid: [0, 0.2, 0.6][round % 3], ties: round % 4 == 1, negative: round % 5 == 2)
            let m = checked(s, capacity, try OptimalMatcher.solve(s, capacity: capacity, objective: objective))
            let best = BruteForce.best(s, capacity: capacity, objective: objective)
            if objective == .participation { #expect(m.count == best.count, "round \(round): pairs") }
            #expect(abs(m.total - best.total) < 1e-9, "round \(round): total \(m.total) vs \(best.total)")
        }
    }

    @Test func handlesDegenerateInput() throws {
        let allForbidden = ScoreMatrix(rows: 3, cols: 2) { _, _ in nil }
        #expect(try OptimalMatcher.solve(allForbidden).pairs.isEmpty)
        let empty = ScoreMatrix(rows: 0, cols: 4, values: [])
        #expect(try OptimalMatcher.solve(empty).pairs.isEmpty)
        let oneRow = ScoreMatrix(rows: 1, cols: 4, values: [0.1, .nan, 0.7, -.infinity])
        #expect(try OptimalMatcher.solve(oneRow).pairs == [Pair(row: 0, col: 2, score: 0.7)])
        let overflow = ScoreMatrix(rows: 2, cols: 2, values: [1e308, -1e308, 1e308, 1e308])
        #expect(throws: MatchingError.scoresTooLarge(low: -1e308, high: 1e308)) { try OptimalMatcher.solve(overflow) }
        let huge = ScoreMatrix(rows: 2, cols: 2, values: [1e12, -1e12, 5, 1e12])
        #expect(try OptimalMatcher.solve(huge).total == 2e12)
        let ties = ScoreMatrix(rows: 3, cols: 3, values: Array(repeating: 0.5, count: 9))
        let tied = try OptimalMatcher.solve(ties)
        #expect(tied.count == 3 && tied.total == 1.5)
        #expect(try OptimalMatcher.solve(ties) == tied)
        #expect(throws: MatchingError.invalidCapacity(0)) { try OptimalMatcher.solve(ties, capacity: 0) }
    }

    @Test func qualityLeavesOutNegativePairsParticipationKeepsThem() throws {
        let s = ScoreMatrix(rows: 2, cols: 2, values: [0.9, -0.5, -0.2, -0.1])
        let participation = try OptimalMatcher.solve(s, objective: .participation)
        #expect(participation.count == 2)
        let quality = try OptimalMatcher.solve(s, objective: .quality)
        #expect(quality.pairs == [Pair(row: 0, col: 0, score: 0.9)])
    }

    @Test func keepsLocksAndFillsAroundThem() throws {
        let s = ScoreMatrix(rows: 2, cols: 2, values: [0.9, 0.1, 0.8, 0.2])
        let locked = try OptimalMatcher.solve(s, capacity: [1, 1], locks: [(row: 1, col: 0)])
        #expect(locked.pairs == [Pair(row: 0, col: 1, score: 0.1), Pair(row: 1, col: 0, score: 0.8)])
    }

    @Test func prefersMorePairsOverAHigherTotal() throws {
        // Row 0 could take column 0 for 1.0, but then row 1 (only allowed with column 0) is left out.
        let s = ScoreMatrix(rows: 2, cols: 2, values: [1.0, 0.01, 0.02, -.infinity])
        let m = try OptimalMatcher.solve(s)
        #expect(m.pairs == [Pair(row: 0, col: 1, score: 0.01), Pair(row: 1, col: 0, score: 0.02)])
    }

    @Test func readsAndWritesTheBenchmarkFormats() throws {
        let s = ScoreMatrix(rows: 2, cols: 3, values: [0.1, -.infinity, 0.30000000000000004, 1e-300, 2, -3.5])
        let back = try ScoreMatrix(rmsc: s.rmscBytes)
        #expect(back.rows == 2 && back.cols == 3)
        #expect(zip(back.values, s.values).allSatisfy { $0 == $1 || (!$0.isFinite && !$1.isFinite) })
        let csv = try ScoreMatrix(csv: "0.1,-inf,0.30000000000000004\n1e-300,2,-3.5\n")
        #expect(csv.values[2] == 0.30000000000000004 && !csv.isAllowed(0, 1))
        #expect(throws: MatchingError.self) { try ScoreMatrix(csv: "1,2\n3\n") }
        #expect(throws: MatchingError.self) { try ScoreMatrix(csv: "1,x\n") }
        #expect(throws: MatchingError.self) { try ScoreMatrix(rmsc: Array("RMSC".utf8) + [2, 0, 0, 0, 2, 0, 0, 0]) }
        #expect(throws: MatchingError.self) { try ScoreMatrix(rmsc: [1, 2, 3]) }
    }
}

@Suite struct SparseAssignmentTests {
    /// With one candidate per row the first graph is almost never enough: pricing must add the missing
    /// edges until the dual prices prove the optimum on the full problem.
    @Test func pricingRepairsATooSparseCandidateGraph() throws {
        var rng = TestRandom(state: 99)
        var repaired = 0
        for round in 0..<800 {
            let rows = Int.random(in: 1...8, using: &rng), cols = Int.random(in: 1...8, using: &rng)
            let s = rng.matrix(rows: rows, cols: cols, forbid: 0.3, ties: round % 3 == 0, negative: round % 2 == 0)
            for objective in Objective.allCases {
                let pairs = OptimalMatcher.assign(s, rows: Array(0..<rows), slots: Array(0..<cols), objective: objective, initialCandidates: 1).pairs
                let best = BruteForce.best(s, capacity: Array(repeating: 1, count: cols), objective: objective)
                let total = pairs.reduce(0) { $0 + $1.score }
                if objective == .participation { #expect(pairs.count == best.count, "round \(round)") }
                #expect(abs(total - best.total) < 1e-9, "round \(round) \(objective)")
            }
        }
        // The same on a larger instance, counting pricing rounds.
        let big = rng.matrix(rows: 60, cols: 70, forbid: 0.1, ties: false, negative: false)
        let costs = ClosureCosts(left: 60, right: 70) { a, b in big.isAllowed(a, b) ? 1 - big[a, b] : 1000 }
        let solved = SparseAssignment(costs, initialCandidates: 1, tolerance: 1e-12)
        repaired += solved.rounds > 1 ? 1 : 0
        #expect(repaired == 1)
        let reference = try OptimalMatcher.solve(big)
        let viaSparse = solved.rightOfLeft.enumerated().filter { big.isAllowed($0.offset, $0.element) }.reduce(0.0) { $0 + big[$1.offset, $1.element] }
        #expect(abs(viaSparse - reference.total) < 1e-9)
    }
}
