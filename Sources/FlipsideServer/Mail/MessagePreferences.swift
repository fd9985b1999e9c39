import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// Each recipient's choice per kind of message (email by default; none; chat for what goes to a
/// program's channel) and the secret in their one-click unsubscribe links (RFC 8058): a random token
/// per recipient, so a link names no one and cannot be made for somebody else. A recipient is an
/// employee id, or `login:<id>` for a coordinator's login without an HR record.
enum MessagePreferences {
    static let table = "message_preferences"
    static let tokens = "message_tokens"

    static func recipient(employeeID: String?, login: UUID) -> String {
        employeeID ?? "login:\(login.uuidString.lowercased())"
    }

    /// The recipient's stored choices (kinds not listed go by email).
    static func choices(of recipient: String, on db: any Database) async throws -> [NoticeKind: NoticeChannel] {
        struct Row: Decodable { var kind: String; var channel: String }
        let rows = try await (db as! any SQLDatabase).select().column("kind").column("channel").from(table)
            .where("recipient", .equal, recipient).all(decoding: Row.self)
        var out: [NoticeKind: NoticeChannel] = [:]
        for row in rows { if let k = NoticeKind(rawValue: row.kind), let c = NoticeChannel(rawValue: row.channel), k.allows(c) { out[k] = c } }
        return out
    }

    /// Stores a choice (the caller checked it with `NoticeKind.allows`).
    static func set(_ kind: NoticeKind, to channel: NoticeChannel, for recipient: String, now: Date, on db: any Database) async throws {
        try await (db as! any SQLDatabase).raw("""
            INSERT INTO \(ident: table) (recipient, kind, channel, changed_at) VALUES (\(bind: recipient), \(bind: kind.rawValue), \(bind: channel.rawValue), \(bind: now.timeIntervalSince1970))
            ON CONFLICT (recipient, kind) DO UPDATE SET channel = excluded.channel, changed_at = excluded.changed_at
            """).run()
    }

    /// The recipient's unsubscribe token, made the first time it is needed.
    static func token(for recipient: String, now: Date, on db: any Database) async throws -> String {
        let sql = db as! any SQLDatabase
        try await sql.raw("""
            INSERT INTO \(ident: tokens) (recipient, token, created_at) VALUES (\(bind: recipient), \(bind: TokenHash.newToken()), \(bind: now.timeIntervalSince1970))
            ON CONFLICT (recipient) DO NOTHING
            """).run()
        return try await sql.select().column("token").from(tokens).where("recipient", .equal, recipient).first()!.decode(column: "token", as: String.self)
    }

    /// Whose token this is.
    static func recipient(token: String, on db: any Database) async throws -> String? {
        guard token.count == 43, token.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        return try await (db as! any SQLDatabase).select().column("recipient").from(tokens).where("token", .equal, token).first()?
            .decode(column: "recipient", as: String.self)
    }

    /// Everything kept for a recipient (when their data is erased).
    static func forget(_ recipient: String, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        try await sql.delete(from: table).where("recipient", .equal, recipient).run()
        try await sql.delete(from: tokens).where("recipient", .equal, recipient).run()
        try await sql.delete(from: Messages.table).where("recipient", .equal, recipient).run()
    }
}
