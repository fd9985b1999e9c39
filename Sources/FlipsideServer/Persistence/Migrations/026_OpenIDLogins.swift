import Fluent

/// Sign-ins started with the identity provider and not yet back: the state (hashed), the nonce and
/// the PKCE verifier, used once and kept ten minutes at most.
struct CreateOpenIDLogins: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OpenIDController.table)
            .field("state_hash", .string, .identifier(auto: false))
            .field("nonce", .string, .required)
            .field("verifier", .string, .required)
            .field("next", .string, .required)
            .field("created_at", .double, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OpenIDController.table).delete()
    }
}
