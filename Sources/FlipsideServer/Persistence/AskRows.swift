import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// Requests, nominations and invitations as rows.
enum AskRows {
    static let table = "asks"

    struct Row: Codable {
        var id: UUID
        var kind: String
        var from_id: String
        var to_id: String
        var program_id: UUID?
        var topics: String
        var message: String
        var status: String
        var waiting_key: String?
        var created_at: Double
        var opened_at: Double?
        var answered_at: Double?

        init(_ a: Ask) {
            id = a.id
            kind = a.kind.rawValue
            from_id = a.fromID
            to_id = a.toID
            program_id = a.programID
            topics = String(decoding: (try? JSONEncoder().encode(a.topics)) ?? Data("[]".utf8), as: UTF8.self)
            message = a.message
            status = a.status.rawValue
            waiting_key = a.status == .sent ? AskRows.waitingKey(a) : nil
            created_at = a.createdAt.timeIntervalSince1970
            opened_at = a.openedAt?.timeIntervalSince1970
            answered_at = a.answeredAt?.timeIntervalSince1970
        }

        var ask: Ask? {
            guard let kind = AskKind(rawValue: kind), let status = AskStatus(rawValue: status) else { return nil }
            return Ask(id: id, kind: kind, fromID: from_id, toID: to_id, programID: program_id,
                       topics: (try? JSONDecoder().decode([Topic].self, from: Data(topics.utf8))) ?? [], message: message, status: status,
                       createdAt: Date(timeIntervalSince1970: created_at), openedAt: opened_at.map(Date.init(timeIntervalSince1970:)),
                       answeredAt: answered_at.map(Date.init(timeIntervalSince1970:)))
        }
    }

    /// One waiting ask per kind, sender (any of the program team, for invitations), person and program.
    static func waitingKey(_ a: Ask) -> String {
        [a.kind.rawValue, a.kind == .invitation ? Ask.programTeam : a.fromID, a.toID, a.programID?.uuidString.lowercased() ?? ""].joined(separator: "|")
    }

    static func one(_ id: UUID, on db: any Database) async throws -> Ask? {
        try await (db as! any SQLDatabase).select().column("*").from(table).where("id", .equal, id).first(decoding: Row.self)?.ask
    }

    /// Everything a person sent or received, newest first.
    static func of(_ employeeID: String, on db: any Database) async throws -> [Ask] {
        try await (db as! any SQLDatabase).select().column("*").from(table)
            .where("from_id", .equal, employeeID).orWhere("to_id", .equal, employeeID)
            .orderBy("created_at", .descending).all(decoding: Row.self).compactMap(\.ask)
    }

    /// A program's invitations.
    static func invitations(in programID: UUID, on db: any Database) async throws -> [Ask] {
        try await (db as! any SQLDatabase).select().column("*").from(table)
            .where("program_id", .equal, programID).where("kind", .equal, AskKind.invitation.rawValue)
            .orderBy("created_at", .descending).all(decoding: Row.self).compactMap(\.ask)
    }

    /// What is kept about a person whose data is erased: nothing they sent or received.
    static func forget(_ employeeID: String, on db: any Database) async throws {
        try await (db as! any SQLDatabase).delete(from: table).where("from_id", .equal, employeeID).orWhere("to_id", .equal, employeeID).run()
    }
}

/// Core's `AskStore` on the database: a write transaction per unit of work, the ask's row held.
struct FluentAskStore: AskStore {
    let db: any Database

    func atomically<T: Sendable>(_ body: @escaping @Sendable (any AskWork) async throws -> T) async throws -> T {
        try await db.writeTransaction { tx in try await body(Work(tx: tx)) }
    }

    struct Work: AskWork {
        let tx: any Database
        var sql: any SQLDatabase { tx as! any SQLDatabase }

        func person(_ employeeID: String) async throws -> Person? { try await PeopleService(db: tx).find(employeeID) }
        func teachingProfile(of employeeID: String) async throws -> TeachingProfile? { try await TeachingProfileRows.one(employeeID, on: tx) }
        func program(_ id: UUID) async throws -> Program? { try await ProgramService.heldProgram(id, on: tx) }

        func role(of employeeID: String, in programID: UUID) async throws -> EnrolmentRole? {
            try await EnrolmentModel.query(on: tx).filter(\.$program.$id == programID).filter(\.$employeeID == employeeID).first()
                .flatMap { EnrolmentRole(rawValue: $0.role) }
        }

        func ask(_ id: UUID) async throws -> Ask? {
            let lock: SQLQueryString = sql.dialect.name == "sqlite" ? "" : " FOR UPDATE"
            return try await sql.raw("SELECT * FROM \(ident: AskRows.table) WHERE id = \(bind: id)\(lock)").first(decoding: AskRows.Row.self)?.ask
        }

        func waiting(kind: AskKind, from fromID: String) async throws -> [Ask] {
            try await sql.select().column("*").from(AskRows.table).where("kind", .equal, kind.rawValue).where("from_id", .equal, fromID)
                .where("status", .equal, AskStatus.sent.rawValue).all(decoding: AskRows.Row.self).compactMap(\.ask)
        }

        func insert(_ ask: Ask) async throws {
            // A second send of the same waiting ask at the same moment meets the unique waiting key.
            let inserted = try await sql.raw("""
                INSERT INTO \(ident: AskRows.table) (id, kind, from_id, to_id, program_id, topics, message, status, waiting_key, created_at, opened_at, answered_at)
                VALUES (\(SQLList(Self.values(AskRows.Row(ask)))))
                ON CONFLICT (waiting_key) DO NOTHING RETURNING id
                """).all()
            if inserted.isEmpty { throw AskError.alreadyAsked }
        }

        static func values(_ r: AskRows.Row) -> [SQLQueryString] {
            ["\(bind: r.id)", "\(bind: r.kind)", "\(bind: r.from_id)", "\(bind: r.to_id)", "\(bind: r.program_id)", "\(bind: r.topics)", "\(bind: r.message)",
             "\(bind: r.status)", "\(bind: r.waiting_key)", "\(bind: r.created_at)", "\(bind: r.opened_at)", "\(bind: r.answered_at)"]
        }

        func update(_ ask: Ask) async throws {
            let r = AskRows.Row(ask)
            try await sql.update(AskRows.table).set("status", to: r.status).set("waiting_key", to: r.waiting_key).set("program_id", to: r.program_id)
                .set("opened_at", to: r.opened_at).set("answered_at", to: r.answered_at).where("id", .equal, r.id).run()
        }

        func notify(_ notices: [Notice]) async throws { try await Messages.queue(notices, on: tx) }
    }
}
