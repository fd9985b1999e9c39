import Fluent
import SQLKit

/// Requests, nominations and invitations to enrol. `waiting_key` is set while one waits for an answer
/// (kind, sender, person, program) and unique: two sends at once leave one waiting ask.
struct CreateAsks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AskRows.table)
            .field("id", .uuid, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("from_id", .string, .required)
            .field("to_id", .string, .required)
            .field("program_id", .uuid)
            .field("topics", .string, .required)
            .field("message", .string, .required)
            .field("status", .string, .required)
            .field("waiting_key", .string)
            .field("created_at", .double, .required)
            .field("opened_at", .double)
            .field("answered_at", .double)
            .unique(on: "waiting_key")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.create(index: "asks_to").on(AskRows.table).column("to_id").column("created_at").run()
        try await sql.create(index: "asks_from").on(AskRows.table).column("from_id").column("kind").column("status").run()
        try await sql.create(index: "asks_program").on(AskRows.table).column("program_id").column("kind").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AskRows.table).delete()
    }
}
