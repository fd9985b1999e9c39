import Fluent
import FluentSQLiteDriver
import Foundation
import NIOConcurrencyHelpers
import Vapor

/// The one connection this process writes to a SQLite file through, on an event loop and thread
/// pool of its own. FluentSQLiteDriver keeps one connection per event loop (it ignores
/// `maxConnectionsPerEventLoop`), so a write transaction on a request's connection held that loop's
/// only connection until it committed: during a 100,000-person import (5 s) every request served on
/// that loop waited for it. Writers queue one at a time anyway (`SQLiteWriters`, SQLite's one writer
/// lock), so they all go through this connection and the loops' connections stay free for reads.
/// Opened on the first write; in-memory SQLite (whose second connection would be another database)
/// and PostgreSQL do not use it.
final class SQLiteWriterConnection: Sendable {
    private let connections: SQLiteSideConnections
    private let logger: Logger

    private init(path: String, logger: Logger) {
        connections = SQLiteSideConnections(path: path, threads: 2)
        self.logger = logger
    }

    private func database() -> any Database { connections.database(logger: logger) }

    // MARK: Which file a database is

    /// The writers of this process, by file path (one per file, shared by the applications using it).
    private static let writers = NIOLockedValueBox<[String: (writer: SQLiteWriterConnection, users: Int)]>([:])

    /// The writer for the SQLite file `db` is a connection to, when one is registered.
    static func writer(for db: any Database) -> (any Database)? {
        guard let path = filePath(of: db) else { return nil }
        return writers.withLockedValue { $0[path]?.writer }?.database()
    }

    /// The file a SQLite database is stored in, read from its configuration (`nil` for anything else).
    static func filePath(of db: any Database) -> String? {
        guard let configuration = Mirror(reflecting: db.context.configuration).descendant("configuration") as? SQLiteConfiguration,
              case let .file(path) = configuration.storage else { return nil }
        return path
    }

    private struct Registration: LifecycleHandler {
        let path: String
        func shutdownAsync(_ application: Application) async {
            let last = SQLiteWriterConnection.writers.withLockedValue { writers -> SQLiteWriterConnection? in
                guard let entry = writers[path] else { return nil }
                if entry.users > 1 { writers[path]?.users -= 1; return nil }
                writers[path] = nil
                return entry.writer
            }
            await last?.connections.shutdown()
        }
    }

    /// Registers the writer for `app`'s SQLite file (called by `configure`; nothing opens until a write).
    static func register(_ app: Application, path: String) {
        writers.withLockedValue { writers in
            if writers[path] != nil { writers[path]?.users += 1 } else { writers[path] = (SQLiteWriterConnection(path: path, logger: app.logger), 1) }
        }
        app.lifecycle.use(Registration(path: path))
    }
}
