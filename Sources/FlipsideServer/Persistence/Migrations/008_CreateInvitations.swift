import Fluent

/// One-time links that let a person set their password (a first login, or a reset).
struct CreateInvitations: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("invitations")
            .id()
            .field("employee_id", .string, .required)
            .field("token_hash", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("invitations").delete()
    }
}
