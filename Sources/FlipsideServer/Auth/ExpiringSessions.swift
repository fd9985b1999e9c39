import Fluent
import Foundation
import Vapor

/// Database sessions with a fixed lifetime from sign-in: an expired session reads as none, however old
/// the cookie presenting it. Expired rows are deleted whenever a new session starts, so the table holds
/// only live sessions (plus those that ended since the last sign-in).
struct ExpiringSessions: AsyncSessionDriver {
    /// How long a session lives; the cookie is given the same lifetime.
    static let lifetime: TimeInterval = 8 * 3600

    func createSession(_ data: SessionData, for request: Request) async throws -> SessionID {
        let now = Date()
        try await WebSessionModel.query(on: request.db).filter(\.$expiresAt <= now).delete()
        let key = TokenHash.newToken()
        try await WebSessionModel(keyHash: TokenHash.of(key), data: try Self.encode(data),
                                  expiresAt: now.addingTimeInterval(Self.lifetime)).create(on: request.db)
        return SessionID(string: key)
    }

    func readSession(_ sessionID: SessionID, for request: Request) async throws -> SessionData? {
        guard let row = try await WebSessionModel.query(on: request.db)
            .filter(\.$keyHash == TokenHash.of(sessionID.string)).filter(\.$expiresAt > Date()).first() else { return nil }
        return try? JSONDecoder().decode(SessionData.self, from: Data(row.data.utf8))
    }

    func updateSession(_ sessionID: SessionID, to data: SessionData, for request: Request) async throws -> SessionID {
        try await WebSessionModel.query(on: request.db).filter(\.$keyHash == TokenHash.of(sessionID.string))
            .set(\.$data, to: try Self.encode(data)).update()
        return sessionID
    }

    func deleteSession(_ sessionID: SessionID, for request: Request) async throws {
        try await WebSessionModel.query(on: request.db).filter(\.$keyHash == TokenHash.of(sessionID.string)).delete()
    }

    static func encode(_ data: SessionData) throws -> String {
        String(decoding: try JSONEncoder().encode(data), as: UTF8.self)
    }
}
