import FlipsideCore
import NIOConcurrencyHelpers
import NIOCore
import Vapor

/// Every request has a deadline (`AppConfig.requestDeadline`, 55 s, below the connection's 60 s idle timeout): a
/// request still being worked on then is answered 503 with its request id and `Retry-After`, instead of
/// the connection being cut without an answer, and its work is stopped: the deadline is Core's
/// `WorkDeadline` for everything the request runs, long loops (imports, outcomes) check it, and a
/// transaction that stops there rolls back.
struct RequestDeadline: AsyncMiddleware {
    let limit: Duration
    /// Work still running after its request was answered (until it reaches its next deadline check):
    /// shutting down waits for it, so no stopped import is cut in the middle of rolling back.
    let stragglers: Stragglers

    struct Exceeded: Error {}

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let deadline = ContinuousClock.now + limit
        let stragglers = self.stragglers
        let limit = self.limit
        stragglers.started()
        // One task for the work, and the timer an event-loop timer (cancelled without waking anything):
        // a task sleeping until the deadline, and one more waiting for the work, were two task hops per request.
        let answered = NIOLockedValueBox(false)
        @Sendable func first() -> Bool { answered.withLockedValue { done in defer { done = true }; return !done } }
        let work = NIOLockedValueBox<Task<Void, Never>?>(nil)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Response, any Error>) in
                let timer = request.eventLoop.scheduleTask(in: TimeAmount(limit)) {
                    guard first() else { return }
                    work.withLockedValue { $0?.cancel() }
                    request.logger.warning("Request passed its deadline of \(limit); answered 503 and its work cancelled")
                    continuation.resume(throwing: Exceeded())
                }
                let task = Task {
                    defer { stragglers.ended() }
                    let result: Result<Response, any Error>
                    do { result = .success(try await WorkDeadline.$current.withValue(deadline) { try await next.respond(to: request) }) }
                    catch { result = .failure(error) }
                    timer.cancel()
                    if first() { continuation.resume(with: result) }
                }
                work.withLockedValue { $0 = task }
                // A request cancelled before its task was kept above: `onCancel` found none to cancel.
                if Task.isCancelled { task.cancel() }
            }
        } onCancel: {
            work.withLockedValue { $0?.cancel() }
        }
    }
}

/// Counts the requests whose work is running, so that shutting down can wait for them.
final class Stragglers: Sendable {
    private let count = NIOLockedValueBox(0)

    func started() { count.withLockedValue { $0 += 1 } }
    func ended() { count.withLockedValue { $0 -= 1 } }

    /// Waits until no request's work runs any more, `most` at the longest.
    func drained(most: Duration = .seconds(30)) async {
        let end = ContinuousClock.now + most
        while count.withLockedValue({ $0 }) > 0 && ContinuousClock.now < end { try? await Task.sleep(for: .milliseconds(20)) }
    }

    /// Shutting down the application waits for work still running (see `RequestDeadline.stragglers`).
    struct Shutdown: LifecycleHandler {
        let stragglers: Stragglers
        func shutdownAsync(_ application: Application) async { await stragglers.drained() }
    }
}
