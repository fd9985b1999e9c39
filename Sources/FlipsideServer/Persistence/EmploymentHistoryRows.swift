import FlipsideCore
import Foundation
import SQLKit

/// The SQL of the HR history, in one place: changes are recorded in the transaction that makes them,
/// read in the order they were recorded, and erased with the person.
enum EmploymentHistoryRows {
    static let table = "employment_changes"

    /// Where a change came from, for whoever reads the table.
    enum Source: String { case `import`, provisioning, demo, synthetic }

    struct Row: Codable {
        var id: UUID
        var employee_id: String
        var effective_date: String
        var recorded_at: Double
        var source: String
        var level_before: Int
        var department_before: String
        var location_before: String
        var level_after: Int
        var department_after: String
        var location_after: String

        var change: EmploymentChange? {
            guard let effective = CalendarDate(iso: effective_date) else { return nil }
            return EmploymentChange(employeeID: employee_id, effective: effective,
                                    before: Placement(level: level_before, department: department_before, location: location_before),
                                    after: Placement(level: level_after, department: department_after, location: location_after))
        }
    }

    /// Records `changes`, in their order (500 rows a statement).
    static func record(_ changes: [EmploymentChange], at: Date, source: Source, on sql: any SQLDatabase) async throws {
        for start in stride(from: 0, to: changes.count, by: 500) {
            let rows = changes[start..<min(start + 500, changes.count)].enumerated().map { offset, c in
                // Changes of one write keep their order: a microsecond apart.
                Row(id: UUID(), employee_id: c.employeeID, effective_date: c.effective.description,
                    recorded_at: at.timeIntervalSince1970 + Double(start + offset) / 1_000_000, source: source.rawValue,
                    level_before: c.before.level, department_before: c.before.department, location_before: c.before.location,
                    level_after: c.after.level, department_after: c.after.department, location_after: c.after.location)
            }
            try await sql.insert(into: table).models(rows).run()
        }
    }

    /// Everyone's history, in the order it was recorded.
    static func all(on sql: any SQLDatabase) async throws -> EmploymentHistory {
        EmploymentHistory(try await sql.select().column("*").from(table).orderBy("recorded_at").all(decoding: Row.self).compactMap(\.change))
    }

    /// One person's changes, in the order they took effect.
    static func of(_ employeeID: String, on sql: any SQLDatabase) async throws -> [EmploymentChange] {
        EmploymentHistory(try await sql.select().column("*").from(table).where("employee_id", .equal, employeeID).orderBy("recorded_at")
            .all(decoding: Row.self).compactMap(\.change)).changes[employeeID] ?? []
    }

    /// Whether any change from `source` is recorded.
    static func has(_ source: Source, on sql: any SQLDatabase) async throws -> Bool {
        try await !sql.select().column("id").from(table).where("source", .equal, source.rawValue).limit(1).all().isEmpty
    }

    /// Erasure: the person's history goes with them.
    static func forget(_ employeeID: String, on sql: any SQLDatabase) async throws {
        try await sql.delete(from: table).where("employee_id", .equal, employeeID).run()
    }
}
