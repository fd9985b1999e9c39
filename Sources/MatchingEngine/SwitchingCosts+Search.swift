extension SwitchingCosts {
    /// One worker's scratch space for the searches.
    struct Search {
        let owner: SwitchingCosts
        let model: AssignmentModel
        let graph: CandidateGraph
        let state: ShortestAugmentingPaths
        var dist: [Double]
        var done: [Bool]
        /// Who moves into a right node: a left node, `nobody`, or `forced` (the forced row itself).
        var pred: [Int32]
        var touched: [Int32] = []
        var heap = MinHeap()
        var scanned: [Bool]
        var scannedRows: [Int32] = []
        /// The distance at which each expanded left node was reached (each is expanded once per search).
        var rowBase: [Double]
        static let nobody: Int32 = -2
        static let forced: Int32 = -3

        init(_ owner: SwitchingCosts) {
            self.owner = owner
            model = owner.model!
            graph = owner.graph!
            state = owner.state!
            let m = state.leftOfRight.count
            dist = [Double](repeating: .infinity, count: m)
            done = [Bool](repeating: false, count: m)
            pred = [Int32](repeating: -1, count: m)
            scanned = [Bool](repeating: false, count: state.rightOfLeft.count)
            rowBase = [Double](repeating: 0, count: state.rightOfLeft.count)
            finish = [Double](repeating: .infinity, count: m)
        }

        mutating func change(row i: Int, col j: Int) -> Change? {
            guard (0..<owner.scores.rows).contains(i), (0..<owner.scores.cols).contains(j) else { return nil }
            let s = owner.scores[i, j]
            guard s.isFinite, s >= model.floor, owner.nodeOfRow[i] >= 0 else { return nil }
            let places = owner.slotsOfColumn[j]
            guard !places.isEmpty else { return nil }
            let node = Int(owner.nodeOfRow[i])
            return owner.scores.values.withUnsafeBufferPointer { values in
                let costs = model.costs(values)
                defer { reset() }
                if model.transposed { return forceTransposed(costs, right: node, places: places, score: s) }
                return force(costs, left: node, places: places, score: s)
            }
        }

        /// Rows are left nodes: the forced row `a` takes one of the places (right nodes); the path runs
        /// from the place's holder to `a`'s old right node.
        mutating func force(_ costs: MappedCosts, left a: Int, places: [Int32], score: Double) -> Change? {
            let target = Int(state.rightOfLeft[a])
            if places.contains(Int32(target)) { return nil }     // already this mentor's
            targets = [target]
            finish[target] = 0
            let u = owner.rowPrice[a]
            for p in places {
                let r = Int(p)
                relax(r, max(0, costs.cost(a, r) - u - state.price[r]), from: Self.forced)
            }
            guard run(costs, banned: -1) != nil else { return nil }
            return tally(path(to: target), leaving: (a, target), score: score)
        }

        /// Places are left nodes: one of them takes the forced row's right node `b`; the path runs from
        /// `b`'s holder (or nobody) to that place's old right node.
        mutating func forceTransposed(_ costs: MappedCosts, right b: Int, places: [Int32], score: Double) -> Change? {
            let holder = Int(state.leftOfRight[b])
            if places.contains(Int32(holder)) { return nil }     // already this mentor's
            for p in places {
                let l = Int(p)
                let r = Int(state.rightOfLeft[l])
                targets.append(r)
                finish[r] = min(finish[r], max(0, costs.cost(l, b) - owner.rowPrice[l] - state.price[b]))
            }
            if holder >= 0 {
                expand(costs, left: holder, at: 0, banned: b)
            } else {
                startNobody(at: 0)
            }
            guard let end = run(costs, banned: b) else { return nil }
            // The place whose old right node ended the path leaves it for `b`.
            return tally(path(to: end), leaving: (Int(state.leftOfRight[end]), end), score: score)
        }

        // MARK: Dijkstra over reduced costs

        var nobodyBase = Double.infinity
        var nobodyFrom: Int32 = -1        // the free right node "nobody" was reached through (-1: the start)
        var nobodyCursor = 0

        /// What finishing at each right node adds (∞ where a path cannot end), and the shortest path
        /// found so far with its end: a label at or above it cannot lead to a shorter one, so it is not
        /// explored.
        var finish: [Double]
        var targets: [Int] = []
        var ceiling = Double.infinity
        var ceilingTarget = -1

        @inline(__always) mutating func relax(_ r: Int, _ d: Double, from l: Int32) {
            guard !done[r], d < dist[r] else { return }
            if dist[r] == .infinity { touched.append(Int32(r)) }
            dist[r] = d
            pred[r] = l
            if d + finish[r] < ceiling { ceiling = d + finish[r]; ceilingTarget = r }
            if d < ceiling { heap.push(d, Int32(r)) }
        }

        /// Relaxes a left node's candidate edges, and schedules the scan of its other edges.
        mutating func expand(_ costs: MappedCosts, left l: Int, at d: Double, banned: Int) {
            let u = owner.rowPrice[l]
            for e in graph.start[l]..<graph.start[l + 1] {
                let r = Int(graph.target[e])
                if r == banned { continue }
                relax(r, d + max(0, graph.weight[e] - u - state.price[r]), from: Int32(l))
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

        /// Runs until no open label can lead to a shorter path than the best one; returns its end.
        mutating func run(_ costs: MappedCosts, banned: Int) -> Int? {
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
            return ceilingTarget >= 0 ? ceilingTarget : nil
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
            ceiling = .infinity
            ceilingTarget = -1
        }
    }
}
