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

    enum Status: String, Sendable, CaseIterable {
        case queued, sending, sent
        /// No `SMTP_URL`: kept here and shown, not sent.
        case kept
        /// Refused for good, or given up after the retries.
        case failed
        /// No longer true when it was due (the meeting moved, the pair ended, the person left) or
        /// switched off by its recipient: not sent.
        case withdrawn
    }

    struct Row: Codable, Sendable {
        var id: UUID
        var kind: String
        var dedupe_key: String
        var employee_id: String?
        var recipient: String?
        var email: String
        var program_id: UUID?
        var pair_id: UUID?
        var ref: String?
        var subject: String?
        var status: String
        var attempts: Int
        var next_at: Double
        var last_error: String?
        var created_at: Double
        var sent_at: Double?
    }

    /// A message about to be queued: for whom (recipient key and address), about what, under which key.
    struct Pending: Sendable {
        var kind: NoticeKind
        var recipient: String
        var employeeID: String?
        var email: String
        var programID: UUID?
        var pairID: UUID?
        var ref: String?
        var key: String
        var dueAt: Date
        var madeAt: Date
    }

    /// Queues Core's notices inside the caller's transaction: each person's address read from their HR
    /// record (nobody who left, no address that cannot take mail), each coordinator for a notice to the
    /// coordinators. Returns how many were new (a notice already queued under its key is not again).
    @discardableResult
    static func queue(_ notices: [Notice], on db: any Database) async throws -> Int {
        guard !notices.isEmpty else { return 0 }
        let sql = db as! any SQLDatabase
        var addresses: [String: String] = [:]
        let people = Array(Set(notices.compactMap { if case let .person(id) = $0.recipient { return id } else { return nil } }))
        struct Person: Decodable { var employee_id: String; var email: String; var status: String }
        for chunk in stride(from: 0, to: people.count, by: 500).map({ Array(people[$0..<min($0 + 500, people.count)]) }) {
            for p in try await sql.raw("""
                SELECT employee_id, email, status FROM \(ident: PersonModel.schema) WHERE employee_id IN (\(binds: chunk))
                """).all(decoding: Person.self) where (EmploymentStatus(rawValue: p.status)?.keepsAccess ?? false) && MailAddress.plausible(p.email) {
                addresses[p.employee_id] = p.email
            }
        }
        var coordinators: [(recipient: String, employeeID: String?, email: String)] = []
        if notices.contains(where: { $0.recipient == .coordinators }) {
            struct Login: Decodable { var id: UUID; var email: String; var employee_id: String? }
            coordinators = try await sql.raw("""
                SELECT id, email, employee_id FROM \(ident: UserModel.schema) WHERE role = \(bind: UserRole.coordinator.rawValue) ORDER BY email
                """).all(decoding: Login.self).filter { MailAddress.plausible($0.email) }
                .map { (MessagePreferences.recipient(employeeID: $0.employee_id, login: $0.id), $0.employee_id, $0.email) }
        }
        var pending: [Pending] = []
        for notice in notices {
            switch notice.recipient {
            case let .person(id):
                guard let email = addresses[id] else { continue }
                pending.append(Pending(kind: notice.kind, recipient: id, employeeID: id, email: email, programID: notice.programID,
                                       pairID: notice.pairID, ref: notice.ref, key: notice.key(for: id), dueAt: notice.dueAt, madeAt: notice.madeAt))
            case .coordinators:
                for c in coordinators {
                    pending.append(Pending(kind: notice.kind, recipient: c.recipient, employeeID: c.employeeID, email: c.email, programID: notice.programID,
                                           pairID: notice.pairID, ref: notice.ref, key: notice.key(for: c.recipient), dueAt: notice.dueAt, madeAt: notice.madeAt))
                }
            case .programChat:
                // Only a program with a webhook has a channel; the address is read again when it goes.
                guard let programID = notice.programID, try await ChatWebhooks.url(of: programID, on: db) != nil else { continue }
                let recipient = chatRecipient(programID)
                pending.append(Pending(kind: notice.kind, recipient: recipient, employeeID: nil, email: "chat", programID: notice.programID,
                                       pairID: nil, ref: notice.ref, key: notice.key(for: recipient), dueAt: notice.dueAt, madeAt: notice.madeAt))
            }
        }
        return try await insert(pending, on: db)
    }

    /// The recipient key of a program's chat channel.
    static func chatRecipient(_ programID: UUID) -> String { "chat:\(programID.uuidString.lowercased())" }

    /// Inserts messages (under their keys, once) and schedules the delivery run for when each falls due.
    @discardableResult
    static func insert(_ pending: [Pending], on db: any Database) async throws -> Int {
        let sql = db as! any SQLDatabase
        var inserted = 0
        var due = Set<Int>()
        for start in stride(from: 0, to: pending.count, by: 200) {
            let chunk = pending[start..<min(start + 200, pending.count)]
            let values = SQLList(chunk.map { m -> SQLQueryString in
                """
                (\(bind: UUID()), \(bind: m.kind.rawValue), \(bind: m.key), \(bind: m.employeeID), \(bind: m.recipient), \(bind: m.email), \(bind: m.programID),
                 \(bind: m.pairID), \(bind: m.ref), \(bind: Status.queued.rawValue), 0, \(bind: m.dueAt.timeIntervalSince1970), \(bind: m.madeAt.timeIntervalSince1970))
                """
            })
            struct Inserted: Decodable { var next_at: Double; var created_at: Double }
            let rows = try await sql.raw("""
                INSERT INTO \(ident: table) (id, kind, dedupe_key, employee_id, recipient, email, program_id, pair_id, ref, status, attempts, next_at, created_at)
                VALUES \(values) ON CONFLICT (dedupe_key) DO NOTHING RETURNING next_at, created_at
                """).all(decoding: Inserted.self)
            inserted += rows.count
            // Due at once (made when due) or later, at its own time.
            for row in rows { due.insert(row.next_at <= row.created_at ? 0 : Int(row.next_at.rounded(.up))) }
        }
        let soonest = pending.map(\.madeAt).min() ?? .distantPast
        for at in due {
            if at == 0 {
                try await Outbox.enqueue(.deliverMessages, dedupeKey: Outbox.Kind.deliverMessages.rawValue, runAt: soonest, on: db)
            } else {
                try await Outbox.enqueue(.deliverMessages, dedupeKey: "\(Outbox.Kind.deliverMessages.rawValue)@\(at)", runAt: Date(timeIntervalSince1970: Double(at)), on: db)
            }
        }
        return inserted
    }

    /// Takes up to `limit` due messages (queued and due, or abandoned mid-send), marking them `sending`.
    static func take(limit: Int, now: Date, window: TimeInterval = abandonedAfter, on db: any Database) async throws -> [Row] {
        let t = now.timeIntervalSince1970
        return try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            let skipLocked: SQLQueryString = sql.dialect.name == "sqlite" ? "" : " FOR UPDATE SKIP LOCKED"
            return try await sql.raw("""
                UPDATE \(ident: table) SET status = \(bind: Status.sending.rawValue), next_at = \(bind: t + window), attempts = attempts + 1
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
            let queued = try await Messages.insert([Messages.Pending(kind: .invitation, recipient: invitee.employeeID, employeeID: invitee.employeeID,
                                                                     email: invitee.email, programID: programID, key: key, dueAt: now, madeAt: now)], on: tx) == 1
            if queued { try await audit.record(.invitationQueued, "person", invitee.employeeID, "sign-in invitation queued", on: tx) }
            return queued
        }
    }
}
