import Fluent
import FlipsideCore
import SQLKit

enum ImportMappingTable {
    static let name = "import_mappings"

    /// The people-import mapping kept for files with this header signature (`HRExport.signature`).
    static func find(_ signature: String, on sql: any SQLDatabase) async throws -> ImportMapping? {
        guard let row = try await sql.select().column("mapping").from(name).where("kind", .equal, "people")
            .where("signature", .equal, signature).first() else { return nil }
        return try StoredJSON.decode(ImportMapping.self, try row.decode(column: "mapping", as: String.self))
    }
}

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
