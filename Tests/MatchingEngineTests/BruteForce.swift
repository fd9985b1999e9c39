@testable import MatchingEngine

/// Exact optimum by dynamic programming over the remaining capacity of every column (mixed radix),
/// row by row: fine for up to 8 columns of capacity ≤ 2. Returns (pairs, total) of the best matching.
enum BruteForce {
    static func best(_ s: ScoreMatrix, capacity: [Int], objective: Objective) -> (count: Int, total: Double) {
        var radix: [Int] = []
        var stride = 1
        for c in capacity { radix.append(stride); stride *= (c + 1) }
        // value[state] = best (count, total) for the rows processed so far ending with that used-capacity state.
        var best = [(Int, Double)?](repeating: nil, count: stride)
        best[0] = (0, 0)
        func better(_ a: (Int, Double), _ b: (Int, Double)?) -> Bool {
            guard let b else { return true }
            switch objective {
            case .participation: return a.0 > b.0 || (a.0 == b.0 && a.1 > b.1 + 1e-12)
            case .quality: return a.1 > b.1 + 1e-12
            }
        }
        for i in 0..<s.rows {
            var next = best
            for state in 0..<stride {
                guard let value = best[state] else { continue }
                for j in 0..<s.cols where s.isAllowed(i, j) {
                    let used = (state / radix[j]) % (capacity[j] + 1)
                    guard used < capacity[j] else { continue }
                    let candidate = (value.0 + 1, value.1 + s[i, j])
                    if better(candidate, next[state + radix[j]]) { next[state + radix[j]] = candidate }
                }
            }
            best = next
        }
        var result: (Int, Double) = (0, 0)
        for value in best.compactMap({ $0 }) where better(value, result) { result = value }
        return result
    }
}

/// A small deterministic generator for test instances.
struct TestRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A rows × cols matrix with some forbidden pairs, optional ties (scores on a coarse grid) and negatives.
    mutating func matrix(rows: Int, cols: Int, forbid: Double, ties: Bool, negative: Bool) -> ScoreMatrix {
        ScoreMatrix(rows: rows, cols: cols) { _, _ in
            if Double.random(in: 0..<1, using: &self) < forbid { return nil }
            let raw = ties ? Double(Int.random(in: 0...4, using: &self)) / 4 : Double.random(in: 0..<1, using: &self)
            return negative ? raw * 2 - 1 : raw
        }
    }
}
