import Fluent
import Foundation

/// A sign-in link for one person. Only the SHA-256 of its token is stored; it works once, for 7 days,
/// and only while it is the person's newest link.
final class InvitationModel: Model, @unchecked Sendable {
    static let schema = "invitations"

    @ID(key: .id) var id: UUID?
    @Field(key: "employee_id") var employeeID: String
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(employeeID: String, tokenHash: String, expiresAt: Date) {
        self.employeeID = employeeID
        self.tokenHash = tokenHash
        self.expiresAt = expiresAt
    }
}
