import Fluent
import SQLKit

/// The outbox: later work that a write asks for (a clean-up now; emails and reminders later), added in
/// the write's own transaction and drained by workers.
struct CreateOutbox: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Outbox.table)
            .id()
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("dedupe_key", .string)
            .field("run_at", .double, .required)
            .field("locked_until", .double)
            .field("attempts", .int, .required)
            .field("done_at", .double)
            .field("failed_at", .double)
            .field("last_error", .string)
            .field("created_at", .double, .required)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        // At most one pending job per dedupe key ("clean up expired sessions" is asked for by every
        // sign-in, and needs doing once).
        try await sql.raw("CREATE UNIQUE INDEX outbox_pending_dedupe ON \(ident: Outbox.table) (dedupe_key) WHERE done_at IS NULL AND failed_at IS NULL").run()
        try await sql.raw("CREATE INDEX outbox_due ON \(ident: Outbox.table) (run_at) WHERE done_at IS NULL AND failed_at IS NULL").run()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP INDEX outbox_due").run()
            try await sql.raw("DROP INDEX outbox_pending_dedupe").run()
        }
        try await database.schema(Outbox.table).delete()
    }
}
