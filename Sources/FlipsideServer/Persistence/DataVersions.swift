import Fluent
import SQLKit
import Vapor

/// A number per table that the database bumps on every change to it (see the triggers of
/// `CreatePeopleIndexesAndVersions`). A result computed from a table is valid while its number stands.
struct DataVersions: Sendable {
    static let table = "data_versions"
    static let tables = ["people", "enrolments"]

    var people: Int64
    var enrolments: Int64

    /// The current numbers: one small query.
    static func read(on db: any Database) async throws -> DataVersions {
        let rows = try await (db as! any SQLDatabase).raw("SELECT name, version FROM \(ident: table)").all()
        var versions = DataVersions(people: 0, enrolments: 0)
        for row in rows {
            let name = try row.decode(column: "name", as: String.self)
            let version = try row.decode(column: "version", as: Int64.self)
            if name == "people" { versions.people = version } else if name == "enrolments" { versions.enrolments = version }
        }
        return versions
    }
}
