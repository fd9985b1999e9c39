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
        // Each mentee's preference list is produced lazily, a few at a time: most mentees are accepted
        // within their first few proposals, so sorting every full list would be wasted work.
        var lists = (0..<s.rows).map { PreferenceCursor(count: s.cols, owner: $0) }
        var held = [[Int]](repeating: [], count: s.cols)
        var free = Array((0..<s.rows).reversed())
        s.values.withUnsafeBufferPointer { values in
            let rowScore = { (i: Int, j: Int) in values[i * s.cols + j] }
            while let i = free.popLast() {
                while let j = lists[i].next(score: rowScore) {
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
        }
        return Matching(pairs: held.enumerated().flatMap { j, rows in rows.map { Pair(row: $0, col: j, score: s[$0, j]) } })
    }

    static func mentorsPropose(_ s: ScoreMatrix, _ capacity: [Int]) -> Matching {
        var lists = (0..<s.cols).map { PreferenceCursor(count: s.rows, owner: $0) }
        var load = [Int](repeating: 0, count: s.cols)
        var mentorOf = [Int?](repeating: nil, count: s.rows)
        var active = Array((0..<s.cols).reversed())
        s.values.withUnsafeBufferPointer { values in
            let columnScore = { (j: Int, i: Int) in values[i * s.cols + j] }
            while let j = active.popLast() {
                while load[j] < capacity[j], let i = lists[j].next(score: columnScore) {
                    if let current = mentorOf[i] {
                        guard rowPrefers(s, i, j, over: current) else { continue }
                        load[current] -= 1
                        active.append(current)
                    }
                    mentorOf[i] = j
                    load[j] += 1
                }
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

/// One participant's preference list over the other side, produced in batches: each batch is the next
/// few acceptable partners in order (higher score first, ties to the lower index), found by one scan.
struct PreferenceCursor {
    let count: Int
    let owner: Int
    private var batch: [Int] = []
    private var position = 0
    /// The last partner of the current batch; the next batch starts strictly after it in preference order.
    private var last: (score: Double, index: Int)?
    private var exhausted = false
    static let batchSize = 32

    init(count: Int, owner: Int) {
        self.count = count
        self.owner = owner
    }

    /// The next acceptable partner, or nil. `score(owner, partner)` is the pair score.
    mutating func next(score: (Int, Int) -> Double) -> Int? {
        if position == batch.count {
            guard !exhausted else { return nil }
            refill(score)
            if batch.isEmpty { exhausted = true; return nil }
        }
        let partner = batch[position]
        position += 1
        last = (score(owner, partner), partner)
        return partner
    }

    private mutating func refill(_ score: (Int, Int) -> Double) {
        // Keep the best `batchSize` partners that come after `last`, as a sorted array (small, so insertion is cheap).
        var keys: [Double] = []
        var items: [Int] = []
        keys.reserveCapacity(Self.batchSize + 1)
        for p in 0..<count {
            let x = score(owner, p)
            guard x.isFinite else { continue }
            if let last, x > last.score || (x == last.score && p <= last.index) { continue }
            if keys.count == Self.batchSize {
                let worst = keys[keys.count - 1]
                if x < worst || (x == worst && p > items[items.count - 1]) { continue }
            }
            var at = keys.count
            while at > 0 && (keys[at - 1] < x || (keys[at - 1] == x && items[at - 1] > p)) { at -= 1 }
            keys.insert(x, at: at)
            items.insert(p, at: at)
            if keys.count > Self.batchSize { keys.removeLast(); items.removeLast() }
        }
        batch = items
        position = 0
        // A short batch is the last one: nothing acceptable is left after it.
        exhausted = items.count < Self.batchSize
    }
}
