import Foundation

/// Small numbers that would expose people. A count over fewer than `threshold` people is not shown, and
/// neither is any other count that would let it be worked out from what is shown: not by subtraction from
/// a total, nor by combining the figures of several tables that are published together (the program pages
/// and the organisation overview). Pure computation on counts; `LinkedCounts` holds the published sums,
/// `protect` decides, `ranges` is the audit an attacker would run.
public enum Suppression {
    public static let threshold = 5

    /// Why a figure is not shown. Each reason is also what it tells a reader: a small count is 1–4, a count
    /// hidden to protect another is at least 5, a withheld count is at least 1.
    public enum Hidden: String, Sendable, Hashable, Codable, CaseIterable {
        /// 1 to 4 people.
        case small
        /// Shown elsewhere it would let a small count be worked out.
        case protects
        /// A group's exits when fewer than 5 of it stayed (showing them would show who stayed).
        case fewStayed = "few_stayed"
        /// Every part of a sum whose small parts could not be protected otherwise.
        case withheld

        /// The reason in a sentence, a table cell or a CSV.
        public var text: String {
            switch self {
            case .small: return "fewer than \(Suppression.threshold)"
            case .protects: return "hidden so that another small group cannot be worked out"
            case .fewStayed: return "hidden: fewer than \(Suppression.threshold) stayed"
            case .withheld: return "hidden: too few to show any part of this total"
            }
        }

        /// The same in a narrow table cell.
        public var short: String {
            switch self {
            case .small: return "<\(Suppression.threshold)"
            case .protects, .withheld: return "hidden"
            case .fewStayed: return "<\(Suppression.threshold) stayed"
            }
        }

        /// What the label itself tells a reader about the count: its least and greatest value (`nil`: no bound).
        var bounds: (lower: Int, upper: Int?) {
            switch self {
            case .small: return (1, Suppression.threshold - 1)
            case .protects: return (Suppression.threshold, nil)
            case .fewStayed, .withheld: return (1, nil)
            }
        }
    }

    /// A figure as shown: the number, or why it is hidden.
    public enum Shown: Sendable, Hashable, Codable, CustomStringConvertible {
        case value(Int)
        case hidden(Hidden)

        /// A count of 1 to 4 (the common case, for tests and single figures).
        public static let suppressed = Shown.hidden(.small)

        public var description: String {
            switch self {
            case let .value(n): return String(n)
            case let .hidden(reason): return reason.text
            }
        }

        public var number: Int? { if case let .value(n) = self { return n } else { return nil } }
        public var hidden: Hidden? { if case let .hidden(reason) = self { return reason } else { return nil } }
        public var isHidden: Bool { hidden != nil }

        /// A single count with no total beside it: hidden when 1 to 4.
        public static func single(_ n: Int) -> Shown { n == 0 || n >= threshold ? .value(n) : .suppressed }
    }

    /// How a table's total is published.
    public enum Total: Sendable {
        /// Shown with the table; it may be hidden to protect a part.
        case shown
        /// Shown elsewhere whatever this table does (the pairs of a program, everyone employed).
        case fixed
        /// Not published anywhere.
        case unpublished
    }

    /// The parts of one total (e.g. participants by department) as they may be shown, with the total.
    /// A part from 1 to 4 is hidden (0 is shown: it exposes nobody); then more, until no hidden part can be
    /// worked out from the total and the shown parts (`protect`).
    public static func parts(_ counts: [Int], total kind: Total = .shown) -> (parts: [Shown], total: Shown) {
        var table = LinkedCounts()
        let parts = counts.map { table.cell($0) }
        let sum = counts.reduce(0, +)
        guard kind != .unpublished else { return (protect(table), .single(sum)) }
        let total = table.cell(sum, fixed: kind == .fixed)
        table.sum(parts, is: total)
        let shown = protect(table)
        return (parts.map { shown[$0] }, shown[total])
    }

    /// A share (e.g. "3 of 40 pairs cross departments") shown only when both counts may be.
    public static func share(_ part: Int, of whole: Int) -> Shown? {
        guard whole >= threshold, part == 0 || (part >= threshold && whole - part >= threshold) || part == whole else { return nil }
        return .value(part)
    }
}

/// Counts that are published together and the sums that tie them: every table of a page, the same
/// figures on another page, a total shown in a headline. A cell is a count; a sum says that some cells
/// add up to another (a row to its total, a column across programs to the overview's figure).
public struct LinkedCounts: Sendable {
    public private(set) var values: [Int] = []
    /// Cells published elsewhere whatever is decided here.
    public private(set) var fixed: Set<Int> = []
    public private(set) var sums: [(parts: [Int], total: Int)] = []

    public init() {}

    /// A new cell holding `value`; its index.
    @discardableResult
    public mutating func cell(_ value: Int, fixed isFixed: Bool = false) -> Int {
        values.append(value)
        if isFixed { fixed.insert(values.count - 1) }
        return values.count - 1
    }

    /// The cells `parts` add up to the cell `total`.
    public mutating func sum(_ parts: [Int], is total: Int) {
        sums.append((parts, total))
    }
}

extension Suppression {
    /// How far apart the least and greatest value a hidden small count could take must be (three values at least).
    public static let requiredSpread = 2

    /// What may be shown of `table`: every count from 1 to 4 is hidden, then more, until the audit
    /// (`ranges`) finds that no small count can be narrowed down by anyone who knows every shown figure,
    /// every sum and what each label says to fewer than three possible values, and the hidden parts of a
    /// shown total never add up to a small group. (A count of 5 or more hidden to protect another may
    /// follow from the rest: it would have been shown.) Each further count hidden is the smallest one beside the weak one (the least lost); when none
    /// is left, every part of the sums around it is withheld. Fixed cells are never hidden (they are
    /// published elsewhere).
    public static func protect(_ table: LinkedCounts) -> [Shown] {
        var shown = table.values.indices.map { i -> Shown in
            let v = table.values[i]
            return v > 0 && v < threshold && !table.fixed.contains(i) ? .hidden(.small) : .value(v)
        }
        var sumsOf = Array(repeating: [Int](), count: table.values.count)
        for (k, s) in table.sums.enumerated() {
            for cell in s.parts + [s.total] { sumsOf[cell].append(k) }
        }
        // Weaknesses nothing more can be done about: a sum's small group, a cell's narrow range.
        var givenUp = (sums: Set<Int>(), cells: Set<Int>())
        while case let batch = weaknesses(table, shown, sumsOf: sumsOf, skipping: givenUp), !batch.isEmpty {
            // Every weakness found in one audit is mended before the next audit (each with what is still
            // shown after the ones before it).
            for weak in batch {
                // Where the weak count is worked out from: its sums, and the sums of every hidden count joined
                // to it through them (a count is pinned through a chain of hidden ones).
                var reached = Set(weak.sums), queue = weak.sums, cells = Set<Int>()
                if weak.cell != nil {
                    while let k = queue.popLast() {
                        for cell in table.sums[k].parts + [table.sums[k].total] where cells.insert(cell).inserted && shown[cell].isHidden {
                            for next in sumsOf[cell] where reached.insert(next).inserted { queue.append(next) }
                        }
                    }
                } else {
                    cells = Set(weak.sums.flatMap { table.sums[$0].parts + [table.sums[$0].total] })
                }
                let members = { (k: Int) in table.sums[k].parts + [table.sums[k].total] }
                // A sum in which it is the only hidden count gives it away outright: hide beside it there
                // first; else the smallest count beside it, else the smallest further along the chain.
                let alone = Set(weak.sums.filter { k in members(k).filter { shown[$0].isHidden }.count == 1 }.flatMap(members))
                let own = Set(weak.sums.flatMap(members))
                let open = { (c: Int) in !shown[c].isHidden && !table.fixed.contains(c) && table.values[c] > 0 }
                let bySize = { (set: Set<Int>) in set.filter(open).sorted { (table.values[$0], $0) < (table.values[$1], $1) } }
                var order: [Int] = []
                for c in bySize(alone) + bySize(own) + bySize(cells) where !order.contains(c) { order.append(c) }
                if let next = bestPartner(for: weak.cell, among: order, table, shown) {
                    shown[next] = .hidden(.protects)
                    continue
                }
                // Nothing left to hide around it: every part of those sums is withheld (one label, nothing told apart).
                let toWithhold = weak.cell == nil ? [] : cells.filter { table.values[$0] > 0 && !table.fixed.contains($0) && shown[$0] != .hidden(.withheld) }
                if toWithhold.isEmpty {
                    if let cell = weak.cell { givenUp.cells.insert(cell) } else { givenUp.sums.formUnion(weak.sums) }
                } else {
                    for cell in toWithhold { shown[cell] = .hidden(.withheld) }
                }
            }
        }
        return shown
    }

    /// Of the counts that could be hidden beside a weak one (smallest first), the first that widens its
    /// range enough, else the one that widens it most, else the first (a small group's sum, `cell` `nil`).
    /// Tries a few: each try is an audit of that one count.
    private static func bestPartner(for cell: Int?, among order: [Int], _ table: LinkedCounts, _ shown: [Shown]) -> Int? {
        guard let cell, order.count > 1 else { return order.first }
        func spread(_ trial: [Shown]) -> Int {
            guard let r = ranges(table, shown: trial, of: [cell])[cell] else { return 0 }
            return r.upper.map { $0 - r.lower } ?? Int.max
        }
        var best = (cell: order[0], spread: spread(shown))
        for candidate in order.prefix(12) {
            var trial = shown
            trial[candidate] = .hidden(.protects)
            let s = spread(trial)
            if s >= requiredSpread { return candidate }
            if s > best.spread { best = (candidate, s) }
        }
        return best.cell
    }

    /// The hidden cells not protected enough, with the sums each is protected through: first the sums whose
    /// hidden parts are a small group together (`cell` is `nil`), then, when there are none, every small
    /// count the audit narrows to fewer than three values.
    private static func weaknesses(_ table: LinkedCounts, _ shown: [Shown], sumsOf: [[Int]],
                                   skipping: (sums: Set<Int>, cells: Set<Int>)) -> [(cell: Int?, sums: [Int])] {
        var found: [(cell: Int?, sums: [Int])] = []
        for (k, s) in table.sums.enumerated() where !shown[s.total].isHidden && !skipping.sums.contains(k) {
            let together = s.parts.filter { shown[$0].isHidden }.reduce(0) { $0 + table.values[$1] }
            if together > 0, together < threshold { found.append((nil, [k])) }
        }
        guard found.isEmpty else { return found }
        // A small count (whatever its label now) that could take fewer than three values.
        let small = shown.indices.filter { !skipping.cells.contains($0) && shown[$0].isHidden && table.values[$0] > 0 && table.values[$0] < threshold }
        guard !small.isEmpty else { return [] }
        let range = ranges(table, shown: shown, of: small)
        for i in small {
            guard let r = range[i], let upper = r.upper, upper - r.lower < requiredSpread else { continue }
            found.append((i, sumsOf[i]))
        }
        return found
    }

    /// The audit: for every hidden cell, the least and greatest value it could take given every shown
    /// figure, every sum and what each hidden cell's label says (`Hidden.bounds`); `upper` is `nil` when
    /// nothing bounds it. Shown cells give their value; `only` limits the work to those cells. Linear
    /// programming over the published sums (for tables with margins, whose matrices are totally
    /// unimodular, the bounds are integers and exact).
    public static func ranges(_ table: LinkedCounts, shown: [Shown], of only: [Int]? = nil) -> [(lower: Int, upper: Int?)?] {
        let hidden = shown.indices.filter { shown[$0].isHidden }
        var result: [(lower: Int, upper: Int?)?] = shown.map { $0.number.map { ($0, $0) } }
        guard !hidden.isEmpty else { return result }
        let column = Dictionary(uniqueKeysWithValues: hidden.enumerated().map { ($1, $0) })
        let bounds = hidden.map { shown[$0].hidden!.bounds }
        // Variables: y = x − lower ≥ 0, one per hidden cell, then a slack per bounded one.
        let bounded = hidden.indices.filter { bounds[$0].upper != nil }
        let width = hidden.count + bounded.count
        var rows: [[Double]] = [], rhs: [Double] = []
        for s in table.sums {
            var row = Array(repeating: 0.0, count: width)
            var constant = 0.0
            for (cell, sign) in s.parts.map({ ($0, 1.0) }) + [(s.total, -1.0)] {
                if let j = column[cell] {
                    row[j] += sign
                    constant += sign * Double(bounds[j].lower)
                } else {
                    constant += sign * Double(table.values[cell])
                }
            }
            guard row.contains(where: { $0 != 0 }) else { continue }
            rows.append(row)
            rhs.append(-constant)
        }
        for (k, j) in bounded.enumerated() {
            var row = Array(repeating: 0.0, count: width)
            row[j] = 1
            row[hidden.count + k] = 1
            rows.append(row)
            rhs.append(Double(bounds[j].upper! - bounds[j].lower))
        }
        guard let start = SimplexTableau.feasible(rows, rhs) else {
            // Cannot happen for true counts; the labels alone are then all that is known.
            for (j, cell) in hidden.enumerated() { result[cell] = bounds[j] }
            return result
        }
        let wanted = only.map(Set.init)
        for (j, cell) in hidden.enumerated() where wanted?.contains(cell) ?? true {
            var up = Array(repeating: 0.0, count: width), down = up
            up[j] = 1
            down[j] = -1
            let lower = bounds[j].lower + Int((-(start.maximum(down) ?? 0)).rounded())
            let upper = start.maximum(up).map { bounds[j].lower + Int($0.rounded()) }
            result[cell] = (lower, upper)
        }
        return result
    }
}

/// A simplex tableau for A y = b, y ≥ 0 (dense, Bland's rule: small problems, no cycling): a feasible
/// basis found once (phase one), then any number of objectives maximised from it (phase two). Rows are
/// stored one after another in one array, the right-hand side last in each.
struct SimplexTableau {
    private var cells: [Double]
    private var basis: [Int]
    /// Columns of A (each row holds `width + 1` numbers).
    private let width: Int
    private static let epsilon = 1e-9

    /// A feasible basis of A y = b, y ≥ 0, or `nil` when there is none.
    static func feasible(_ a: [[Double]], _ b: [Double]) -> SimplexTableau? {
        let m = a.count, n = a.first?.count ?? 0
        // Phase one: an artificial variable per row, their sum minimised.
        let stride = n + m + 1
        var cells = [Double](repeating: 0, count: m * stride)
        for r in 0..<m {
            let sign = b[r] < 0 ? -1.0 : 1.0
            for j in 0..<n { cells[r * stride + j] = a[r][j] * sign }
            cells[r * stride + n + r] = 1
            cells[r * stride + n + m] = b[r] * sign
        }
        var cost = [Double](repeating: 0, count: stride)
        for r in 0..<m {
            for j in 0..<n { cost[j] -= cells[r * stride + j] }
            cost[n + m] -= cells[r * stride + n + m]
        }
        var basis = (0..<m).map { n + $0 }
        guard run(&cells, &cost, &basis, stride: stride, columns: n + m) else { return nil }
        guard cost[n + m] > -1e-7 else { return nil }
        // Drive artificial variables out of the basis; a row that cannot lose one is redundant.
        var keep: [Int] = []
        for r in 0..<m {
            if basis[r] >= n {
                guard let j = (0..<n).first(where: { abs(cells[r * stride + $0]) > epsilon }) else { continue }
                pivot(&cells, &cost, &basis, stride: stride, row: r, column: j)
            }
            keep.append(r)
        }
        var trimmed = [Double](repeating: 0, count: keep.count * (n + 1))
        for (i, r) in keep.enumerated() {
            for j in 0..<n { trimmed[i * (n + 1) + j] = cells[r * stride + j] }
            trimmed[i * (n + 1) + n] = cells[r * stride + n + m]
        }
        return SimplexTableau(cells: trimmed, basis: keep.map { basis[$0] }, width: n)
    }

    /// The greatest value of c·y over the feasible set, or `nil` when it has none (unbounded).
    func maximum(_ c: [Double]) -> Double? {
        var cells = self.cells, basis = self.basis
        let n = width, stride = n + 1
        var cost = [Double](repeating: 0, count: stride)
        for r in basis.indices where c[basis[r]] != 0 {
            let weight = c[basis[r]]
            for j in 0...n { cost[j] += weight * cells[r * stride + j] }
        }
        for j in 0..<n { cost[j] -= c[j] }
        guard Self.run(&cells, &cost, &basis, stride: stride, columns: n) else { return nil }
        return cost[n]
    }

    /// Pivots until no reduced cost is negative; `false` when the objective is unbounded.
    private static func run(_ cells: inout [Double], _ cost: inout [Double], _ basis: inout [Int], stride: Int, columns: Int) -> Bool {
        let rows = basis.count
        while let entering = (0..<columns).first(where: { cost[$0] < -epsilon }) {
            var leaving = -1
            var best = Double.infinity
            for r in 0..<rows {
                let a = cells[r * stride + entering]
                guard a > epsilon else { continue }
                let ratio = cells[r * stride + stride - 1] / a
                if ratio < best - epsilon || (abs(ratio - best) <= epsilon && basis[r] < basis[leaving]) {
                    best = ratio
                    leaving = r
                }
            }
            guard leaving >= 0 else { return false }
            pivot(&cells, &cost, &basis, stride: stride, row: leaving, column: entering)
        }
        return true
    }

    private static func pivot(_ cells: inout [Double], _ cost: inout [Double], _ basis: inout [Int], stride: Int, row r: Int, column j: Int) {
        let rows = basis.count
        cells.withUnsafeMutableBufferPointer { t in
            let p = t[r * stride + j]
            let base = r * stride
            for k in 0..<stride { t[base + k] /= p }
            for i in 0..<rows where i != r {
                let f = t[i * stride + j]
                guard f != 0 else { continue }
                let row = i * stride
                for k in 0..<stride { t[row + k] -= f * t[base + k] }
            }
            let f = cost[j]
            if f != 0 { for k in 0..<stride { cost[k] -= f * t[base + k] } }
        }
        basis[r] = j
    }
}
