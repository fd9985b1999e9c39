import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Work this instance runs beside its requests (the outbox worker, a drain started at once for a queued
/// match run): cancelled and waited for when the application shuts down, before its databases close, so
/// none of it reaches for a database that is gone (a stopped server used to crash there).
public final class BackgroundWork: LifecycleHandler, Sendable {
    public init() {}

    private let running = NIOLockedValueBox<[UUID: Task<Void, Never>]>([:])

    /// Runs `body` in the background until it ends or the application shuts down.
    public func start(_ body: @escaping @Sendable () async -> Void) {
        let id = UUID()
        running.withLockedValue { tasks in
            tasks[id] = Task { [weak self] in
                await body()
                self?.running.withLockedValue { $0[id] = nil }
            }
        }
    }

    public func shutdownAsync(_ application: Application) async {
        let tasks = running.withLockedValue { $0 }
        for task in tasks.values { task.cancel() }
        for task in tasks.values { await task.value }
    }
}

extension Application {
    private struct BackgroundWorkKey: StorageKey { typealias Value = BackgroundWork }

    /// This instance's background work (made by `configure`, which has it stopped at shutdown).
    public var backgroundWork: BackgroundWork {
        get { storage[BackgroundWorkKey.self] ?? BackgroundWork() }
        set { storage[BackgroundWorkKey.self] = newValue }
    }
}
