import Fluent
import SQLKit

/// Sessions that expire on the server as well as in the browser (Fluent's own session table, which
/// this replaces, kept every session forever).
struct CreateWebSessions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("web_sessions")
            .id()
            .field("key_hash", .string, .required)
            .field("data", .string, .required)
            .field("expires_at", .datetime, .required)
            .unique(on: "key_hash")
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "web_sessions_expires_at").on("web_sessions").column("expires_at").run()
        }
        try await SessionRecord.migration.revert(on: database).get()
    }

    func revert(on database: any Database) async throws {
        try await SessionRecord.migration.prepare(on: database).get()
        try await database.schema("web_sessions").delete()
    }
}
