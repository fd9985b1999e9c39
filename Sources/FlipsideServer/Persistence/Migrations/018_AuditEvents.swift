import Fluent
import SQLKit

/// The audit trail: coordinator and system actions.
struct CreateAuditEvents: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(AuditTrail.table)
            .field("id", .uuid, .identifier(auto: false))
            .field("at", .double, .required)
            .field("actor", .string, .required)
            .field("action", .string, .required)
            .field("object_type", .string, .required)
            .field("object_id", .string, .required)
            .field("detail", .string, .required)
            .create()
        try await (database as! any SQLDatabase).create(index: "audit_events_at").on(AuditTrail.table).column("at").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuditTrail.table).delete()
    }
}
