import Fluent
import SQLKit

/// The HR history: every change of a person's level, department or location, effective from a day
/// (`employment_changes`, written with the change itself; erased with the person).
struct CreateEmploymentHistory: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(EmploymentHistoryRows.table)
            .id()
            .field("employee_id", .string, .required)
            .field("effective_date", .string, .required)
            .field("recorded_at", .double, .required)
            .field("source", .string, .required)
            .field("level_before", .int, .required)
            .field("department_before", .string, .required)
            .field("location_before", .string, .required)
            .field("level_after", .int, .required)
            .field("department_after", .string, .required)
            .field("location_after", .string, .required)
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX employment_changes_employee ON employment_changes (employee_id)").run()
        try await DataVersions.track(EmploymentHistoryRows.table, on: sql)
    }

    func revert(on database: any Database) async throws {
        try await DataVersions.untrack(EmploymentHistoryRows.table, on: database as! any SQLDatabase)
        try await database.schema(EmploymentHistoryRows.table).delete()
    }
}
