import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// The messages table: what is to be sent to whom, and what became of it. A message is queued with the
/// change that causes it (same transaction) under an idempotency key, so the same message is never
/// queued twice; the outbox's delivery job renders it when it is due and hands it over.
///
/// Delivery is at least once: a message is marked `sending` (with a time after which it counts as
/// abandoned) before it is handed to the relay and `sent` right after; a worker that dies in between
/// leaves it `sending`, and it goes again once that time has passed. Nothing else sends it twice.
enum Messages {
    static let table = "messages"
    /// Waits after each failed attempt (4xx, no connection); after the last, the message is given up.
    static let backoff: [TimeInterval] = [60, 300, 1_800, 7_200]
    /// How long a message may stay `sending` before it counts as abandoned by a worker that died.
    static let abandonedAfter: TimeInterval = 600

    enum Kind: String, Sendable, CaseIterable {
        /// A sign-in link for someone enrolled in a program who has no login yet.
        case invitation
    }

    enum Status: String, Sendable, CaseIterable {
        case queued, sending, sent
        /// No `SMTP_URL`: kept here and shown, not sent.
        case kept
        /// Refused for good, or given up after the retries.
        case failed
    }

    struct Row: Codable, Sendable {
        var id: UUID
        var kind: String
        var dedupe_key: String
        var employee_id: String?
        var email: String
        var program_id: UUID?
        var subject: String?
        var status: String
        var attempts: Int
        var next_at: Double
        var last_error: String?
        var created_at: Double
        var sent_at: Double?
    }

    /// Queues a message inside the caller's transaction; `false` when one under `key` exists already.
    static func queue(_ kind: Kind, to email: String, employeeID: String?, programID: UUID?, key: String, now: Date, on db: any Database) async throws -> Bool {
        let sql = db as! any SQLDatabase
        let inserted = try await sql.raw("""
            INSERT INTO \(ident: table) (id, kind, dedupe_key, employee_id, email, program_id, status, attempts, next_at, created_at)
            VALUES (\(bind: UUID()), \(bind: kind.rawValue), \(bind: key), \(bind: employeeID), \(bind: email), \(bind: programID),
                    \(bind: Status.queued.rawValue), 0, \(bind: now.timeIntervalSince1970), \(bind: now.timeIntervalSince1970))
            ON CONFLICT (dedupe_key) DO NOTHING RETURNING id
            """).first() != nil
        if inserted { try await Outbox.enqueue(.deliverMessages, dedupeKey: Outbox.Kind.deliverMessages.rawValue, runAt: now, on: db) }
        return inserted
    }

    /// Takes up to `limit` due messages (queued and due, or abandoned mid-send), marking them `sending`.
    static func take(limit: Int, now: Date, on db: any Database) async throws -> [Row] {
        let t = now.timeIntervalSince1970
        return try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            let skipLocked: SQLQueryString = sql.dialect.name == "sqlite" ? "" : " FOR UPDATE SKIP LOCKED"
            return try await sql.raw("""
                UPDATE \(ident: table) SET status = \(bind: Status.sending.rawValue), next_at = \(bind: t + abandonedAfter), attempts = attempts + 1
                WHERE id IN (SELECT id FROM \(ident: table) WHERE status IN (\(bind: Status.queued.rawValue), \(bind: Status.sending.rawValue))
                             AND next_at <= \(bind: t) ORDER BY next_at LIMIT \(bind: limit)\(skipLocked))
                RETURNING *
                """).all(decoding: Row.self)
        }
    }

    /// Records what became of a message.
    static func record(_ id: UUID, status: Status, subject: String?, error: String?, nextAt: Date?, now: Date, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.raw("""
            UPDATE \(ident: table) SET status = \(bind: status.rawValue), subject = COALESCE(\(bind: subject), subject),
              last_error = \(bind: error.map { String($0.prefix(500)) }), next_at = \(bind: (nextAt ?? now).timeIntervalSince1970),
              sent_at = \(bind: status == .sent || status == .kept ? now.timeIntervalSince1970 : nil)
            WHERE id = \(bind: id)
            """).run()
    }

    /// When the next message falls due (to schedule the next delivery run), if any is waiting.
    static func nextDue(on db: any Database) async throws -> Date? {
        let sql = db as! any SQLDatabase
        struct Next: Decodable { var next: Double? }
        let next = try await sql.raw("""
            SELECT MIN(next_at) AS next FROM \(ident: table) WHERE status IN (\(bind: Status.queued.rawValue), \(bind: Status.sending.rawValue))
            """).first(decoding: Next.self)?.next
        return next.map(Date.init(timeIntervalSince1970:))
    }

    /// The newest messages, for the outgoing messages page.
    static func newest(limit: Int, on db: any Database) async throws -> [Row] {
        try await (db as! any SQLDatabase).select().column("*").from(table).orderBy("created_at", .descending).orderBy("id").limit(limit).all(decoding: Row.self)
    }
}

/// Core's `ProgramInvitationStore` on the database: the invitations are queued messages, in the same
/// transaction as the program's row is held.
struct FluentProgramInvitationStore: ProgramInvitationStore {
    let db: any Database
    var audit: AuditTrail

    func atomically<T: Sendable>(_ body: @escaping @Sendable (any ProgramInvitationWork) async throws -> T) async throws -> T {
        let audit = self.audit
        return try await db.writeTransaction { tx in try await body(Work(tx: tx, audit: audit)) }
    }

    struct Work: ProgramInvitationWork {
        let tx: any Database
        var audit: AuditTrail
        var sql: any SQLDatabase { tx as! any SQLDatabase }

        func heldProgram(_ id: UUID) async throws -> Program? { try await ProgramService.heldProgram(id, on: tx) }

        func peopleWithoutLogin(in programID: UUID) async throws -> [Invitee] {
            struct Row: Decodable { var employee_id: String; var email: String; var status: String }
            let rows = try await sql.raw("""
                SELECT p.employee_id, p.email, p.status FROM \(ident: EnrolmentModel.schema) e
                JOIN \(ident: PersonModel.schema) p ON p.employee_id = e.employee_id
                WHERE e.program_id = \(bind: programID)
                  AND NOT EXISTS (SELECT 1 FROM \(ident: UserModel.schema) u WHERE u.employee_id = p.employee_id)
                ORDER BY p.employee_id
                """).all(decoding: Row.self)
            return rows.filter { EmploymentStatus(rawValue: $0.status)?.keepsAccess ?? false }.filter { MailAddress.plausible($0.email) }
                .map { Invitee(employeeID: $0.employee_id, email: $0.email) }
        }

        func queueInvitation(to invitee: Invitee, programID: UUID, key: String, now: Date) async throws -> Bool {
            let queued = try await Messages.queue(.invitation, to: invitee.email, employeeID: invitee.employeeID, programID: programID, key: key, now: now, on: tx)
            if queued { try await audit.record(.invitationQueued, "person", invitee.employeeID, "sign-in invitation queued", on: tx) }
            return queued
        }
    }
}
