import Fluent

struct CreatePrograms: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("programs")
            .id()
            .field("name", .string, .required)
            .field("purpose", .string, .required)
            .field("start_date", .string)
            .field("end_date", .string)
            .field("status", .string, .required)
            .field("min_level_gap", .int, .required)
            .field("default_capacity", .int, .required)
            .field("created_at", .datetime)
            .unique(on: "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("programs").delete()
    }
}
