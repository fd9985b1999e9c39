import NIOCore
import Vapor

/// At most `limit` bcrypt computations at once. bcrypt runs on the thread pool that SQLite's queries
/// also use; a burst of sign-ins could otherwise take every thread for seconds (a quarter of a second
/// each at cost 12) and stall every other request behind them. One core is always left for the rest.
actor PasswordWork {
    private let limit: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int = max(1, System.coreCount - 1)) { self.limit = limit }

    func acquire() async {
        if running < limit {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()   // the place passes straight to the next in line
        }
    }
}

extension Application {
    private struct PasswordWorkKey: StorageKey { typealias Value = PasswordWork }

    /// The instance's bcrypt queue, made by `configure`.
    var passwordWork: PasswordWork {
        get { storage[PasswordWorkKey.self] ?? PasswordWork() }
        set { storage[PasswordWorkKey.self] = newValue }
    }
}

/// Hashes and checks passwords through the instance's `PasswordWork` queue.
struct QueuedPasswords: Sendable {
    let hasher: AsyncPasswordHasher
    let work: PasswordWork

    func hash(_ password: String) async throws -> String {
        try await queued { try await hasher.hash(password) }
    }

    func verify(_ password: String, created digest: String) async throws -> Bool {
        try await queued { try await hasher.verify(password, created: digest) }
    }

    /// Runs `body` once a place in the queue is free, and frees it after, whatever happens.
    private func queued<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        await work.acquire()
        do {
            let result = try await body()
            await work.release()
            return result
        } catch {
            await work.release()
            throw error
        }
    }
}
