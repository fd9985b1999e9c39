import Fluent
import SQLKit

/// A program's topic catalogue (JSON list of topics; empty = seeded from the enrolments).
struct AddProgramTopicCatalogue: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("programs")
            .field("topic_catalogue", .string, .required, .sql(.default(SQLLiteral.string("[]"))))
            .update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("programs").deleteField("topic_catalogue").update()
    }
}
