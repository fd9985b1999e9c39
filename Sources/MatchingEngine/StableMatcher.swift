/// Deferred acceptance (Gale–Shapley, hospital–residents form) with mentor capacities.
/// Both sides rank by the pair score, higher first; ties go to the lower index. Forbidden pairs are unacceptable.
public enum StableMatcher {
    /// Which side proposes; the proposing side gets its best stable matching.
    public enum Proposer: String, Sendable, CaseIterable {
        case mentees, mentors
    }

    public static func solve(_ s: ScoreMatrix, capacity: [Int], proposing: Proposer = .mentees) throws(MatchingError) -> Matching {
        precondition(capacity.count == s.cols, "one capacity per column")
        if let bad = capacity.first(where: { $0 < 1 }) { throw .invalidCapacity(bad) }
        switch proposing {
        case .mentees: return menteesPropose(s, capacity)
        case .mentors: return mentorsPropose(s, capacity)
        }
    }

    /// Whether row i prefers column a to column b (higher score, then lower index).
    @inline(__always) static func rowPrefers(_ s: ScoreMatrix, _ i: Int, _ a: Int, over b: Int) -> Bool {
        let x = s[i, a], y = s[i, b]
        return x > y || (x == y && a < b)
    }

    /// Whether column j prefers row a to row b.
    @inline(__always) static func colPrefers(_ s: ScoreMatrix, _ j: Int, _ a: Int, over b: Int) -> Bool {
        let x = s[a, j], y = s[b, j]
        return x > y || (x == y && a < b)
    }

    static func menteesPropose(_ s: ScoreMatrix, _ capacity: [Int]) -> Matching {
        let order = (0..<s.rows).map { i in (0..<s.cols).filter { s.isAllowed(i, $0) }.sorted { rowPrefers(s, i, $0, over: $1) } }
        var next = [Int](repeating: 0, count: s.rows)
        var held = [[Int]](repeating: [], count: s.cols)
        var free = Array((0..<s.rows).reversed())
        while let i = free.popLast() {
            while next[i] < order[i].count {
                let j = order[i][next[i]]
                next[i] += 1
                if held[j].count < capacity[j] {
                    held[j].append(i)
                    break
                }
                let worstIndex = held[j].indices.min { colPrefers(s, j, held[j][$1], over: held[j][$0]) }!
                let worst = held[j][worstIndex]
                if colPrefers(s, j, i, over: worst) {
                    held[j][worstIndex] = i
                    free.append(worst)
                    break
                }
            }
        }
        return Matching(pairs: held.enumerated().flatMap { j, rows in rows.map { Pair(row: $0, col: j, score: s[$0, j]) } })
    }

    static func mentorsPropose(_ s: ScoreMatrix, _ capacity: [Int]) -> Matching {
        let order = (0..<s.cols).map { j in (0..<s.rows).filter { s.isAllowed($0, j) }.sorted { colPrefers(s, j, $0, over: $1) } }
        var next = [Int](repeating: 0, count: s.cols)
        var load = [Int](repeating: 0, count: s.cols)
        var mentorOf = [Int?](repeating: nil, count: s.rows)
        var active = Array((0..<s.cols).reversed())
        while let j = active.popLast() {
            while load[j] < capacity[j] && next[j] < order[j].count {
                let i = order[j][next[j]]
                next[j] += 1
                if let current = mentorOf[i] {
                    guard rowPrefers(s, i, j, over: current) else { continue }
                    load[current] -= 1
                    active.append(current)
                }
                mentorOf[i] = j
                load[j] += 1
            }
        }
        return Matching(pairs: mentorOf.enumerated().compactMap { i, j in j.map { Pair(row: i, col: $0, score: s[i, $0]) } })
    }

    /// Pairs (mentee, mentor) who would both rather be together than with their partners in `matching`.
    public static func blockingPairs(_ s: ScoreMatrix, capacity: [Int], matching: Matching) -> Int {
        let mentorOf = matching.colOfRow(rows: s.rows)
        var held = [[Int]](repeating: [], count: s.cols)
        for p in matching.pairs { held[p.col].append(p.row) }
        var count = 0
        for i in 0..<s.rows {
            for j in 0..<s.cols where s.isAllowed(i, j) && mentorOf[i] != j {
                if let current = mentorOf[i], !rowPrefers(s, i, j, over: current) { continue }
                if held[j].count < capacity[j] || held[j].contains(where: { colPrefers(s, j, i, over: $0) }) { count += 1 }
            }
        }
        return count
    }
}
