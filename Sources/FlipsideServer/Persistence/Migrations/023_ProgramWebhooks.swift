import Fluent

/// A program's chat webhook (one per program), for its digest and announcements.
struct CreateProgramWebhooks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ChatWebhooks.table)
            .field("program_id", .uuid, .identifier(auto: false), .references(ProgramModel.schema, "id", onDelete: .cascade))
            .field("url", .string, .required)
            .field("changed_at", .double, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ChatWebhooks.table).delete()
    }
}
