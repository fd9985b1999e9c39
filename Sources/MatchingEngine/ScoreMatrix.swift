/// Scores of every mentee (row) with every mentor (column); higher is better.
/// A non-finite entry (−∞ or NaN) marks a forbidden pair. Stored row-major.
public struct ScoreMatrix: Sendable, Equatable {
    public let rows: Int
    public let cols: Int
    public var values: [Double]

    public init(rows: Int, cols: Int, values: [Double]) {
        precondition(rows >= 0 && cols >= 0 && (values.count == rows * cols || values.isEmpty), "ScoreMatrix: values must hold rows × cols entries")
        self.rows = rows
        self.cols = cols
        self.values = values
    }

    /// A matrix from `score(row, col)`; return `nil` for a forbidden pair.
    public init(rows: Int, cols: Int, score: (Int, Int) -> Double?) {
        var values = [Double](repeating: -.infinity, count: rows * cols)
        for i in 0..<rows { for j in 0..<cols { values[i * cols + j] = score(i, j) ?? -.infinity } }
        self.init(rows: rows, cols: cols, values: values)
    }

    public subscript(row: Int, col: Int) -> Double { values[row * cols + col] }

    /// Whether the pair may be matched at all.
    public func isAllowed(_ row: Int, _ col: Int) -> Bool { self[row, col].isFinite }
}

/// A matched mentee–mentor pair with its score.
public struct Pair: Hashable, Sendable, Comparable {
    public var row: Int
    public var col: Int
    public var score: Double

    public init(row: Int, col: Int, score: Double) {
        self.row = row
        self.col = col
        self.score = score
    }

    public static func < (a: Pair, b: Pair) -> Bool { (a.row, a.col) < (b.row, b.col) }
}

/// The result of a solver: pairs sorted by row, their number and their total score.
public struct Matching: Sendable, Equatable {
    public var pairs: [Pair]
    public var total: Double { pairs.reduce(0) { $0 + $1.score } }
    public var count: Int { pairs.count }

    public init(pairs: [Pair]) { self.pairs = pairs.sorted() }

    /// The column matched to each row, or nil.
    public func colOfRow(rows: Int) -> [Int?] {
        var result = [Int?](repeating: nil, count: rows)
        for p in pairs { result[p.row] = p.col }
        return result
    }
}

/// What a solver cannot work with.
public enum MatchingError: Error, Equatable, Sendable, CustomStringConvertible {
    case invalidCapacity(Int)
    case invalidFile(String)
    /// Scores so large that their differences or sums overflow a double.
    case scoresTooLarge(low: Double, high: Double)

    public var description: String {
        switch self {
        case let .invalidCapacity(c): return "capacity must be at least 1 (got \(c))"
        case let .invalidFile(reason): return reason
        case let .scoresTooLarge(low, high):
            return "scores range from \(low) to \(high): their differences or totals overflow; rescale the scores (e.g. to 0–100)"
        }
    }
}
