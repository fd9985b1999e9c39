import Fluent
import Foundation
import SQLKit
import Vapor

/// Counts sign-in attempts per email and per client address in the database, so that every server
/// instance enforces one limit. An attempt is *reserved* (counted) with one atomic upsert before the
/// password is checked, and handed back when the password was right; so however many requests arrive
/// at once, at most `limit` wrong passwords are ever checked within a window. (Reading the failures
/// first and writing the new one after, as before, let 40 parallel guesses all through.) Its writes go
/// through `writeTransaction`: on SQLite a sign-in queues for the writer without holding its event loop's
/// connection (a plain statement there waited for SQLite's lock on it, and every request on that loop
/// with it, behind a large import), and a bounded wait ends in 503.
struct LoginLimiter {
    static let table = "login_attempts"
    let db: any Database
    /// Attempts allowed per key within `window`.
    let window: TimeInterval

    /// Counts one more attempt for `key` and returns the number counted in the current window (this one
    /// included). A window starts with its first attempt and ends `window` seconds later.
    func reserve(_ key: String, now: Date) async throws -> Int {
        let nowSeconds = now.timeIntervalSince1970
        let since = nowSeconds - window
        let row = try await db.writeTransaction { tx in
            try await (tx as! any SQLDatabase).raw("""
                INSERT INTO \(ident: Self.table) (attempt_key, attempts, window_start) VALUES (\(bind: key), 1, \(bind: nowSeconds))
                ON CONFLICT (attempt_key) DO UPDATE SET
                  attempts = CASE WHEN \(ident: Self.table).window_start <= \(bind: since) THEN 1 ELSE \(ident: Self.table).attempts + 1 END,
                  window_start = CASE WHEN \(ident: Self.table).window_start <= \(bind: since) THEN \(bind: nowSeconds) ELSE \(ident: Self.table).window_start END
                RETURNING attempts
                """).first()
        }
        guard let row else { throw LimiterError() }
        return try row.decode(column: "attempts", as: Int.self)
    }

    /// Whether `key` has used up `limit` attempts in its current window: a read, so that a flood of
    /// refused attempts writes nothing. Only a fast path for refusing: `reserve` decides the rest.
    func isLocked(_ key: String, limit: Int, now: Date) async throws -> Bool {
        guard let row = try await sql.raw("""
            SELECT attempts, window_start FROM \(ident: Self.table) WHERE attempt_key = \(bind: key)
            """).first() else { return false }
        let attempts = try row.decode(column: "attempts", as: Int.self)
        let start = try row.decode(column: "window_start", as: Double.self)
        return attempts >= limit && start > now.timeIntervalSince1970 - window
    }

    /// Hands back an attempt that turned out to be a right password: it does not count as a failure.
    func release(_ keys: [String]) async throws {
        guard !keys.isEmpty else { return }
        try await db.writeTransaction { tx in
            try await (tx as! any SQLDatabase).raw("UPDATE \(ident: Self.table) SET attempts = attempts - 1 WHERE attempt_key IN (\(binds: keys)) AND attempts > 0").run()
        }
    }

    /// Drops counters whose window is over (the outbox's clean-up; a stale counter is reset anyway on its
    /// next attempt).
    func prune(now: Date) async throws {
        try await sql.raw("DELETE FROM \(ident: Self.table) WHERE window_start <= \(bind: now.timeIntervalSince1970 - window)").run()
    }

    static func emailKey(_ email: String) -> String { "email:" + email }
    static func addressKey(_ address: String) -> String { "address:" + address }

    static func concernCodeKey(_ address: String) -> String { "concern_code:" + ClientAddress.limitKey(address) }

    struct LimiterError: Error {}

    private var sql: any SQLDatabase { db as! any SQLDatabase }
}

extension Request {
    /// Reading a concern needs only its code: wrong codes are limited per client address (its /64 for
    /// IPv6) like sign-ins, so codes cannot be guessed at thousands a second. An attempt is counted
    /// before the code is looked up and handed back when the code was right.
    func limitingConcernCodeGuesses<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        guard let address = clientAddress else { return try await body() }
        let config = application.appConfig
        let limiter = LoginLimiter(db: db, window: config.loginWindow)
        let key = LoginLimiter.concernCodeKey(address)
        let minutes = Int((config.loginWindow / 60).rounded(.up))
        let refusal = APIError(.tooManyRequests, code: "too_many_attempts", "Too many wrong concern codes from your network. Try again in \(minutes) minutes.")
        if try await limiter.isLocked(key, limit: config.concernCodeLimit, now: flipside.now) { throw refusal }
        if try await limiter.reserve(key, now: flipside.now) > config.concernCodeLimit { throw refusal }
        let result = try await body()
        try await limiter.release([key])
        return result
    }
}
