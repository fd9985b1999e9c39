import Dispatch

/// What forcing one more pair into an optimal matching would change in the program: the best matching
/// that contains the pair, compared with the optimum, in number of pairs and total score. Exact.
///
/// From the solver's dual prices: every reduced cost `c(l, r) - u(l) - v(r)` is ≥ 0 and is 0 on the
/// matched pairs. Forcing mentee `i` onto a place `s` of mentor `j` displaces the place's holder and
/// frees `i`'s old place; the best matching that keeps `(i, s)` differs from the optimum by one
/// alternating cycle, whose cost in reduced costs is `c̄(i, s)` plus the shortest alternating path from
/// the displaced holder to the freed place (the potentials cancel around a cycle). That path is found by
/// Dijkstra over the reduced costs, taking the minimum over `j`'s places. Places nobody holds are held
/// by "nobody" (a dummy row of cost 0 to every place, as in the square form of a rectangular problem),
/// which reaches any place `r` at cost `-v(r)`.
///
/// The search runs on the solver's candidate graph; every other edge of a row is only scanned (the
/// full row) once the search reaches that row's smallest reduced cost outside the graph, so the answer is
/// exact for the whole matrix. Queries that can share a search do (see `Search.group`): it runs until
/// every one of them has its shortest path, and labels at or beyond the longest of those found so far are
/// not explored. The change in pairs and total is then read off the cycle's actual scores.
public struct SwitchingCosts: Sendable {
    public struct Change: Sendable, Equatable {
        /// Pairs gained (negative: lost) by the program.
        public var pairs: Int
        /// The program's total score after, minus before.
        public var total: Double
    }

    let scores: ScoreMatrix
    let model: AssignmentModel?
    let graph: CandidateGraph?
    let state: ShortestAugmentingPaths?
    /// Each matrix row's left or right node (-1 for a locked row).
    let nodeOfRow: [Int32]
    /// Each column's slots (left or right nodes).
    let slotsOfColumn: [[Int32]]
    /// Each left node's dual price `u`.
    let rowPrice: [Double]
    /// Each candidate edge's reduced cost `max(0, c - u - v)`.
    let reduced: [Double]
    /// Per left node, the smallest reduced cost among the edges outside the candidate graph.
    let outsideMin: [Double]
    /// Held right nodes by `-v` ascending: the order in which "nobody" reaches them.
    let byDummyCost: [Int32]

    init(scores: ScoreMatrix, result: OptimalMatcher.AssignmentResult) {
        self.scores = scores
        guard let model = result.model, let solved = result.solved else {
            self.model = nil; graph = nil; state = nil
            nodeOfRow = []; slotsOfColumn = []; rowPrice = []; reduced = []; outsideMin = []; byDummyCost = []
            return
        }
        self.model = model
        let graph = solved.graph, state = solved.state
        self.graph = graph
        self.state = state
        var nodeOfRow = [Int32](repeating: -1, count: scores.rows)
        for (a, i) in model.rows.enumerated() { nodeOfRow[i] = Int32(a) }
        self.nodeOfRow = nodeOfRow
        var slotsOfColumn = [[Int32]](repeating: [], count: scores.cols)
        for (b, j) in model.slots.enumerated() { slotsOfColumn[j].append(Int32(b)) }
        self.slotsOfColumn = slotsOfColumn
        let n = state.rightOfLeft.count, m = state.leftOfRight.count
        let started = ContinuousClock.now
        let rowPrice = (0..<n).map { l in state.matchCost[l] - state.price[Int(state.rightOfLeft[l])] }
        self.rowPrice = rowPrice
        var reduced = [Double](repeating: 0, count: graph.target.count)
        for l in 0..<n {
            for e in graph.start[l]..<graph.start[l + 1] { reduced[e] = max(0, graph.weight[e] - rowPrice[l] - state.price[Int(graph.target[e])]) }
        }
        self.reduced = reduced
        var outsideMin = [Double](repeating: .infinity, count: n)
        scores.values.withUnsafeBufferPointer { values in
            let costs = model.costs(values)
            let chunks = Parallelism.chunks(large: n * m >= 1 << 16)
            outsideMin.withUnsafeMutableBufferPointer { buffer in
                let box = SendableBuffer(buffer)
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    var inGraph = [Bool](repeating: false, count: m)
                    for l in stride(from: chunk, to: n, by: chunks) {
                        let edges = graph.start[l]..<graph.start[l + 1]
                        for e in edges { inGraph[Int(graph.target[e])] = true }
                        var least = Double.infinity
                        let u = rowPrice[l]
                        for r in 0..<m where !inGraph[r] {
                            let c = costs.cost(l, r)
                            if c < .infinity { least = min(least, c - u - state.price[r]) }
                        }
                        for e in edges { inGraph[Int(graph.target[e])] = false }
                        box.buffer[l] = max(0, least)
                    }
                }
            }
        }
        self.outsideMin = outsideMin
        trace("switching: outside minima \(ContinuousClock.now - started)")
        // Nobody entering a free right node changes nothing, so its list holds the held ones only.
        byDummyCost = (0..<Int32(m)).filter { state.leftOfRight[Int($0)] >= 0 }.sorted { state.price[Int($0)] > state.price[Int($1)] || (state.price[Int($0)] == state.price[Int($1)] && $0 < $1) }
    }

    /// The change for each (row, column) pair: nil when the pair is not allowed, is already in the
    /// optimum, or cannot be forced without breaking a lock (a locked row, or a mentor whose places are
    /// all locked). Queries that share a search (see `Search.group`) are answered together; the
    /// searches run on both cores.
    public func changes(_ queries: [(row: Int, col: Int)]) -> [Change?] {
        guard let model, !queries.isEmpty else { return queries.map { _ in nil } }
        let clock = ContinuousClock(), t0 = clock.now
        var items: [Search.Item] = []
        for (q, (i, j)) in queries.enumerated() {
            guard (0..<scores.rows).contains(i), (0..<scores.cols).contains(j) else { continue }
            let s = scores[i, j]
            guard s.isFinite, s >= model.floor, nodeOfRow[i] >= 0, !slotsOfColumn[j].isEmpty else { continue }
            items.append((q, Int(nodeOfRow[i]), j, s))
        }
        // One search per mentee (transposed), or per mentor (rows are left nodes) with one for every
        // mentor whose places are all free.
        let keyed = items.map { (key: model.transposed ? $0.node : (placesAllFree($0.col) ? -1 : $0.col), item: $0) }.sorted { ($0.key, $0.item.index) < ($1.key, $1.item.index) }
        items = keyed.map(\.item)
        var groups: [Range<Int>] = []
        var from = 0
        for k in 1..<(items.count + 1) where k == items.count || keyed[k].key != keyed[from].key {
            groups.append(from..<k)
            from = k
        }
        defer { trace("switching: \(queries.count) queries in \(groups.count) searches \(clock.now - t0)") }
        var results = [Change?](repeating: nil, count: queries.count)
        guard !items.isEmpty else { return results }
        let chunks = Parallelism.chunks(large: items.count >= 64)
        let (work, spans) = (items, groups)
        results.withUnsafeMutableBufferPointer { buffer in
            let box = SendableBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var search = Search(self)
                for g in stride(from: chunk, to: spans.count, by: chunks) {
                    search.group(work[spans[g]], into: box)
                }
                search.release()
            }
        }
        return results
    }

    /// Whether nobody holds any of column `j`'s places (then a forced pair's path starts with nobody).
    func placesAllFree(_ j: Int) -> Bool { slotsOfColumn[j].allSatisfy { state!.leftOfRight[Int($0)] < 0 } }

    public func change(row: Int, col: Int) -> Change? { changes([(row, col)])[0] }
}
