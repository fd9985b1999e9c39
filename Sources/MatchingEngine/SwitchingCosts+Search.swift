extension SwitchingCosts {
    /// One worker's scratch space for the searches.
    struct Search {
        let owner: SwitchingCosts
        let model: AssignmentModel
        let graph: CandidateGraph
        let state: ShortestAugmentingPaths
        // Scratch arrays as raw buffers (the hot loops read and write them without copy-on-write checks);
        // `release` frees them.
        let dist: UnsafeMutableBufferPointer<Double>
        let done: UnsafeMutableBufferPointer<Bool>
        /// Who moves into a right node: a left node, `nobody`, or `forced` (the forced row itself).
        let pred: UnsafeMutableBufferPointer<Int32>
        var touched: [Int32] = []
        var heap = MinHeap()
        let scanned: UnsafeMutableBufferPointer<Bool>
        var scannedRows: [Int32] = []
        /// The distance at which each expanded left node was reached (each is expanded once per search).
        let rowBase: UnsafeMutableBufferPointer<Double>
        static let nobody: Int32 = -2
        static let forced: Int32 = -3
        typealias Item = (index: Int, node: Int, col: Int, score: Double)

        init(_ owner: SwitchingCosts) {
            self.owner = owner
            model = owner.model!
            graph = owner.graph!
            state = owner.state!
            let m = state.leftOfRight.count
            func buffer<T>(_ value: T, _ count: Int) -> UnsafeMutableBufferPointer<T> {
                let buffer = UnsafeMutableBufferPointer<T>.allocate(capacity: count)
                buffer.initialize(repeating: value)
                return buffer
            }
            dist = buffer(.infinity, m)
            done = buffer(false, m)
            pred = buffer(-1, m)
            scanned = buffer(false, state.rightOfLeft.count)
            rowBase = buffer(0, state.rightOfLeft.count)
            finish = buffer(.infinity, m)
        }

        func release() {
            dist.deallocate(); done.deallocate(); pred.deallocate(); scanned.deallocate(); rowBase.deallocate(); finish.deallocate()
        }

        /// Answers queries that share one search: in a model whose rows are left nodes, queries for the
        /// same mentor (one search from the mentor's places serves every mentee: the places' labels
        /// differ from each mentee's by the same amount); in a transposed model, queries for the same
        /// mentee (the search starts from the mentee's holder whichever mentor is forced). `items` are
        /// (query index, node of the row, column, score), all valid; answers go into `results`.
        mutating func group(_ items: ArraySlice<Item>, into results: SendableBuffer<Change?>) {
            owner.scores.values.withUnsafeBufferPointer { values in
                let costs = model.costs(values)
                defer { reset() }
                if model.transposed { forceTransposed(costs, items, into: results) } else { force(costs, items, into: results) }
            }
        }

        /// Rows are left nodes: the forced row `a` takes one of the mentor's places (right nodes); the
        /// path runs from the place's holder to `a`'s old right node. A place `p` starts at
        /// `V - v(p)` (V: the places' largest price); row `a`'s own distance is that plus
        /// `c(a, j) - u(a) - V`, the same for every place, and the shortest path to `a`'s old right node
        /// never passes through `a` (it is expanded only once that node is settled).
        ///
        /// When every place of the mentor is free, the path starts with nobody (who held the place taken),
        /// whichever the place and whoever the mentor: one search, starting with nobody, serves every
        /// such mentor.
        mutating func force(_ costs: MappedCosts, _ items: ArraySlice<Item>, into results: SendableBuffer<Change?>) {
            var asked: [Item] = []
            for item in items {
                let target = Int(state.rightOfLeft[item.node])
                if owner.slotsOfColumn[item.col].contains(Int32(target)) { continue }     // already this mentor's
                asked.append(item)
                ask([target], finish: 0)
            }
            guard !asked.isEmpty else { return }
            let col = items.first!.col
            if owner.placesAllFree(col) {
                startNobody(at: 0)
            } else {
                let places = owner.slotsOfColumn[col]
                let top = places.map { state.price[Int($0)] }.max()!
                for p in places { relax(Int(p), top - state.price[Int(p)], from: Self.forced) }
            }
            run(costs, banned: -1)
            for (k, item) in asked.enumerated() {
                guard let end = end(of: k) else { continue }
                results.buffer[item.index] = tally(path(to: end), leaving: (item.node, end), score: item.score)
            }
        }

        /// Places are left nodes: one of them takes the forced row's right node `b`; the path runs from
        /// `b`'s holder (or nobody) to that place's old right node.
        mutating func forceTransposed(_ costs: MappedCosts, _ items: ArraySlice<Item>, into results: SendableBuffer<Change?>) {
            let b = items.first!.node
            let holder = Int(state.leftOfRight[b])
            var asked: [Item] = []
            for item in items {
                let places = owner.slotsOfColumn[item.col]
                if places.contains(Int32(holder)) { continue }     // already this mentor's
                asked.append(item)
                var ends: [Int] = []
                for p in places {
                    let l = Int(p)
                    let r = Int(state.rightOfLeft[l])
                    ends.append(r)
                    finish[r] = min(finish[r], max(0, costs.cost(l, b) - owner.rowPrice[l] - state.price[b]))
                }
                ask(ends, finish: nil)
            }
            guard !asked.isEmpty else { return }
            if holder >= 0 {
                expand(costs, left: holder, at: 0, banned: b)
            } else {
                startNobody(at: 0)
            }
            run(costs, banned: b)
            for (k, item) in asked.enumerated() {
                guard let end = end(of: k) else { continue }
                // The place whose old right node ended the path leaves it for `b`.
                results.buffer[item.index] = tally(path(to: end), leaving: (Int(state.leftOfRight[end]), end), score: item.score)
            }
        }

        /// Adds a query whose path may end at any of `ends` (adding `finish` there, or what is already set).
        mutating func ask(_ ends: [Int], finish value: Double?) {
            for r in ends {
                if let value { finish[r] = value }
                targets.append(r)
            }
            askedEnd.append(targets.count)
            ceiling = .infinity
        }

        /// The best end of query `k`, if it has one.
        func end(of k: Int) -> Int? {
            var best = Double.infinity, end: Int? = nil
            for t in targets[(k == 0 ? 0 : askedEnd[k - 1])..<askedEnd[k]] where dist[t] + finish[t] < best {
                best = dist[t] + finish[t]; end = t
            }
            return end
        }

        /// The longest of the queries' shortest paths found so far: a label at or above it cannot lead
        /// to a shorter path for any of them.
        mutating func tighten() {
            var worst = -Double.infinity, from = 0
            for upTo in askedEnd {
                var best = Double.infinity
                for t in targets[from..<upTo] { best = min(best, dist[t] + finish[t]) }
                worst = max(worst, best)
                if worst == .infinity { break }
                from = upTo
            }
            ceiling = worst
        }

        // MARK: Dijkstra over reduced costs

        var nobodyBase = Double.infinity
        var nobodyFrom: Int32 = -1        // the free right node "nobody" was reached through (-1: the start)
        var nobodyCursor = 0

        /// What finishing at each right node adds (∞ where a path cannot end); the ends of every query
        /// (query `k`'s run up to `askedEnd[k]`); and the longest of the queries' shortest paths found so
        /// far (see `tighten`).
        let finish: UnsafeMutableBufferPointer<Double>
        var targets: [Int] = []
        var askedEnd: [Int] = []
        var ceiling = Double.infinity

        @inline(__always) mutating func relax(_ r: Int, _ d: Double, from l: Int32) {
            guard !done[r], d < dist[r] else { return }
            if dist[r] == .infinity { touched.append(Int32(r)) }
            dist[r] = d
            pred[r] = l
            if finish[r] < .infinity && d + finish[r] < ceiling { tighten() }
            if d < ceiling { heap.push(d, Int32(r)) }
        }

        /// Relaxes a left node's candidate edges, and schedules the scan of its other edges.
        mutating func expand(_ costs: MappedCosts, left l: Int, at d: Double, banned: Int) {
            for e in graph.start[l]..<graph.start[l + 1] {
                let r = Int(graph.target[e])
                if r == banned { continue }
                relax(r, d + owner.reduced[e], from: Int32(l))
            }
            let m = state.leftOfRight.count
            if !scanned[l] && d + owner.outsideMin[l] < ceiling { heap.push(d + owner.outsideMin[l], Int32(m + l)) }
            rowBase[l] = d
        }

        mutating func startNobody(at d: Double) {
            guard nobodyBase == .infinity else { return }
            nobodyBase = d
            nobodyCursor = 0
            pushNobody()
        }

        mutating func pushNobody() {
            let m = state.leftOfRight.count
            guard nobodyCursor < owner.byDummyCost.count else { return }
            let r = Int(owner.byDummyCost[nobodyCursor])
            let d = nobodyBase + max(0, -state.price[r])
            if d < ceiling { heap.push(d, Int32(m + state.rightOfLeft.count)) }
        }

        /// Runs until no open label can lead to a shorter path for any query.
        mutating func run(_ costs: MappedCosts, banned: Int) {
            let m = state.leftOfRight.count, n = state.rightOfLeft.count
            while let (d, node32) = heap.pop() {
                if d >= ceiling { break }
                let node = Int(node32)
                if node == m + n {
                    // "Nobody" reaches the next place in its order.
                    let r = Int(owner.byDummyCost[nobodyCursor])
                    nobodyCursor += 1
                    if r != banned { relax(r, d, from: Self.nobody) }
                    pushNobody()
                    continue
                }
                if node >= m {
                    // A row's edges outside the candidate graph, scanned once.
                    let l = node - m
                    guard !scanned[l] else { continue }
                    scanned[l] = true
                    scannedRows.append(Int32(l))
                    let base = rowBase[l], u = owner.rowPrice[l]
                    for r in 0..<m where r != banned && !done[r] {
                        let c = costs.cost(l, r)
                        if c < .infinity { relax(r, base + max(0, c - u - state.price[r]), from: Int32(l)) }
                    }
                    continue
                }
                let r = node
                if done[r] || d > dist[r] { continue }
                done[r] = true
                let holder = Int(state.leftOfRight[r])
                if holder >= 0 {
                    expand(costs, left: holder, at: d, banned: banned)
                } else if nobodyBase == .infinity {
                    nobodyFrom = Int32(r)
                    startNobody(at: d)
                }
            }
        }

        /// The moves (left node, old right node, new right node) along the path that ends at `end`, back
        /// to its start: the forced row's place, "nobody" at the start, or the displaced holder (whose
        /// old right node is the banned one, never reached).
        func path(to end: Int) -> [(Int, Int, Int)] {
            var moves: [(Int, Int, Int)] = []
            var r = end
            while true {
                let p = pred[r]
                if p == -1 || p == Self.forced { return moves }
                if p == Self.nobody {
                    if nobodyFrom < 0 { return moves }
                    r = Int(nobodyFrom)
                    continue
                }
                let l = Int(p)
                let old = Int(state.rightOfLeft[l])
                moves.append((l, old, r))
                r = old
            }
        }

        /// The change in pairs and total when the moves are made and the forced pair replaces the pair of
        /// the node that takes it (the forced pair counts whatever its score; the others as the solver's
        /// output counts them).
        func tally(_ moves: [(Int, Int, Int)], leaving forced: (Int, Int), score: Double) -> Change {
            var pairs = 1, total = score
            func counted(_ l: Int, _ r: Int) -> Pair? {
                guard let pair = model.pair(owner.scores, l, r) else { return nil }
                return model.objective == .quality && pair.score < 0 ? nil : pair
            }
            if let old = counted(forced.0, forced.1) { pairs -= 1; total -= old.score }
            for (l, old, new) in moves {
                if let pair = counted(l, old) { pairs -= 1; total -= pair.score }
                if let pair = counted(l, new) { pairs += 1; total += pair.score }
            }
            return Change(pairs: pairs, total: total)
        }

        mutating func reset() {
            for r in touched { dist[Int(r)] = .infinity; done[Int(r)] = false; pred[Int(r)] = -1 }
            touched.removeAll(keepingCapacity: true)
            for l in scannedRows { scanned[Int(l)] = false }
            scannedRows.removeAll(keepingCapacity: true)
            heap.removeAll()
            nobodyBase = .infinity
            nobodyFrom = -1
            for t in targets { finish[t] = .infinity }
            targets.removeAll(keepingCapacity: true)
            askedEnd.removeAll(keepingCapacity: true)
            ceiling = .infinity
        }
    }
}
