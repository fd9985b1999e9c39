import Fluent
import SQLKit
import Vapor

/// A number per table that the database bumps on every change to it (see the triggers of
/// `CreatePeopleIndexesAndVersions`). A result computed from a table is valid while its number stands.
struct DataVersions: Sendable {
    static let table = "data_versions"
    /// The tables migration 010 counts (later tables start counting in their own migration: `track`).
    static let tables = ["people", "enrolments"]

    /// Every counted table's number, by table name (a table not counted yet reads 0).
    var all: [String: Int64] = [:]

    var people: Int64 { all["people"] ?? 0 }
    var enrolments: Int64 { all["enrolments"] ?? 0 }
    var teachingProfiles: Int64 { all[TeachingProfileRows.table] ?? 0 }
    var employmentChanges: Int64 { all[EmploymentHistoryRows.table] ?? 0 }

    /// The tables a program's outcomes and the overview read (migrations 010, 028 and 029 count them).
    static let outcomeTables = ["people", EmploymentHistoryRows.table, "enrolments", "programs", MatchingTables.pairs] + PartnershipTables.perPair

    /// The numbers of `tables`, as one key part: equal while none of them changed.
    func key(_ tables: [String]) -> String {
        tables.map { String(all[$0] ?? 0) }.joined(separator: ".")
    }

    /// The current numbers: one small query.
    static func read(on db: any Database) async throws -> DataVersions {
        let rows = try await (db as! any SQLDatabase).raw("SELECT name, version FROM \(ident: table)").all()
        var versions = DataVersions()
        for row in rows {
            versions.all[try row.decode(column: "name", as: String.self)] = try row.decode(column: "version", as: Int64.self)
        }
        return versions
    }

    /// The numbers as read with a request's session (`ExpiringSessions.readSession`).
    struct ReadWithSessionKey: StorageKey { typealias Value = DataVersions }

    /// A subquery of every number as one text, `name=version` pairs joined by commas (`init(listed:)`
    /// reads it back), to read with another query.
    static func listed(on sql: any SQLDatabase) -> SQLQueryString {
        sql.dialect.name == "postgresql" ? "(SELECT string_agg(name || '=' || version, ',') FROM \(ident: table))"
            : "(SELECT group_concat(name || '=' || version, ',') FROM \(ident: table))"
    }

    /// The numbers from `name=version` pairs joined by commas (`listed(on:)`).
    init(listed text: String) {
        for pair in text.split(separator: ",") {
            guard let eq = pair.firstIndex(of: "="), let version = Int64(pair[pair.index(after: eq)...]) else { continue }
            all[String(pair[..<eq])] = version
        }
    }

    init() {}

    /// Starts counting a table's changes (its row, and the triggers that bump it).
    static func track(_ table: String, on sql: any SQLDatabase) async throws {
        try await sql.raw("INSERT INTO \(ident: Self.table) (name, version) VALUES (\(bind: table), 1)").run()
        if sql.dialect.name == "sqlite" {
            for event in ["INSERT", "UPDATE", "DELETE"] { try await sql.raw(sqliteTrigger(table, event)).run() }
        } else {
            try await sql.raw("""
                CREATE TRIGGER \(unsafeRaw: "\(table)_version") AFTER INSERT OR UPDATE OR DELETE ON \(ident: table)
                FOR EACH STATEMENT EXECUTE FUNCTION flipside_bump_version(\(literal: table))
                """).run()
        }
    }

    /// SQLite's trigger that bumps `table`'s number after each row an `event` (INSERT, UPDATE, DELETE)
    /// changes: SQLite has no statement triggers.
    private static func sqliteTrigger(_ table: String, _ event: String) -> SQLQueryString {
        """
        CREATE TRIGGER \(unsafeRaw: "\(table)_version_\(event.lowercased())") AFTER \(unsafeRaw: event) ON \(ident: table)
        BEGIN UPDATE \(ident: Self.table) SET version = version + 1 WHERE name = \(literal: table); END
        """
    }

    /// Runs `body`, a write of `rows` rows into `table` inside the current transaction, with the table's
    /// number bumped once rather than once per row. On SQLite the per-row triggers for inserts and
    /// updates are dropped and made again around `body`, inside the same transaction, so that no other
    /// connection ever sees the table without them (a fifth of a 100,000-row insert went into the
    /// per-row bump: `BENCHMARKS.md`); should `body` fail, the transaction is rolled back with them. A
    /// small write keeps the triggers: changing the schema makes every connection prepare its
    /// statements again. PostgreSQL's trigger is per statement already.
    static func bumpingOnce<T>(_ table: String, rows: Int, on sql: any SQLDatabase, _ body: () async throws -> T) async throws -> T {
        guard sql.dialect.name == "sqlite", rows >= 1_000 else { return try await body() }
        let events = ["INSERT", "UPDATE"]
        for event in events { try await sql.raw("DROP TRIGGER \(unsafeRaw: "\(table)_version_\(event.lowercased())")").run() }
        let result: T
        do {
            result = try await body()
        } catch {
            // The transaction fails with `body`; should anyone commit it all the same, the triggers are there.
            for event in events { try? await sql.raw(sqliteTrigger(table, event)).run() }
            throw error
        }
        try await sql.raw("UPDATE \(ident: Self.table) SET version = version + 1 WHERE name = \(bind: table)").run()
        for event in events { try await sql.raw(sqliteTrigger(table, event)).run() }
        return result
    }

    /// Stops counting a table's changes (those it counted: reverting tolerates a table it never counted).
    static func untrack(_ table: String, on sql: any SQLDatabase) async throws {
        if sql.dialect.name == "sqlite" {
            for event in ["insert", "update", "delete"] { try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: "\(table)_version_\(event)")").run() }
        } else {
            try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: "\(table)_version") ON \(ident: table)").run()
        }
        try await sql.delete(from: Self.table).where("name", .equal, table).run()
    }
}

extension Request {
    /// The data versions for a page: those read with the session at the start of a request that
    /// writes nothing (GET, HEAD), or one query.
    func dataVersions() async throws -> DataVersions {
        if method == .GET || method == .HEAD, let read = storage[DataVersions.ReadWithSessionKey.self] { return read }
        return try await DataVersions.read(on: db)
    }
}
