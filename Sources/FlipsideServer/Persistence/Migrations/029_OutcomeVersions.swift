import Fluent
import SQLKit

/// Counts the changes of every table the outcomes read besides people, enrolments and the HR history
/// (programs, pairs and the partnerships' rows), so a program's figures and pages are kept per data
/// version and shared by every reader (`OutcomesViews`).
struct TrackOutcomeVersions: AsyncMigration {
    static let tables = ["programs", MatchingTables.pairs] + PartnershipTables.perPair

    func prepare(on database: any Database) async throws {
        for table in Self.tables { try await DataVersions.track(table, on: database as! any SQLDatabase) }
    }

    func revert(on database: any Database) async throws {
        for table in Self.tables { try await DataVersions.untrack(table, on: database as! any SQLDatabase) }
    }
}
