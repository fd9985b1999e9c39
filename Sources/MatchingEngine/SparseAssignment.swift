#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// The cost of assigning left node `l` to right node `r` in an assignment problem with `left ≤ right`;
/// `.infinity` means there is no such edge. Solvers are generic over it so that each cost model is
/// compiled inline into the dense scans.
protocol AssignmentCosts: Sendable {
    var left: Int { get }
    var right: Int { get }
    func cost(_ l: Int, _ r: Int) -> Double
    /// Left node `l`'s cost to every right node, in order, into `row` (`right` values): what the passes
    /// over every cost read, a row at a time rather than through `cost` one by one.
    func costs(ofLeft l: Int, into row: UnsafeMutableBufferPointer<Double>)
}

extension AssignmentCosts {
    func costs(ofLeft l: Int, into row: UnsafeMutableBufferPointer<Double>) {
        for r in 0..<right { row[r] = cost(l, r) }
    }
}

/// Costs from a closure (for tests and unusual shapes).
struct ClosureCosts: AssignmentCosts, @unchecked Sendable {
    let left: Int
    let right: Int
    let function: (Int, Int) -> Double
    init(left: Int, right: Int, _ function: @escaping (Int, Int) -> Double) {
        self.left = left
        self.right = right
        self.function = function
    }
    func cost(_ l: Int, _ r: Int) -> Double { function(l, r) }
}

/// Exact minimum-cost assignment of every left node, found on a sparse candidate graph and then
/// proved optimal on the full problem.
///
/// 1. Candidates: each left node's `k` cheapest right nodes (both cores share the scan).
/// 2. Shortest augmenting paths (Dijkstra with Jonker–Volgenant dual prices) on the candidates.
/// 3. Pricing: every edge of the full problem is checked against the dual prices; an edge with a
///    negative reduced cost joins the candidates and step 2 runs again. When none is left, the dual
///    prices certify that the assignment is optimal for the whole problem, not just the candidates.
struct SparseAssignment {
    /// The right node of each left node.
    var rightOfLeft: [Int]
    /// How many pricing rounds the proof took (1 = the first candidate graph was enough).
    var rounds: Int
    /// The final candidate graph and solver state (with the dual prices that prove the optimum), to
    /// resume from after costs rise.
    let graph: CandidateGraph
    let state: ShortestAugmentingPaths

    /// - Parameters:
    ///   - costs: the full problem. Every left node must have at least one edge.
    ///   - initialCandidates: candidates per left node in the first round.
    ///   - tolerance: reduced costs above `-tolerance` count as non-negative (floating-point slack).
    init<C: AssignmentCosts>(_ costs: C, initialCandidates: Int = 12, tolerance: Double) {
        let clock = ContinuousClock()
        let t0 = clock.now
        let k = max(1, min(costs.right, initialCandidates))
        let graph = CandidateGraph.top(k, of: costs)
        trace("candidates k=\(k): \(clock.now - t0)")
        self.init(costs, graph: graph, candidates: k, state: nil, pending: [], tolerance: tolerance)
    }

    /// Resumes `previous` on `costs`, which may only be higher than before on some edges (e.g. pairs
    /// newly forbidden): the dual prices stay feasible, so only left nodes whose assigned edge became
    /// dearer are freed and re-augmented before pricing proves the new optimum.
    init<C: AssignmentCosts>(_ costs: C, resuming previous: SparseAssignment, tolerance: Double) {
        let graph = previous.graph.reweighted(costs)
        var state = previous.state
        var freed: [Int] = []
        for l in 0..<costs.left {
            let r = Int(state.rightOfLeft[l])
            guard r >= 0 else { freed.append(l); continue }
            if costs.cost(l, r) != state.matchCost[l] { freed.append(l) }
        }
        state.free(freed)
        self.init(costs, graph: graph, candidates: graph.target.count / max(1, costs.left), state: state, pending: freed,
                  tolerance: tolerance)
    }

    private init<C: AssignmentCosts>(_ costs: C, graph startGraph: CandidateGraph, candidates: Int,
                                     state startState: ShortestAugmentingPaths?, pending startPending: [Int], tolerance: Double) {
        let n = costs.left, m = costs.right
        precondition(n <= m)
        let clock = ContinuousClock()
        var t0 = clock.now
        var k = max(1, candidates)
        var graph = startGraph
        var rounds = 0
        var state = startState
        var pending = startPending
        // Per left node, the least `cost - price[r]` over the right nodes outside its candidates when its
        // row was last priced: prices only fall while a state is resumed, so a row whose own price has
        // not risen past its bound can have no negative reduced cost and need not be read again.
        var bounds: [Double]? = nil
        while true {
            rounds += 1
            t0 = clock.now
            // A fresh start uses the column reduction as prices when every right node will be assigned
            // (n == m); otherwise prices start at 0 so that unassigned right nodes end at 0.
            var current = state ?? ShortestAugmentingPaths(graph: graph, left: n, right: m,
                                                             initialPrice: n == m ? graph.initialPrice : nil)
            if state == nil && n == m {
                current.reduceRows(graph: graph)
                trace("row reduction: \(current.unassigned.count) free: \(clock.now - t0)")
            }
            let ok = current.augment(state == nil ? current.unassigned : pending, graph: graph)
            trace("augment (\(graph.target.count) edges, warm: \(state != nil)): \(clock.now - t0)")
            guard ok else {
                bounds = nil
                if state != nil {
                    state = nil        // resume failed: start afresh on the same graph
                    continue
                }
                // The candidates admit no full assignment: widen them.
                k = min(m, k * 4)
                graph = CandidateGraph.top(k, of: costs, extra: graph)
                continue
            }
            t0 = clock.now
            if state == nil { bounds = nil }
            let (violations, scanned) = Pricing.violations(costs, current, graph: graph, bounds: &bounds, tolerance: tolerance)
            let freePricesOK = (0..<m).allSatisfy { current.leftOfRight[$0] >= 0 || current.price[$0] >= -tolerance }
            trace("pricing \(scanned) rows: \(violations.count) violations: \(clock.now - t0)")
            if violations.isEmpty && freePricesOK {
                rightOfLeft = current.rightOfLeft.map(Int.init)
                self.rounds = rounds
                self.graph = graph
                self.state = current
                return
            }
            graph = graph.adding(violations, costs: costs)
            if freePricesOK {
                // Warm start: free the left nodes with a violated edge; every other reduced cost is still ≥ 0.
                let lefts = Array(Set(violations.map(\.0))).sorted()
                current.free(lefts)
                pending = lefts
                state = current
            } else {
                state = nil
                bounds = nil
            }
        }
    }
}

/// Candidate edges in compressed rows.
struct CandidateGraph {
    var start: [Int]
    var target: [Int32]
    var weight: [Double]
    /// Right-node prices from the column reduction, shifted to be ≤ 0 (a good start for a square problem).
    var initialPrice: [Double]?

    /// Candidates after row and column reduction: `u[l] = min_r cost`, `v[r] = min_l (cost - u[l])`;
    /// each left node keeps its `k` smallest reduced costs `cost - u - v`, and each right node its `k`
    /// smallest, so that neither a popular nor an unpopular right node is left out. Plus `extra`'s edges.
    static func top<C: AssignmentCosts>(_ k: Int, of costs: C, extra: CandidateGraph? = nil) -> CandidateGraph {
        let n = costs.left, m = costs.right
        let chunks = Parallelism.chunks(large: n >= 256)
        // Row reduction, and the column reduction on each row while it is at hand (one read of the
        // costs): one partial column minimum per chunk, merged after.
        var u = [Double](repeating: .infinity, count: n)
        var partial = [[Double]](repeating: [], count: chunks)
        u.withUnsafeMutableBufferPointer { uBuffer in
        partial.withUnsafeMutableBufferPointer { buffer in
            let rowMinima = SendableBuffer(uBuffer), box = SendableBuffer(buffer)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var v = [Double](repeating: .infinity, count: m)
                let row = UnsafeMutableBufferPointer<Double>.allocate(capacity: m)
                defer { row.deallocate() }
                v.withUnsafeMutableBufferPointer { v in
                    for l in stride(from: chunk, to: n, by: chunks) {
                        costs.costs(ofLeft: l, into: row)
                        let best = least(m) { row[$0] }
                        rowMinima.buffer[l] = best
                        guard best < .infinity else { continue }
                        for r in 0..<m { v[r] = min(v[r], row[r] - best) }
                    }
                }
                box.buffer[chunk] = v
            }
        }}
        let rowMin = u
        var v = partial[0]
        for other in partial.dropFirst() { for r in 0..<m { v[r] = min(v[r], other[r]) } }
        for r in 0..<m where v[r] == .infinity { v[r] = 0 }
        let columnMin = v
        // The k smallest reduced costs per left node and per right node.
        var rowLists = [[Int32]](repeating: [], count: n)
        // With far more right nodes than left nodes most right nodes stay unassigned, and lists per
        // right node only cost time; they matter for (nearly) square problems.
        let wantColumnLists = m * 2 < n * 3
        let columnHeaps = (0..<chunks).map { _ in BoundedMaxHeaps(count: wantColumnLists ? m : 0, capacity: k) }
        rowLists.withUnsafeMutableBufferPointer { rowBuffer in
            let rows = SendableBuffer(rowBuffer)
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let rowHeap = BoundedMaxHeaps(count: 1, capacity: k)
                let columns = columnHeaps[chunk]
                let want = wantColumnLists
                // Each list's current worst key, so that most entries are rejected by one comparison.
                var columnBar = [Double](repeating: .infinity, count: m)
                let row = UnsafeMutableBufferPointer<Double>.allocate(capacity: m)
                defer { row.deallocate() }
                columnMin.withUnsafeBufferPointer { v in
                columnBar.withUnsafeMutableBufferPointer { bar in
                    for l in stride(from: chunk, to: n, by: chunks) {
                        rowHeap.removeAll(0)
                        var rowBar = Double.infinity
                        let ul = rowMin[l], l32 = Int32(l)
                        costs.costs(ofLeft: l, into: row)
                        // A forbidden ∞ entry is below no bar: no test of its own.
                        for r in 0..<m {
                            let reduced = row[r] - ul - v[r]
                            if reduced < rowBar {
                                rowHeap.insert(0, reduced, Int32(r))
                                if rowHeap.isFull(0) { rowBar = rowHeap.worst(0) }
                            }
                            if want && reduced < bar[r] {
                                columns.insert(r, reduced, l32)
                                if columns.isFull(r) { bar[r] = columns.worst(r) }
                            }
                        }
                        rows.buffer[l] = Array(rowHeap.members(0))
                    }
                }}
            }
        }
        for columns in columnHeaps {
            for r in 0..<columns.count { for l in columns.members(r) { rowLists[Int(l)].append(Int32(r)) } }
        }
        if let extra {
            for l in 0..<n { rowLists[l] += extra.target[extra.start[l]..<extra.start[l + 1]] }
        }
        var graph = CandidateGraph(lists: rowLists, costs: costs)
        let top = columnMin.max() ?? 0
        graph.initialPrice = columnMin.map { $0 - top }
        return graph
    }

    init<C: AssignmentCosts>(lists: [[Int32]], costs: C) {
        var start = [0]
        var target: [Int32] = []
        var weight: [Double] = []
        start.reserveCapacity(lists.count + 1)
        for (l, list) in lists.enumerated() {
            var previous: Int32 = -1
            for r in list.sorted() where r != previous {
                target.append(r)
                weight.append(costs.cost(l, Int(r)))
                previous = r
            }
            start.append(target.count)
        }
        self.start = start
        self.target = target
        self.weight = weight
    }

    /// The same edges with their weights read again from `costs`.
    func reweighted<C: AssignmentCosts>(_ costs: C) -> CandidateGraph {
        var graph = self
        for l in 0..<(start.count - 1) {
            for e in start[l]..<start[l + 1] { graph.weight[e] = costs.cost(l, Int(target[e])) }
        }
        return graph
    }

    /// The same edges and `extra` (edges outside the graph), each row's targets still in order: the
    /// rows without new edges are copied as they are.
    func adding<C: AssignmentCosts>(_ extra: [(Int, Int32)], costs: C) -> CandidateGraph {
        let n = start.count - 1
        var added = [[Int32]](repeating: [], count: n)
        for (l, r) in extra { added[l].append(r) }
        var graph = self
        graph.start = [0]
        graph.start.reserveCapacity(n + 1)
        graph.target = []
        graph.target.reserveCapacity(target.count + extra.count)
        graph.weight = []
        graph.weight.reserveCapacity(target.count + extra.count)
        for l in 0..<n {
            if added[l].isEmpty {
                graph.target += target[start[l]..<start[l + 1]]
                graph.weight += weight[start[l]..<start[l + 1]]
            } else {
                let new = added[l].sorted()
                var e = start[l], i = 0
                while e < start[l + 1] || i < new.count {
                    if i == new.count || (e < start[l + 1] && target[e] <= new[i]) {
                        if i < new.count && target[e] == new[i] { i += 1 }
                        graph.target.append(target[e]); graph.weight.append(weight[e]); e += 1
                    } else {
                        if graph.target.count == graph.start[l] || graph.target.last != new[i] {
                            graph.target.append(new[i]); graph.weight.append(costs.cost(l, Int(new[i])))
                        }
                        i += 1
                    }
                }
            }
            graph.start.append(graph.target.count)
        }
        return graph
    }
}

/// The `capacity` smallest keys seen, as a max-heap (ties: the lower index is kept).
struct BoundedMaxHeap {
    let capacity: Int
    private(set) var keys: [Double] = []
    private(set) var items: [Int32] = []

    init(capacity: Int) { self.capacity = capacity }

    var members: [Int32] { items }
    var isFull: Bool { keys.count == capacity }
    /// The largest key kept (meaningful once full).
    var worst: Double { keys[0] }

    mutating func removeAll() {
        keys.removeAll(keepingCapacity: true)
        items.removeAll(keepingCapacity: true)
    }

    @inline(__always) mutating func insert(_ key: Double, _ item: Int32) {
        var size = keys.count
        if size < capacity {
            keys.append(key); items.append(item)   // the new slot, filled by the sifting
        } else if !(key < keys[0]) {
            return
        }
        keys.withUnsafeMutableBufferPointer { k in
            items.withUnsafeMutableBufferPointer { i in
                BoundedMaxHeaps.insert(key, item, keys: k.baseAddress!, items: i.baseAddress!, size: &size, capacity: capacity)
            }
        }
    }
}

/// Many bounded max-heaps of one capacity in flat storage this owns (no array per heap: the candidate
/// lists insert about 75,000 times per core at 2,000²). Each is filled by one half of a parallel loop.
final class BoundedMaxHeaps: @unchecked Sendable {
    let count: Int
    let capacity: Int
    private let keys: UnsafeMutablePointer<Double>
    private let items: UnsafeMutablePointer<Int32>
    private let sizes: UnsafeMutablePointer<Int>

    init(count: Int, capacity: Int) {
        self.count = count
        self.capacity = capacity
        keys = .allocate(capacity: max(1, count * capacity))
        items = .allocate(capacity: max(1, count * capacity))
        sizes = .allocate(capacity: max(1, count))
        sizes.initialize(repeating: 0, count: max(1, count))
    }

    deinit {
        keys.deallocate()
        items.deallocate()
        sizes.deallocate()
    }

    @inline(__always) func isFull(_ h: Int) -> Bool { sizes[h] == capacity }
    /// Heap `h`'s largest key (meaningful once full).
    @inline(__always) func worst(_ h: Int) -> Double { keys[h * capacity] }
    func members(_ h: Int) -> UnsafeBufferPointer<Int32> { UnsafeBufferPointer(start: items + h * capacity, count: sizes[h]) }
    func removeAll(_ h: Int) { sizes[h] = 0 }

    @inline(__always) func insert(_ h: Int, _ key: Double, _ item: Int32) {
        Self.insert(key, item, keys: keys + h * capacity, items: items + h * capacity, size: &sizes[h], capacity: capacity)
    }

    /// Keeps `key` if the heap has room or `key` is below its largest (which then leaves); `size` is
    /// the number of keys held.
    @inline(__always) static func insert(_ key: Double, _ item: Int32, keys: UnsafeMutablePointer<Double>, items: UnsafeMutablePointer<Int32>,
                                         size: inout Int, capacity: Int) {
        if size < capacity {
            var at = size
            size += 1
            while at > 0 {
                let parent = (at - 1) / 2
                guard keys[parent] < key else { break }
                keys[at] = keys[parent]; items[at] = items[parent]; at = parent
            }
            keys[at] = key; items[at] = item
        } else if key < keys[0] {
            var at = 0
            while true {
                let a = 2 * at + 1, b = a + 1
                var big = at
                var bigKey = key
                if a < size && keys[a] > bigKey { big = a; bigKey = keys[a] }
                if b < size && keys[b] > bigKey { big = b; bigKey = keys[b] }
                if big == at { break }
                keys[at] = keys[big]; items[at] = items[big]; at = big
            }
            keys[at] = key; items[at] = item
        }
    }
}

/// The least of `value(0)`, …, `value(count - 1)` (∞ when there are none; no NaN expected), in four
/// running minima side by side: one chain of `min` waits on each comparison before it. (Written with
/// scalars: the generic `pointwiseMin` on `SIMD4` is not inlined here.)
@inline(__always) func least(_ count: Int, _ value: (Int) -> Double) -> Double {
    var a = Double.infinity, b = Double.infinity, c = Double.infinity, d = Double.infinity
    var r = 0
    while r &+ 4 <= count {
        a = min(a, value(r)); b = min(b, value(r &+ 1)); c = min(c, value(r &+ 2)); d = min(d, value(r &+ 3))
        r &+= 4
    }
    while r < count { a = min(a, value(r)); r &+= 1 }
    return min(min(a, b), min(c, d))
}

/// Lets the halves of a parallel loop write disjoint elements of one buffer.
struct SendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
}

/// Phase timings on standard error when FLIPSIDE_TRACE is set (for profiling, not for tests).
public let traceEnabled: Bool = getenv("FLIPSIDE_TRACE") != nil
/// When the first line was traced (each line says how long after it it comes).
private let traceStart = ContinuousClock.now
@inline(__always) public func trace(_ message: @autoclosure () -> String) {
    if traceEnabled {
        let since = traceStart.duration(to: .now).components
        let line = "[engine +\(since.seconds * 1000 + since.attoseconds / 1_000_000_000_000_000) ms] " + message() + "\n"
        _ = line.withCString { write(2, $0, strlen($0)) }
    }
}
