import FlipsideCore
import NIOConcurrencyHelpers
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
        stragglers.started()
        let work = Task {
            defer { stragglers.ended() }
            return try await WorkDeadline.$current.withValue(deadline) { try await next.respond(to: request) }
        }
        let answered = NIOLockedValueBox(false)
        func first() -> Bool { answered.withLockedValue { done in defer { done = true }; return !done } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Response, any Error>) in
                let timer = Task {
                    try await Task.sleep(until: deadline, clock: .continuous)
                    guard first() else { return }
                    work.cancel()
                    request.logger.warning("Request passed its deadline of \(limit); answered 503 and its work cancelled")
                    continuation.resume(throwing: Exceeded())
                }
                Task {
                    let result = await work.result
                    timer.cancel()
                    if first() { continuation.resume(with: result) }
                }
            }
        } onCancel: {
            work.cancel()
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
