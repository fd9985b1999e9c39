import Foundation

/// Small numbers that would expose people. A count over fewer than `threshold` people is not shown, and
/// neither is any other count that would let it be worked out by subtraction from a shown total
/// (complementary suppression). Pure computation on a table's counts.
public enum Suppression {
    public static let threshold = 5

    /// A figure as shown: the number, or "fewer than 5".
    public enum Shown: Sendable, Hashable, Codable, CustomStringConvertible {
        case value(Int)
        case suppressed

        public var description: String {
            switch self {
            case let .value(n): return String(n)
            case .suppressed: return "fewer than \(Suppression.threshold)"
            }
        }

        public var number: Int? { if case let .value(n) = self { return n } else { return nil } }
    }

    /// The parts of one total (e.g. participants by department) as they may be shown, with the total.
    /// A part from 1 to 4 is suppressed (0 is shown: it exposes nobody); then the next smallest shown
    /// parts too until the suppressed ones add up to at least 5, so that the total minus the shown
    /// parts gives nothing away. When the total itself is small, everything is suppressed.
    public static func parts(_ counts: [Int]) -> (parts: [Shown], total: Shown) {
        let total = counts.reduce(0, +)
        guard total >= threshold else {
            return (counts.map { $0 == 0 && total == 0 ? .value(0) : .suppressed }, total == 0 ? .value(0) : .suppressed)
        }
        var hidden = counts.map { $0 > 0 && $0 < threshold }
        // The hidden parts together are the total minus the shown ones: they too must cover at least
        // `threshold` people, so hide the next smallest shown parts until they do.
        while case let sum = counts.indices.filter({ hidden[$0] }).reduce(0, { $0 + counts[$1] }), sum > 0, sum < threshold {
            guard let partner = counts.indices.filter({ !hidden[$0] && counts[$0] > 0 }).min(by: { counts[$0] < counts[$1] }) else {
                return (counts.map { _ in .suppressed }, .suppressed)
            }
            hidden[partner] = true
        }
        return (counts.indices.map { hidden[$0] ? .suppressed : .value(counts[$0]) }, .value(total))
    }

    /// A share (e.g. "3 of 40 pairs cross departments") shown only when both counts may be.
    public static func share(_ part: Int, of whole: Int) -> Shown? {
        guard whole >= threshold, part == 0 || (part >= threshold && whole - part >= threshold) || part == whole else { return nil }
        return .value(part)
    }
}
