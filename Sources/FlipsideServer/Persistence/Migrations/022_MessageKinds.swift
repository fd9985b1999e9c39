import Fluent
import SQLKit

/// Every kind of message: whom a message is for (`recipient`: an employee id, or `login:<id>` for a
/// coordinator without an HR record), the pair and what in it (`pair_id`, `ref`) it is about; each
/// recipient's choices per kind and the secret of their one-click unsubscribe links.
struct MessageKinds: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let sql = database as! any SQLDatabase
        // One column at a time (SQLite adds one per statement).
        for (column, type) in [("recipient", DatabaseSchema.DataType.string), ("pair_id", .uuid), ("ref", .string)] {
            try await database.schema(Messages.table).field(.definition(name: .key(FieldKey(stringLiteral: column)), dataType: type, constraints: []))
                .update()
        }
        try await sql.raw("UPDATE \(ident: Messages.table) SET recipient = employee_id").run()
        try await sql.raw("CREATE INDEX messages_recipient ON \(ident: Messages.table) (recipient)").run()
        try await database.schema(MessagePreferences.table)
            .field("recipient", .string, .required)
            .field("kind", .string, .required)
            .field("channel", .string, .required)
            .field("changed_at", .double, .required)
            .compositeIdentifier(over: "recipient", "kind")
            .create()
        try await database.schema(MessagePreferences.tokens)
            .field("recipient", .string, .identifier(auto: false))
            .field("token", .string, .required)
            .field("created_at", .double, .required)
            .unique(on: "token")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(MessagePreferences.tokens).delete()
        try await database.schema(MessagePreferences.table).delete()
    }
}
