import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// Reading partnerships for Core's read models and use cases (sealed: only Core opens a whole record), and
/// figures and health without anyone's words.
struct PartnershipReads: PartnershipReadStore {
    let db: any Database
    var sql: any SQLDatabase { db as! any SQLDatabase }

    /// Everything about the pair (read without holding anything).
    func partnership(_ pairID: UUID) async throws -> Unredacted<Partnership>? {
        guard let row = try await sql.select().column("*").from(MatchingTables.pairs).where("id", .equal, pairID).first() else { return nil }
        return try await load(try row.decode(model: PairRow.self).pair, sequence: try row.decode(column: "calendar_sequence", as: Int.self))
    }

    /// The pair's two people (mentee first), for addressing them.
    func members(of pairID: UUID) async throws -> [String] {
        struct Row: Decodable { var mentee_id: String; var mentor_id: String }
        guard let row = try await sql.select().column("mentee_id").column("mentor_id").from(MatchingTables.pairs).where("id", .equal, pairID)
            .first(decoding: Row.self) else { return [] }
        return [row.mentee_id, row.mentor_id]
    }

    func load(_ pair: MentoringPair, sequence: Int) async throws -> Unredacted<Partnership>? {
        guard let program = try await ProgramModel.find(pair.programID, on: db)?.program else { return nil }
        let enrolments = EnrolmentService(db: db)
        let id = pair.id
        let agreements = try await sql.select().column("*").from(PartnershipTables.agreements).where("pair_id", .equal, id)
            .orderBy("number").all(decoding: AgreementRow.self).map { try $0.version() }
        let meetings = try await sql.select().column("*").from(PartnershipTables.meetings).where("pair_id", .equal, id)
            .orderBy("occurrence").all(decoding: MeetingRow.self).map(\.log)
        let checkIns = try await sql.select().column("*").from(PartnershipTables.checkIns).where("pair_id", .equal, id)
            .orderBy("at").all(decoding: CheckInRow.self).map { try $0.checkIn() }
        let texts = try await sql.select().column("*").from(PartnershipTables.texts).where("pair_id", .equal, id)
            .orderBy("created_at").all(decoding: PairTextRow.self).map(\.text)
        let actions = try await sql.select().column("*").from(PartnershipTables.actions).where("pair_id", .equal, id)
            .orderBy("created_at").all(decoding: ActionRow.self).map(\.action)
        return Unredacted(Partnership(pair: pair, program: program, mentee: try await enrolments.enrolment(of: pair.menteeID, in: pair.programID),
                                      mentor: try await enrolments.enrolment(of: pair.mentorID, in: pair.programID), agreements: agreements,
                                      meetings: meetings, checkIns: checkIns, texts: texts, actions: actions,
                                      events: try await MatchingReads(db: db).history(of: id), sequence: sequence, guidance: try await guidance(pair.programID)))
    }

    /// A program's running partnerships for their health (`PartnershipReading.health`), read without their words.
    func forHealth(in programID: UUID) async throws -> [Partnership] {
        let pairs = try await MatchingReads(db: db).pairs(in: programID).filter(\.status.isRunning)
        guard let program = try await ProgramModel.find(programID, on: db)?.program else { return [] }
        return try await forFigures(pairs, in: program, insights: false)
    }

    /// Many pairs' partnerships at once, for figures: agreements (without their goals' words), meetings,
    /// check-ins and actions read in bulk (500 pairs a query), and of the texts only the insights' ids and
    /// times — never any words.
    /// `allMeetings` reads moved and missed meetings too (reminders need a moved meeting's new time).
    func forFigures(_ pairs: [MentoringPair], in program: Program, insights: Bool = true, allMeetings: Bool = false) async throws -> [Partnership] {
        guard !pairs.isEmpty else { return [] }
        struct InsightRow: Decodable { var id: UUID; var pair_id: UUID; var author_id: String; var created_at: Double }
        // Only the columns figures use (a check-in's progress per goal is JSON, costly to read 40,000 times).
        struct MeetingFacts: Decodable { var pair_id: UUID; var occurrence: Double; var status: String; var moved_to: Double? }
        struct CheckInFacts: Decodable {
            var pair_id: UUID; var author_id: String; var side: String; var kind: String; var at: Double; var meeting: Double?
            var period: Int; var satisfaction: Int?; var direction: String?; var listened: Int?
        }
        struct Chunk: Sendable {
            var agreements: [UUID: [AgreementVersion]] = [:], meetings: [UUID: [MeetingLog]] = [:], checkIns: [UUID: [CheckIn]] = [:]
            var texts: [UUID: [PairText]] = [:], actions: [UUID: [ActionItem]] = [:]
        }
        let sql = self.sql
        @Sendable func read(_ chunk: [UUID]) async throws -> Chunk {
            try WorkDeadline.check()
            var c = Chunk()
            for row in try await sql.select().column("*").from(PartnershipTables.agreements).where("pair_id", .in, chunk).all(decoding: AgreementRow.self) {
                var version = try row.version()
                version.goals = version.goals.map { Goal(id: $0.id, title: "", kind: $0.kind, success: "", topic: $0.topic) }
                c.agreements[row.pair_id, default: []].append(version)
            }
            // Figures count held meetings and leave cancelled ones out of the planned: the other logs do not change them.
            for row in try await sql.select().columns("pair_id", "occurrence", "status", "moved_to").from(PartnershipTables.meetings)
                .where("pair_id", .in, chunk).where("status", .in, (allMeetings ? MeetingStatus.allCases : [.held, .cancelled]).map(\.rawValue))
                .all(decoding: MeetingFacts.self) {
                c.meetings[row.pair_id, default: []].append(MeetingLog(pairID: row.pair_id, occurrence: Date(timeIntervalSince1970: row.occurrence),
                                                                       status: MeetingStatus(rawValue: row.status) ?? .held,
                                                                       movedTo: row.moved_to.map(Date.init(timeIntervalSince1970:)), loggedBy: "", loggedAt: .distantPast))
            }
            for row in try await sql.select().columns("pair_id", "author_id", "side", "kind", "at", "meeting", "period", "satisfaction", "direction", "listened")
                .from(PartnershipTables.checkIns).where("pair_id", .in, chunk).all(decoding: CheckInFacts.self) {
                c.checkIns[row.pair_id, default: []].append(CheckIn(pairID: row.pair_id, authorID: row.author_id, side: EnrolmentRole(rawValue: row.side) ?? .mentee,
                                                                    kind: CheckInKind(rawValue: row.kind) ?? .regular, at: Date(timeIntervalSince1970: row.at),
                                                                    meeting: row.meeting.map(Date.init(timeIntervalSince1970:)), period: row.period,
                                                                    satisfaction: row.satisfaction, direction: row.direction.flatMap(Direction.init(rawValue:)),
                                                                    listened: row.listened))
            }
            guard insights else { return c }
            for row in try await sql.select().columns("id", "pair_id", "author_id", "created_at").from(PartnershipTables.texts)
                .where("pair_id", .in, chunk).where("kind", .equal, TextKind.insight.rawValue).all(decoding: InsightRow.self) {
                c.texts[row.pair_id, default: []].append(PairText(id: row.id, pairID: row.pair_id, kind: .insight, authorID: row.author_id,
                                                                  visibility: .onlyMe, body: "", createdAt: Date(timeIntervalSince1970: row.created_at)))
            }
            for row in try await sql.select().column("*").from(PartnershipTables.actions).where("pair_id", .in, chunk).all(decoding: ActionRow.self) {
                c.actions[row.pair_id, default: []].append(row.action)
            }
            return c
        }
        // 500 pairs a query, up to four queries at once (rows are decoded on more than one core).
        let ids = pairs.map(\.id)
        let chunks = stride(from: 0, to: ids.count, by: 500).map { Array(ids[$0..<min($0 + 500, ids.count)]) }
        var all = Chunk()
        try await withThrowingTaskGroup(of: Chunk.self) { group in
            var next = 0
            func merge(_ c: Chunk) {
                all.agreements.merge(c.agreements) { a, _ in a }
                all.meetings.merge(c.meetings) { a, _ in a }
                all.checkIns.merge(c.checkIns) { a, _ in a }
                all.texts.merge(c.texts) { a, _ in a }
                all.actions.merge(c.actions) { a, _ in a }
            }
            while next < min(4, chunks.count) { let chunk = chunks[next]; group.addTask { try await read(chunk) }; next += 1 }
            while let c = try await group.next() {
                merge(c)
                if next < chunks.count { let chunk = chunks[next]; group.addTask { try await read(chunk) }; next += 1 }
            }
        }
        let (agreements, meetings, checkIns, texts, actions) = (all.agreements, all.meetings, all.checkIns, all.texts, all.actions)
        return pairs.map { pair in
            Partnership(pair: pair, program: program, mentee: nil, mentor: nil, agreements: agreements[pair.id] ?? [],
                        meetings: meetings[pair.id] ?? [], checkIns: checkIns[pair.id] ?? [], texts: texts[pair.id] ?? [], actions: actions[pair.id] ?? [])
        }
    }

    /// Per program: meetings held, regular check-ins, insights, actions planned and done — counted by the
    /// database (grouped queries over the pairs), never rows read one by one.
    func countsByProgram() async throws -> [UUID: ProgramHeadline.Activity] {
        struct Count: Decodable { var program_id: UUID; var n: Int }
        /// Rows of `table` per program, those with `column = value` when given.
        func count(_ table: String, _ only: (column: String, value: String)? = nil) async throws -> [Count] {
            var query = sql.select().column(SQLColumn("program_id", table: "p")).column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("n")))
                .from(SQLAlias(SQLIdentifier(table), as: SQLIdentifier("t")))
                .join(SQLAlias(SQLIdentifier(MatchingTables.pairs), as: SQLIdentifier("p")), method: SQLJoinMethod.inner,
                      on: SQLColumn("id", table: "p"), .equal, SQLColumn("pair_id", table: "t"))
            if let only { query = query.where(SQLColumn(only.column, table: "t"), .equal, SQLBind(only.value)) }
            return try await query.groupBy(SQLColumn("program_id", table: "p")).all(decoding: Count.self)
        }
        var out: [UUID: ProgramHeadline.Activity] = [:]
        for c in try await count(PartnershipTables.meetings, ("status", MeetingStatus.held.rawValue)) { out[c.program_id, default: .init()].meetingsHeld = c.n }
        for c in try await count(PartnershipTables.checkIns, ("kind", CheckInKind.regular.rawValue)) { out[c.program_id, default: .init()].checkIns = c.n }
        for c in try await count(PartnershipTables.texts, ("kind", TextKind.insight.rawValue)) { out[c.program_id, default: .init()].insights = c.n }
        for c in try await count(PartnershipTables.actions, ("status", ActionStatus.done.rawValue)) { out[c.program_id, default: .init()].actionsDone = c.n }
        for c in try await count(PartnershipTables.actions) { out[c.program_id, default: .init()].actions = c.n }
        return out
    }

    func guidance(_ programID: UUID) async throws -> Guidance {
        guard let row = try await sql.select().column("*").from(PartnershipTables.guidance).where("program_id", .equal, programID).first() else {
            return .standard
        }
        return Guidance(senior: try row.decode(column: "senior", as: String.self), junior: try row.decode(column: "junior", as: String.self))
    }

    /// Every pair a person is in that may hold a partnership.
    func partnerships(of employeeID: String) async throws -> [Unredacted<Partnership>] {
        var out: [Unredacted<Partnership>] = []
        for pair in try await MatchingReads(db: db).pairs(of: employeeID) where pair.status.mayHavePartnership {
            if let p = try await partnership(pair.id) { out.append(p) }
        }
        return out
    }
}
