import Crypto
import Fluent
import FlipsideCore
import Foundation
import SQLKit
import Vapor

/// Everything stored about one person, for an access request, as the reader may see it: a coordinator
/// gets what the program team may read (a person's private notes are theirs: they download them
/// themselves, from their profile or with their own token).
struct PersonalDataExportDTO: Content {
    struct Login: Content { var email: String; var role: String; var created_at: Date? }
    var exported_at: Date
    var exported_by: String
    var note: String
    var person: PersonDTO
    /// Their HR history: every recorded change of level, department or location, in the order it took effect.
    var employment_history: [EmploymentChangeDTO]
    var login: Login?
    var enrolments: [EnrolmentDTO]
    var partnerships: [PartnershipDTO]
    var pairs_without_partnership: [PairSummary]
    var calendar_feed: Bool
    var teaching_profile: TeachingProfileDTO?
    /// Requests, nominations and invitations they sent or received, as the reader may see them.
    var asks: AsksDTO?
    var audit: [AuditController.EventDTO]

    struct PairSummary: Content { var pair_id: UUID; var program_id: UUID; var mentee_id: String; var mentor_id: String; var status: PairStatus; var created_at: Date }
}

/// One change in a person's HR history.
struct EmploymentChangeDTO: Content {
    struct Placement: Content { var level: Int; var department: String; var location: String }
    var effective: String
    var before: Placement
    var after: Placement
    init(_ c: EmploymentChange) {
        effective = c.effective.description
        before = Placement(level: c.before.level, department: c.before.department, location: c.before.location)
        after = Placement(level: c.after.level, department: c.after.department, location: c.after.location)
    }
}

/// Access requests and erasure (`/people/{id}/data`, `…/erase`, `flipside person export|erase`).
enum PersonalData {
    /// The export, as `actor` may read it.
    static func export(_ employeeID: String, actor: Actor, actorName: String, now: Date, db: any Database) async throws -> PersonalDataExportDTO {
        try AccessPolicy.require(actor, .view, .personalData(employeeID: employeeID))
        guard let person = try await PeopleService(db: db).find(employeeID) else { throw ProfileError.personNotFound(employeeID: employeeID) }
        let user = try await UserModel.logins(of: person, on: db).first()
        let enrolments = try await EnrolmentService(db: db).all(of: employeeID)
        var partnerships: [PartnershipDTO] = [], others: [PersonalDataExportDTO.PairSummary] = []
        let views = try await PartnershipReading.views(of: employeeID, actor: actor, now: now, store: PartnershipReads(db: db))
        let shown = Dictionary(views.filter(\.isPartnership).map { ($0.partnership.pair.id, $0) }, uniquingKeysWith: { a, _ in a })
        for pair in try await MatchingReads(db: db).pairs(of: employeeID) {
            if let view = shown[pair.id] {
                let names = try await PeopleService(db: db).find([pair.menteeID, pair.mentorID]).mapValues(\.name)
                partnerships.append(PartnershipDTO(view, names: names))
            } else {
                others.append(.init(pair_id: pair.id, program_id: pair.programID, mentee_id: pair.menteeID, mentor_id: pair.mentorID,
                                    status: pair.status, created_at: pair.createdAt))
            }
        }
        let feed = try await FluentCalendarFeedStore(db: db).hasFeed(employeeID)
        var events: [AuditEvent] = []
        if let user { events = try await AuditTrail.events(.init(actor: user.email), limit: 10_000, on: db).events }
        let own = actor.employeeID == employeeID
        return PersonalDataExportDTO(
            exported_at: now, exported_by: actorName,
            note: own ? "Everything Flipside stores about you, including the notes only you can read."
                : "Everything Flipside stores about this person that the program team may read. Their private notes and words shared only with their partner are theirs: they download them from their own profile.",
            person: PersonDTO(person),
            employment_history: try await PeopleService(db: db).history(of: employeeID).map(EmploymentChangeDTO.init),
            login: user.map { .init(email: $0.email, role: $0.role, created_at: $0.createdAt) },
            enrolments: enrolments.map(EnrolmentDTO.init), partnerships: partnerships, pairs_without_partnership: others,
            calendar_feed: feed, teaching_profile: try await TeachingProfileRows.one(employeeID, on: db).map(TeachingProfileDTO.init),
            asks: AsksDTO(try await AskViews.views(try await AskRows.of(employeeID, on: db), actor: actor, db: db)), audit: events.filter { $0.actor.lowercased() == user?.email.lowercased() }.map(AuditController.EventDTO.init))
    }

    struct Erased: Content { var pseudonym: String; var texts_deleted: Int; var pairs_ended: Int }

    /// Erases a person on request, in one transaction: their words deleted; their login, sessions,
    /// links and calendar feed removed; their current pairs ended; their name, email, title and
    /// attributes replaced and their employee id replaced by a pseudonym everywhere (enrolments, pairs,
    /// history, check-ins, stored match runs, the audit trail), so that program figures keep counting
    /// them without anyone being able to tell who they were. Recorded in the audit trail.
    static func erase(_ employeeID: String, actor: Actor, audit: AuditTrail, now: Date, db: any Database) async throws -> Erased {
        try AccessPolicy.require(actor, .delete, .personalData(employeeID: employeeID))
        return try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            guard let person = try await PeopleService(db: tx).find(employeeID) else { throw ProfileError.personNotFound(employeeID: employeeID) }
            var random = SystemRandomNumberGenerator()
            let pseudonym = "ERASED-" + String((0..<10).map { _ in "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".randomElement(using: &random)! })
            let email = pseudonym.lowercased() + "@erased.invalid"
            // Ways in.
            try await AccessEnding.end(for: [employeeID], on: tx)
            try await UserModel.logins(of: person, on: tx).delete()
            try await sql.delete(from: PartnershipTables.feeds).where("employee_id", .equal, employeeID).run()
            // Messages to them (their address, what they were about) and their choices.
            try await MessagePreferences.forget(employeeID, on: tx)
            // What they said they could teach.
            try await TeachingProfileRows.forget(employeeID, on: tx)
            // Requests, nominations and invitations they sent or received, with their words.
            try await AskRows.forget(employeeID, on: tx)
            // What the identity provider told us beyond the HR record (user name, its id for them, name parts).
            try await ProvisioningRows.forget(employeeID, on: sql)
            // Their HR history: where they stood when (the pseudonymised record keeps only where they stand now).
            try await EmploymentHistoryRows.forget(employeeID, on: sql)
            // Their words.
            let texts = try await sql.raw("DELETE FROM \(ident: PartnershipTables.texts) WHERE author_id = \(bind: employeeID) RETURNING id").all().count
            // Current pairs end, as for a leaver.
            let current = PairStatus.allCases.filter(\.isCurrent).map(\.rawValue)
            let ended = try await sql.raw("""
                UPDATE \(ident: MatchingTables.pairs) SET status = \(bind: PairStatus.ended.rawValue)
                WHERE status IN (\(binds: current)) AND (mentee_id = \(bind: employeeID) OR mentor_id = \(bind: employeeID)) RETURNING id
                """).all().map { try $0.decode(column: "id", as: UUID.self) }
            try await FluentMatchingStore.insert(ended.map { PairEvent(pairID: $0, status: .ended, at: now, actor: "system", reason: "A person's data was erased on request") }, on: sql)
            // The pseudonym wherever the id was.
            for (table, column) in [("enrolments", "employee_id"), (MatchingTables.pairs, "mentee_id"), (MatchingTables.pairs, "mentor_id"),
                                    (MatchingTables.events, "actor"), (MatchingTables.rules, "mentee_id"), (MatchingTables.rules, "mentor_id"),
                                    (PartnershipTables.agreements, "author_id"), (PartnershipTables.meetings, "logged_by"),
                                    (PartnershipTables.checkIns, "author_id"), (PartnershipTables.actions, "author_id"), ("people", "manager_id")] {
                try await sql.update(table).set(SQLIdentifier(column), to: SQLBind(pseudonym)).where(SQLIdentifier(column), .equal, SQLBind(employeeID)).run()
            }
            // Stored match runs hold the input they used and their explanations: the id, the name and
            // the email are replaced there too, as JSON strings and inside sentences ("The best, P00135
            // (score 95.0 here), is with P01482"), wherever they stand as whole words.
            let replacements = [(employeeID, pseudonym), (person.name, "Erased person"), (person.email, email)]
                .filter { !$0.0.isEmpty }.map { (StoredJSON.inString($0.0), StoredJSON.inString($0.1)) }
            struct RunTexts: Decodable { var id: UUID; var snapshot: String; var result: String? }
            let mentioned = try await sql.raw("""
                SELECT id, snapshot, result FROM \(ident: MatchingTables.runs)
                WHERE snapshot LIKE \(bind: "%" + employeeID.replacingOccurrences(of: "%", with: "") + "%")
                   OR result LIKE \(bind: "%" + employeeID.replacingOccurrences(of: "%", with: "") + "%")
                """).all(decoding: RunTexts.self)
            for run in mentioned {
                func scrubbed(_ text: String) -> String {
                    replacements.reduce(text) { text, pair in WholeWords.replacing(pair.0, with: pair.1, in: text) }
                }
                try await sql.update(MatchingTables.runs).set("snapshot", to: scrubbed(run.snapshot)).set("result", to: run.result.map(scrubbed))
                    .where("id", .equal, run.id).run()
            }
            try await sql.update(AuditTrail.table).set("actor", to: email).where(SQLFunction("LOWER", args: SQLIdentifier("actor")), .equal, SQLBind(person.email.lowercased())).run()
            try await sql.update(AuditTrail.table).set("object_id", to: email).where(SQLFunction("LOWER", args: SQLIdentifier("object_id")), .equal, SQLBind(person.email.lowercased())).run()
            // Sign-in counters are keyed by email: theirs go.
            try await sql.delete(from: LoginLimiter.table).where(SQLFunction("LOWER", args: SQLIdentifier("attempt_key")), .equal, SQLBind(LoginLimiter.emailKey(person.email.lowercased()))).run()
            // The person: kept for the figures (level, department, location, dates, status), nothing that names them.
            var anonymous = Person(employeeID: pseudonym, name: "Erased person", email: email, title: "", level: person.level, hireDate: person.hireDate,
                                   department: person.department, location: person.location, timeZone: person.timeZone, managerID: person.managerID,
                                   status: person.status, exitDate: person.exitDate, attributes: [:])
            if anonymous.managerID == employeeID { anonymous.managerID = nil }
            let row = PersonRow(anonymous)
            try await sql.update(PersonModel.schema)
                .set("employee_id", to: row.employee_id).set("name", to: row.name).set("email", to: row.email).set("title", to: row.title)
                .set("attributes", to: row.attributes).set("search_key", to: row.search_key)
                .where("employee_id", .equal, employeeID).run()
            // Free text anywhere (rule reasons, audit objects and details, keys) that names them.
            try await Self.scrubFreeText(replacing: [(employeeID, pseudonym), (person.name, "Erased person"), (person.email, email),
                                                     (person.email.lowercased(), email)], on: sql)
            // Rows about them (rules they are in, audit lines about them) may name them by first or last
            // name alone ("Ifeoma Kim asked not to be paired with Kofi"): there every part of the name goes.
            let parts = person.name.split(whereSeparator: \.isWhitespace).map(String.init).filter { $0.count >= 2 }
            func scrubParts(_ text: String) -> String { parts.reduce(text) { WholeWords.replacing($1, with: "[erased]", in: $0) } }
            struct Reason: Decodable { var id: UUID; var reason: String? }
            for rule in try await sql.select().columns("id", "reason").from(MatchingTables.rules)
                .where("mentee_id", .equal, pseudonym).orWhere("mentor_id", .equal, pseudonym).all(decoding: Reason.self) {
                if let reason = rule.reason, scrubParts(reason) != reason {
                    try await sql.update(MatchingTables.rules).set("reason", to: scrubParts(reason)).where("id", .equal, rule.id).run()
                }
            }
            struct Line: Decodable { var id: UUID; var object_id: String; var detail: String }
            for line in try await sql.select().columns("id", "object_id", "detail").from(AuditTrail.table)
                .where("detail", .like, "%" + pseudonym + "%").orWhere("object_id", .like, "%" + pseudonym + "%").all(decoding: Line.self)
                where scrubParts(line.detail) != line.detail {
                try await sql.update(AuditTrail.table).set("detail", to: scrubParts(line.detail)).where("id", .equal, line.id).run()
            }
            try await audit.record(.personErased, "person", pseudonym, "texts deleted: \(texts); pairs ended: \(ended.count)", at: now, on: tx)
            return Erased(pseudonym: pseudonym, texts_deleted: texts, pairs_ended: ended.count)
        }
    }
}

extension PersonalData {
    /// Replaces each pair's first text by its second, as whole words, in every text column of every table
    /// (stored runs and the migrations list aside: runs are scrubbed as JSON above). Values are found by
    /// LIKE (a superset), then replaced exactly and written back by their old value, so any table works.
    static func scrubFreeText(replacing pairs: [(String, String)], on sql: any SQLDatabase) async throws {
        let pairs = pairs.filter { !$0.0.isEmpty }
        let columns: [(table: String, column: String)]
        if sql.dialect.name == "sqlite" {
            columns = try await sql.raw("""
                SELECT m.name AS t, p.name AS c FROM sqlite_master m JOIN pragma_table_info(m.name) p
                WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND UPPER(p.type) IN ('TEXT', '')
                """).all().map { (try $0.decode(column: "t", as: String.self), try $0.decode(column: "c", as: String.self)) }
        } else {
            columns = try await sql.raw("""
                SELECT table_name AS t, column_name AS c FROM information_schema.columns
                WHERE table_schema = current_schema() AND data_type IN ('text', 'character varying')
                """).all().map { (try $0.decode(column: "t", as: String.self), try $0.decode(column: "c", as: String.self)) }
        }
        for (table, column) in columns where table != MatchingTables.runs && table != "_fluent_migrations" {
            var query = sql.select().distinct().column(SQLAlias(SQLIdentifier(column), as: SQLIdentifier("v"))).from(table)
            query = query.where { group in
                for (word, _) in pairs {
                    group.orWhere(SQLFunction("LOWER", args: SQLIdentifier(column)), .like, SQLBind("%" + word.lowercased().replacingOccurrences(of: "%", with: "") + "%"))
                }
                return group
            }
            for row in try await query.all() {
                guard let value = try row.decode(column: "v", as: String?.self) else { continue }
                let scrubbed = pairs.reduce(value) { WholeWords.replacing($1.0, with: $1.1, in: $0) }
                if scrubbed != value {
                    try await sql.update(table).set(SQLIdentifier(column), to: SQLBind(scrubbed)).where(SQLIdentifier(column), .equal, SQLBind(value)).run()
                }
            }
        }
    }
}

/// Whole-word replacement: `E1` is replaced in "with E1." and in `"E1"`, not in "E10" or "XE1".
enum WholeWords {
    static func replacing(_ word: String, with replacement: String, in text: String) -> String {
        guard !word.isEmpty, text.contains(word) else { return text }
        var out = ""
        var rest = text[...]
        while let found = rest.range(of: word) {
            let before = found.lowerBound > text.startIndex ? text[text.index(before: found.lowerBound)] : nil
            let after = found.upperBound < text.endIndex ? text[found.upperBound] : nil
            let afterNext = text[found.upperBound...].dropFirst().first
            let whole = !isWordy(before) && !(isWordy(after) || (after == "." && isWordy(afterNext)))
            out += rest[..<found.lowerBound]
            out += whole ? replacement : String(text[found])
            rest = text[found.upperBound...]
        }
        return out + rest
    }

    /// A character that can continue an id, a name or an email.
    private static func isWordy(_ c: Character?) -> Bool {
        guard let c else { return false }
        return c.isLetter || c.isNumber || c == "-" || c == "_" || c == "@"
    }
}
