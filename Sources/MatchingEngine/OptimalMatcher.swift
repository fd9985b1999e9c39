import Dispatch

/// What the optimal solver maximises.
public enum Objective: String, Sendable, Codable, CaseIterable {
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
        try solveKeepingState(scores, capacity: capacity, objective: objective, locks: locks).matching
    }

    /// The optimum, and what forcing any other eligible pair into it would change in the program's
    /// number of pairs and total score: exact, from the solver's dual prices (see `SwitchingCosts`).
    public static func solveWithSwitchingCosts(_ scores: ScoreMatrix, capacity: [Int], objective: Objective = .participation,
                                               locks: [(row: Int, col: Int)] = []) throws(MatchingError) -> (Matching, SwitchingCosts) {
        let solved = try solveKeepingState(scores, capacity: capacity, objective: objective, locks: locks)
        return (solved.matching, SwitchingCosts(scores: scores, result: solved.result))
    }

    /// The optimum with the solver's final state. Pairs scoring below `floor` count as forbidden
    /// (without copying the matrix). `resuming`: the state of an earlier solve of the same matrix,
    /// capacities and locks with a lower floor; costs have only risen since, so the dual prices stay
    /// feasible and only the rows whose pair fell below the floor are re-routed.
    static func solveKeepingState(_ scores: ScoreMatrix, capacity: [Int], objective: Objective, locks: [(row: Int, col: Int)],
                                  floor: Double = -.infinity, resuming previous: SparseAssignment? = nil)
        throws(MatchingError) -> (matching: Matching, result: AssignmentResult) {
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
        let range = try checkedRange(scores)
        let freeRows = (0..<scores.rows).filter { !lockedRows.contains($0) }
        var slotColumn: [Int] = []
        for j in 0..<scores.cols { slotColumn += Array(repeating: j, count: remaining[j]) }
        let result = assign(scores, rows: freeRows, slots: slotColumn, objective: objective, fullRange: range, floor: floor,
                            resuming: previous)
        return (Matching(pairs: pairs + result.pairs), result)
    }

    /// Convenience: the same capacity for every column.
    public static func solve(_ scores: ScoreMatrix, capacity: Int = 1, objective: Objective = .participation) throws(MatchingError) -> Matching {
        try solve(scores, capacity: Array(repeating: capacity, count: scores.cols), objective: objective)
    }

    /// The smallest and largest finite scores; throws when their differences or totals would overflow.
    static func checkedRange(_ scores: ScoreMatrix) throws(MatchingError) -> (Double, Double) {
        let (lo, hi) = scores.values.withUnsafeBufferPointer { finiteRange($0) }
        let most = Double(min(scores.rows, scores.cols) + 1)
        if lo.isFinite && (!((hi - lo + 1) * most * 4).isFinite || !(hi * most).isFinite || !(lo * most).isFinite) {
            throw .scoresTooLarge(low: lo, high: hi)
        }
        return (lo, hi)
    }

    /// What `assign` found: the pairs, and the solver's state with the cost model it solved (nil when
    /// there was nothing to solve).
    struct AssignmentResult {
        var pairs: [Pair]
        var solved: SparseAssignment?
        var model: AssignmentModel?
    }

    /// Optimal pairs between `rows` and column `slots` (a column repeated once per unit of capacity).
    /// Costs are computed from the scores on demand, so no second dense matrix is held.
    /// `fullRange`: the finite range of the whole matrix when the caller already scanned it.
    /// `resuming`: a previous solve of the same shape and cost model whose costs have since only risen.
    /// Returns the solver's state too (nil when there was nothing to solve).
    static func assign(_ scores: ScoreMatrix, rows: [Int], slots: [Int], objective: Objective,
                       initialCandidates: Int = 6, fullRange: (Double, Double)? = nil, floor: Double = -.infinity,
                       resuming previous: SparseAssignment? = nil) -> AssignmentResult {
        guard !rows.isEmpty, !slots.isEmpty else { return AssignmentResult(pairs: [], solved: nil, model: nil) }
        let identity = rows.count == scores.rows && slots.count == scores.cols
            && rows.enumerated().allSatisfy { $0.offset == $0.element } && slots.enumerated().allSatisfy { $0.offset == $0.element }
        var seen = [Bool](repeating: false, count: scores.cols)
        let distinctColumns = slots.filter { column in defer { seen[column] = true }; return !seen[column] }
        // Rows and slots are subsets of the matrix's without repeated rows: as many means all of them.
        let whole = rows.count == scores.rows && distinctColumns.count == scores.cols
        var lo = Double.infinity, hi = -Double.infinity
        scores.values.withUnsafeBufferPointer { values in
            if whole {
                (lo, hi) = fullRange ?? finiteRange(values)
            } else {
                for i in rows {
                    let base = i * scores.cols
                    for j in distinctColumns { let s = values[base + j]; if s.isFinite { lo = min(lo, s); hi = max(hi, s) } }
                }
            }
        }
        guard lo.isFinite else { return AssignmentResult(pairs: [], solved: nil, model: nil) }
        let span = hi - lo
        // participation: allowed pairs cost hi - score (≥ 0); a forbidden pair costs more than any gain
        // in total score could repay, so the optimum uses as few as possible (the most allowed pairs),
        // then has the best total; they are dropped afterwards.
        // quality: pairs cost -score, against a private "stay unmatched" column per row at cost 0.
        let pairCount = min(rows.count, slots.count)
        let penalty = (span + 1) * Double(pairCount + 1)
        let transposed = objective == .participation && rows.count > slots.count
        let tolerance = 1e-9 * (span + 1)
        // A column with capacity c appears as c equal slots: keep as many candidates per distinct column.
        let distinctSlots = distinctColumns.count
        let slotsPerColumn = max(1, (slots.count + distinctSlots - 1) / max(1, distinctSlots))
        // Below a floor many pairs become forbidden; the candidates then need more room per row.
        let initialCandidates = initialCandidates * slotsPerColumn * (floor > -.infinity ? 2 : 1)
        let model = AssignmentModel(cols: scores.cols, rows: rows, slots: slots, objective: objective, transposed: transposed,
                                    hi: hi, penalty: penalty, floor: floor)
        let solved: SparseAssignment = scores.values.withUnsafeBufferPointer { values in
            if objective == .participation && !transposed && identity {
                // The common case: every row and column once, costs read straight from the scores.
                let costs = DirectParticipationCosts(values: values, left: rows.count, right: slots.count, hi: hi, penalty: penalty, floor: floor)
                if let previous { return SparseAssignment(costs, resuming: previous, tolerance: tolerance) }
                return SparseAssignment(costs, initialCandidates: initialCandidates, tolerance: tolerance)
            }
            let costs = model.costs(values)
            if let previous { return SparseAssignment(costs, resuming: previous, tolerance: tolerance) }
            return SparseAssignment(costs, initialCandidates: initialCandidates, tolerance: tolerance)
        }
        var pairs: [Pair] = []
        for (l, r) in solved.rightOfLeft.enumerated() {
            if let pair = model.pair(scores, l, r), !(objective == .quality && pair.score < 0) { pairs.append(pair) }
        }
        return AssignmentResult(pairs: pairs, solved: solved, model: model)
    }
}

/// Participation costs straight from a row-major score matrix: `hi - score`, or the penalty when forbidden.
struct DirectParticipationCosts: AssignmentCosts, @unchecked Sendable {
    let values: UnsafeBufferPointer<Double>
    let left: Int
    let right: Int
    let hi: Double
    let penalty: Double
    /// Pairs below this score count as forbidden.
    let floor: Double

    @inline(__always) func cost(_ l: Int, _ r: Int) -> Double {
        let s = values[l &* right &+ r]
        return s.isFinite && s >= floor ? hi - s : penalty
    }

    func costs(ofLeft l: Int, into row: UnsafeMutableBufferPointer<Double>) {
        let base = values.baseAddress! + l &* right
        // Eight at a time: `cost`'s rule as comparisons only (a finite score at or above the floor),
        // which the compiler keeps in vector registers.
        let low = SIMD8(repeating: Swift.max(floor, -Double.greatestFiniteMagnitude)), high = SIMD8(repeating: Double.greatestFiniteMagnitude)
        let top = SIMD8(repeating: hi), forbidden = SIMD8(repeating: penalty)
        let source = UnsafeRawPointer(base), target = UnsafeMutableRawPointer(row.baseAddress!)
        var r = 0
        while r + 8 <= right {
            let s = source.loadUnaligned(fromByteOffset: r &* 8, as: SIMD8<Double>.self)
            let allowed = (s .>= low) .& (s .<= high)
            target.storeBytes(of: forbidden.replacing(with: top - s, where: allowed), toByteOffset: r &* 8, as: SIMD8<Double>.self)
            r &+= 8
        }
        while r < right { row[r] = cost(l, r); r &+= 1 }
    }
}

/// The assignment problem `assign` builds from a score matrix: which rows are left or right nodes,
/// each column repeated once per unit of capacity (its slots), and how a pair's score becomes a cost.
struct AssignmentModel {
    let cols: Int
    let rows: [Int]
    let slots: [Int]
    let objective: Objective
    /// Left nodes are the slots (more rows than slots, participation).
    let transposed: Bool
    let hi: Double
    let penalty: Double
    let floor: Double

    func costs(_ values: UnsafeBufferPointer<Double>) -> MappedCosts { MappedCosts(values: values, model: self) }

    /// The (row index in `rows`, slot) of a left and a right node; the slot is ≥ `slots.count` for a
    /// quality model's "stay unmatched" column.
    @inline(__always) func rowAndSlot(_ l: Int, _ r: Int) -> (Int, Int) { transposed ? (r, l) : (l, r) }

    /// The matrix pair that a left and a right node stand for, when it is an allowed pair.
    func pair(_ scores: ScoreMatrix, _ l: Int, _ r: Int) -> Pair? {
        let (a, b) = rowAndSlot(l, r)
        guard b < slots.count else { return nil }
        let (i, j) = (rows[a], slots[b])
        let s = scores[i, j]
        return s.isFinite && s >= floor ? Pair(row: i, col: j, score: s) : nil
    }
}

/// Costs for any subset of rows, columns repeated by capacity, either orientation, either objective.
struct MappedCosts: AssignmentCosts, @unchecked Sendable {
    let values: UnsafeBufferPointer<Double>
    let model: AssignmentModel

    var left: Int { model.transposed ? model.slots.count : model.rows.count }
    var right: Int {
        model.transposed ? model.rows.count : (model.objective == .quality ? model.slots.count + model.rows.count : model.slots.count)
    }

    @inline(__always) func cost(_ l: Int, _ r: Int) -> Double {
        let (a, b) = model.rowAndSlot(l, r)
        if model.objective == .quality {
            if b >= model.slots.count { return b - model.slots.count == a ? 0 : .infinity }
            let s = values[model.rows[a] &* model.cols &+ model.slots[b]]
            return s.isFinite && s >= model.floor ? -s : .infinity
        }
        let s = values[model.rows[a] &* model.cols &+ model.slots[b]]
        return s.isFinite && s >= model.floor ? model.hi - s : model.penalty
    }

    /// The same costs as `cost`, a row at a time: a left node that is a matrix row reads that row
    /// through its slots (nearly contiguous); a transposed model reads `cost` one by one.
    func costs(ofLeft l: Int, into row: UnsafeMutableBufferPointer<Double>) {
        guard !model.transposed else {
            for r in 0..<right { row[r] = cost(l, r) }
            return
        }
        let base = values.baseAddress! + model.rows[l] &* model.cols
        let floor = model.floor, hi = model.hi, penalty = model.penalty
        model.slots.withUnsafeBufferPointer { slots in
            if model.objective == .quality {
                for b in 0..<slots.count {
                    let s = base[slots[b]]
                    row[b] = s.isFinite && s >= floor ? -s : .infinity
                }
                for b in slots.count..<right { row[b] = b - slots.count == l ? 0 : .infinity }
            } else {
                for b in 0..<slots.count {
                    let s = base[slots[b]]
                    row[b] = s.isFinite && s >= floor ? hi - s : penalty
                }
            }
        }
    }
}

/// The smallest and largest finite values (±∞ when there are none), scanned on both cores.
func finiteRange(_ values: UnsafeBufferPointer<Double>) -> (Double, Double) {
    let chunks = Parallelism.chunks(large: values.count >= 1 << 16)
    var partial = [(Double, Double)](repeating: (.infinity, -.infinity), count: chunks)
    partial.withUnsafeMutableBufferPointer { buffer in
        let box = SendableBuffer(buffer)
        let source = SendableBuffer(UnsafeMutableBufferPointer(mutating: values))
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let size = (source.buffer.count + chunks - 1) / chunks
            let end = min(source.buffer.count, (chunk + 1) * size)
            // Four minima and maxima side by side: one chain of `min` waits on each one before it. A
            // non-finite value is read as +∞ for the minima and -∞ for the maxima.
            var lo0 = Double.infinity, lo1 = Double.infinity, lo2 = Double.infinity, lo3 = Double.infinity
            var hi0 = -Double.infinity, hi1 = -Double.infinity, hi2 = -Double.infinity, hi3 = -Double.infinity
            @inline(__always) func low(_ s: Double) -> Double { s.isFinite ? s : .infinity }
            @inline(__always) func high(_ s: Double) -> Double { s.isFinite ? s : -.infinity }
            var k = chunk * size
            let values = source.buffer
            while k &+ 4 <= end {
                let s0 = values[k], s1 = values[k &+ 1], s2 = values[k &+ 2], s3 = values[k &+ 3]
                lo0 = min(lo0, low(s0)); lo1 = min(lo1, low(s1)); lo2 = min(lo2, low(s2)); lo3 = min(lo3, low(s3))
                hi0 = max(hi0, high(s0)); hi1 = max(hi1, high(s1)); hi2 = max(hi2, high(s2)); hi3 = max(hi3, high(s3))
                k &+= 4
            }
            while k < end { lo0 = min(lo0, low(values[k])); hi0 = max(hi0, high(values[k])); k &+= 1 }
            let low = min(min(lo0, lo1), min(lo2, lo3)), high = max(max(hi0, hi1), max(hi2, hi3))
            box.buffer[chunk] = (low, high)
        }
    }
    return (partial.map(\.0).min()!, partial.map(\.1).max()!)
}
