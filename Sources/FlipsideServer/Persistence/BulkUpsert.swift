import FlipsideCore
import FluentKit
import Foundation
import PostgresNIO
import SQLiteNIO
import SQLKit

/// Many rows written in few statements, each value bound as it is. SQLKit's `models(_:)` encodes every
/// row through `Codable` and builds one expression per value: at 100,000 people that was a third of the
/// HR import's write. Here a statement carries many rows in one or a few binds: on SQLite one JSON text
/// straight to the connection, on PostgreSQL one array per column through SQLKit (or COPY's text).
struct BulkUpsert {
    /// One value of a row.
    enum Cell: Sendable {
        case text(String)
        case integer(Int)
        case uuid(UUID)
        case null

        static func text(_ value: String?) -> Cell { value.map(Cell.text) ?? .null }
    }

    let table: String
    let columns: [String]
    /// The unique column a row that is already stored is found by; its other columns are updated
    /// (except `keep`). `nil`: plain inserts.
    var conflict: String?
    var keep: Set<String> = []

    /// Rows per statement: on SQLite one JSON text of 2,000 rows (more made no difference at 100,000
    /// people); on PostgreSQL a statement binds one array per column, of 10,000 rows.
    func rowsPerStatement(sqlite: Bool) -> Int { sqlite ? 2_000 : 10_000 }

    /// Writes `count` rows, row `i` being `row(i)`, a statement at a time. On SQLite the next statement
    /// is encoded on this side while SQLite's thread runs the one before (encoding 100,000 people took
    /// a third of a second on one core: now it hides behind the writing).
    /// `row` is also handed a fresh id, for tables whose new rows get one: the ids of one write, made
    /// `at` (the clock's time of the write), increase row by row (`TimeOrderedUUIDs`), so the id index
    /// takes them at its end.
    func write(count: Int, at: Date, on db: any Database, row: @escaping @Sendable (Int, UUID) -> [Cell]) async throws {
        let (chunks, cells) = Self.chunks(count: count, per: rowsPerStatement(sqlite: db is any SQLiteDatabase), at: at, row: row)
        let upsert = self
        if let lite = db as? any SQLiteDatabase {
            let text = sqliteStatement
            try await Self.pipelined(chunks, encode: { Self.jsonRows(cells($0)) }) { json in
                _ = try await lite.query(text, [.text(json)])
            }
        } else if let sql = db as? any SQLDatabase {
            // Likewise, the next statement's arrays are written here while the database runs the one before.
            try await Self.pipelined(chunks, encode: { Statement(upsert: upsert, rows: cells($0)) }) { statement in
                try await sql.execute(sql: statement) { _ in }
            }
        }
    }

    /// Rows that are all new, on PostgreSQL: `COPY … FROM STDIN` in its text format, a statement's worth
    /// of rows at a time (the next one encoded while PostgreSQL reads the one before). Nothing to plan
    /// and no conflict to check per row: an upsert of 100,000 new people spent a third of its write on
    /// them (`BENCHMARKS.md`). Returns false, writing nothing, on another database. A row that is stored
    /// after all fails the whole copy with PostgreSQL's unique violation (`isUniqueViolation`).
    func copy(count: Int, at: Date, on db: any Database, row: @escaping @Sendable (Int, UUID) -> [Cell]) async throws -> Bool {
        guard let pg = db as? any PostgresDatabase else { return false }
        let (chunks, cells) = Self.chunks(count: count, per: rowsPerStatement(sqlite: false), at: at, row: row)
        let encode: @Sendable (Range<Int>) -> ByteBuffer = { range in
            var text = ""
            for row in cells(range) {
                for (column, cell) in row.enumerated() {
                    if column > 0 { text += "\t" }
                    Self.appendCopyField(cell, to: &text)
                }
                text += "\n"
            }
            return ByteBuffer(string: text)
        }
        let (table, columns) = (table, columns)
        try await pg.withConnection { connection in
            connection.eventLoop.makeFutureWithTask {
                try await connection.copyFrom(table: table, columns: columns, logger: db.logger) { writer in
                    try await Self.pipelined(chunks, encode: encode) { try await writer.write($0) }
                }
            }
        }.get()
        return true
    }

    /// `count` rows in chunks of `per`, and the cells of a chunk's rows, each row handed its id: the ids
    /// of one write, made `at`, increase row by row across its chunks.
    private static func chunks(count: Int, per: Int, at: Date, row: @escaping @Sendable (Int, UUID) -> [Cell])
        -> (chunks: [Range<Int>], cells: @Sendable (Range<Int>) -> ArraySlice<[Cell]>) {
        let milliseconds = TimeOrderedUUIDs.milliseconds(of: at)
        let chunks = stride(from: 0, to: count, by: per).map { $0..<min($0 + per, count) }
        return (chunks, { range in
            let ids = TimeOrderedUUIDs(count: range.count, first: range.lowerBound, milliseconds: milliseconds)
            return ArraySlice(range.map { row($0, ids[$0 - range.lowerBound]) })
        })
    }

    /// Sends each chunk in turn, the next one encoded on another task while the one before is sent; the
    /// work's deadline is checked before each send.
    private static func pipelined<Encoded: Sendable>(_ chunks: [Range<Int>], encode: @escaping @Sendable (Range<Int>) -> Encoded,
                                                     send: (Encoded) async throws -> Void) async throws {
        var next = chunks.first.map { first in Task { encode(first) } }
        for index in chunks.indices {
            guard let encoded = await next?.value else { break }
            next = index + 1 < chunks.count ? Task { [chunk = chunks[index + 1]] in encode(chunk) } : nil
            do {
                try WorkDeadline.check()
                try await send(encoded)
            } catch {
                next?.cancel()
                throw error
            }
        }
    }

    /// One field of COPY's text format: `\N` for NULL; in a text, backslash, tab, newline and carriage
    /// return escaped with a backslash (every other character stands for itself).
    static func appendCopyField(_ cell: Cell, to text: inout String) {
        switch cell {
        case .null: text += "\\N"
        case .integer(let value): text += String(value)
        case .uuid(let value): text += value.uuidString
        case .text(let value):
            guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == 9 || $0 == 10 || $0 == 13 }) else {
                text += value
                return
            }
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\\": text += "\\\\"
                case "\t": text += "\\t"
                case "\n": text += "\\n"
                case "\r": text += "\\r"
                default: text.unicodeScalars.append(scalar)
                }
            }
        }
    }

    /// Whether `error` is PostgreSQL's unique violation (a row that `copy` took for new is stored).
    static func isUniqueViolation(_ error: any Error) -> Bool {
        (error as? PSQLError)?.serverInfo?[.sqlState] == "23505"
    }

    /// One statement for any number of rows on SQLite: the rows arrive as one bound JSON array of arrays
    /// (`jsonRows`), and SQLite reads each row's values from it (`->>` gives a JSON string as TEXT, a
    /// number as INTEGER, null as NULL). A statement of 2,000 rows × 15 values, each bound on its own,
    /// spent more time in SQLite's parser and SQLiteNIO's binding than one JSON text does in SQLite's
    /// JSON reader (`BENCHMARKS.md`).
    private var sqliteStatement: String {
        head + " SELECT " + columns.indices.map { "value ->> \($0)" }.joined(separator: ", ")
            + " FROM jsonb_each(?) WHERE true" + tail // `WHERE`: SQLite's grammar wants one before `ON CONFLICT`
    }

    /// Rows as a JSON array of arrays.
    static func jsonRows(_ rows: ArraySlice<[Cell]>) -> String {
        var text = "["
        text.reserveCapacity(rows.count * 256)
        for (index, row) in rows.enumerated() {
            text += index == 0 ? "[" : ",["
            for (column, cell) in row.enumerated() {
                if column > 0 { text += "," }
                switch cell {
                case .text(let value): JSONText.appendString(value, to: &text)
                case .integer(let value): text += String(value)
                case .uuid(let value): text += "\""; text += value.uuidString; text += "\""
                case .null: text += "null"
                }
            }
            text += "]"
        }
        return text + "]"
    }

    /// `INSERT INTO "table" ("a", "b")` (identifiers quoted as both dialects read them).
    private var head: String {
        "INSERT INTO \(quoted(table)) (" + columns.map(quoted).joined(separator: ", ") + ")"
    }

    private var tail: String {
        guard let conflict else { return "" }
        let updated = columns.filter { $0 != conflict && !keep.contains($0) }
        return " ON CONFLICT (\(quoted(conflict))) DO UPDATE SET "
            + updated.map { "\(quoted($0)) = excluded.\(quoted($0))" }.joined(separator: ", ")
    }

    private func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// The statement for PostgreSQL: each column one array, bound as an array literal and cast to the
    /// column's type, the rows made by `unnest`. Two thousand rows of fifteen placeholders each took
    /// PostgreSQL longer to parse and plan than to insert (a 100,000-person import wrote for 3.5 s).
    private struct Statement: SQLExpression {
        let upsert: BulkUpsert
        /// Each column's array literal and element type.
        let arrays: [(literal: String, type: String)]

        init(upsert: BulkUpsert, rows: ArraySlice<[Cell]>) {
            self.upsert = upsert
            arrays = upsert.columns.indices.map { column in
                var literal = "{", type = "text"
                for (index, row) in rows.enumerated() {
                    if index > 0 { literal += "," }
                    switch row[column] {
                    case .text(let value): Self.appendElement(value, to: &literal)
                    case .integer(let value): literal += String(value); type = "bigint"
                    case .uuid(let value): literal += value.uuidString; type = "uuid"
                    case .null: literal += "NULL"
                    }
                }
                return (literal + "}", type)
            }
        }

        func serialize(to serializer: inout SQLSerializer) {
            serializer.write(upsert.head + " SELECT * FROM unnest(")
            for (index, array) in arrays.enumerated() {
                if index > 0 { serializer.write(", ") }
                serializer.write(bind: array.literal)
                serializer.write("::\(array.type)[]")
            }
            serializer.write(")")
            serializer.write(upsert.tail)
        }

        /// A text as an element of an array literal: quoted, with quotes and backslashes escaped.
        static func appendElement(_ value: String, to literal: inout String) {
            literal += "\""
            if value.utf8.contains(where: { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                for character in value.unicodeScalars {
                    if character == "\"" || character == "\\" { literal += "\\" }
                    literal.unicodeScalars.append(character)
                }
            } else {
                literal += value
            }
            literal += "\""
        }
    }
}
