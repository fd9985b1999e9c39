import Fluent
import FlipsideCore
import Foundation
import Vapor

/// A login. A participant is linked to a person by `employeeID`.
final class UserModel: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "role") var role: String
    @OptionalField(key: "employee_id") var employeeID: String?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(id: UUID? = nil, email: String, passwordHash: String, role: UserRole, employeeID: String?) {
        self.id = id
        self.email = email.lowercased()
        self.passwordHash = passwordHash
        self.role = role.rawValue
        self.employeeID = employeeID
    }

    var userRole: UserRole { UserRole(rawValue: role) ?? .participant }

    /// The login with this email (emails are stored lower-cased), if any.
    static func find(email: String, on db: any Database) async throws -> UserModel? {
        try await query(on: db).filter(\.$email == email.lowercased()).first()
    }

    /// The logins that belong to a person: linked by employee id, or by their email (stored lower-cased).
    static func logins(of person: Person, on db: any Database) -> QueryBuilder<UserModel> {
        query(on: db).group(.or) { $0.filter(\.$employeeID == person.employeeID).filter(\.$email == person.email.lowercased()) }
    }
}

extension UserModel: ModelSessionAuthenticatable {}

/// An API bearer token. Only its SHA-256 is stored, so a database leak reveals no usable token.
final class UserTokenModel: Model, @unchecked Sendable {
    static let schema = "user_tokens"

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: UserModel
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "expires_at") var expiresAt: Date
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(userID: UUID, tokenHash: String, expiresAt: Date) {
        self.$user.id = userID
        self.tokenHash = tokenHash
        self.expiresAt = expiresAt
    }
}
