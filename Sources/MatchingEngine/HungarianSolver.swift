/// Minimum-cost assignment of every row of an `n × m` cost matrix (n ≤ m) to a distinct column,
/// by shortest augmenting paths with dual potentials (the Hungarian method in its O(n²m) form).
/// Exact on finite costs; deterministic: among equal-cost choices the lowest column index wins.
struct HungarianSolver {
    /// The column of each row.
    var columnOfRow: [Int]
    /// Dual prices: `rowPotential[i] + colPotential[j] ≤ cost[i][j]`, with equality on assigned pairs.
    var rowPotential: [Double]
    var colPotential: [Double]

    /// Solves for `cost`, row-major with `cols` columns; requires `rows ≤ cols`.
    init(cost: UnsafeBufferPointer<Double>, rows n: Int, cols m: Int) {
        precondition(n <= m, "HungarianSolver needs rows ≤ cols")
        // 1-based arrays with a sentinel column 0, as in the classic formulation.
        var u = [Double](repeating: 0, count: n + 1)
        var v = [Double](repeating: 0, count: m + 1)
        var p = [Int](repeating: 0, count: m + 1)
        var way = [Int](repeating: 0, count: m + 1)
        var minv = [Double](repeating: .infinity, count: m + 1)
        var used = [Bool](repeating: false, count: m + 1)
        u.withUnsafeMutableBufferPointer { u in
        v.withUnsafeMutableBufferPointer { v in
        p.withUnsafeMutableBufferPointer { p in
        way.withUnsafeMutableBufferPointer { way in
        minv.withUnsafeMutableBufferPointer { minv in
        used.withUnsafeMutableBufferPointer { used in
            for i in 1...max(n, 1) where n > 0 {
                p[0] = i
                var j0 = 0
                for j in 0...m { minv[j] = .infinity; used[j] = false }
                repeat {
                    used[j0] = true
                    let i0 = p[j0]
                    let rowBase = (i0 - 1) * m - 1
                    let ui0 = u[i0]
                    var delta = Double.infinity
                    var j1 = 0
                    for j in 1...m where !used[j] {
                        let cur = cost[rowBase + j] - ui0 - v[j]
                        if cur < minv[j] { minv[j] = cur; way[j] = j0 }
                        if minv[j] < delta { delta = minv[j]; j1 = j }
                    }
                    for j in 0...m {
                        if used[j] { u[p[j]] += delta; v[j] -= delta } else { minv[j] -= delta }
                    }
                    j0 = j1
                } while p[j0] != 0
                repeat {
                    let j1 = way[j0]
                    p[j0] = p[j1]
                    j0 = j1
                } while j0 != 0
            }
        }}}}}}
        var columnOfRow = [Int](repeating: -1, count: n)
        for j in 1..<(m + 1) where p[j] != 0 { columnOfRow[p[j] - 1] = j - 1 }
        self.columnOfRow = columnOfRow
        self.rowPotential = Array(u.dropFirst())
        self.colPotential = Array(v.dropFirst())
    }
}
