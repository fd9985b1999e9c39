import Fluent
import SQLKit

enum PendingImportTable { static let name = "pending_imports" }

/// An uploaded HR export kept while its coordinator maps it (an hour at most; deleted once imported).
struct CreatePendingImports: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PendingImportTable.name)
            .field("id", .uuid, .identifier(auto: false))
            .field("user_id", .uuid, .required)
            .field("text", .string, .required)
            .field("created_at", .double, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PendingImportTable.name).delete()
    }
}
