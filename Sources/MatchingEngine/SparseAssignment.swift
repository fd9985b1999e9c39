import Dispatch

/// The cost of assigning left node `l` to right node `r` in an assignment problem with `left ≤ right`;
/// `.infinity` means there is no such edge.
struct AssignmentCosts: @unchecked Sendable {
    let left: Int
    let right: Int
    let cost: (Int, Int) -> Double
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
    /// Dual prices of the right nodes (≤ 0, and 0 for unassigned right nodes).
    var rightPrice: [Double]
    /// Dual prices of the left nodes: reduced costs `cost - leftPrice - rightPrice` are ≥ 0, 0 on the assignment.
    var leftPrice: [Double]
    /// How many pricing rounds the proof took (1 = the first candidate graph was enough).
    var rounds: Int

    /// - Parameters:
    ///   - costs: the full problem. Every left node must have at least one edge.
    ///   - initialCandidates: candidates per left node in the first round.
    ///   - tolerance: reduced costs above `-tolerance` count as non-negative (floating-point slack).
    init(_ costs: AssignmentCosts, initialCandidates: Int = 12, tolerance: Double) {
        let n = costs.left, m = costs.right
        precondition(n <= m)
        var k = max(1, min(m, initialCandidates))
        var graph = CandidateGraph.top(k, of: costs)
        var rounds = 0
        while true {
            rounds += 1
            guard let solved = ShortestAugmentingPaths(graph: graph, left: n, right: m) else {
                // The candidates admit no full assignment: widen them.
                k = min(m, k * 4)
                graph = CandidateGraph.top(k, of: costs, extra: graph)
                continue
            }
            let violations = Pricing.violations(costs, solved, tolerance: tolerance)
            if violations.isEmpty {
                rightOfLeft = solved.rightOfLeft
                rightPrice = solved.price
                leftPrice = (0..<n).map { solved.matchCost[$0] - solved.price[solved.rightOfLeft[$0]] }
                self.rounds = rounds
                return
            }
            graph = graph.adding(violations, costs: costs)
        }
    }
}

/// Candidate edges in compressed rows.
struct CandidateGraph {
    var start: [Int]
    var target: [Int32]
    var weight: [Double]

    /// Each left node's `k` cheapest right nodes (ties to the lower index), plus the edges of `extra`.
    static func top(_ k: Int, of costs: AssignmentCosts, extra: CandidateGraph? = nil) -> CandidateGraph {
        let n = costs.left, m = costs.right
        var lists = [[Int32]](repeating: [], count: n)
        let chunks = n >= 256 ? 2 : 1
        lists.withUnsafeMutableBufferPointer { buffer in
        let box = SendableBuffer(buffer)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var heapCost = [Double](repeating: 0, count: k)
            var heapIndex = [Int32](repeating: 0, count: k)
            for l in stride(from: chunk, to: n, by: chunks) {
                // A max-heap of the k cheapest seen so far.
                var size = 0
                for r in 0..<m {
                    let c = costs.cost(l, r)
                    guard c < .infinity else { continue }
                    if size < k {
                        var at = size
                        size += 1
                        while at > 0 {
                            let parent = (at - 1) / 2
                            guard heapCost[parent] < c else { break }
                            heapCost[at] = heapCost[parent]; heapIndex[at] = heapIndex[parent]; at = parent
                        }
                        heapCost[at] = c; heapIndex[at] = Int32(r)
                    } else if c < heapCost[0] {
                        var at = 0
                        while true {
                            let a = 2 * at + 1, b = a + 1
                            var big = at
                            var bigCost = c
                            if a < size && heapCost[a] > bigCost { big = a; bigCost = heapCost[a] }
                            if b < size && heapCost[b] > bigCost { big = b; bigCost = heapCost[b] }
                            if big == at { break }
                            heapCost[at] = heapCost[big]; heapIndex[at] = heapIndex[big]; at = big
                        }
                        heapCost[at] = c; heapIndex[at] = Int32(r)
                    }
                }
                box.buffer[l] = Array(heapIndex[0..<size])
            }
        }
        }
        if let extra {
            for l in 0..<n { lists[l] += extra.target[extra.start[l]..<extra.start[l + 1]] }
        }
        return CandidateGraph(lists: lists, costs: costs)
    }

    init(lists: [[Int32]], costs: AssignmentCosts) {
        var start = [0]
        var target: [Int32] = []
        var weight: [Double] = []
        start.reserveCapacity(lists.count + 1)
        for (l, list) in lists.enumerated() {
            for r in Set(list).sorted() {
                target.append(r)
                weight.append(costs.cost(l, Int(r)))
            }
            start.append(target.count)
        }
        self.start = start
        self.target = target
        self.weight = weight
    }

    func adding(_ extra: [(Int, Int32)], costs: AssignmentCosts) -> CandidateGraph {
        var lists = (0..<start.count - 1).map { Array(target[start[$0]..<start[$0 + 1]]) }
        for (l, r) in extra { lists[l].append(r) }
        return CandidateGraph(lists: lists, costs: costs)
    }
}

/// Lets the halves of a parallel loop write disjoint elements of one buffer.
struct SendableBuffer<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T>
    init(_ buffer: UnsafeMutableBufferPointer<T>) { self.buffer = buffer }
}
