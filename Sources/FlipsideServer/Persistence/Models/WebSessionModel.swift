import Fluent
import Foundation

/// A signed-in (or CSRF-carrying) browser session. The cookie holds the key; only its SHA-256 is stored.
final class WebSessionModel: Model, @unchecked Sendable {
    static let schema = "web_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "key_hash") var keyHash: String
    /// The session's data as a JSON object of strings.
    @Field(key: "data") var data: String
    @Field(key: "expires_at") var expiresAt: Date
    /// The login signed in with this session, if any: ending someone's access ends their sessions.
    @OptionalField(key: "user_id") var userID: UUID?

    init() {}

    init(keyHash: String, data: String, expiresAt: Date, userID: UUID?) {
        self.keyHash = keyHash
        self.data = data
        self.expiresAt = expiresAt
        self.userID = userID
    }
}
