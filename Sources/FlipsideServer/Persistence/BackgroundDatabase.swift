import Fluent
import FluentSQLiteDriver
import Foundation
import Vapor

/// A database handle for long background work (a large match run's input) on an event loop and
/// thread pool of its own. SQLiteNIO hands every row of a query to its connection's event loop as a
/// task of its own: a read of 40,000 rows on one of the server's loops keeps whatever request lands
/// on that loop waiting for it. On a SQLite file, background runs read through this handle instead
/// (a second set of connections to the same file); elsewhere (PostgreSQL, in-memory SQLite, whose
/// second connection would be another database) it is the application's own.
final class BackgroundDatabase: @unchecked Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let threadPool: NIOThreadPool
    private let databases: Databases

    private init(path: String, logger: Logger) {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        threadPool = NIOThreadPool(numberOfThreads: 3)
        threadPool.start()
        databases = Databases(threadPool: threadPool, on: group)
        databases.use(.sqlite(.file(path), maxConnectionsPerEventLoop: 2, sqlLogLevel: .debug), as: .sqlite)
        _ = logger
    }

    func database(logger: Logger) -> any Database {
        databases.database(.sqlite, logger: logger, on: group.next())!
    }

    func shutdown() async {
        await databases.shutdownAsync()
        try? await threadPool.shutdownGracefully()
        try? await group.shutdownGracefully()
    }

    private struct Key: StorageKey { typealias Value = BackgroundDatabase }
    private struct Shutdown: LifecycleHandler {
        func shutdownAsync(_ application: Application) async {
            await application.storage[Key.self]?.shutdown()
        }
    }

    /// Prepared by `configure` for SQLite files.
    static func prepare(_ app: Application) {
        guard case let .sqliteFile(path) = app.appConfig.storage else { return }
        app.storage[Key.self] = BackgroundDatabase(path: path, logger: app.logger)
        app.lifecycle.use(Shutdown())
    }

    /// The handle background runs read and write through.
    static func handle(for app: Application) -> any Database {
        app.storage[Key.self]?.database(logger: app.logger) ?? app.db
    }
}
