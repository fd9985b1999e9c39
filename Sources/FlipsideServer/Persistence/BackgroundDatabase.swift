import Fluent
import FluentSQLiteDriver
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// A database handle for long background work (a large match run's input) on an event loop and
/// thread pool of its own. SQLiteNIO hands every row of a query to its connection's event loop as a
/// task of its own: a read of 40,000 rows on one of the server's loops keeps whatever request lands
/// on that loop waiting for it. On a SQLite file, background runs read through this handle instead
/// (a second set of connections to the same file, opened on the first background run); elsewhere
/// (PostgreSQL, in-memory SQLite, whose second connection would be another database) it is the
/// application's own.
final class BackgroundDatabase: Sendable {
    private let connections: SQLiteSideConnections

    private init(path: String) { connections = SQLiteSideConnections(path: path, threads: 3) }

    func database(logger: Logger) -> any Database { connections.database(logger: logger) }

    func shutdown() async { await connections.shutdown() }

    private struct Key: StorageKey { typealias Value = BackgroundDatabase }
    private struct Shutdown: LifecycleHandler {
        func shutdownAsync(_ application: Application) async {
            await application.storage[Key.self]?.shutdown()
        }
    }

    /// Prepared by `configure` for SQLite files (nothing is opened until a background run needs it).
    static func prepare(_ app: Application) {
        guard case let .sqliteFile(path) = app.appConfig.storage else { return }
        app.storage[Key.self] = BackgroundDatabase(path: path)
        app.lifecycle.use(Shutdown())
    }

    /// The handle background runs read and write through.
    static func handle(for app: Application) -> any Database {
        app.storage[Key.self]?.database(logger: app.logger) ?? app.db
    }
}

/// Connections to a SQLite file on an event loop and a thread pool of their own, opened on first use
/// (for `BackgroundDatabase` and `SQLiteWriterConnection`).
final class SQLiteSideConnections: Sendable {
    private struct Opened {
        let group: MultiThreadedEventLoopGroup
        let threadPool: NIOThreadPool
        let databases: Databases
    }

    private let path: String
    private let threads: Int
    private let opened = NIOLockedValueBox<Opened?>(nil)

    init(path: String, threads: Int) {
        self.path = path
        self.threads = threads
    }

    func database(logger: Logger) -> any Database {
        let opened = self.opened.withLockedValue { opened -> Opened in
            if let opened { return opened }
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let threadPool = NIOThreadPool(numberOfThreads: threads)
            threadPool.start()
            let databases = Databases(threadPool: threadPool, on: group)
            databases.use(.sqlite(.file(path), sqlLogLevel: .debug), as: .sqlite)
            opened = Opened(group: group, threadPool: threadPool, databases: databases)
            return opened!
        }
        return opened.databases.database(.sqlite, logger: logger, on: opened.group.next())!
    }

    func shutdown() async {
        guard let opened = self.opened.withLockedValue({ value in defer { value = nil }; return value }) else { return }
        await opened.databases.shutdownAsync()
        try? await opened.threadPool.shutdownGracefully()
        try? await opened.group.shutdownGracefully()
    }
}
