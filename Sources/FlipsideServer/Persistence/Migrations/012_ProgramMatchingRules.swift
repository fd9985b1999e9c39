import Fluent
import SQLKit

/// A program keeps its full matching rule set (weights, channel and manager rules, perspective
/// attributes, mode, acceptance, request days, repeat pairs) as JSON next to the two settings it had
/// as columns; a program stored before reads as the defaults.
struct AddProgramMatchingRules: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("programs")
            .field("matching_rules", .string, .required, .sql(.default(SQLLiteral.string("{}"))))
            .update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("programs").deleteField("matching_rules").update()
    }
}
