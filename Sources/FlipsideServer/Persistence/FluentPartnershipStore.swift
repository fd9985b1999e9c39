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
    }
}

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

    /// The health flags of a program's running partnerships, read without their words.
    func health(in programID: UUID, now: Date) async throws -> [(MentoringPair, [HealthFlag])] {
        let pairs = try await MatchingReads(db: db).pairs(in: programID).filter(\.status.isRunning)
        guard let program = try await ProgramModel.find(programID, on: db)?.program else { return [] }
        return try await forFigures(pairs, in: program, insights: false).map { ($0.pair, $0.flags(now: now)) }
    }

    /// Many pairs' partnerships at once, for figures: agreements (without their goals' words), meetings,
    /// check-ins and actions read in bulk (500 pairs a query), and of the texts only the insights' ids and
    /// times — never any words.
    func forFigures(_ pairs: [MentoringPair], in program: Program, insights: Bool = true) async throws -> [Partnership] {
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
                .where("pair_id", .in, chunk).where("status", .in, [MeetingStatus.held.rawValue, MeetingStatus.cancelled.rawValue])
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

    struct ProgramCounts: Sendable { var meetingsHeld = 0, checkIns = 0, insights = 0, actions = 0, actionsDone = 0 }

    /// Per program: meetings held, regular check-ins, insights, actions planned and done — counted by the
    /// database (grouped queries over the pairs), never rows read one by one.
    func countsByProgram() async throws -> [UUID: ProgramCounts] {
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
        var out: [UUID: ProgramCounts] = [:]
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

// MARK: Rows

struct AgreementRow: Codable, Sendable {
    var id: UUID
    var pair_id: UUID
    var number: Int
    var author_id: String
    var goals: String
    var rhythm: String
    var visibility: String
    var end_date: String?
    var created_at: Double
    var mentee_accepted_at: Double?
    var mentor_accepted_at: Double?

    init(_ v: AgreementVersion) throws {
        id = v.id
        pair_id = v.pairID
        number = v.number
        author_id = v.authorID
        goals = try StoredJSON.encode(v.goals)
        rhythm = try StoredJSON.encode(v.rhythm)
        visibility = v.visibility.rawValue
        end_date = v.rhythm.endDate?.description
        created_at = v.createdAt.timeIntervalSince1970
        mentee_accepted_at = v.menteeAcceptedAt?.timeIntervalSince1970
        mentor_accepted_at = v.mentorAcceptedAt?.timeIntervalSince1970
    }

    func version() throws -> AgreementVersion {
        AgreementVersion(id: id, pairID: pair_id, number: number, authorID: author_id, goals: try StoredJSON.decode([Goal].self, goals),
                         rhythm: try StoredJSON.decode(Rhythm.self, rhythm), visibility: TextVisibility(rawValue: visibility) ?? .onlyMe,
                         createdAt: Date(timeIntervalSince1970: created_at), menteeAcceptedAt: mentee_accepted_at.map(Date.init(timeIntervalSince1970:)),
                         mentorAcceptedAt: mentor_accepted_at.map(Date.init(timeIntervalSince1970:)))
    }
}

struct MeetingRow: Codable, Sendable {
    var id: UUID
    var pair_id: UUID
    var occurrence: Double
    var status: String
    var moved_to: Double?
    var logged_by: String
    var logged_at: Double

    init(_ m: MeetingLog) {
        id = UUID()
        pair_id = m.pairID
        occurrence = m.occurrence.timeIntervalSince1970
        status = m.status.rawValue
        moved_to = m.movedTo?.timeIntervalSince1970
        logged_by = m.loggedBy
        logged_at = m.loggedAt.timeIntervalSince1970
    }

    var log: MeetingLog {
        MeetingLog(pairID: pair_id, occurrence: Date(timeIntervalSince1970: occurrence), status: MeetingStatus(rawValue: status) ?? .held,
                   movedTo: moved_to.map(Date.init(timeIntervalSince1970:)), loggedBy: logged_by, loggedAt: Date(timeIntervalSince1970: logged_at))
    }
}

struct CheckInRow: Codable, Sendable {
    var id: UUID
    var pair_id: UUID
    var author_id: String
    var side: String
    var kind: String
    var at: Double
    var meeting: Double?
    var period: Int
    var slot: String
    var satisfaction: Int?
    var direction: String?
    var progress: String
    var listened: Int?
    var overall_value: Int?
    var would_again: Bool?

    init(_ c: CheckIn) throws {
        id = c.id
        pair_id = c.pairID
        author_id = c.authorID
        side = c.side.rawValue
        kind = c.kind.rawValue
        at = c.at.timeIntervalSince1970
        meeting = c.meeting?.timeIntervalSince1970
        period = c.period
        slot = c.slot
        satisfaction = c.satisfaction
        direction = c.direction?.rawValue
        progress = try StoredJSON.encode(Dictionary(uniqueKeysWithValues: c.progress.map { ($0.key.uuidString.lowercased(), $0.value) }))
        listened = c.listened
        overall_value = c.overallValue
        would_again = c.wouldAgain
    }

    func checkIn() throws -> CheckIn {
        let raw = try StoredJSON.decode([String: Int].self, progress)
        return CheckIn(id: id, pairID: pair_id, authorID: author_id, side: EnrolmentRole(rawValue: side) ?? .mentee, kind: CheckInKind(rawValue: kind) ?? .regular,
                       at: Date(timeIntervalSince1970: at), meeting: meeting.map(Date.init(timeIntervalSince1970:)), period: period,
                       satisfaction: satisfaction, direction: direction.flatMap(Direction.init(rawValue:)),
                       progress: Dictionary(uniqueKeysWithValues: raw.compactMap { k, v in UUID(uuidString: k).map { ($0, v) } }),
                       listened: listened, overallValue: overall_value, wouldAgain: would_again)
    }
}

struct PairTextRow: Codable, Sendable {
    var id: UUID
    var pair_id: UUID
    var kind: String
    var author_id: String
    var visibility: String
    var body: String
    var created_at: Double
    var about: String?

    init(_ t: PairText) {
        id = t.id
        pair_id = t.pairID
        kind = t.kind.rawValue
        author_id = t.authorID
        visibility = t.visibility.rawValue
        body = t.body
        created_at = t.createdAt.timeIntervalSince1970
        about = t.about?.description
    }

    /// An unknown visibility reads as `only_me`: when in doubt, nobody else reads it.
    var text: PairText {
        PairText(id: id, pairID: pair_id, kind: TextKind(rawValue: kind) ?? .note, authorID: author_id,
                 visibility: TextVisibility(rawValue: visibility) ?? .onlyMe, body: body, createdAt: Date(timeIntervalSince1970: created_at),
                 about: about.flatMap(TextSubject.init))
    }
}

struct ActionRow: Codable, Sendable {
    var id: UUID
    var pair_id: UUID
    var author_id: String
    var insight_id: UUID?
    var kind: String
    var due: String?
    var status: String
    var visibility: String
    var created_at: Double
    var updated_at: Double
    var done_at: Double?

    init(_ a: ActionItem) {
        id = a.id
        pair_id = a.pairID
        author_id = a.authorID
        insight_id = a.insightID
        kind = a.kind.rawValue
        due = a.due?.description
        status = a.status.rawValue
        visibility = a.visibility.rawValue
        created_at = a.createdAt.timeIntervalSince1970
        updated_at = a.updatedAt.timeIntervalSince1970
        done_at = a.doneAt?.timeIntervalSince1970
    }

    var action: ActionItem {
        ActionItem(id: id, pairID: pair_id, authorID: author_id, insightID: insight_id, kind: ActionKind(rawValue: kind) ?? .other,
                   due: due.flatMap(CalendarDate.init(iso:)), status: ActionStatus(rawValue: status) ?? .planned,
                   visibility: TextVisibility(rawValue: visibility) ?? .onlyMe, createdAt: Date(timeIntervalSince1970: created_at),
                   updatedAt: Date(timeIntervalSince1970: updated_at), doneAt: done_at.map(Date.init(timeIntervalSince1970:)))
    }
}

// MARK: Concerns, feeds, guidance

/// Core's `ConcernStore` on the database. A concern's row holds its program, the day, the words and the
/// hash of its code — nothing that leads to the person.
struct FluentConcernStore: ConcernStore {
    let db: any Database
    var sql: any SQLDatabase { db as! any SQLDatabase }

    func isEnrolled(_ employeeID: String, in programID: UUID) async throws -> Bool {
        try await EnrolmentService(db: db).enrolment(of: employeeID, in: programID) != nil
    }

    func programExists(_ programID: UUID) async throws -> Bool { try await ProgramModel.find(programID, on: db) != nil }

    func insert(_ concern: Concern, code: String) async throws {
        try await sql.insert(into: PartnershipTables.concerns)
            .columns("id", "program_id", "raised_on", "body", "code_hash", "answered")
            .values(SQLBind(concern.id), SQLBind(concern.programID), SQLBind(concern.raisedOn.description), SQLBind(concern.body),
                    SQLBind(TokenHash.of(code)), SQLBind(false)).run()
    }

    func concern(code: String) async throws -> Concern? {
        try await sql.select().column("*").from(PartnershipTables.concerns).where("code_hash", .equal, TokenHash.of(code)).first().map(Self.concern)
    }

    func concern(_ id: UUID, in programID: UUID) async throws -> Concern? {
        try await sql.select().column("*").from(PartnershipTables.concerns).where("id", .equal, id).where("program_id", .equal, programID)
            .first().map(Self.concern)
    }

    func messages(of concernID: UUID) async throws -> [ConcernMessage] {
        try await sql.select().column("*").from(PartnershipTables.concernMessages).where("concern_id", .equal, concernID).orderBy("position").all().map { row in
            ConcernMessage(id: try row.decode(column: "id", as: UUID.self), concernID: concernID,
                           from: ConcernMessage.From(rawValue: try row.decode(column: "sender", as: String.self)) ?? .team,
                           body: try row.decode(column: "body", as: String.self),
                           on: CalendarDate(iso: try row.decode(column: "sent_on", as: String.self)) ?? CalendarDate(year: 1970, month: 1, day: 1)!)
        }
    }

    func insert(_ message: ConcernMessage) async throws {
        try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            let count = try await sql.raw("SELECT COUNT(*) AS n FROM \(ident: PartnershipTables.concernMessages) WHERE concern_id = \(bind: message.concernID)")
                .first()?.decode(column: "n", as: Int.self) ?? 0
            try await sql.insert(into: PartnershipTables.concernMessages).columns("id", "concern_id", "sender", "body", "sent_on", "position")
                .values(SQLBind(message.id), SQLBind(message.concernID), SQLBind(message.from.rawValue), SQLBind(message.body),
                        SQLBind(message.on.description), SQLBind(count)).run()
            try await sql.update(PartnershipTables.concerns).set("answered", to: message.from == .team).where("id", .equal, message.concernID).run()
        }
    }

    func concerns(in programID: UUID) async throws -> [Concern] {
        try await sql.select().column("*").from(PartnershipTables.concerns).where("program_id", .equal, programID)
            .orderBy("raised_on", .descending).all().map(Self.concern)
    }

    static func concern(_ row: any SQLRow) throws -> Concern {
        Concern(id: try row.decode(column: "id", as: UUID.self), programID: try row.decode(column: "program_id", as: UUID.self),
                raisedOn: CalendarDate(iso: try row.decode(column: "raised_on", as: String.self)) ?? CalendarDate(year: 1970, month: 1, day: 1)!,
                body: try row.decode(column: "body", as: String.self), answered: try row.decode(column: "answered", as: Bool.self))
    }
}

/// Core's `CalendarFeedStore` on the database: one secret feed address per person, stored as a hash.
struct FluentCalendarFeedStore: CalendarFeedStore {
    let db: any Database
    var sql: any SQLDatabase { db as! any SQLDatabase }

    func replaceFeed(of employeeID: String, token: String, at: Date) async throws {
        try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.delete(from: PartnershipTables.feeds).where("employee_id", .equal, employeeID).run()
            try await sql.insert(into: PartnershipTables.feeds).columns("employee_id", "token_hash", "created_at")
                .values(SQLBind(employeeID), SQLBind(TokenHash.of(token)), SQLBind(at.timeIntervalSince1970)).run()
        }
    }

    func removeFeed(of employeeID: String) async throws {
        try await sql.delete(from: PartnershipTables.feeds).where("employee_id", .equal, employeeID).run()
    }

    func hasFeed(_ employeeID: String) async throws -> Bool {
        try await sql.select().column("employee_id").from(PartnershipTables.feeds).where("employee_id", .equal, employeeID).first() != nil
    }

    func feedOwner(token: String) async throws -> String? {
        try await sql.select().column("employee_id").from(PartnershipTables.feeds).where("token_hash", .equal, TokenHash.of(token)).first()?
            .decode(column: "employee_id", as: String.self)
    }
}
