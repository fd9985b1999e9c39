/// Among the matchings with the most pairs, the one whose lowest pair score is highest; then the
/// highest total.
///
/// The optimum (most pairs, best total) gives a first feasible floor: its lowest pair score. A ceiling
/// comes from the rows and places that must all be matched (no floor can exceed the lowest row's best
/// score, nor a column's capacity-th best); it is checked first, and often holds. Otherwise the floor
/// rises by bisection on the score value, each step checking whether the most pairs are still
/// possible using only pairs at or above the candidate floor; a check starts from the last feasible
/// matching and only re-routes the rows whose pair fell below it. Once the interval is narrow, the
/// few distinct scores left in it are searched exactly. A final exact optimum over the pairs at or
/// above the floor gives the best total, resumed from the first solve's dual prices (raising the floor
/// only makes pairs dearer, so the prices stay feasible and only the rows that lost their pair move).
public enum FairMatcher {
    public static func solve(_ s: ScoreMatrix, capacity: [Int]) throws(MatchingError) -> Matching {
        let clock = ContinuousClock()
        var t0 = clock.now
        // Checks the capacities too.
        let first = try OptimalMatcher.solveKeepingState(s, capacity: capacity, objective: .participation, locks: [])
        let optimum = first.matching
        trace("fair: first optimum \(clock.now - t0)")
        t0 = clock.now
        var checks = 0
        let target = optimum.count
        guard target > 0 else { return optimum }
        var best = optimum
        var lo = optimum.pairs.map(\.score).min()!      // feasible floor
        let bound = ceiling(s, capacity, target: target)
        var hi = max(bound, lo).nextUp                    // infeasible floor
        /// Whether `target` pairs can all score at least `floor`; when they can, the floor found rises to
        /// their lowest score.
        func holds(_ floor: Double) -> Bool {
            checks += 1
            guard let m = feasible(s, capacity, floor: floor, target: target, from: best) else { return false }
            best = m
            lo = m.pairs.map(\.score).min()!
            return true
        }
        // Often the ceiling itself holds (a mentor whose best mentee is poor must still be matched).
        if bound > lo && !holds(bound) { hi = bound }
        let span = max(1e-300, hi - lo)
        // Bisection on values while the interval is wide.
        while hi - lo > span * 1e-7 {
            let mid = lo + (hi - lo) / 2
            guard mid > lo && mid < hi else { break }     // no representable value in between
            if !holds(mid) { hi = mid }
        }
        trace("fair: \(checks) bisection checks \(clock.now - t0)")
        t0 = clock.now
        // The distinct scores strictly inside (lo, hi), searched exactly.
        var inside: [Double] = []
        if lo.nextUp < hi {
            s.values.withUnsafeBufferPointer { values in
                for v in values where v > lo && v < hi { inside.append(v) }
            }
        }
        var candidates = Array(Set(inside)).sorted()
        while !candidates.isEmpty {
            let mid = candidates.count / 2
            if holds(candidates[mid]) {
                candidates = candidates.filter { $0 > lo }
            } else {
                candidates = Array(candidates[..<mid])
            }
        }
        trace("fair: exact phase \(clock.now - t0)")
        t0 = clock.now
        let result = try OptimalMatcher.solveKeepingState(s, capacity: capacity, objective: .participation, locks: [],
                                                          floor: lo, resuming: first.result.solved).matching
        trace("fair: final optimum \(clock.now - t0)")
        return result
    }

    /// No floor above this value leaves `target` pairs: when every row must be matched, no row can do
    /// better than its best score; when every place must be filled, no column better than its
    /// capacity-th best. The highest finite score otherwise.
    static func ceiling(_ s: ScoreMatrix, _ capacity: [Int], target: Int) -> Double {
        let allRows = target == s.rows
        let allPlaces = target == capacity.reduce(0, +)
        var bound = -Double.infinity
        var rowBound = Double.infinity
        // Per column, its capacity best scores (negated in a bounded max-heap: it keeps the smallest keys).
        var columnBest = allPlaces ? capacity.map { BoundedMaxHeap(capacity: $0) } : []
        var bar = [Double](repeating: .infinity, count: allPlaces ? s.cols : 0)
        s.values.withUnsafeBufferPointer { values in
            for i in 0..<s.rows {
                let base = i * s.cols
                var rowMax = -Double.infinity
                for j in 0..<s.cols {
                    let v = values[base + j]
                    guard v.isFinite else { continue }
                    rowMax = max(rowMax, v)
                    if allPlaces && -v < bar[j] {
                        columnBest[j].insert(-v, Int32(i))
                        if columnBest[j].isFull { bar[j] = columnBest[j].worst }
                    }
                }
                bound = max(bound, rowMax)
                rowBound = min(rowBound, rowMax)
            }
        }
        if allRows { bound = min(bound, rowBound) }
        if allPlaces { for j in 0..<s.cols { bound = min(bound, columnBest[j].isFull ? -columnBest[j].worst : -.infinity) } }
        return bound
    }

    /// A matching of `target` pairs that all score at least `floor`, or nil when none exists. Starts from
    /// `start`'s pairs at or above the floor and augments the other rows (breadth-first, over capacity).
    static func feasible(_ s: ScoreMatrix, _ capacity: [Int], floor: Double, target: Int, from start: Matching) -> Matching? {
        var holders = [[Int]](repeating: [], count: s.cols)
        var mentorOf = [Int](repeating: -1, count: s.rows)
        var matched = 0
        for p in start.pairs where p.score >= floor {
            holders[p.col].append(p.row)
            mentorOf[p.row] = p.col
            matched += 1
        }
        var failures = 0
        let allowedFailures = s.rows - target
        var parentRow = [Int](repeating: -2, count: s.cols)
        var queued = [Bool](repeating: false, count: s.rows)
        var touchedColumns: [Int] = []
        var queue: [Int] = []
        let cols = s.cols
        let found: Bool = s.values.withUnsafeBufferPointer { values in
            for root in 0..<s.rows where mentorOf[root] < 0 {
                if matched == target { return true }
                for j in touchedColumns { parentRow[j] = -2 }
                for r in queue { queued[r] = false }
                touchedColumns.removeAll(keepingCapacity: true)
                queue.removeAll(keepingCapacity: true)
                queue.append(root)
                queued[root] = true
                var head = 0
                var end: (row: Int, col: Int)?
                search: while head < queue.count {
                    let i = queue[head]
                    head += 1
                    let base = i * cols
                    for j in 0..<cols where parentRow[j] == -2 && mentorOf[i] != j {
                        let v = values[base + j]
                        guard v >= floor && v.isFinite else { continue }
                        parentRow[j] = i
                        touchedColumns.append(j)
                        if holders[j].count < capacity[j] { end = (i, j); break search }
                        for r in holders[j] where !queued[r] {
                            queued[r] = true
                            queue.append(r)
                        }
                    }
                }
                guard var (i, j) = end else {
                    failures += 1
                    if failures > allowedFailures { return false }
                    continue
                }
                while true {
                    let old = mentorOf[i]
                    if old >= 0 { holders[old].removeAll { $0 == i } }
                    holders[j].append(i)
                    mentorOf[i] = j
                    if i == root { break }
                    j = old
                    i = parentRow[j]
                }
                matched += 1
            }
            return matched == target
        }
        guard found else { return nil }
        return Matching(pairs: mentorOf.enumerated().compactMap { i, j in j >= 0 ? Pair(row: i, col: j, score: s[i, j]) : nil })
    }
}
