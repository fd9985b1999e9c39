import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// Core's `ProgramStore` on the database: each unit of work is a write transaction that holds the
/// program's row.
struct FluentProgramStore: ProgramStore {
    let db: any Database
    var audit: AuditTrail

    func atomically<T: Sendable>(_ body: @escaping @Sendable (any ProgramWork) async throws -> T) async throws -> T {
        let audit = self.audit
        return try await db.writeTransaction { tx in try await body(Work(tx: tx, audit: audit)) }
    }

    struct Work: ProgramWork {
        let tx: any Database
        var audit: AuditTrail

        func heldProgram(_ id: UUID) async throws -> Program? { try await ProgramService.heldProgram(id, on: tx) }

        func nameIsUsed(_ name: String, except: UUID?) async throws -> Bool {
            let query = ProgramModel.query(on: tx).filter(\.$name == name)
            if let except { query.filter(\.$id != except) }
            return try await query.count() > 0
        }

        func insert(_ program: Program) async throws {
            try await Self.nameTaken(program.name) { try await ProgramModel(program).create(on: tx) }
            try await audit.record(.programCreated, "program", program.id.uuidString.lowercased(), program.name, on: tx)
        }

        func replace(_ program: Program) async throws {
            guard let model = try await ProgramModel.find(program.id, on: tx) else { throw ProgramError.notFound }
            let before = model.program
            model.copy(from: program)
            try await Self.nameTaken(program.name) { try await model.save(on: tx) }
            if before.status != program.status {
                try await audit.record(.programStatusChanged, "program", program.id.uuidString.lowercased(),
                                       "\(program.name): \(before.status.rawValue) → \(program.status.rawValue)", on: tx)
            } else {
                try await audit.record(.programChanged, "program", program.id.uuidString.lowercased(), program.name, on: tx)
            }
        }

        func replaceGuidance(_ g: Guidance, of program: Program) async throws {
            let sql = tx as! any SQLDatabase
            try await sql.delete(from: PartnershipTables.guidance).where("program_id", .equal, program.id).run()
            try await sql.insert(into: PartnershipTables.guidance).columns("program_id", "senior", "junior")
                .values(SQLBind(program.id), SQLBind(g.senior), SQLBind(g.junior)).run()
            try await audit.record(.guidanceChanged, "program", program.id.uuidString.lowercased(), program.name, on: tx)
        }

        func delete(_ id: UUID) async throws {
            let sql = tx as! any SQLDatabase
            for table in PartnershipTables.perPair {
                try await sql.raw("""
                    DELETE FROM \(ident: table) WHERE pair_id IN (SELECT id FROM \(ident: MatchingTables.pairs) WHERE program_id = \(bind: id))
                    """).run()
            }
            try await sql.raw("""
                DELETE FROM concern_messages WHERE concern_id IN (SELECT id FROM \(ident: PartnershipTables.concerns) WHERE program_id = \(bind: id))
                """).run()
            for table in [PartnershipTables.concerns, PartnershipTables.guidance, ChatWebhooks.table, AskRows.table] {
                try await sql.delete(from: table).where("program_id", .equal, id).run()
            }
            try await sql.raw("""
                DELETE FROM \(ident: MatchingTables.events) WHERE pair_id IN (SELECT id FROM \(ident: MatchingTables.pairs) WHERE program_id = \(bind: id))
                """).run()
            for table in [MatchingTables.pairs, MatchingTables.runs, MatchingTables.rules] {
                try await sql.delete(from: table).where("program_id", .equal, id).run()
            }
            try await EnrolmentModel.query(on: tx).filter(\.$program.$id == id).delete()
            let name = try await ProgramModel.find(id, on: tx)?.name ?? ""
            try await ProgramModel.query(on: tx).filter(\.$id == id).delete()
            try await audit.record(.programDeleted, "program", id.uuidString.lowercased(), name, on: tx)
        }

        func finishPairs(of programID: UUID, at: Date) async throws -> [MentoringPair] {
            let sql = tx as! any SQLDatabase
            var finished: [MentoringPair] = []
            for (from, to, reason) in [(PairStatus.allCases.filter(\.isRunning), PairStatus.completed, "The program closed"),
                                       (PairStatus.allCases.filter(\.isUnanswered), .ended, "The program closed before this pair was answered")] {
                let ids = try await sql.raw("""
                    UPDATE \(ident: MatchingTables.pairs) SET status = \(bind: to.rawValue), calendar_sequence = calendar_sequence + 1
                    WHERE program_id = \(bind: programID) AND status IN (\(binds: from.map(\.rawValue))) RETURNING *
                    """).all().map { try $0.decode(model: PairRow.self).pair }
                try await FluentMatchingStore.insert(ids.map { PairEvent(pairID: $0.id, status: to, at: at, actor: "system", reason: reason) }, on: sql)
                finished += ids
            }
            return finished
        }

        func notify(_ notices: [Notice]) async throws { try await Messages.queue(notices, on: tx) }

        /// A write whose unique name rule fired: another program took the name at the same moment.
        private static func nameTaken(_ name: String, _ write: () async throws -> Void) async throws {
            do {
                try await write()
            } catch let error as any DatabaseError where error.isConstraintFailure {
                throw ProgramError.nameTaken(name)
            }
        }
    }
}
