import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// Later work, stored with the write that causes it and run by `OutboxWorker`s. Any number of workers
/// on one database may drain it: a job is claimed with one statement that skips rows another worker
/// holds (`FOR UPDATE SKIP LOCKED` on PostgreSQL; SQLite has one writer) and leased for a while, so no
/// job runs twice at once, and a job whose worker died runs again when its lease is over.
///
/// A claim is fenced: each claim writes a new token into the job's row, the worker renews its lease
/// while the job runs, and every write the job makes (and its finish or failure) first checks, in the
/// same transaction, that the row still holds its token. A worker that was paused past its lease and
/// lost the job to another can no longer store or finish anything (`OutboxLeaseLost`).
enum Outbox {
    static let table = "outbox_jobs"

    /// What a job does.
    enum Kind: String, Sendable, CaseIterable {
        /// Deletes expired browser sessions, API tokens, sign-in links and sign-in counters.
        case cleanUpExpired = "clean_up_expired"
        /// Computes a queued match run (a large program's run, in the background).
        case computeMatchRun = "compute_match_run"
        /// Renders and sends the messages that are due (`Messages`).
        case deliverMessages = "deliver_messages"
        /// Queues the reminders of the coming hour (`ReminderPlanner`), then asks for the next hour's run.
        case planReminders = "plan_reminders"
    }

    /// A claimed job.
    struct Job: Sendable {
        var id: UUID
        var kind: String
        var payload: String
        var attempts: Int
        /// The token this claim wrote into the row: writes are fenced by it.
        var claim: UUID
        var lease: OutboxLease { OutboxLease(job: id, claim: claim) }
    }

    /// The rows where this claim still holds the job: its token, and the job neither done nor given up.
    static func held(_ job: UUID, by claim: UUID) -> SQLQueryString {
        "id = \(bind: job) AND claim = \(bind: claim) AND done_at IS NULL AND failed_at IS NULL"
    }

    /// Extends a claim's lease; false when the claim is no longer the job's.
    static func renew(_ job: Job, lease: TimeInterval, now: Date, on db: any Database) async throws -> Bool {
        try await (db as! any SQLDatabase).raw("""
            UPDATE \(ident: table) SET locked_until = \(bind: now.timeIntervalSince1970 + lease) WHERE \(held(job.id, by: job.claim)) RETURNING id
            """).first() != nil
    }

    /// Adds a job, inside the caller's transaction when `db` is one. With a `dedupeKey`, a job already
    /// pending under that key is enough: nothing is added.
    static func enqueue(_ kind: Kind, payload: String = "{}", dedupeKey: String? = nil, runAt: Date, on db: any Database) async throws {
        try await enqueue(kind: kind.rawValue, payload: payload, dedupeKey: dedupeKey, runAt: runAt, on: db)
    }

    static func enqueue(kind: String, payload: String, dedupeKey: String?, runAt: Date, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        let conflict: SQLQueryString = dedupeKey == nil ? "" : " ON CONFLICT (dedupe_key) WHERE done_at IS NULL AND failed_at IS NULL DO NOTHING"
        try await sql.raw("""
            INSERT INTO \(ident: table) (id, kind, payload, dedupe_key, run_at, attempts, created_at)
            VALUES (\(bind: UUID()), \(bind: kind), \(bind: payload), \(bind: dedupeKey), \(bind: runAt.timeIntervalSince1970), 0, \(bind: runAt.timeIntervalSince1970))\(conflict)
            """).run()
    }

    /// Claims up to `limit` due jobs for `lease` seconds.
    static func claim(limit: Int, lease: TimeInterval, now: Date, on db: any Database) async throws -> [Job] {
        let sql = db as! any SQLDatabase
        let skipLocked: SQLQueryString = sql.dialect.name == "sqlite" ? "" : " FOR UPDATE SKIP LOCKED"
        let t = now.timeIntervalSince1970
        let claim = UUID()
        let rows = try await sql.raw("""
            UPDATE \(ident: table) SET locked_until = \(bind: t + lease), attempts = attempts + 1, claim = \(bind: claim)
            WHERE id IN (
              SELECT id FROM \(ident: table)
              WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= \(bind: t) AND (locked_until IS NULL OR locked_until <= \(bind: t))
              ORDER BY run_at LIMIT \(bind: limit)\(skipLocked))
            RETURNING id, kind, payload, attempts
            """).all()
        return try rows.map {
            Job(id: try $0.decode(column: "id", as: UUID.self), kind: try $0.decode(column: "kind", as: String.self),
                payload: try $0.decode(column: "payload", as: String.self), attempts: try $0.decode(column: "attempts", as: Int.self), claim: claim)
        }
    }

    /// Marks the job done, if it is still this claim's; false when another worker took it over.
    @discardableResult
    static func finish(_ job: Job, now: Date, on db: any Database) async throws -> Bool {
        try await (db as! any SQLDatabase).raw("""
            UPDATE \(ident: table) SET done_at = \(bind: now.timeIntervalSince1970), locked_until = NULL WHERE \(held(job.id, by: job.claim)) RETURNING id
            """).first() != nil
    }

    /// Records a failure: the job runs again after a back-off, or is given up after `maxAttempts`.
    static func fail(_ job: Job, error: String, maxAttempts: Int, now: Date, on db: any Database) async throws {
        let t = now.timeIntervalSince1970
        let sql = db as! any SQLDatabase
        let message = String(error.prefix(500))
        if job.attempts >= maxAttempts {
            try await sql.raw("""
                UPDATE \(ident: table) SET failed_at = \(bind: t), locked_until = NULL, last_error = \(bind: message)
                WHERE id = \(bind: job.id) AND claim = \(bind: job.claim)
                """).run()
        } else {
            let retryAt = t + min(3600, pow(2, Double(job.attempts)) * 5)
            try await sql.raw("""
                UPDATE \(ident: table) SET run_at = \(bind: retryAt), locked_until = NULL, last_error = \(bind: message)
                WHERE id = \(bind: job.id) AND claim = \(bind: job.claim)
                """).run()
        }
    }
}

/// What a claimed job's writes are fenced by.
public struct OutboxLease: Sendable {
    let job: UUID
    let claim: UUID

    /// Inside the caller's transaction: the job is still this claim's, or `OutboxLeaseLost` (which rolls the
    /// transaction back). On PostgreSQL the row stays locked until the transaction ends, so no other
    /// worker can claim it in between.
    public func hold(on db: any Database) async throws {
        guard try await (db as! any SQLDatabase).raw("""
            UPDATE \(ident: Outbox.table) SET claim = claim WHERE \(Outbox.held(job, by: claim)) RETURNING id
            """).first() != nil else { throw OutboxLeaseLost(job: job) }
    }
}

/// A worker's claim on a job was taken over by another (its lease ran out): nothing it does is kept.
public struct OutboxLeaseLost: Error, CustomStringConvertible {
    var job: UUID
    public var description: String { "the lease on outbox job \(job) was lost to another worker; its work is not kept" }
}
