import Fluent
import SQLKit

/// Messages to people (emails): one row per message, queued in the transaction of the change that
/// causes it under an idempotency key, rendered and sent by the outbox's delivery job.
struct CreateMessages: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Messages.table)
            .field("id", .uuid, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("dedupe_key", .string, .required)
            .field("employee_id", .string)
            .field("email", .string, .required)
            .field("program_id", .uuid)
            .field("subject", .string)
            .field("status", .string, .required)
            .field("attempts", .int, .required)
            .field("next_at", .double, .required)
            .field("last_error", .string)
            .field("created_at", .double, .required)
            .field("sent_at", .double)
            .unique(on: "dedupe_key")
            .create()
        let sql = database as! any SQLDatabase
        try await sql.raw("CREATE INDEX messages_due ON \(ident: Messages.table) (status, next_at)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Messages.table).delete()
    }
}
