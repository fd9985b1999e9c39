import FlipsideCore
import Foundation

/// An attacker who knows every published figure, every sum that ties them and what each label says, and
/// tries every integer value the hidden counts could take (a search written apart from Core's linear
/// programming): the least and greatest value each hidden count could have.
public struct BruteForceAttacker {
    /// A published figure: its value, or why it is hidden.
    public var figures: [Suppression.Shown]
    /// Sums the attacker knows: these figures add up to that one.
    public var sums: [(parts: [Int], total: Int)]
    /// No count is larger than this (everyone employed).
    public var cap: Int

    public init(figures: [Suppression.Shown], sums: [(parts: [Int], total: Int)], cap: Int) {
        self.figures = figures
        self.sums = sums
        self.cap = cap
    }

    /// For each figure, its least and greatest possible value; `nil` when the search gave up (too many solutions).
    public func ranges(limit: Int = 100_000) -> [ClosedRange<Int>]? {
        let hidden = figures.indices.filter { figures[$0].isHidden }
        var lower = figures.map { $0.number ?? Int.max }, upper = figures.map { $0.number ?? Int.min }
        var value = figures.map(\.number)
        var visited = 0
        func bounds(_ i: Int) -> ClosedRange<Int> {
            switch figures[i].hidden! {
            case .small: return 1...4
            case .protects: return 5...cap
            case .fewStayed, .withheld: return 1...cap
            }
        }
        /// Fills what the sums force; `false` on a contradiction. `set` gets what it filled, to undo.
        func propagate(_ set: inout [Int]) -> Bool {
            var changed = true
            while changed {
                changed = false
                for s in sums {
                    let cells = s.parts + [s.total]
                    let open = cells.filter { value[$0] == nil }
                    let partSum = s.parts.compactMap { value[$0] }.reduce(0, +)
                    if let total = value[s.total] {
                        // The open parts need at least their least values and give at most their greatest.
                        let openParts = s.parts.filter { value[$0] == nil }
                        if partSum + openParts.reduce(0, { $0 + bounds($1).lowerBound }) > total { return false }
                        if partSum + openParts.reduce(0, { $0 + bounds($1).upperBound }) < total { return false }
                    }
                    if open.isEmpty {
                        if partSum != value[s.total]! { return false }
                    } else if open.count == 1 {
                        let cell = open[0]
                        let forced = cell == s.total ? partSum : value[s.total]! - partSum
                        guard bounds(cell).contains(forced) else { return false }
                        value[cell] = forced
                        set.append(cell)
                        changed = true
                    }
                }
            }
            return true
        }
        /// Whether the open counts can be filled in at all (the first solution ends the search); `nil` past the limit.
        func satisfiable() -> Bool? {
            visited += 1
            guard visited < limit else { return nil }
            var set: [Int] = []
            defer { for cell in set { value[cell] = nil } }
            guard propagate(&set) else { return false }
            // The open count in the sum with the fewest open counts: its sum closes soonest.
            let open = sums.map { s in (s.parts + [s.total]).filter { value[$0] == nil } }.filter { !$0.isEmpty }
            guard let next = open.min(by: { $0.count < $1.count })?.first ?? hidden.first(where: { value[$0] == nil }) else { return true }
            for v in bounds(next) {
                value[next] = v
                let found = satisfiable()
                value[next] = nil
                if found != false { return found }
            }
            return false
        }
        func possible(_ cell: Int, _ v: Int) -> Bool? {
            value[cell] = v
            defer { value[cell] = nil }
            return satisfiable()
        }
        for i in hidden {
            visited = 0
            for v in bounds(i) {
                guard let ok = possible(i, v) else { return nil }
                if ok { lower[i] = v; break }
            }
            for v in bounds(i).reversed() {
                guard let ok = possible(i, v) else { return nil }
                if ok { upper[i] = v; break }
            }
        }
        return figures.indices.map { lower[$0]...upper[$0] }
    }
}
