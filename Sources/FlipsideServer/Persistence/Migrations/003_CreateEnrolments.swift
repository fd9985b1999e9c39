import Fluent

struct CreateEnrolments: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("enrolments")
            .id()
            .field("program_id", .uuid, .required, .references("programs", "id", onDelete: .cascade))
            .field("employee_id", .string, .required)
            .field("role", .string, .required)
            .field("details", .json, .required)
            .field("cadence", .string, .required)
            .field("capacity", .int, .required)
            .field("created_at", .datetime)
            .unique(on: "program_id", "employee_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("enrolments").delete()
    }
}
