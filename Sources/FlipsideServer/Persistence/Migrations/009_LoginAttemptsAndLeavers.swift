import Fluent
import SQLKit

/// Sign-in attempts as one atomic counter per email and per client address (replacing one row per
/// failure, which could not be counted and written atomically); sessions remember whose they are, so
/// that ending someone's access ends their sessions; one email per person and one sign-in link per
/// person, enforced by the database;
/// a table of locks that serialise imports.
struct CreateLoginAttemptsAndSessionOwners: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LoginLimiter.table)
            .field("attempt_key", .string, .required)
            .field("attempts", .int, .required)
            .field("window_start", .double, .required)
            .unique(on: "attempt_key")
            .create()
        try await database.schema(WriteLock.table)
            .field("name", .string, .required)
            .field("taken_at", .double, .required)
            .unique(on: "name")
            .create()
        try await database.schema("login_failures").delete()
        try await database.schema("web_sessions").field("user_id", .uuid).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "web_sessions_user_id").on("web_sessions").column("user_id").run()
        // A new sign-in link replaces the person's earlier ones: one link per person, also when two are made at once.
        try await sql.create(index: "invitations_employee_id").unique().on("invitations").column("employee_id").run()
        try await sql.create(index: "users_employee_id").on("users").column("employee_id").run()
        // Emails are compared without regard to case, so the rule "one person per email" is on lower(email).
        try await sql.raw("CREATE UNIQUE INDEX people_email_lower ON people (lower(email))").run()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.raw("DROP INDEX people_email_lower").run()
            try await sql.drop(index: "users_employee_id").run()
            try await sql.drop(index: "invitations_employee_id").run()
            try await sql.drop(index: "web_sessions_user_id").run()
        }
        try await database.schema("web_sessions").deleteField("user_id").update()
        try await database.schema("login_failures")
            .id()
            .field("email", .string, .required)
            .field("failed_at", .datetime, .required)
            .create()
        try await database.schema(WriteLock.table).delete()
        try await database.schema(LoginLimiter.table).delete()
    }
}
