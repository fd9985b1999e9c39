import Fluent

struct CreatePeople: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("people")
            .id()
            .field("employee_id", .string, .required)
            .field("name", .string, .required)
            .field("email", .string, .required)
            .field("title", .string, .required)
            .field("level", .int, .required)
            .field("hire_date", .string, .required)
            .field("department", .string, .required)
            .field("location", .string, .required)
            .field("time_zone", .string, .required)
            .field("manager_id", .string)
            .field("status", .string, .required)
            .field("exit_date", .string)
            .field("attributes", .string, .required)
            .field("search_key", .string, .required)
            .unique(on: "employee_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("people").delete()
    }
}
