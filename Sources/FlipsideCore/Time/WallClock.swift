import Foundation

/// Where "now" comes from. Everything that expires (sessions, tokens, sign-in links, sign-in limits)
/// asks a clock instead of calling `Date()`, so tests move time instead of rewriting stored rows.
public protocol WallClock: Sendable {
    var now: Date { get }
}

/// The computer's clock.
public struct SystemClock: WallClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that stands still until moved (tests).
public final class ManualClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date   // guarded by `lock`

    public init(_ start: Date) { current = start }

    public var now: Date { lock.withLock { current } }

    /// Sets the clock to `date`.
    public func set(_ date: Date) {
        lock.withLock { current = date }
    }

    /// Moves the clock on by `seconds`.
    public func advance(by seconds: TimeInterval) {
        lock.withLock { current = current.addingTimeInterval(seconds) }
    }
}
