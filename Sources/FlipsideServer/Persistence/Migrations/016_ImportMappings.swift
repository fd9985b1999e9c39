import Fluent
import SQLKit

enum ImportMappingTable { static let name = "import_mappings" }

/// The mappings coordinators gave for HR exports, by kind of file and header signature.
struct CreateImportMappings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(ImportMappingTable.name)
            .field("kind", .string, .required)
            .field("signature", .string, .required)
            .field("mapping", .string, .required)
            .field("updated_at", .double, .required)
            .unique(on: "kind", "signature")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ImportMappingTable.name).delete()
    }
}
