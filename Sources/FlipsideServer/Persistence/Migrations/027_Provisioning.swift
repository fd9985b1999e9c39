import Fluent
import SQLKit

/// SCIM provisioning: the tokens identity providers use (hashed; made and revoked by coordinators) and
/// what a provider knows of a person beyond the HR record (`scim_links`, one row per person it touched).
struct CreateProvisioning: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ProvisioningRows.tokens)
            .id()
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("created_by", .string, .required)
            .field("created_at", .double, .required)
            .field("last_used_at", .double)
            .field("revoked_at", .double)
            .unique(on: "token_hash")
            .create()
        try await database.schema(ProvisioningRows.links)
            .field("employee_id", .string, .identifier(auto: false))
            .field("user_name", .string, .required)
            .field("user_name_key", .string, .required)
            .field("external_id", .string)
            .field("employee_number", .string)
            .field("email_type", .string)
            .field("email_primary", .bool)
            .field("formatted_name", .string)
            .field("given_name", .string)
            .field("family_name", .string)
            .field("display_name", .string)
            .field("pending_manager", .string)
            .field("deleted", .bool, .required)
            .field("created_at", .double)
            .field("modified_at", .double)
            .create()
        let sql = database as! any SQLDatabase
        // One live user name each (case aside); a deleted link gives its name back.
        if sql.dialect.name == "sqlite" {
            try await sql.raw("CREATE UNIQUE INDEX scim_links_user_name ON scim_links (user_name_key) WHERE deleted = 0").run()
        } else {
            try await sql.raw("CREATE UNIQUE INDEX scim_links_user_name ON scim_links (user_name_key) WHERE NOT deleted").run()
        }
        try await sql.raw("CREATE INDEX scim_links_external_id ON scim_links (external_id)").run()
        try await sql.raw("CREATE INDEX scim_links_employee_number ON scim_links (employee_number)").run()
        try await sql.raw("CREATE INDEX scim_links_pending_manager ON scim_links (pending_manager)").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ProvisioningRows.links).delete()
        try await database.schema(ProvisioningRows.tokens).delete()
    }
}
