/// What the optimal solver maximises.
public enum Objective: String, Sendable, CaseIterable {
    /// The largest number of pairs, then the largest total score (what the reference solvers compute).
    case participation
    /// The largest total score; a pair is optional, so a negative-score pair is left out.
    case quality
}

/// Exact optimum over the allowed pairs, with mentor capacities, locks and any shape.
public enum OptimalMatcher {
    /// Solves `scores` (rows = mentees with one mentor each, columns = mentors with `capacity[j]` mentees each).
    /// `locks` are pairs that must be kept; they use up their row and one unit of their column's capacity.
    public static func solve(_ scores: ScoreMatrix, capacity: [Int], objective: Objective = .participation,
                             locks: [(row: Int, col: Int)] = []) throws(MatchingError) -> Matching {
        precondition(capacity.count == scores.cols, "one capacity per column")
        if let bad = capacity.first(where: { $0 < 1 }) { throw .invalidCapacity(bad) }
        var remaining = capacity
        var lockedRows = Set<Int>()
        var pairs: [Pair] = []
        for lock in locks where !lockedRows.contains(lock.row) && remaining[lock.col] > 0 {
            lockedRows.insert(lock.row)
            remaining[lock.col] -= 1
            pairs.append(Pair(row: lock.row, col: lock.col, score: scores[lock.row, lock.col]))
        }
        let freeRows = (0..<scores.rows).filter { !lockedRows.contains($0) }
        var slotColumn: [Int] = []
        for j in 0..<scores.cols { slotColumn += Array(repeating: j, count: remaining[j]) }
        pairs += assign(scores, rows: freeRows, slots: slotColumn, objective: objective)
        return Matching(pairs: pairs)
    }

    /// Convenience: the same capacity for every column.
    public static func solve(_ scores: ScoreMatrix, capacity: Int = 1, objective: Objective = .participation) throws(MatchingError) -> Matching {
        try solve(scores, capacity: Array(repeating: capacity, count: scores.cols), objective: objective)
    }

    /// Optimal pairs between `rows` and column `slots` (a column repeated once per unit of capacity).
    static func assign(_ scores: ScoreMatrix, rows: [Int], slots: [Int], objective: Objective) -> [Pair] {
        guard !rows.isEmpty, !slots.isEmpty else { return [] }
        var lo = Double.infinity, hi = -Double.infinity
        for i in rows { for j in Set(slots) { let s = scores[i, j]; if s.isFinite { lo = min(lo, s); hi = max(hi, s) } } }
        guard lo.isFinite else { return [] }
        // Forbidden pairs cost more than any difference in total score could repay, so the optimum uses
        // as few as possible (the most allowed pairs), then the best total; they are dropped afterwards.
        let extraColumns = objective == .quality ? rows.count : 0
        let penalty = (hi - lo + 1) * Double(min(rows.count, slots.count + extraColumns) + 1) + max(0, hi)
        let left: Int, right: Int, transposed: Bool
        if objective == .participation && rows.count > slots.count {
            (left, right, transposed) = (slots.count, rows.count, true)
        } else {
            (left, right, transposed) = (rows.count, slots.count + extraColumns, false)
        }
        var cost = [Double](repeating: penalty, count: left * right)
        for (a, i) in rows.enumerated() {
            for (b, j) in slots.enumerated() {
                let s = scores[i, j]
                guard s.isFinite else { continue }
                // participation: costs hi - s ≥ 0; quality: -s, against a private "stay unmatched" column at 0.
                let c = objective == .participation ? hi - s : -s
                if transposed { cost[b * right + a] = c } else { cost[a * right + b] = c }
            }
            if objective == .quality { cost[a * right + slots.count + a] = 0 }
        }
        let solved = cost.withUnsafeBufferPointer { HungarianSolver(cost: $0, rows: left, cols: right) }
        var pairs: [Pair] = []
        for (l, r) in solved.columnOfRow.enumerated() {
            let (a, b) = transposed ? (r, l) : (l, r)
            guard b < slots.count else { continue }
            let (i, j) = (rows[a], slots[b])
            let s = scores[i, j]
            if s.isFinite && !(objective == .quality && s < 0) { pairs.append(Pair(row: i, col: j, score: s)) }
        }
        return pairs
    }
}
