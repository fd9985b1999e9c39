/// How long the work of one request may go on. The server sets it for each request; long loops (imports,
/// outcomes, the mapping) call `check()` between steps, so that work whose request was already answered
/// 503 for passing its deadline stops there (and its transaction rolls back) instead of running on for
/// minutes. Outside a request (commands, the background worker) there is no deadline.
///
/// A task-local value rather than task cancellation: the web framework runs each stage of a request in a
/// task of its own, so cancelling the request's task would not reach the handler.
public enum WorkDeadline {
    @TaskLocal public static var current: ContinuousClock.Instant?

    /// The work passed its deadline (or its task was cancelled).
    public struct Passed: Error, Sendable {}

    public static func check() throws(Passed) {
        if isPassed { throw Passed() }
    }

    /// Whether the work passed its deadline (or its task was cancelled).
    public static var isPassed: Bool {
        if Task.isCancelled { return true }
        if let current, ContinuousClock.now >= current { return true }
        return false
    }

    /// What is left until the deadline (nil without one).
    public static var remaining: Duration? { current.map { ContinuousClock.now.duration(to: $0) } }
}
