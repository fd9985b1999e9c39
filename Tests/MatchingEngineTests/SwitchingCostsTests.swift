import Testing
@testable import MatchingEngine

@Suite struct SwitchingCostsTests {
    /// Forcing (i, j) = the pair plus the best matching of everyone else with one place of j fewer:
    /// computed by brute force on every allowed pair of thousands of small instances.
    @Test func equalsBruteForceOnSmallInstances() throws {
        var rng = TestRandom(state: 11)
        var checked = 0
        for round in 0..<1200 {
            let rows = Int.random(in: 1...6, using: &rng), cols = Int.random(in: 1...6, using: &rng)
            let capacity = (0..<cols).map { _ in round % 3 == 0 ? 1 : Int.random(in: 1...2, using: &rng) }
            let s = rng.matrix(rows: rows, cols: cols, forbid: 0.3, ties: round % 4 == 0, negative: round % 5 == 0)
            let objective: Objective = round % 2 == 0 ? .participation : .quality
            let (matching, switching) = try OptimalMatcher.solveWithSwitchingCosts(s, capacity: capacity, objective: objective)
            let optimum = BruteForce.best(s, capacity: capacity, objective: objective)
            let current = matching.colOfRow(rows: rows)
            var queries: [(row: Int, col: Int)] = []
            for i in 0..<rows { for j in 0..<cols { queries.append((i, j)) } }
            let changes = switching.changes(queries)
            for (q, (i, j)) in queries.enumerated() {
                guard s.isAllowed(i, j), current[i] != j else {
                    #expect(changes[q] == nil, "round \(round) pair \(i),\(j)")
                    continue
                }
                let change = try #require(changes[q], "round \(round) pair \(i),\(j)")
                var rest = s
                for k in 0..<cols { rest.values[i * cols + k] = -.infinity }
                var fewer = capacity
                fewer[j] -= 1
                let forced = BruteForce.best(rest, capacity: fewer, objective: objective)
                #expect(abs(change.total - (s[i, j] + forced.total - optimum.total)) < 1e-9, "round \(round) pair \(i),\(j)")
                if objective == .participation {
                    #expect(change.pairs == 1 + forced.count - optimum.count, "round \(round) pair \(i),\(j)")
                }
                checked += 1
            }
        }
        #expect(checked > 5000)
    }

    /// On instances larger than the first candidate graph (so the search must scan rows outside it and
    /// walk "nobody" through free places), the same answer as solving again with the pair locked.
    @Test func equalsLockedResolveOnLargerInstances() throws {
        var rng = TestRandom(state: 12)
        for (round, shape) in [(40, 70, 1), (70, 40, 1), (50, 30, 2), (45, 45, 1), (30, 60, 1), (60, 25, 3)].enumerated() {
            let (rows, cols, cap) = shape
            let capacity = [Int](repeating: cap, count: cols)
            for objective in Objective.allCases {
                let s = rng.matrix(rows: rows, cols: cols, forbid: 0.2, ties: round == 3, negative: round % 2 == 1)
                let (matching, switching) = try OptimalMatcher.solveWithSwitchingCosts(s, capacity: capacity, objective: objective)
                let current = matching.colOfRow(rows: rows)
                var queries: [(row: Int, col: Int)] = []
                for i in stride(from: 0, to: rows, by: 4) { for j in stride(from: i % 3, to: cols, by: 3) where s.isAllowed(i, j) && current[i] != j { queries.append((i, j)) } }
                let changes = switching.changes(queries)
                for (q, (i, j)) in queries.enumerated() {
                    let locked = try OptimalMatcher.solve(s, capacity: capacity, objective: objective, locks: [(row: i, col: j)])
                    let change = try #require(changes[q])
                    #expect(abs(change.total - (locked.total - matching.total)) < 1e-9, "\(shape) \(objective) pair \(i),\(j)")
                    if objective == .participation {
                        #expect(change.pairs == locked.count - matching.count, "\(shape) \(objective) pair \(i),\(j)")
                    }
                }
            }
        }
    }

    /// A locked row cannot be moved, and a mentor whose places are all locked cannot take anyone.
    @Test func locksAreNeverBroken() throws {
        let s = ScoreMatrix(rows: 3, cols: 2, values: [0.9, 0.5,
                                                       0.4, 0.8,
                                                       0.7, 0.6])
        let (matching, switching) = try OptimalMatcher.solveWithSwitchingCosts(s, capacity: [1, 2], locks: [(row: 0, col: 0)])
        #expect(matching.pairs.contains(Pair(row: 0, col: 0, score: 0.9)))
        #expect(switching.change(row: 0, col: 1) == nil)          // row 0 is locked
        #expect(switching.change(row: 2, col: 0) == nil)          // column 0's only place is locked
        // Row 1 and row 2 share column 1 (capacity 2): nothing to switch to but the locked column.
        #expect(switching.change(row: 1, col: 0) == nil)
        // Out of range is no pair at all.
        #expect(switching.change(row: 3, col: 0) == nil && switching.change(row: 0, col: -1) == nil)
    }

    /// A worked example: moving a mentee to a mentor who is taken displaces the holder down its list.
    @Test func aWorkedExample() throws {
        let s = ScoreMatrix(rows: 2, cols: 2, values: [0.9, 0.6,
                                                       0.8, 0.1])
        let (matching, switching) = try OptimalMatcher.solveWithSwitchingCosts(s, capacity: [1, 1])
        #expect(matching.total == 1.4)                             // (0,1) 0.6 + (1,0) 0.8
        let change = try #require(switching.change(row: 0, col: 0))
        #expect(change.pairs == 0)
        #expect(abs(change.total - (0.9 + 0.1 - 1.4)) < 1e-12)
    }
}
