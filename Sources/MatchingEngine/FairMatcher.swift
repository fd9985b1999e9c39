/// Among the matchings with the most pairs, the one whose lowest pair score is highest; then the
/// highest total. Found by a binary search on the threshold over the distinct scores, checking the
/// most pairs possible above it, then an exact optimum over the pairs at or above the threshold.
public enum FairMatcher {
    public static func solve(_ s: ScoreMatrix, capacity: [Int]) throws(MatchingError) -> Matching {
        precondition(capacity.count == s.cols, "one capacity per column")
        if let bad = capacity.first(where: { $0 < 1 }) { throw .invalidCapacity(bad) }
        let target = maximumCardinality(s, capacity: capacity, threshold: -.infinity)
        guard target > 0 else { return Matching(pairs: []) }
        let scores = Array(Set(s.values.filter(\.isFinite))).sorted()
        var lo = 0, hi = scores.count - 1   // invariant: threshold scores[lo] keeps `target` pairs
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if maximumCardinality(s, capacity: capacity, threshold: scores[mid]) == target { lo = mid } else { hi = mid - 1 }
        }
        let floor = scores[lo]
        var restricted = s
        for k in restricted.values.indices where restricted.values[k] < floor { restricted.values[k] = -.infinity }
        return try OptimalMatcher.solve(restricted, capacity: capacity, objective: .participation)
    }

    /// The most pairs possible using only pairs scoring at least `threshold` (augmenting paths over capacity slots).
    static func maximumCardinality(_ s: ScoreMatrix, capacity: [Int], threshold: Double) -> Int {
        var holders = [[Int]](repeating: [], count: s.cols)   // rows held by each column
        var mentorOf = [Int](repeating: -1, count: s.rows)
        var matched = 0
        for root in 0..<s.rows {
            // Breadth-first search for an augmenting path from `root`.
            var parentRow = [Int](repeating: -2, count: s.cols)   // row from which a column was reached
            var queue = [root]
            var queued = [Bool](repeating: false, count: s.rows)
            queued[root] = true
            var head = 0
            var end: (row: Int, col: Int)?
            search: while head < queue.count {
                let i = queue[head]
                head += 1
                for j in 0..<s.cols where parentRow[j] == -2 && s[i, j] >= threshold && s[i, j].isFinite && mentorOf[i] != j {
                    parentRow[j] = i
                    if holders[j].count < capacity[j] { end = (i, j); break search }
                    for r in holders[j] where !queued[r] {
                        queued[r] = true
                        queue.append(r)
                    }
                }
            }
            guard var (i, j) = end else { continue }
            // Walk back: i takes j; i's old column passes to whoever reached it.
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
        return matched
    }
}
