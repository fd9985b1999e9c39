import Dispatch

/// Minimum-cost assignment of every left node on a sparse graph: for each unassigned left node,
/// Dijkstra over reduced costs finds the cheapest augmenting path, then the right nodes' prices move
/// so that every reduced cost stays ≥ 0 (Jonker & Volgenant's shortest augmenting path).
/// The state can be resumed: free some left nodes, add edges, augment again.
struct ShortestAugmentingPaths {
    var rightOfLeft: [Int32]
    var leftOfRight: [Int32]
    /// Price of each right node (≤ 0).
    var price: [Double]
    /// Cost of each left node's assigned edge; its own price is `matchCost - price[rightOfLeft]`.
    var matchCost: [Double]

    /// Starts with `initialPrice` (all ≤ 0) and assigns every left node whose cheapest reduced edge
    /// leads to a still-free right node; returns the others, to be augmented.
    init(graph: CandidateGraph, left n: Int, right m: Int, initialPrice: [Double]? = nil) {
        rightOfLeft = [Int32](repeating: -1, count: n)
        leftOfRight = [Int32](repeating: -1, count: m)
        price = initialPrice ?? [Double](repeating: 0, count: m)
        matchCost = [Double](repeating: 0, count: n)
        for l in 0..<n {
            var best = -1
            var bestReduced = Double.infinity, bestCost = 0.0
            for e in graph.start[l]..<graph.start[l + 1] {
                let r = Int(graph.target[e])
                let reduced = graph.weight[e] - price[r]
                if reduced < bestReduced { bestReduced = reduced; bestCost = graph.weight[e]; best = r }
            }
            if best >= 0 && leftOfRight[best] < 0 {
                rightOfLeft[l] = Int32(best); leftOfRight[best] = Int32(l); matchCost[l] = bestCost
            }
        }
    }

    /// Jonker & Volgenant's augmenting row reduction: each free left node takes its cheapest right node
    /// (by reduced cost), lowering that node's price to its second-best so that the displaced owner
    /// looks elsewhere. Cheap, auction-like, and it leaves most left nodes assigned before the
    /// shortest-path phase. Only for square problems (it can lower the price of a right node that
    /// might otherwise end unassigned). Reduced costs of assigned left nodes stay ≥ 0. Sixteen passes
    /// leave about 10 of 2,000 left nodes to the shortest paths (two passes left 150, whose paths cost
    /// twice the passes' time: `BENCHMARKS.md`, the engine against lapjv).
    mutating func reduceRows(graph: CandidateGraph, passes: Int = 16) {
        var pending = unassigned
        let n = rightOfLeft.count
        for _ in 0..<passes where !pending.isEmpty {
            var queue = pending
            var head = 0
            var later: [Int] = []
            var steps = 0
            while head < queue.count {
                steps += 1
                if steps > 4 * n + 16 { later += queue[head...]; break }
                let i = queue[head]
                head += 1
                var u1 = Double.infinity, u2 = Double.infinity
                var j1 = -1, j2 = -1
                var c1 = 0.0, c2 = 0.0
                for e in graph.start[i]..<graph.start[i + 1] {
                    let r = Int(graph.target[e])
                    let h = graph.weight[e] - price[r]
                    if h < u2 {
                        if h < u1 || (h == u1 && r < j1) {
                            u2 = u1; j2 = j1; c2 = c1
                            u1 = h; j1 = r; c1 = graph.weight[e]
                        } else {
                            u2 = h; j2 = r; c2 = graph.weight[e]
                        }
                    }
                }
                guard j1 >= 0 else { later.append(i); continue }
                var target = j1, targetCost = c1
                var displaced = Int(leftOfRight[j1])
                if u1 < u2 {
                    if u2 < .infinity { price[j1] -= u2 - u1 }
                } else if displaced >= 0 && j2 >= 0 {
                    target = j2; targetCost = c2
                    displaced = Int(leftOfRight[j2])
                }
                if displaced >= 0 {
                    rightOfLeft[displaced] = -1
                    if u1 < u2 {
                        head -= 1
                        queue[head] = displaced
                    } else {
                        later.append(displaced)
                    }
                }
                rightOfLeft[i] = Int32(target); leftOfRight[target] = Int32(i); matchCost[i] = targetCost
            }
            pending = later
        }
    }

    /// Left nodes without a right node.
    var unassigned: [Int] { rightOfLeft.indices.filter { rightOfLeft[$0] < 0 } }

    /// Frees left nodes (their right nodes become free too).
    mutating func free(_ lefts: [Int]) {
        for l in lefts where rightOfLeft[l] >= 0 {
            leftOfRight[Int(rightOfLeft[l])] = -1
            rightOfLeft[l] = -1
        }
    }

    /// Augments from every root in turn; `false` when one cannot be assigned within the graph.
    mutating func augment(_ roots: [Int], graph: CandidateGraph) -> Bool {
        let m = leftOfRight.count
        var dist = [Double](repeating: .infinity, count: m)
        var done = [Bool](repeating: false, count: m)
        var pred = [Int32](repeating: -1, count: m)
        var predCost = [Double](repeating: 0, count: m)
        var touched: [Int32] = []
        var finalized: [Int32] = []
        var heap = MinHeap()
        return graph.start.withUnsafeBufferPointer { start in
        graph.target.withUnsafeBufferPointer { target in
        graph.weight.withUnsafeBufferPointer { weight in
        rightOfLeft.withUnsafeMutableBufferPointer { x in
        leftOfRight.withUnsafeMutableBufferPointer { y in
        price.withUnsafeMutableBufferPointer { v in
        matchCost.withUnsafeMutableBufferPointer { matchCost in
            for root in roots {
                heap.removeAll()
                touched.removeAll(keepingCapacity: true)
                finalized.removeAll(keepingCapacity: true)
                // The distance of the nearest free right node reached so far. A node reached at that
                // distance or further cannot lie on a shorter path (reduced costs are ≥ 0), so it is not
                // queued at all: in a warm start most reached nodes are (39,000 queued instead of 109,000
                // at 2,000², `BENCHMARKS.md`).
                var nearestFree = Double.infinity
                for e in start[root]..<start[root + 1] {
                    let r = Int(target[e])
                    let d = weight[e] - v[r]
                    if d < dist[r] && d < nearestFree {
                        if dist[r] == .infinity { touched.append(Int32(r)) }
                        dist[r] = d; pred[r] = Int32(root); predCost[r] = weight[e]
                        if y[r] < 0 { nearestFree = d }
                        heap.push(d, Int32(r))
                    }
                }
                var sink = -1
                var total = 0.0
                while let (d, r32) = heap.pop() {
                    let r = Int(r32)
                    if done[r] || d > dist[r] { continue }
                    done[r] = true
                    finalized.append(r32)
                    let owner = Int(y[r])
                    if owner < 0 { sink = r; total = d; break }
                    let ownerPrice = matchCost[owner] - v[r]
                    for e in start[owner]..<start[owner + 1] {
                        let r2 = Int(target[e])
                        if done[r2] { continue }
                        let nd = d + weight[e] - ownerPrice - v[r2]
                        if nd < dist[r2] && nd < nearestFree {
                            if dist[r2] == .infinity { touched.append(Int32(r2)) }
                            dist[r2] = nd; pred[r2] = Int32(owner); predCost[r2] = weight[e]
                            if y[r2] < 0 { nearestFree = nd }
                            heap.push(nd, Int32(r2))
                        }
                    }
                }
                if sink < 0 { return false }
                for r32 in finalized { let r = Int(r32); v[r] += dist[r] - total }
                var r = sink
                while true {
                    let l = Int(pred[r])
                    let previous = Int(x[l])
                    x[l] = Int32(r); y[r] = Int32(l); matchCost[l] = predCost[r]
                    if l == root { break }
                    r = previous
                }
                for r32 in touched { dist[Int(r32)] = .infinity; done[Int(r32)] = false }
            }
            return true
        }}}}}}}
    }
}

/// A binary min-heap of (key, node), ties to the lower node, for Dijkstra with lazy deletion.
/// Entries are stored together and moved by "hole" sifting (one write per level).
struct MinHeap {
    private struct Entry {
        var key: Double
        var node: Int32
        @inline(__always) func precedes(_ other: Entry) -> Bool {
            key < other.key || (key == other.key && node < other.node)
        }
    }

    private var entries: [Entry] = []

    mutating func removeAll() { entries.removeAll(keepingCapacity: true) }

    mutating func push(_ key: Double, _ node: Int32) {
        let entry = Entry(key: key, node: node)
        entries.append(entry)
        entries.withUnsafeMutableBufferPointer { heap in
            var at = heap.count - 1
            while at > 0 {
                let parent = (at - 1) >> 1
                guard entry.precedes(heap[parent]) else { break }
                heap[at] = heap[parent]
                at = parent
            }
            heap[at] = entry
        }
    }

    mutating func pop() -> (Double, Int32)? {
        guard let first = entries.first else { return nil }
        let last = entries.removeLast()
        if !entries.isEmpty {
            entries.withUnsafeMutableBufferPointer { heap in
                let count = heap.count
                var at = 0
                while true {
                    let a = 2 * at + 1
                    guard a < count else { break }
                    var child = a
                    if a + 1 < count && heap[a + 1].precedes(heap[a]) { child = a + 1 }
                    guard heap[child].precedes(last) else { break }
                    heap[at] = heap[child]
                    at = child
                }
                heap[at] = last
            }
        }
        return (first.key, first.node)
    }
}

/// Checks an assignment's dual prices against every edge of the full problem.
enum Pricing {
    /// Edges outside `graph` whose reduced cost is below `-tolerance`, at most a few per left node (the
    /// most negative), and how many rows were read.
    ///
    /// `bounds` holds, per left node, the least `cost - price[r]` over the right nodes outside its
    /// candidates when its row was last read (`nil`: every row is read and the bounds made). Right
    /// prices only fall while a solution is resumed (an augmentation lowers the prices it settles, the
    /// row reduction lowers them too), so `cost - price[r]` only rises: a row whose left price is still
    /// at most its bound (with half the tolerance to spare for rounding) has no negative reduced cost,
    /// and is not read. The proof of optimality stays whole: every row is either read or bounded.
    static func violations<C: AssignmentCosts>(_ costs: C, _ s: ShortestAugmentingPaths, graph: CandidateGraph, bounds: inout [Double]?,
                                               tolerance: Double) -> (violations: [(Int, Int32)], scanned: Int) {
        let n = costs.left, m = costs.right
        @Sendable @inline(__always) func leftPrice(_ l: Int) -> Double { s.matchCost[l] - s.price[Int(s.rightOfLeft[l])] }
        let rows: [Int32] = bounds.map { bounds in (0..<Int32(n)).filter { bounds[Int($0)] - leftPrice(Int($0)) < -tolerance / 2 } }
            ?? Array(0..<Int32(n))
        var next = bounds ?? [Double](repeating: .infinity, count: n)
        let chunks = Parallelism.chunks(large: rows.count >= 256)
        var perChunk = [[(Int, Int32)]](repeating: [], count: chunks)
        perChunk.withUnsafeMutableBufferPointer { buffer in
        next.withUnsafeMutableBufferPointer { nextBuffer in
            let box = SendableBuffer(buffer), bound = SendableBuffer(nextBuffer)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var found: [(Int, Int32)] = []
                let row = UnsafeMutableBufferPointer<Double>.allocate(capacity: m)
                defer { row.deallocate() }
                for index in stride(from: chunk, to: rows.count, by: chunks) {
                    let l = Int(rows[index])
                    let price = leftPrice(l)
                    var worst: [(Double, Int32)] = []
                    costs.costs(ofLeft: l, into: row)
                    // The candidates' own edges are the graph's (kept feasible by the augmentations).
                    for e in graph.start[l]..<graph.start[l + 1] { row[Int(graph.target[e])] = .infinity }
                    // The least `cost - price[r]` first (a forbidden edge's ∞ leaves it as it is): only a row
                    // whose least comes near its left price can hold a violation, and only such a row is
                    // read again for them, with the exact test (half the tolerance spare for rounding).
                    let least = s.price.withUnsafeBufferPointer { price in MatchingEngine.least(m) { row[$0] - price[$0] } }
                    bound.buffer[l] = least
                    if least - price < -tolerance / 2 {
                        for r in 0..<m {
                            let c = row[r]
                            guard c < .infinity else { continue }
                            let reduced = c - price - s.price[r]
                            if reduced < -tolerance {
                                worst.append((reduced, Int32(r)))
                            }
                        }
                    }
                    if !worst.isEmpty {
                        worst.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                        found += worst.prefix(8).map { (l, $0.1) }
                    }
                }
                box.buffer[chunk] = found
            }
        }}
        bounds = next
        return (perChunk.flatMap { $0 }, rows.count)
    }
}
