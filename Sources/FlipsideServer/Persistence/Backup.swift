import Crypto
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
/// A backup is never half there: it is written under a temporary name and linked to its own name only
/// once complete (a backup killed part-way leaves no file at `path`). It ends with what it holds — a
/// PostgreSQL backup a footer line (format version, rows per table, SHA-256 of every line before it), a
/// SQLite backup a `flipside_backup` table (format version, rows per table) — and restore checks that
/// (and, for SQLite, the file's own integrity check) before it touches the target: a cut, damaged or
/// older-format file is refused whole.
///
/// Both refuse a target that is not empty or not at the same schema as the backup. Sessions, API
/// tokens, sign-in counters, locks and files waiting to be mapped are not restored: everyone signs in
/// again on the restored server.
public enum Backup {
    /// Tables not carried over (their rows belong to one running server, or are recreated by migrating).
    static let notRestored: Set<String> = ["_fluent_migrations", "write_locks", "data_versions", "pending_imports", "web_sessions",
                                           "user_tokens", "login_attempts", "_fluent_sessions", "flipside_backup"]
    static let format = "flipside-backup"
    /// The format's version: 2 has the footer (version 1 files, without one, are refused).
    static let version = 2
    /// Rows a PostgreSQL restore inserts in one statement.
    static let rowsPerInsert = 1_000
    /// The table inside a SQLite backup that says what it holds.
    static let manifestTable = "flipside_backup"

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

    /// Writes a backup of the database to `path` (which must not exist yet): under a temporary name
    /// first, then linked to `path` once complete (a kill part-way leaves no file at `path`).
    public static func write(to path: String, app: Application) async throws -> Summary {
        guard !FileManager.default.fileExists(atPath: path) else { throw Refused(description: "\(path) already exists; choose a new file.") }
        let temporary = path + ".partial-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: temporary) }
        let sql = app.db as! any SQLDatabase
        let tables = try await tables(sql)
        let summary: Summary
        if sql.dialect.name == "sqlite" {
            try await sql.raw("VACUUM INTO \(bind: temporary)").run()
            summary = try await sealSQLite(temporary, tables: tables, app: app)
        } else {
            summary = try await writePostgres(temporary, tables: tables, app: app)
        }
        // Made visible under its name only now, and never over another file (link fails if `path` exists).
        guard link(temporary, path) == 0 else {
            throw Refused(description: errno == EEXIST ? "\(path) already exists; choose a new file." : "Cannot write \(path) (error \(errno)).")
        }
        return summary
    }

    /// Writes the SQLite backup's manifest (format, rows per table) into the copy just made.
    private static func sealSQLite(_ file: String, tables: [String], app: Application) async throws -> Summary {
        try await app.db.withConnection { connection in
            let sql = connection as! any SQLDatabase
            try await sql.raw("ATTACH DATABASE \(bind: file) AS backup").run()
            do {
                var counts: [String: Int] = [:]
                for table in tables { counts[table] = try await count("backup.\"\(table)\"", on: sql) }
                try await sql.raw("CREATE TABLE backup.\(ident: manifestTable) (format TEXT NOT NULL, version INTEGER NOT NULL, counts TEXT NOT NULL)").run()
                try await sql.raw("INSERT INTO backup.\(ident: manifestTable) VALUES (\(bind: format), \(bind: version), \(bind: try StoredJSON.encode(counts)))").run()
                try await sql.raw("DETACH DATABASE backup").run()
                return Summary(tables: tables.count, rows: counts.values.reduce(0, +), database: "sqlite")
            } catch {
                try? await sql.raw("DETACH DATABASE backup").run()
                throw error
            }
        }
    }

    /// Writes the PostgreSQL export to `file`: header, rows, and a footer with the counts and a checksum.
    private static func writePostgres(_ file: String, tables: [String], app: Application) async throws -> Summary {
        guard FileManager.default.createFile(atPath: file, contents: nil), let handle = FileHandle(forWritingAtPath: file) else {
            throw Refused(description: "Cannot write \(file).")
        }
        defer { try? handle.close() }
        let rows: Int = try await app.db.transaction { tx in
            let sql = tx as! any SQLDatabase
            // One snapshot for every table: what the backup holds existed together at one moment.
            try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").run()
            var hash = SHA256()
            func put(_ line: String) throws {
                let data = Data((line + "\n").utf8)
                hash.update(data: data)
                try handle.write(contentsOf: data)
            }
            let header: [String: Any] = ["format": format, "version": version, "database": "postgresql", "tables": tables,
                                         "migrations": try await migrations(sql), "created_at": ISO8601DateFormatter().string(from: app.clock.now)]
            try put(String(decoding: try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys]), as: UTF8.self))
            var counts: [String: Int] = [:]
            for table in tables {
                let name = try StoredJSON.encode(table)
                var n = 0
                for row in try await sql.raw("SELECT row_to_json(t)::text AS line FROM \(ident: table) t").all() {
                    try put("{\"table\":\(name),\"row\":\(try row.decode(column: "line", as: String.self))}")
                    n += 1
                }
                counts[table] = n
            }
            let footer = Footer(format: format, version: version, counts: counts, sha256: hash.finalize().map { String(format: "%02x", $0) }.joined())
            try handle.write(contentsOf: Data(("{\"footer\":" + (try StoredJSON.encode(footer)) + "}\n").utf8))
            try handle.synchronize()
            return counts.values.reduce(0, +)
        }
        return Summary(tables: tables.count, rows: rows, database: "postgresql")
    }

    /// The last line of a PostgreSQL backup: what the lines before it hold.
    struct Footer: Codable, Equatable {
        var format: String
        var version: Int
        var counts: [String: Int]
        var sha256: String
    }

    /// Reads the whole PostgreSQL backup once, before anything is restored: the header, every line's
    /// table, and a footer whose counts and checksum match the lines read. Returns the header.
    static func verifyPostgres(_ path: String, known: Set<String>) throws -> [String: Any] {
        guard let reader = LineReader(path: path) else { throw Refused(description: "Cannot read \(path).") }
        guard let first = reader.next(), let header = try? JSONSerialization.jsonObject(with: Data(first.utf8)) as? [String: Any],
              header["format"] as? String == format else { throw Refused(description: "\(path) is not a Flipside backup.") }
        guard header["version"] as? Int == version else {
            throw Refused(description: "\(path) is a Flipside backup of an older format without a footer (it cannot be checked whole); make a new backup.")
        }
        var hash = SHA256()
        hash.update(data: Data((first + "\n").utf8))
        var counts: [String: Int] = [:], footer: Footer?
        while let line = reader.next() {
            guard footer == nil else { throw Refused(description: "\(path) has lines after its footer: it is not one whole backup.") }
            if line.hasPrefix("{\"footer\":") {
                footer = try? StoredJSON.decode([String: Footer].self, line)["footer"]
                guard footer != nil else { throw Refused(description: "\(path) has a damaged footer.") }
                continue
            }
            hash.update(data: Data((line + "\n").utf8))
            let table = try rowTable(line, path: path)
            guard known.contains(table) else { throw Refused(description: "\(path) has rows of a table this database does not have (\(table)).") }
            counts[table, default: 0] += 1
        }
        guard let footer else {
            throw Refused(description: "\(path) ends without its footer: the backup was cut short or is incomplete. Nothing was restored.")
        }
        let sum = hash.finalize().map { String(format: "%02x", $0) }.joined()
        guard footer.format == format, footer.version == version, footer.sha256 == sum else {
            throw Refused(description: "\(path) does not match its footer's checksum: the file was changed or damaged. Nothing was restored.")
        }
        guard footer.counts.filter({ $0.value > 0 }) == counts else {
            throw Refused(description: "\(path) holds other row counts than its footer says. Nothing was restored.")
        }
        return header
    }

    /// The table a backup line's row belongs to.
    static func rowTable(_ line: String, path: String) throws -> String {
        guard line.hasPrefix("{\"table\":\""), line.hasSuffix("}"), let cut = line.range(of: "\",\"row\":") else {
            throw Refused(description: "\(path) has a line that is not a row of a Flipside table.")
        }
        return String(line[line.index(line.startIndex, offsetBy: 10)..<cut.lowerBound])
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
                do {
                    try await sql.raw("ATTACH DATABASE \(bind: path) AS backup").run()
                } catch {
                    throw Refused(description: "\(path) cannot be opened as a SQLite backup (\(String(describing: error).prefix(120))). Nothing was restored.")
                }
                do {
                    try await checkSQLite(path, tables: tables, on: sql)
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
        let header = try verifyPostgres(path, known: Set(tables))
        guard header["migrations"] as? [String] == ours else {
            throw Refused(description: "The backup was made at another schema version than this database's.")
        }
        guard let reader = LineReader(path: path) else { throw Refused(description: "Cannot read \(path).") }
        _ = reader.next()
        let rows: Int = try await app.db.transaction { tx in
            let sql = tx as! any SQLDatabase
            var rows = 0
            // The file holds tables parents first (the order they were created in); rows go in a
            // thousand at a time, as one JSON array that PostgreSQL turns into rows of the table's types.
            var batch: [Substring] = [], batchTable = ""
            func flush() async throws {
                guard !batch.isEmpty else { return }
                let array = "[" + batch.joined(separator: ",") + "]"
                try await sql.raw("INSERT INTO \(ident: batchTable) SELECT * FROM json_populate_recordset(NULL::\(ident: batchTable), \(bind: array)::json)").run()
                rows += batch.count
                batch.removeAll(keepingCapacity: true)
            }
            while let line = reader.next() {
                if line.hasPrefix("{\"footer\":") { break }
                let table = try rowTable(line, path: path)
                if table != batchTable || batch.count >= rowsPerInsert { try await flush(); batchTable = table }
                let start = line.range(of: "\",\"row\":")!.upperBound
                batch.append(line[start..<line.index(before: line.endIndex)])
            }
            try await flush()
            return rows
        }
        return Summary(tables: tables.count, rows: rows, database: "postgresql")
    }

    /// A SQLite backup is whole when it has its manifest, its counts match, and SQLite's own integrity
    /// check finds nothing (a cut or damaged file fails one of them).
    static func checkSQLite(_ path: String, tables: [String], on sql: any SQLDatabase) async throws {
        // Any error SQLite raises while the file is checked (a cut file is "malformed") is the file's fault.
        func checked<T>(_ work: () async throws -> T) async throws -> T {
            do { return try await work() } catch let refused as Refused { throw refused } catch {
                throw Refused(description: "\(path) is damaged (\(String(describing: error).prefix(120))). Nothing was restored.")
            }
        }
        let integrity = try await checked { try await sql.raw("PRAGMA backup.integrity_check").all().map { try $0.decode(column: "integrity_check", as: String.self) } }
        guard integrity == ["ok"] else {
            throw Refused(description: "\(path) is damaged (SQLite's integrity check: \(integrity.first ?? "failed")). Nothing was restored.")
        }
        let manifest = try? await sql.raw("SELECT format, version, counts FROM backup.\(ident: manifestTable)").first()
        guard let manifest, (try? manifest.decode(column: "format", as: String.self)) == format,
              (try? manifest.decode(column: "version", as: Int.self)) == version,
              let counts = try? StoredJSON.decode([String: Int].self, try manifest.decode(column: "counts", as: String.self)) else {
            throw Refused(description: "\(path) has no Flipside backup manifest: it is not a complete Flipside backup (or an older one). Nothing was restored.")
        }
        for table in tables {
            let found = try await checked { try await count("backup.\"\(table)\"", on: sql) }
            guard found == counts[table] ?? 0 else {
                throw Refused(description: "\(path) holds other row counts than its manifest says (\(table)). Nothing was restored.")
            }
        }
    }

    static func count(_ table: String, on sql: any SQLDatabase) async throws -> Int {
        // `table` is ours (from the catalogue), possibly qualified as backup."name".
        let name: SQLQueryString = table.hasPrefix("backup.") ? "\(unsafeRaw: table)" : "\(ident: table)"
        return try await sql.raw("SELECT COUNT(*) AS n FROM " + name).first()?.decode(column: "n", as: Int.self) ?? 0
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
