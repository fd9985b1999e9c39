import Fluent
import SQLKit

/// The partnership tables: agreement versions, meeting logs, check-ins, every participant's text (one
/// table, so that one rule reads it), actions, anonymous concerns and their messages, calendar feeds, a
/// program's guidance; the pairs' calendar SEQUENCE; and "one current pair per mentee" now counting
/// active pairs too. Times are seconds since 1970 (doubles), JSON is text.
struct CreatePartnerships: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let pairs = MatchingTables.pairs
        try await database.schema(PartnershipTables.agreements)
            .field("id", .uuid, .identifier(auto: false))
            .field("pair_id", .uuid, .required, .references(pairs, "id", onDelete: .cascade))
            .field("number", .int, .required)
            .field("author_id", .string, .required)
            .field("goals", .string, .required)
            .field("rhythm", .string, .required)
            .field("visibility", .string, .required)
            .field("end_date", .string)
            .field("created_at", .double, .required)
            .field("mentee_accepted_at", .double)
            .field("mentor_accepted_at", .double)
            .unique(on: "pair_id", "number")
            .create()
        try await database.schema(PartnershipTables.meetings)
            .field("id", .uuid, .identifier(auto: false))
            .field("pair_id", .uuid, .required, .references(pairs, "id", onDelete: .cascade))
            .field("occurrence", .double, .required)
            .field("status", .string, .required)
            .field("moved_to", .double)
            .field("logged_by", .string, .required)
            .field("logged_at", .double, .required)
            .unique(on: "pair_id", "occurrence")
            .create()
        try await database.schema(PartnershipTables.checkIns)
            .field("id", .uuid, .identifier(auto: false))
            .field("pair_id", .uuid, .required, .references(pairs, "id", onDelete: .cascade))
            .field("author_id", .string, .required)
            .field("side", .string, .required)
            .field("kind", .string, .required)
            .field("at", .double, .required)
            .field("meeting", .double)
            .field("period", .int, .required)
            .field("slot", .string, .required)
            .field("satisfaction", .int)
            .field("direction", .string)
            .field("progress", .string, .required)
            .field("listened", .int)
            .field("overall_value", .int)
            .field("would_again", .bool)
            .unique(on: "pair_id", "author_id", "slot")
            .create()
        try await database.schema(PartnershipTables.texts)
            .field("id", .uuid, .identifier(auto: false))
            .field("pair_id", .uuid, .required, .references(pairs, "id", onDelete: .cascade))
            .field("kind", .string, .required)
            .field("author_id", .string, .required)
            .field("visibility", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .double, .required)
            .field("about", .string)
            .create()
        try await database.schema(PartnershipTables.actions)
            .field("id", .uuid, .identifier(auto: false))
            .field("pair_id", .uuid, .required, .references(pairs, "id", onDelete: .cascade))
            .field("author_id", .string, .required)
            .field("insight_id", .uuid)
            .field("kind", .string, .required)
            .field("due", .string)
            .field("status", .string, .required)
            .field("visibility", .string, .required)
            .field("created_at", .double, .required)
            .field("updated_at", .double, .required)
            .field("done_at", .double)
            .create()
        // A concern links to its program only: no person, no pair, no session, and only the day.
        try await database.schema(PartnershipTables.concerns)
            .field("id", .uuid, .identifier(auto: false))
            .field("program_id", .uuid, .required, .references(ProgramModel.schema, "id", onDelete: .cascade))
            .field("raised_on", .string, .required)
            .field("body", .string, .required)
            .field("code_hash", .string, .required)
            .field("answered", .bool, .required)
            .unique(on: "code_hash")
            .create()
        try await database.schema(PartnershipTables.concernMessages)
            .field("id", .uuid, .identifier(auto: false))
            .field("concern_id", .uuid, .required, .references(PartnershipTables.concerns, "id", onDelete: .cascade))
            .field("sender", .string, .required)
            .field("body", .string, .required)
            .field("sent_on", .string, .required)
            .field("position", .int, .required)
            .create()
        try await database.schema(PartnershipTables.feeds)
            .field("employee_id", .string, .identifier(auto: false))
            .field("token_hash", .string, .required)
            .field("created_at", .double, .required)
            .unique(on: "token_hash")
            .create()
        try await database.schema(PartnershipTables.guidance)
            .field("program_id", .uuid, .identifier(auto: false), .references(ProgramModel.schema, "id", onDelete: .cascade))
            .field("senior", .string, .required)
            .field("junior", .string, .required)
            .create()
        try await database.schema(pairs).field("calendar_sequence", .int, .required, .sql(.default(0))).update()
        guard let sql = database as? any SQLDatabase else { return }
        for (index, table) in [("agreements_pair", PartnershipTables.agreements), ("check_ins_pair", PartnershipTables.checkIns),
                               ("pair_texts_pair", PartnershipTables.texts), ("pair_actions_pair", PartnershipTables.actions)] {
            try await sql.create(index: index).on(table).column("pair_id").run()
        }
        try await sql.create(index: "concerns_program").on(PartnershipTables.concerns).column("program_id").run()
        try await sql.create(index: "concern_messages_concern").on(PartnershipTables.concernMessages).column("concern_id").run()
        try await sql.drop(index: "pairs_one_current_per_mentee").run()
        try await sql.raw("""
            CREATE UNIQUE INDEX pairs_one_current_per_mentee ON \(ident: pairs) (program_id, mentee_id)
            WHERE status IN ('requested', 'proposed', 'accepted', 'active')
            """).run()
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase {
            try await sql.drop(index: "pairs_one_current_per_mentee").run()
            try await sql.raw("""
                CREATE UNIQUE INDEX pairs_one_current_per_mentee ON \(ident: MatchingTables.pairs) (program_id, mentee_id)
                WHERE status IN ('requested', 'proposed', 'accepted')
                """).run()
            for index in ["concern_messages_concern", "concerns_program", "pair_actions_pair", "pair_texts_pair", "check_ins_pair", "agreements_pair"] {
                try await sql.drop(index: index).run()
            }
        }
        if let sql = database as? any SQLDatabase {
            try await sql.raw("ALTER TABLE \(ident: MatchingTables.pairs) DROP COLUMN calendar_sequence").run()
        }
        for table in [PartnershipTables.guidance, PartnershipTables.feeds, PartnershipTables.concernMessages, PartnershipTables.concerns,
                      PartnershipTables.actions, PartnershipTables.texts, PartnershipTables.checkIns, PartnershipTables.meetings,
                      PartnershipTables.agreements] {
            try await database.schema(table).delete()
        }
    }
}

/// The partnership tables' names.
enum PartnershipTables {
    static let agreements = "agreements"
    static let meetings = "meetings"
    static let checkIns = "check_ins"
    static let texts = "pair_texts"
    static let actions = "pair_actions"
    static let concerns = "concerns"
    static let concernMessages = "concern_messages"
    static let feeds = "calendar_feeds"
    static let guidance = "program_guidance"
    /// Every table that belongs to a pair (deleted with a program's pairs).
    static let perPair = [agreements, meetings, checkIns, texts, actions]
}
