import Fluent
import Foundation
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

    func readSession(_ sessionID: SessionID, for request: Request) async throws -> SessionData? {
        guard let row = try await WebSessionModel.query(on: request.db)
            .filter(\.$keyHash == TokenHash.of(sessionID.string)).filter(\.$expiresAt > request.now).first() else { return nil }
        guard let data = try? JSONDecoder().decode(SessionData.self, from: Data(row.data.utf8)) else { return nil }
        request.storage[ReadSessionKey.self] = try Self.encode(data)
        return data
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) async throws -> SessionID {
        // Vapor asks for an update after every request; a page view that changed nothing writes nothing.
        let encoded = try Self.encode(data)
        if request.storage[ReadSessionKey.self] == encoded { return sessionID }
        try await WebSessionModel.query(on: request.db).filter(\.$keyHash == TokenHash.of(sessionID.string))
            .set(\.$data, to: encoded).set(\.$userID, to: Self.userID(in: data)).update()
        return sessionID
    }

    /// The session data as read at the start of this request, to tell whether it changed.
    private struct ReadSessionKey: StorageKey { typealias Value = String }

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
