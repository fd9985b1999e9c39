import Fluent
import SQLKit

/// Indexes for the directory at the size of a real organisation: people in name order (the listing's
/// sort, so a page is read off the index instead of sorting every match), by department (the filter and
/// its list of departments), and by manager (a person's direct reports). And a version number per table
/// that results are cached on, bumped by the database itself on every change (triggers), so that no
/// write anywhere, on any instance, can leave a cached result stale.
struct CreatePeopleIndexesAndVersions: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "people_name_employee_id").on("people").column("name").column("employee_id").run()
        try await sql.create(index: "people_department_name").on("people").column("department").column("name").column("employee_id").run()
        try await sql.create(index: "people_manager_id").on("people").column("manager_id").run()
        try await database.schema(DataVersions.table)
            .field("name", .string, .required)
            .field("version", .int64, .required)
            .unique(on: "name")
            .create()
        if sql.dialect.name != "sqlite" {
            try await sql.raw("""
                CREATE FUNCTION flipside_bump_version() RETURNS trigger AS $$
                BEGIN UPDATE data_versions SET version = version + 1 WHERE name = TG_ARGV[0]; RETURN NULL; END
                $$ LANGUAGE plpgsql
                """).run()
        }
        for table in DataVersions.tables { try await DataVersions.track(table, on: sql) }
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for table in DataVersions.tables { try await DataVersions.untrack(table, on: sql) }
        if sql.dialect.name != "sqlite" { try await sql.raw("DROP FUNCTION flipside_bump_version()").run() }
        try await database.schema(DataVersions.table).delete()
        for name in ["people_manager_id", "people_department_name", "people_name_employee_id"] {
            try await sql.drop(index: name).run()
        }
    }
}
