import Fluent
import SQLKit

/// What people could teach outside any program, and whether colleagues may ask them (one row per
/// person, theirs to change), counted in `data_versions` so the compiled directory follows every change.
struct CreateTeachingProfiles: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(TeachingProfileRows.table)
            .field("employee_id", .string, .identifier(auto: false))
            .field("offers", .string, .required)
            .field("industries", .string, .required)
            .field("languages", .string, .required)
            .field("channels", .string, .required)
            .field("availability", .string, .required)
            .field("open_to_requests", .bool, .required)
            .field("changed_at", .double, .required)
            .create()
        try await DataVersions.track(TeachingProfileRows.table, on: database as! any SQLDatabase)
    }

    func revert(on database: any Database) async throws {
        try await DataVersions.untrack(TeachingProfileRows.table, on: database as! any SQLDatabase)
        try await database.schema(TeachingProfileRows.table).delete()
    }
}
