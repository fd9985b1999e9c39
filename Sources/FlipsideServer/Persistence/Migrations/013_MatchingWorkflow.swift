import Fluent
import SQLKit

/// The matching workflow's tables: a program's locks and exclusions, its stored match runs, its pairs
/// and each pair's history. Times are seconds since 1970 (doubles), JSON is text.
struct CreateMatchingWorkflow: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(MatchingTables.rules)
            .field("id", .uuid, .identifier(auto: false))
            .field("program_id", .uuid, .required, .references(ProgramModel.schema, "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("mentee_id", .string, .required)
            .field("mentor_id", .string, .required)
            .field("overridden_rule", .string)
            .field("reason", .string)
            .field("created_at", .double, .required)
            .unique(on: "program_id", "mentee_id", "mentor_id")
            .create()
        try await database.schema(MatchingTables.runs)
            .field("id", .uuid, .identifier(auto: false))
            .field("program_id", .uuid, .required, .references(ProgramModel.schema, "id", onDelete: .cascade))
            .field("algorithm", .string, .required)
            .field("objective", .string, .required)
            .field("status", .string, .required)
            .field("fingerprint", .string, .required)
            .field("snapshot", .string, .required)
            .field("result", .string)
            .field("error", .string)
            .field("only_mentees", .string)
            .field("created_at", .double, .required)
            .field("finished_at", .double)
            .create()
        try await database.schema(MatchingTables.pairs)
            .field("id", .uuid, .identifier(auto: false))
            .field("program_id", .uuid, .required, .references(ProgramModel.schema, "id", onDelete: .cascade))
            .field("mentee_id", .string, .required)
            .field("mentor_id", .string, .required)
            .field("status", .string, .required)
            .field("source", .string, .required)
            .field("run_id", .uuid)
            .field("score", .double, .required)
            .field("overridden_rule", .string)
            .field("override_reason", .string)
            .field("mentee_accepted", .bool)
            .field("mentor_accepted", .bool)
            .field("created_at", .double, .required)
            .field("expires_at", .double)
            .create()
        try await database.schema(MatchingTables.events)
            .field("id", .uuid, .identifier(auto: false))
            .field("pair_id", .uuid, .required, .references(MatchingTables.pairs, "id", onDelete: .cascade))
            .field("status", .string, .required)
            .field("at", .double, .required)
            .field("actor", .string, .required)
            .field("reason", .string)
            .create()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "match_runs_program").on(MatchingTables.runs).column("program_id").run()
        try await sql.create(index: "pairs_program").on(MatchingTables.pairs).column("program_id").run()
        try await sql.create(index: "pairs_mentor").on(MatchingTables.pairs).column("program_id").column("mentor_id").run()
        try await sql.create(index: "pair_events_pair").on(MatchingTables.events).column("pair_id").run()
        // One current pair or open request per mentee and program: the rule holds under any concurrency.
        try await sql.raw("""
            CREATE UNIQUE INDEX pairs_one_current_per_mentee ON \(ident: MatchingTables.pairs) (program_id, mentee_id)
            WHERE status IN ('requested', 'proposed', 'accepted')
            """).run()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            for index in ["pairs_one_current_per_mentee", "pair_events_pair", "pairs_mentor", "pairs_program", "match_runs_program"] {
                try await sql.drop(index: index).run()
            }
        }
        try await database.schema(MatchingTables.events).delete()
        try await database.schema(MatchingTables.pairs).delete()
        try await database.schema(MatchingTables.runs).delete()
        try await database.schema(MatchingTables.rules).delete()
    }
}
