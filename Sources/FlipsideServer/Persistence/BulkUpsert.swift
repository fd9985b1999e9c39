import FlipsideCore
import FluentKit
import Foundation
import SQLiteNIO
import SQLKit

/// Many rows written in few statements, each value bound as it is. SQLKit's `models(_:)` encodes every
/// row through `Codable` and builds one expression per value: at 100,000 people that was a third of the
/// HR import's write. Here a statement is one string with its binds: on SQLite straight to the
/// connection, elsewhere through SQLKit with the values already in their bound types.
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

    /// Rows per statement: 15 columns × 1,000 rows stays under the bind limits of SQLite (32,766) and
    /// PostgreSQL (65,535).
    var rowsPerStatement: Int { max(1, 15_000 / max(1, columns.count)) }

    /// The statements for `rows`, built ahead of the transaction that runs them: on SQLite their text
    /// and binds; the rows in statement-sized chunks for any other database.
    struct Statements: Sendable {
        let upsert: BulkUpsert
        var sqlite: [(text: String, binds: [SQLiteData])] = []
        var chunks: [ArraySlice<[Cell]>] = []

        func run(on db: any Database) async throws {
            if let lite = db as? any SQLiteDatabase, !sqlite.isEmpty {
                for statement in sqlite {
                    try WorkDeadline.check()
                    _ = try await lite.query(statement.text, statement.binds)
                }
            } else if let sql = db as? any SQLDatabase {
                for chunk in chunks {
                    try WorkDeadline.check()
                    try await sql.execute(sql: Statement(upsert: upsert, rows: chunk)) { _ in }
                }
            }
        }
    }

    func statements(_ rows: [[Cell]], sqlite: Bool) -> Statements {
        let chunks = chunked(rows)
        return Statements(upsert: self, sqlite: sqlite ? chunks.map(sqliteStatement) : [], chunks: chunks)
    }

    private func chunked(_ rows: [[Cell]]) -> [ArraySlice<[Cell]>] {
        stride(from: 0, to: rows.count, by: rowsPerStatement).map { rows[$0..<min($0 + rowsPerStatement, rows.count)] }
    }

    private func sqliteStatement(_ rows: ArraySlice<[Cell]>) -> (text: String, binds: [SQLiteData]) {
        var binds: [SQLiteData] = []
        binds.reserveCapacity(rows.count * columns.count)
        let placeholders = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        var text = head
        for (index, row) in rows.enumerated() {
            text += index == 0 ? placeholders : ", " + placeholders
            for cell in row {
                switch cell {
                case .text(let value): binds.append(.text(value))
                case .integer(let value): binds.append(.integer(value))
                case .uuid(let value): binds.append(.text(value.uuidString))
                case .null: binds.append(.null)
                }
            }
        }
        return (text + tail, binds)
    }

    /// `INSERT INTO "table" ("a", "b") VALUES ` (identifiers quoted as both dialects read them).
    private var head: String {
        "INSERT INTO \(quoted(table)) (" + columns.map(quoted).joined(separator: ", ") + ") VALUES "
    }

    private var tail: String {
        guard let conflict else { return "" }
        let updated = columns.filter { $0 != conflict && !keep.contains($0) }
        return " ON CONFLICT (\(quoted(conflict))) DO UPDATE SET "
            + updated.map { "\(quoted($0)) = excluded.\(quoted($0))" }.joined(separator: ", ")
    }

    private func quoted(_ identifier: String) -> String { "\"" + identifier.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }

    /// The statement for SQLKit databases (PostgreSQL): the same text, placeholders from the dialect.
    private struct Statement: SQLExpression {
        let upsert: BulkUpsert
        let rows: ArraySlice<[Cell]>

        func serialize(to serializer: inout SQLSerializer) {
            serializer.write(upsert.head)
            for (index, row) in rows.enumerated() {
                serializer.write(index == 0 ? "(" : ", (")
                for (column, cell) in row.enumerated() {
                    if column > 0 { serializer.write(", ") }
                    switch cell {
                    case .text(let value): serializer.write(bind: value)
                    case .integer(let value): serializer.write(bind: value)
                    case .uuid(let value): serializer.write(bind: value)
                    case .null: serializer.write("NULL")
                    }
                }
                serializer.write(")")
            }
            serializer.write(upsert.tail)
        }
    }
}
