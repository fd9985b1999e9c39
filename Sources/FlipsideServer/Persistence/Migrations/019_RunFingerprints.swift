import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// Stored runs get the fingerprint computed field by field (`RunSnapshot.fingerprint`), which replaced
/// one taken over the snapshot's JSON: without this, every run stored before would look stale.
/// Recomputed from each run's stored snapshot, one run at a time (snapshots can be megabytes).
struct RecomputeRunFingerprints: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await Self.recompute(on: database) { $0.fingerprint }
    }

    func revert(on database: any Database) async throws {
        try await Self.recompute(on: database, with: Self.jsonFingerprint)
    }

    static func recompute(on database: any Database, with fingerprint: @escaping @Sendable (RunSnapshot) -> String) async throws {
        let sql = database as! any SQLDatabase
        struct IDRow: Decodable { var id: UUID }
        struct SnapshotRow: Decodable { var snapshot: String }
        let ids = try await sql.select().column("id").from(MatchingTables.runs).all(decoding: IDRow.self).map(\.id)
        for id in ids {
            guard let row = try await sql.select().column("snapshot").from(MatchingTables.runs).where("id", .equal, id)
                .first(decoding: SnapshotRow.self) else { continue }
            let snapshot = try StoredJSON.decode(RunSnapshot.self, row.snapshot)
            try await sql.update(MatchingTables.runs).set("fingerprint", to: fingerprint(snapshot)).where("id", .equal, id).run()
        }
    }

    /// The fingerprint before: FNV-1a over the canonical JSON of settings, enrolments and rules.
    static func jsonFingerprint(_ snapshot: RunSnapshot) -> String {
        struct Canonical: Encodable {
            var settings: MatchingSettings
            var enrolments: [Enrolment]
            var rules: [[String]]
        }
        let canonical = Canonical(settings: snapshot.settings, enrolments: snapshot.enrolments.sorted { $0.employeeID < $1.employeeID },
                                  rules: snapshot.rules.sorted { ($0.kind.rawValue, $0.menteeID, $0.mentorID) < ($1.kind.rawValue, $1.menteeID, $1.mentorID) }.map { [$0.kind.rawValue, $0.menteeID, $0.mentorID, $0.overriddenRule ?? "", $0.reason ?? ""] })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = (try? encoder.encode(canonical)) ?? Data()
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in data { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(format: "%016llx", hash)
    }
}
