import Fluent
import SQLKit

/// Each claim of an outbox job writes a token into its row; a job's writes and its finish are fenced by
/// it (see `OutboxLease`).
struct AddOutboxClaims: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Outbox.table).field("claim", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Outbox.table).deleteField("claim").update()
    }
}
