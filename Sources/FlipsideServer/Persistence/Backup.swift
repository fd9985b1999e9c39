import Fluent
import FlipsideCore
import Foundation
import SQLKit
import Vapor

/// Backups while the server runs, and restoring one into an empty database.
///
/// - SQLite: `VACUUM INTO` writes a consistent copy of the whole database file (online: readers and
///   writers go on). Restoring attaches that file and copies every kept table into the (migrated,
///   empty) target in one transaction.
/// - PostgreSQL: a logical export of Flipside's tables read in one repeatable-read, read-only
///   transaction (one snapshot): a JSON header line, then one line per row (`row_to_json`). Restoring
///   inserts every row with `json_populate_record` (PostgreSQL converts each value back to its column's
///   type) in one transaction, parents before children.
///
/// Both refuse a target that is not empty or not at the same schema as the backup. Sessions, API
/// tokens, sign-in counters, locks and files waiting to be mapped are not restored: everyone signs in
/// again on the restored server.
public enum Backup {
    /// Tables not carried over (their rows belong to one running server, or are recreated by migrating).
    static let notRestored: Set<String> = ["_fluent_migrations", "write_locks", "data_versions", "pending_imports", "web_sessions",
                                           "user_tokens", "login_attempts", "_fluent_sessions"]
    static let format = "flipside-backup"

    public struct Summary: Sendable {
        public var tables: Int
        public var rows: Int
        public var database: String
    }

    public struct Refused: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// Flipside's tables in the order they were created (parents before children), without `notRestored`.
    static func tables(_ sql: any SQLDatabase) async throws -> [String] {
        let names: [String]
        if sql.dialect.name == "sqlite" {
            names = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid").all()
                .map { try $0.decode(column: "name", as: String.self) }
        } else {
            names = try await sql.raw("""
                SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE c.relkind = 'r' AND n.nspname = current_schema() ORDER BY c.oid
                """).all().map { try $0.decode(column: "name", as: String.self) }
        }
        return names.filter { !notRestored.contains($0) }
    }

    /// The migrations the database has run, in order (a restore needs the same list).
    static func migrations(_ sql: any SQLDatabase, prefix: String = "") async throws -> [String] {
        try await sql.raw("SELECT name FROM \(unsafeRaw: prefix)_fluent_migrations ORDER BY batch, name").all()
            .map { try $0.decode(column: "name", as: String.self) }
    }

    /// Every row of `table` as one line of text, sorted: what "identical data" is checked by.
    static func dump(_ table: String, on sql: any SQLDatabase) async throws -> [String] {
        if sql.dialect.name == "sqlite" {
            let columns = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table)) ORDER BY cid").all()
                .map { try $0.decode(column: "name", as: String.self) }
            guard !columns.isEmpty else { return [] }
            let expression = columns.map { "quote(\"\($0)\")" }.joined(separator: " || '|' || ")
            return try await sql.raw("SELECT \(unsafeRaw: expression) AS line FROM \(ident: table)").all()
                .map { try $0.decode(column: "line", as: String.self) }.sorted()
        }
        return try await sql.raw("SELECT row_to_json(t)::text AS line FROM \(ident: table) t").all()
            .map { try $0.decode(column: "line", as: String.self) }.sorted()
    }

    /// Writes a backup of the database to `path` (which must not exist yet).
    public static func write(to path: String, app: Application) async throws -> Summary {
        guard !FileManager.default.fileExists(atPath: path) else { throw Refused(description: "\(path) already exists; choose a new file.") }
        let sql = app.db as! any SQLDatabase
        let tables = try await tables(sql)
        if sql.dialect.name == "sqlite" {
            try await sql.raw("VACUUM INTO \(bind: path)").run()
            var rows = 0
            for table in tables { rows += try await count(table, on: sql) }
            return Summary(tables: tables.count, rows: rows, database: "sqlite")
        }
        guard FileManager.default.createFile(atPath: path, contents: nil), let file = FileHandle(forWritingAtPath: path) else {
            throw Refused(description: "Cannot write \(path).")
        }
        defer { try? file.close() }
        let rows: Int = try await app.db.transaction { tx in
            let sql = tx as! any SQLDatabase
            // One snapshot for every table: what the backup holds existed together at one moment.
            try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").run()
            let header: [String: Any] = ["format": format, "version": 1, "database": "postgresql", "tables": tables,
                                         "migrations": try await migrations(sql), "created_at": ISO8601DateFormatter().string(from: Date())]
            try file.write(contentsOf: try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]) + Data("\n".utf8))
            var rows = 0
            for table in tables {
                for row in try await sql.raw("SELECT row_to_json(t)::text AS line FROM \(ident: table) t").all() {
                    let line = try row.decode(column: "line", as: String.self)
                    try file.write(contentsOf: Data("{\"table\":\(try StoredJSON.encode(table)),\"row\":\(line)}\n".utf8))
                    rows += 1
                }
            }
            return rows
        }
        return Summary(tables: tables.count, rows: rows, database: "postgresql")
    }

    /// Restores the backup at `path` into this (migrated, empty) database, in one transaction.
    public static func restore(from path: String, app: Application) async throws -> Summary {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Refused(description: "Cannot read \(path).") }
        let magic = (try? handle.read(upToCount: 16)) ?? Data()
        try? handle.close()
        let sql = app.db as! any SQLDatabase
        let isSQLiteFile = magic.starts(with: Data("SQLite format 3".utf8))
        if sql.dialect.name == "sqlite" {
            guard isSQLiteFile else { throw Refused(description: "\(path) is not a SQLite backup; this database is SQLite (restore a PostgreSQL backup into PostgreSQL).") }
        } else if isSQLiteFile {
            throw Refused(description: "\(path) is a SQLite backup; this database is PostgreSQL (restore it into SQLite).")
        }
        let tables = try await tables(sql)
        for table in tables where try await count(table, on: sql) > 0 {
            throw Refused(description: "The database is not empty (\(table) has rows): restore into a new, empty database.")
        }
        let ours = try await migrations(sql)
        if sql.dialect.name == "sqlite" {
            // ATTACH holds for one connection: attach, copy and detach on the same one.
            return try await app.db.withConnection { connection in
                let sql = connection as! any SQLDatabase
                try await sql.raw("ATTACH DATABASE \(bind: path) AS backup").run()
                do {
                    let theirs = try await migrations(sql, prefix: "backup.")
                    guard theirs == ours else {
                        throw Refused(description: "The backup was made at another schema version (\(theirs.count) migrations, this database \(ours.count)).")
                    }
                    let rows: Int = try await connection.transaction { tx in
                        let sql = tx as! any SQLDatabase
                        var rows = 0
                        for table in tables {
                            try await sql.raw("INSERT INTO main.\(ident: table) SELECT * FROM backup.\(ident: table)").run()
                            rows += try await count(table, on: sql)
                        }
                        return rows
                    }
                    try await sql.raw("DETACH DATABASE backup").run()
                    return Summary(tables: tables.count, rows: rows, database: "sqlite")
                } catch {
                    try? await sql.raw("DETACH DATABASE backup").run()
                    throw error
                }
            }
        }
        guard let reader = LineReader(path: path) else { throw Refused(description: "Cannot read \(path).") }
        guard let first = reader.next(), let header = try? JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any],
              header["format"] as? String == format else { throw Refused(description: "\(path) is not a Flipside backup.") }
        guard header["migrations"] as? [String] == ours else {
            throw Refused(description: "The backup was made at another schema version than this database's.")
        }
        let known = Set(tables)
        let rows: Int = try await app.db.transaction { tx in
            let sql = tx as! any SQLDatabase
            var rows = 0
            // The file holds tables parents first (the order they were created in); each row goes in as it is read.
            while let line = reader.next() {
                guard line.hasPrefix("{\"table\":\""), line.hasSuffix("}"), let cut = line.range(of: "\",\"row\":") else {
                    throw Refused(description: "\(path) has a line that is not a row of a Flipside table.")
                }
                let table = String(line[line.index(line.startIndex, offsetBy: 10)..<cut.lowerBound])
                guard known.contains(table) else { throw Refused(description: "\(path) has rows of a table this database does not have (\(table)).") }
                let row = String(line[cut.upperBound..<line.index(before: line.endIndex)])
                try await sql.raw("INSERT INTO \(ident: table) SELECT * FROM json_populate_record(NULL::\(ident: table), \(bind: row)::json)").run()
                rows += 1
            }
            return rows
        }
        return Summary(tables: tables.count, rows: rows, database: "postgresql")
    }

    static func count(_ table: String, on sql: any SQLDatabase) async throws -> Int {
        try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: table)").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Reads a file line by line in 1 MB chunks (a backup of a large organisation is not read whole).
    /// Lines are read from a position in the chunk; what was read is dropped once per chunk, not once
    /// per line (that moved the rest of the chunk every line: 2.1 s for a 10 MB file, now 0.19 s).
    final class LineReader: @unchecked Sendable {
        private let handle: FileHandle
        private var buffer = Data()
        /// Where the unread bytes of `buffer` start.
        private var position = 0
        private var done = false

        init?(path: String) {
            guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
            self.handle = handle
        }

        deinit { try? handle.close() }

        func next() -> String? {
            while true {
                if let newline = buffer[position...].firstIndex(of: 0x0A) {
                    let line = buffer[position..<newline]
                    position = newline + 1
                    if line.isEmpty { continue }
                    return String(decoding: line, as: UTF8.self)
                }
                if done {
                    guard position < buffer.endIndex else { return nil }
                    defer { buffer.removeAll(); position = 0 }
                    return String(decoding: buffer[position...], as: UTF8.self)
                }
                buffer = Data(buffer[position...])
                position = 0
                let chunk = (try? handle.read(upToCount: 1 << 20)) ?? nil
                if let chunk, !chunk.isEmpty { buffer.append(chunk) } else { done = true }
            }
        }
    }
}
