import Fluent
import Foundation
import SQLKit
import Vapor

/// Database sessions with a fixed lifetime from sign-in: an expired session reads as none, however old
/// the cookie presenting it. A new session asks the outbox for the clean-up that deletes expired rows
/// (`OutboxWorker.cleanUpExpired`).
struct ExpiringSessions: AsyncSessionDriver {
    /// How long a session lives; the cookie is given the same lifetime.
    static let lifetime: TimeInterval = 8 * 3600

    func createSession(_ data: SessionData, for request: Request) async throws -> SessionID {
        let now = request.now
        let key = TokenHash.newToken()
        let row = WebSessionModel(keyHash: TokenHash.of(key), data: try Self.encode(data),
                                  expiresAt: now.addingTimeInterval(Self.lifetime), userID: Self.userID(in: data))
        // Queued as a write (not a statement holding the loop's connection while SQLite's writer is busy).
        try await request.db.writeTransaction { tx in
            try await Outbox.requestCleanUp(now: now, on: tx)
            try await row.create(on: tx)
        }
        return SessionID(string: key)
    }

    /// One query reads the session, the login signed in with it (and whether its person has left) and
    /// the data versions: a signed-in page asks for all three, and each query is a trip to the database's
    /// thread. The login is handed to `ActiveSessionAuthenticator` and the versions to
    /// `Request.dataVersions()` through the request's storage.
    func readSession(_ sessionID: SessionID, for request: Request) async throws -> SessionData? {
        guard let sql = request.db as? any SQLDatabase else { return nil }
        guard let row = try await sql.raw("""
            SELECT s.data, s.user_id, \(AccessEnding.loginColumns), \(DataVersions.listed(on: sql)) AS versions
            FROM \(ident: WebSessionModel.schema) s
            LEFT JOIN \(ident: UserModel.schema) u ON u.id = s.user_id
            \(AccessEnding.personJoin)
            WHERE s.key_hash = \(bind: TokenHash.of(sessionID.string)) AND s.expires_at > \(bind: request.now)
            """).first() else { return nil }
        if let text = try row.decode(column: "versions", as: String?.self) {
            request.storage[DataVersions.ReadWithSessionKey.self] = DataVersions(listed: text)
        }
        if let userID = try row.decode(column: "user_id", as: UUID?.self), try row.decode(column: "id", as: UUID?.self) == userID {
            request.storage[ActiveSessionAuthenticator.ReadWithSessionKey.self] = (userID, try AccessEnding.activeUser(from: row))
        }
        guard let data = try? JSONDecoder().decode([String: String].self, from: Data(try row.decode(column: "data", as: String.self).utf8))
        else { return nil }
        request.storage[ReadSessionKey.self] = data
        return SessionData(initialData: data)
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) async throws -> SessionID {
        // Vapor asks for an update after every request; a page view that changed nothing writes nothing.
        if request.storage[ReadSessionKey.self] == data.snapshot { return sessionID }
        let encoded = try Self.encode(data)
        try await WebSessionModel.query(on: request.db).filter(\.$keyHash == TokenHash.of(sessionID.string))
            .set(\.$data, to: encoded).set(\.$userID, to: Self.userID(in: data)).update()
        return sessionID
    }

    /// The session data as read at the start of this request, to tell whether it changed.
    private struct ReadSessionKey: StorageKey { typealias Value = [String: String] }

    /// The signed-in login in the session's data (Vapor keeps it under `_UserModelSession`).
    static func userID(in data: SessionData) -> UUID? {
        data["_UserModelSession"].flatMap(UUID.init(uuidString:))
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) async throws {
        try await WebSessionModel.query(on: request.db).filter(\.$keyHash == TokenHash.of(sessionID.string)).delete()
    }

    static func encode(_ data: SessionData) throws -> String {
        // Sorted keys: the same data always encodes the same, so an unchanged session is recognised.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(data), as: UTF8.self)
    }
}
