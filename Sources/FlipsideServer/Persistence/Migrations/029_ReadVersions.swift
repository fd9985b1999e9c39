import Fluent
import SQLKit

/// Counts the changes of the tables the kept pages and figures read besides people, enrolments and the
/// HR history: programs with their guidance, match runs, pairs with their rules and events, and the
/// partnerships' rows. A program's figures and the pages of programs, runs and pairs are kept per
/// version of these and shared by every reader (`OutcomesViews`, `Request.renderKept`).
struct TrackReadVersions: AsyncMigration {
    static let tables = ["programs", MatchingTables.runs, MatchingTables.pairs, MatchingTables.rules, MatchingTables.events, PartnershipTables.guidance]
        + PartnershipTables.perPair

    func prepare(on database: any Database) async throws {
        for table in Self.tables { try await DataVersions.track(table, on: database as! any SQLDatabase) }
    }

    func revert(on database: any Database) async throws {
        for table in Self.tables { try await DataVersions.untrack(table, on: database as! any SQLDatabase) }
    }
}
