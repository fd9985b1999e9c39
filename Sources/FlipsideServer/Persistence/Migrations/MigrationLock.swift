import Fluent
import FluentPostgresDriver
import Foundation
import SQLKit
import Vapor

/// Brings the schema up to date (or reverts it) so that several instances starting together on one
/// PostgreSQL database take turns: each holds a session-level advisory lock, on a connection of its
/// own, while it migrates; the next one then finds the migrations done. (Without it, two instances
/// started on an empty database raced, and one exited with an opaque PSQLError.) The lock dies with
/// the connection, so a killed instance never leaves it held. SQLite's one file has one server.
public enum SchemaMigration {
    /// The advisory lock's key: any fixed number, the same for every Flipside instance.
    static let lockKey: Int64 = 0x466C_6970_7369_6465   // "Flipside"

    public static func run(_ app: Application, revert: Bool = false) async throws {
        guard case let .postgres(url) = app.appConfig.storage else {
            if case .sqliteFile = app.appConfig.storage, let sql = app.db as? any SQLDatabase {
                // Write-ahead logging: readers never wait for a writer, and a commit is one append. Kept
                // by the file once set.
                try await sql.raw("PRAGMA journal_mode=WAL").run()
            }
            try await migrate(app, revert: revert)
            return
        }
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(on: app.eventLoopGroup.any(),
                                                              configuration: try postgresConfiguration(url).coreConfiguration,
                                                              id: 1, logger: app.logger)
        } catch {
            throw ConfigError("Could not reach the PostgreSQL database at \(app.appConfig.storageDescription): \(String(reflecting: error))")
        }
        do {
            try await run("SELECT pg_advisory_lock(\(lockKey))", on: connection, logger: app.logger)
            try await migrate(app, revert: revert)
            try await run("SELECT pg_advisory_unlock(\(lockKey))", on: connection, logger: app.logger)
            try await connection.close()
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Runs one statement and waits for all of its rows (for `pg_advisory_lock`, until the lock is held).
    private static func run(_ sql: String, on connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
        for try await _ in rows {}
    }

    private static func migrate(_ app: Application, revert: Bool) async throws {
        if revert { try await app.autoRevert() } else { try await app.autoMigrate() }
    }

    /// The connection settings for a `postgres://` URL, as `configure` uses them.
    static func postgresConfiguration(_ url: URL) throws -> SQLPostgresConfiguration {
        var postgres = try SQLPostgresConfiguration(url: url)
        // Debian's server speaks plain TCP on loopback; require TLS with ?sslmode=require.
        if url.query?.contains("sslmode=require") != true { postgres.coreConfiguration.tls = .disable }
        return postgres
    }
}
