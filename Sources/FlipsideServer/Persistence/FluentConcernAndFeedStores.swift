import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// Core's `ConcernStore` on the database. A concern's row holds its program, the day, the words and the
/// hash of its code — nothing that leads to the person.
struct FluentConcernStore: ConcernStore {
    let db: any Database
    var sql: any SQLDatabase { db as! any SQLDatabase }

    func isEnrolled(_ employeeID: String, in programID: UUID) async throws -> Bool {
        try await EnrolmentService(db: db).enrolment(of: employeeID, in: programID) != nil
    }

    func programExists(_ programID: UUID) async throws -> Bool { try await ProgramModel.find(programID, on: db) != nil }

    func insert(_ concern: Concern, code: String, notices: [Notice]) async throws {
        try await db.writeTransaction { tx in
            try await (tx as! any SQLDatabase).insert(into: PartnershipTables.concerns)
                .columns("id", "program_id", "raised_on", "body", "code_hash", "answered")
                .values(SQLBind(concern.id), SQLBind(concern.programID), SQLBind(concern.raisedOn.description), SQLBind(concern.body),
                        SQLBind(TokenHash.of(code)), SQLBind(false)).run()
            try await Messages.queue(notices, on: tx)
        }
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
