import Fluent
import FlipsideCore
import Foundation
import MatchingEngine
import SQLKit

/// Core's `MatchingStore` on the database: each unit of work is a write transaction that holds the
/// program's row for update, so the workflow's steps on one program run one after another on every
/// server instance; the mentor's enrolment row is held too before a place is filled. The unique index on
/// one current pair per mentee backs the rules up.
struct FluentMatchingStore: MatchingStore {
    let db: any Database
    var audit: AuditTrail
    /// A background job's claim: every write checks it first, so a worker that lost its job keeps nothing.
    var fence: OutboxLease?

    init(db: any Database, audit: AuditTrail, fence: OutboxLease? = nil) {
        self.db = db
        self.audit = audit
        self.fence = fence
    }

    func atomically<T: Sendable>(_ body: @escaping @Sendable (any MatchingWork) async throws -> T) async throws -> T {
        let (audit, fence) = (self.audit, self.fence)
        return try await db.writeTransaction { tx in
            try await fence?.hold(on: tx)
            return try await body(Work(tx: tx, audit: audit))
        }
    }

    /// A plain transaction: a consistent read without SQLite's writer lock.
    func reading<T: Sendable>(_ body: @escaping @Sendable (any MatchingWork) async throws -> T) async throws -> T {
        let audit = self.audit
        return try await db.transaction { tx in try await body(Work(tx: tx, audit: audit)) }
    }

    /// A large run's result and input are megabytes of JSON: they are encoded on a Dispatch thread first,
    /// then written in a short transaction (not on Swift's cooperative threads, which requests need).
    func finish(_ run: MatchRun) async throws {
        let row: MatchRunRow = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .utility).async { continuation.resume(with: Result { try MatchRunRow(run) }) }
        }
        let fence = self.fence
        try await db.writeTransaction { tx in
            try await fence?.hold(on: tx)
            try await Work(tx: tx, audit: audit).update(row)
        }
    }

    struct Work: MatchingWork {
        let tx: any Database
        var audit: AuditTrail
        var sql: any SQLDatabase { tx as! any SQLDatabase }
        private var forUpdate: SQLQueryString { sql.dialect.name == "sqlite" ? "" : " FOR UPDATE" }

        func heldProgram(_ id: UUID) async throws -> Program? {
            guard try await sql.raw("SELECT id FROM \(ident: ProgramModel.schema) WHERE id = \(bind: id)\(forUpdate)").first() != nil else { return nil }
            return try await ProgramModel.find(id, on: tx)?.program
        }

        func enrolments(in programID: UUID) async throws -> [Enrolment] { try await EnrolmentService(db: tx).all(in: programID) }

        func directory(for employeeIDs: [String]) async throws -> [String: Person] {
            try await PeopleService(db: tx).withManagementChains(of: employeeIDs)
        }

        func rules(in programID: UUID) async throws -> [PairRule] { try await MatchingReads(db: tx).rules(in: programID) }

        func insertRule(_ rule: PairRule) async throws {
            do {
                try await sql.insert(into: MatchingTables.rules).model(PairRuleRow(rule), nilEncodingStrategy: .asNil).run()
            } catch let error as any DatabaseError where error.isConstraintFailure {
                throw MatchWorkflowError.conflictingRule("\(rule.menteeID)–\(rule.mentorID) already has a lock or exclusion.")
            }
            let what = "\(rule.kind.rawValue) \(rule.menteeID)–\(rule.mentorID) in program \(rule.programID.uuidString.lowercased())"
            if let overridden = rule.overriddenRule {
                try await audit.record(.pairRuleOverridden, "pair_rule", rule.id.uuidString.lowercased(), "\(what): overrides \(overridden) — \(rule.reason ?? "")", on: tx)
            } else {
                try await audit.record(.pairRuleAdded, "pair_rule", rule.id.uuidString.lowercased(), what, on: tx)
            }
        }

        func deleteRule(_ id: UUID, in programID: UUID) async throws -> Bool {
            let found = try await sql.raw("DELETE FROM \(ident: MatchingTables.rules) WHERE id = \(bind: id) AND program_id = \(bind: programID) RETURNING id").all()
            if !found.isEmpty {
                try await audit.record(.pairRuleRemoved, "pair_rule", id.uuidString.lowercased(), "in program \(programID.uuidString.lowercased())", on: tx)
            }
            return !found.isEmpty
        }

        func run(_ id: UUID, in programID: UUID) async throws -> MatchRun? {
            try await sql.select().column("*").from(MatchingTables.runs).where("id", .equal, id).where("program_id", .equal, programID)
                .first(decoding: MatchRunRow.self)?.run()
        }

        func runOutcome(_ id: UUID, in programID: UUID) async throws -> RunOutcome? {
            guard let view = try await MatchingReads(db: tx).runView(id, in: programID) else { return nil }
            return RunOutcome(status: RunStatus(rawValue: view.status) ?? .failed, fingerprint: view.fingerprint,
                              result: try view.decodedResult(), onlyMentees: try view.onlyMentees())
        }

        func insertRun(_ run: MatchRun) async throws {
            let started = ContinuousClock.now
            let row = try MatchRunRow(run)
            trace("store run: encoded \(ContinuousClock.now - started)")
            try await sql.insert(into: MatchingTables.runs).model(row, nilEncodingStrategy: .asNil).run()
            trace("store run: inserted \(ContinuousClock.now - started)")
            try await audit.record(.runStarted, "run", run.id.uuidString.lowercased(),
                                   "\(run.algorithm.rawValue) run in program \(run.programID.uuidString.lowercased())", on: tx)
        }

        func updateRun(_ run: MatchRun) async throws {
            try await update(try MatchRunRow(run))
        }

        func markRunning(_ id: UUID) async throws {
            try await sql.update(MatchingTables.runs).set("status", to: RunStatus.running.rawValue).where("id", .equal, id).run()
        }

        func update(_ row: MatchRunRow) async throws {
            try await sql.update(MatchingTables.runs).set("status", to: row.status).set("result", to: row.result).set("error", to: row.error)
                .set("finished_at", to: row.finished_at).set("snapshot", to: row.snapshot).set("fingerprint", to: row.fingerprint)
                .set("only_mentees", to: row.only_mentees).where("id", .equal, row.id).run()
        }

        func menteeCount(in programID: UUID) async throws -> Int {
            try await EnrolmentModel.query(on: tx).filter(\.$program.$id == programID).filter(\.$role == EnrolmentRole.mentee.rawValue).count()
        }

        func scheduleRun(_ id: UUID, in programID: UUID, at: Date) async throws {
            let payload = try StoredJSON.encode(["run": id.uuidString, "program": programID.uuidString])
            try await Outbox.enqueue(.computeMatchRun, payload: payload, dedupeKey: "run \(id.uuidString)", runAt: at, on: tx)
        }

        func pairs(in programID: UUID) async throws -> [MentoringPair] { try await MatchingReads(db: tx).pairs(in: programID) }

        func pair(_ id: UUID) async throws -> MentoringPair? { try await MatchingReads(db: tx).pair(id) }

        func insertPairs(_ pairs: [MentoringPair], events: [PairEvent]) async throws {
            guard !pairs.isEmpty else { return }
            do {
                // 14 columns × 1,000 rows stays under both databases' bind-parameter limits.
                for start in stride(from: 0, to: pairs.count, by: 1000) {
                    let chunk = pairs[start..<min(start + 1000, pairs.count)].map(PairRow.init)
                    try await sql.insert(into: MatchingTables.pairs).models(chunk, nilEncodingStrategy: .asNil).run()
                }
            } catch let error as any DatabaseError where error.isConstraintFailure {
                throw MatchWorkflowError.menteeAlreadyPaired(menteeID: pairs.count == 1 ? pairs[0].menteeID : "A mentee")
            }
            try await FluentMatchingStore.insert(events, on: sql)
            if let run = pairs.first?.runID, pairs.first?.source == .run {
                try await audit.record(.runPublished, "run", run.uuidString.lowercased(),
                                       "\(pairs.count) pairs in program \(pairs[0].programID.uuidString.lowercased())", on: tx)
            }
        }

        func updatePair(_ pair: MentoringPair, event: PairEvent) async throws {
            let row = PairRow(pair)
            do {
                try await sql.update(MatchingTables.pairs)
                    .set("status", to: row.status).set("mentee_accepted", to: row.mentee_accepted).set("mentor_accepted", to: row.mentor_accepted)
                    .where("id", .equal, pair.id).run()
            } catch let error as any DatabaseError where error.isConstraintFailure {
                throw MatchWorkflowError.menteeAlreadyPaired(menteeID: pair.menteeID)
            }
            try await FluentMatchingStore.insert([event], on: sql)
        }

        func setProgramStatus(_ id: UUID, _ status: ProgramStatus) async throws {
            try await sql.update(ProgramModel.schema).set("status", to: status.rawValue).where("id", .equal, id).run()
        }

        func earlierPairs(among employeeIDs: [String], except programID: UUID) async throws -> [[String]] {
            guard !employeeIDs.isEmpty else { return [] }
            let ids = Set(employeeIDs)
            // Pairs of other programs that became partners (`MentoringPair.becamePartners`) whose mentee is among these people.
            var result: [[String]] = []
            for start in stride(from: 0, to: employeeIDs.count, by: 500) {
                let chunk = Array(employeeIDs[start..<min(start + 500, employeeIDs.count)])
                let rows = try await sql.raw("""
                    SELECT DISTINCT p.mentee_id, p.mentor_id FROM \(ident: MatchingTables.pairs) p
                    WHERE p.program_id <> \(bind: programID) AND p.mentee_id IN (\(binds: chunk))
                    AND (p.status IN (\(binds: MentoringPair.partnersByStatus.map(\.rawValue)))
                         OR (p.status = \(bind: PairStatus.ended.rawValue) AND p.mentee_accepted = \(bind: true) AND p.mentor_accepted = \(bind: true)))
                    """).all()
                for row in rows {
                    let mentee = try row.decode(column: "mentee_id", as: String.self), mentor = try row.decode(column: "mentor_id", as: String.self)
                    if ids.contains(mentor) { result.append([mentee, mentor]) }
                }
            }
            return result
        }

        func holdMentor(_ employeeID: String, in programID: UUID) async throws {
            _ = try await sql.raw("""
                SELECT id FROM \(ident: EnrolmentModel.schema) WHERE program_id = \(bind: programID) AND employee_id = \(bind: employeeID)\(forUpdate)
                """).all()
        }

        func notify(_ notices: [Notice]) async throws { try await Messages.queue(notices, on: tx) }

    }

    /// Adds to pairs' histories, 1,000 rows per statement (within both databases' bind-parameter limits).
    static func insert(_ events: [PairEvent], on sql: any SQLDatabase) async throws {
        for start in stride(from: 0, to: events.count, by: 1000) {
            let chunk = events[start..<min(start + 1000, events.count)].map(PairEventRow.init)
            try await sql.insert(into: MatchingTables.events).models(chunk, nilEncodingStrategy: .asNil).run()
        }
    }
}

/// Reading runs, pairs and rules for pages and the API (outside any unit of work).
struct MatchingReads {
    let db: any Database
    var sql: any SQLDatabase { db as! any SQLDatabase }

    func pairs(in programID: UUID) async throws -> [MentoringPair] {
        try await sql.select().column("*").from(MatchingTables.pairs).where("program_id", .equal, programID)
            .orderBy("mentee_id").orderBy("created_at").all(decoding: PairRow.self).map(\.pair)
    }

    /// A person's pairs in every program (as mentee or mentor), newest first.
    func pairs(of employeeID: String) async throws -> [MentoringPair] {
        try await sql.select().column("*").from(MatchingTables.pairs)
            .where("mentee_id", .equal, employeeID).orWhere("mentor_id", .equal, employeeID)
            .orderBy("created_at", .descending).all(decoding: PairRow.self).map(\.pair)
    }

    func pair(_ id: UUID) async throws -> MentoringPair? {
        try await sql.select().column("*").from(MatchingTables.pairs).where("id", .equal, id).first(decoding: PairRow.self)?.pair
    }

    func history(of pairID: UUID) async throws -> [PairEvent] {
        try await sql.select().column("*").from(MatchingTables.events).where("pair_id", .equal, pairID)
            .orderBy("at").all(decoding: PairEventRow.self).map(\.event)
    }

    func rules(in programID: UUID) async throws -> [PairRule] {
        try await sql.select().column("*").from(MatchingTables.rules).where("program_id", .equal, programID)
            .orderBy("created_at").all(decoding: PairRuleRow.self).map(\.rule)
    }

    /// The program's runs, newest first, without their snapshots and results.
    func runs(in programID: UUID) async throws -> [RunListing] {
        try await sql.select().columns(MatchRunRow.listColumns.map { SQLIdentifier($0) })
            .from(MatchingTables.runs).where("program_id", .equal, programID).orderBy("created_at", .descending)
            .all(decoding: RunListing.self)
    }

    /// A run as pages and the API show it: everything but its input snapshot (megabytes for a large program).
    func runView(_ id: UUID, in programID: UUID) async throws -> RunView? {
        try await sql.select().columns(RunView.columns.map { SQLIdentifier($0) }).from(MatchingTables.runs)
            .where("id", .equal, id).where("program_id", .equal, programID).first(decoding: RunView.self)
    }
}

/// A stored run without its input snapshot.
struct RunView: Codable, Sendable {
    var id: UUID
    var program_id: UUID
    var algorithm: String
    var objective: String
    var status: String
    var fingerprint: String
    var result: String?
    var error: String?
    var only_mentees: String?
    var created_at: Double
    var finished_at: Double?

    static let columns = ["id", "program_id", "algorithm", "objective", "status", "fingerprint", "result", "error", "only_mentees", "created_at", "finished_at"]

    /// A run in hand as its row reads, without the result's text (the caller has the result itself).
    init(_ run: MatchRun) {
        id = run.id
        program_id = run.programID
        algorithm = run.algorithm.rawValue
        objective = run.objective.rawValue
        status = run.status.rawValue
        fingerprint = run.fingerprint
        error = run.error
        created_at = run.createdAt.timeIntervalSince1970
        finished_at = run.finishedAt?.timeIntervalSince1970
    }

    func decodedResult() throws -> RunResult? { try result.map { try StoredJSON.decode(RunResult.self, $0) } }
    func onlyMentees() throws -> [String]? { try only_mentees.map { try StoredJSON.decode([String].self, $0) } }
}

/// A run as a list shows it.
struct RunListing: Codable, Sendable {
    var id: UUID
    var program_id: UUID
    var algorithm: String
    var objective: String
    var status: String
    var fingerprint: String
    var error: String?
    var created_at: Double
    var finished_at: Double?
}
