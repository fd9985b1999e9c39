/// Among the matchings with the most pairs, the one whose lowest pair score is highest; then the
/// highest total.
///
/// The optimum (most pairs, best total) gives a first feasible floor: its lowest pair score. The floor
/// then rises by bisection on the score value, each step checking whether the most pairs are still
/// possible using only pairs at or above the candidate floor; a check starts from the last feasible
/// matching and only re-routes the rows whose pair fell below it. Once the interval is narrow, the
/// few distinct scores left in it are searched exactly. A final exact optimum over the pairs at or
/// above the floor gives the best total.
public enum FairMatcher {
    public static func solve(_ s: ScoreMatrix, capacity: [Int]) throws(MatchingError) -> Matching {
        precondition(capacity.count == s.cols, "one capacity per column")
        if let bad = capacity.first(where: { $0 < 1 }) { throw .invalidCapacity(bad) }
        let clock = ContinuousClock()
        var t0 = clock.now
        // One mentee per mentor and no more rows than columns: the final solve can resume from the first.
        let resumable = capacity.allSatisfy { $0 == 1 } ? try OptimalMatcher.resumableParticipation(s, floor: -.infinity, resuming: nil) : nil
        let optimum: Matching
        if let resumable { optimum = resumable.0 } else { optimum = try OptimalMatcher.solve(s, capacity: capacity, objective: .participation) }
        trace("fair: first optimum \(clock.now - t0)")
        t0 = clock.now
        var checks = 0
        let target = optimum.count
        guard target > 0 else { return optimum }
        var best = optimum
        var lo = optimum.pairs.map(\.score).min()!      // feasible floor
        var hi = Double.infinity                          // infeasible floor
        var top = -Double.infinity
        for v in s.values where v.isFinite { top = max(top, v) }
        hi = top.nextUp
        let span = max(1e-300, top - lo)
        // Bisection on values while the interval is wide.
        while hi - lo > span * 1e-7 {
            let mid = lo + (hi - lo) / 2
            guard mid > lo && mid < hi else { break }     // no representable value in between
            checks += 1
            if let m = feasible(s, capacity, floor: mid, target: target, from: best) {
                best = m
                lo = m.pairs.map(\.score).min()!
            } else {
                hi = mid
            }
        }
        trace("fair: \(checks) bisection checks \(clock.now - t0)")
        t0 = clock.now
        // The distinct scores strictly inside (lo, hi), searched exactly.
        var inside: [Double] = []
        s.values.withUnsafeBufferPointer { values in
            for v in values where v > lo && v < hi { inside.append(v) }
        }
        var candidates = Array(Set(inside)).sorted()
        while !candidates.isEmpty {
            let mid = candidates.count / 2
            if let m = feasible(s, capacity, floor: candidates[mid], target: target, from: best) {
                best = m
                lo = m.pairs.map(\.score).min()!
                candidates = candidates.filter { $0 > lo }
            } else {
                candidates = Array(candidates[..<mid])
            }
        }
        trace("fair: exact phase \(clock.now - t0)")
        t0 = clock.now
        let result: Matching
        if let resumable, let resumed = try OptimalMatcher.resumableParticipation(s, floor: lo, resuming: resumable.1) {
            result = resumed.0
        } else {
            result = try OptimalMatcher.solve(s, capacity: capacity, objective: .participation, locks: [], floor: lo)
        }
        trace("fair: final optimum \(clock.now - t0)")
        return result
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
