import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// Writes that must not run side by side, even from two server instances: each takes its lock as the
/// first statement of its transaction and holds it until commit. The lock is a row written with an
/// upsert: on PostgreSQL the row lock makes a second writer wait; on SQLite the write takes the
/// database's writer lock at once (a deferred transaction that read first could not upgrade later).
enum WriteLock: String {
    /// HR imports of people: their checks against stored people must see every earlier import.
    case peopleImport = "people_import"
    /// Imports of enrolments.
    case enrolmentImport = "enrolment_import"
    /// SQLite's one writer, taken first by every write transaction there (see `writeTransaction`).
    case sqliteWriter = "sqlite_writer"

    static let table = "write_locks"

    /// Takes the lock inside `tx` (a transaction); it is released when the transaction ends.
    func take(on tx: any Database) async throws {
        guard let sql = tx as? any SQLDatabase else { return }
        try await sql.raw("""
            INSERT INTO \(ident: Self.table) (name, taken_at) VALUES (\(bind: rawValue), \(bind: Date().timeIntervalSince1970))
            ON CONFLICT (name) DO UPDATE SET taken_at = excluded.taken_at
            """).run()
    }
}

extension WriteLock {
    /// A write transaction that takes this lock first, so that work of its kind runs one at a time.
    func transaction<T: Sendable>(on db: any Database, bulk: Bool = false, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        try await db.writeTransaction(bulk: bulk) { tx in
            try await take(on: tx)
            return try await body(tx)
        }
    }
}

extension Database {
    /// A transaction for work that reads and then writes. On SQLite it takes the database's writer lock
    /// with its first statement: a deferred transaction that read first cannot upgrade to a writer while
    /// another connection writes, and fails at once with "database is locked"; taking the lock first
    /// makes it wait its turn instead. On PostgreSQL it is a plain transaction (row locks and
    /// constraints do the work).
    ///
    /// On SQLite, writers of this process also queue for `SQLiteWriters` first, without holding a thread
    /// or a connection: only one of them at a time waits on SQLite's lock (and SQLiteNIO's busy handler
    /// spins while it waits), so writers do not burn the cores the one holding the lock needs.
    /// On a SQLite file they then write through one connection of their own (`SQLiteWriterConnection`).
    ///
    /// A `bulk` transaction (a whole HR file) gets SQLite's page cache and statement journals sized for
    /// it first (see `SQLiteBulkWrite`).
    func writeTransaction<T: Sendable>(bulk: Bool = false, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let sql = self as? any SQLDatabase, sql.dialect.name == "sqlite", !SQLiteWriters.held else {
            guard let sql = self as? any SQLDatabase, sql.dialect.name == "postgresql", WorkDeadline.current != nil else {
                return try await transaction { tx in try await body(tx) }
            }
            // A request on PostgreSQL waits as long for a row lock (a long import holds its lock row), then 503.
            return try await transaction { tx in
                try await (tx as! any SQLDatabase).raw("SET LOCAL lock_timeout = '10s'").run()
                return try await body(tx)
            }
        }
        // A request waits a bounded time (then 503, nothing changed); other work waits its turn.
        try await SQLiteWriters.shared.enter(timeout: WorkDeadline.remaining.map { min(SQLiteWriters.requestWait, $0 * 0.8) })
        do {
            // Through the process's writer connection to this file, when there is one: the request's
            // event loop keeps its own connection for reads meanwhile.
            let db = SQLiteWriterConnection.writer(for: self) ?? self
            let result = try await SQLiteWriters.$held.withValue(true) {
                // The writer (or this event loop's database) is one connection: the settings apply to
                // the transaction that follows on it.
                if bulk { try await SQLiteBulkWrite.prepare(db as! any SQLDatabase) }
                return try await db.transaction { tx in
                    try await WriteLock.sqliteWriter.take(on: tx)
                    return try await body(tx)
                }
            }
            await SQLiteWriters.shared.leave()
            return result
        } catch {
            await SQLiteWriters.shared.leave()
            throw error
        }
    }
}

/// The queue of this process's SQLite write transactions: one at a time, the others waiting
/// asynchronously in order. A write transaction inside one already holding it (same task) does not queue again.
actor SQLiteWriters {
    static let shared = SQLiteWriters()
    @TaskLocal static var held = false
    /// How long a request's write waits for its turn before it is answered 503 (`Busy`), at most (and
    /// never past most of what is left of the request's deadline); commands and background work wait as
    /// long as it takes.
    static let requestWait: Duration = .seconds(10)

    /// A request's write waited `requestWait` and its turn did not come.
    struct Busy: Error {}

    private var busy = false
    private var waiting: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID: UInt64 = 0

    /// Waits for this process's turn to write: at most `timeout`, when one is given.
    func enter(timeout: Duration? = nil) async throws {
        guard busy else { busy = true; return }
        let id = nextID
        nextID += 1
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((id, continuation))
            if let timeout {
                Task { [weak self] in
                    try await Task.sleep(for: timeout)
                    await self?.expire(id)
                }
            }
        }
    }

    private func expire(_ id: UInt64) {
        guard let i = waiting.firstIndex(where: { $0.id == id }) else { return }
        waiting.remove(at: i).continuation.resume(throwing: Busy())
    }

    func leave() {
        if waiting.isEmpty { busy = false } else { waiting.removeFirst().continuation.resume() }
    }
}

/// Settings for a transaction that writes a whole HR file on SQLite, made on its connection before it
/// begins (SQLite decides where statement journals go when a transaction begins).
enum SQLiteBulkWrite {
    static func prepare(_ sql: any SQLDatabase) async throws {
        // One transaction over six indexes: SQLite's default 2 MB page cache spills to the WAL again and
        // again. 64 MB (a cache bound, not an allocation).
        try await sql.raw("PRAGMA cache_size = -65536").run()
        // Each statement of many rows keeps the pages it changes in a statement journal (to undo that
        // statement alone): in memory, not a temporary file written page by page.
        try await sql.raw("PRAGMA temp_store = MEMORY").run()
    }
}
