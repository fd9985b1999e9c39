import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// Core's `PartnershipStore` on the database: each unit of work is a write transaction holding the pair's
/// row, so two steps on one partnership (both sides accepting, two check-ins for one slot) run one after
/// the other on every server instance; unique indexes back the rules up.
struct FluentPartnershipStore: PartnershipStore {
    let db: any Database

    func atomically<T: Sendable>(_ body: @escaping @Sendable (any PartnershipWork) async throws -> T) async throws -> T {
        try await db.writeTransaction { tx in try await body(Work(tx: tx)) }
    }

    func pairsPastTheirEnd(now: Date) async throws -> [UUID] {
        // Candidates by the stored end date (a day before today in UTC covers every zone); the use case decides exactly.
        let cutoff = CalendarDate.today(now: now).adding(days: 1).description
        let sql = db as! any SQLDatabase
        return try await sql.raw("""
            SELECT DISTINCT a.pair_id FROM \(ident: PartnershipTables.agreements) a JOIN \(ident: MatchingTables.pairs) p ON p.id = a.pair_id
            WHERE p.status = 'active' AND a.end_date IS NOT NULL AND a.end_date < \(bind: cutoff)
            AND a.mentee_accepted_at IS NOT NULL AND a.mentor_accepted_at IS NOT NULL
            """).all().map { try $0.decode(column: "pair_id", as: UUID.self) }
    }

    struct Work: PartnershipWork {
        let tx: any Database
        var sql: any SQLDatabase { tx as! any SQLDatabase }

        func heldPartnership(_ pairID: UUID) async throws -> Unredacted<Partnership>? {
            let forUpdate: SQLQueryString = sql.dialect.name == "sqlite" ? "" : " FOR UPDATE"
            guard let row = try await sql.raw("SELECT * FROM \(ident: MatchingTables.pairs) WHERE id = \(bind: pairID)\(forUpdate)").first() else { return nil }
            let pair = try row.decode(model: PairRow.self).pair
            let sequence = try row.decode(column: "calendar_sequence", as: Int.self)
            return try await PartnershipReads(db: tx).load(pair, sequence: sequence)
        }

        func insertAgreement(_ version: AgreementVersion) async throws {
            try await sql.insert(into: PartnershipTables.agreements).model(try AgreementRow(version), nilEncodingStrategy: .asNil).run()
        }

        func updateAgreement(_ version: AgreementVersion) async throws {
            let row = try AgreementRow(version)
            try await sql.update(PartnershipTables.agreements).set("mentee_accepted_at", to: row.mentee_accepted_at)
                .set("mentor_accepted_at", to: row.mentor_accepted_at).where("id", .equal, row.id).run()
        }

        func saveMeeting(_ log: MeetingLog) async throws {
            try await sql.delete(from: PartnershipTables.meetings).where("pair_id", .equal, log.pairID)
                .where("occurrence", .equal, log.occurrence.timeIntervalSince1970).run()
            try await sql.insert(into: PartnershipTables.meetings).model(MeetingRow(log), nilEncodingStrategy: .asNil).run()
        }

        func insertCheckIn(_ checkIn: CheckIn) async throws {
            do {
                try await sql.insert(into: PartnershipTables.checkIns).model(try CheckInRow(checkIn), nilEncodingStrategy: .asNil).run()
            } catch let error as any DatabaseError where error.isConstraintFailure {
                throw PartnershipError.alreadyCheckedIn(checkIn.slot)
            }
        }

        func insertText(_ text: PairText) async throws {
            try await sql.insert(into: PartnershipTables.texts).model(PairTextRow(text), nilEncodingStrategy: .asNil).run()
        }

        func insertAction(_ action: ActionItem) async throws {
            try await sql.insert(into: PartnershipTables.actions).model(ActionRow(action), nilEncodingStrategy: .asNil).run()
        }

        func updateAction(_ action: ActionItem) async throws {
            let row = ActionRow(action)
            try await sql.update(PartnershipTables.actions).set("status", to: row.status).set("updated_at", to: row.updated_at)
                .set("done_at", to: row.done_at).where("id", .equal, row.id).run()
        }

        func updatePair(_ pair: MentoringPair, event: PairEvent) async throws {
            try await sql.update(MatchingTables.pairs).set("status", to: pair.status.rawValue).where("id", .equal, pair.id).run()
            try await FluentMatchingStore.insert([event], on: sql)
        }

        func bumpSequence(_ pairID: UUID) async throws {
            try await sql.raw("UPDATE \(ident: MatchingTables.pairs) SET calendar_sequence = calendar_sequence + 1 WHERE id = \(bind: pairID)").run()
        }

        func notify(_ notices: [Notice]) async throws { try await Messages.queue(notices, on: tx) }
    }
}
