import Fluent
import FlipsideCore
import SQLKit
import Vapor

/// Ending access for people who have left: every way in closes at once.
enum AccessEnding {
    /// Deletes the API tokens, browser sessions and sign-in links of these people's logins, inside the
    /// caller's transaction (the HR import that marks them `exited`). Their logins stay, refused at sign-in.
    static func end(for employeeIDs: [String], on db: any Database) async throws {
        for start in stride(from: 0, to: employeeIDs.count, by: 500) {
            let chunk = Array(employeeIDs[start..<min(start + 500, employeeIDs.count)])
            let userIDs = try await UserModel.query(on: db).filter(\.$employeeID ~~ chunk).all().compactMap(\.id)
            if !userIDs.isEmpty {
                try await UserTokenModel.query(on: db).filter(\.$user.$id ~~ userIDs).delete()
                try await WebSessionModel.query(on: db).filter(\.$userID ~~ userIDs).delete()
            }
            try await InvitationModel.query(on: db).filter(\.$employeeID ~~ chunk).delete()
        }
    }

    /// Whether this login may no longer be used: a login linked to a person who has left is
    /// refused; coordinators' own logins that match no person are unaffected.
    static func hasEnded(for user: UserModel, on db: any Database) async throws -> Bool {
        guard let employeeID = user.employeeID,
              let raw = try await PersonModel.query(on: db).filter(\.$employeeID == employeeID).field(\.$status).first()?.status,
              let status = EmploymentStatus(rawValue: raw), !status.keepsAccess else { return false }
        return true
    }

    static let accessEnded = APIError(.forbidden, code: "access_ended", SignInError.accessEnded.message)
}

extension AccessEnding {
    /// What `activeUser(from:)` reads: a login `u` and its person's status, from `personJoin`.
    static let loginColumns: SQLQueryString = "u.id, u.email, u.password_hash, u.role, u.employee_id, p.status AS person_status"
    /// Each login `u`'s person `p`, if any.
    static let personJoin: SQLQueryString = "LEFT JOIN \(ident: PersonModel.schema) p ON p.employee_id = u.employee_id"

    /// The login in a row of `loginColumns` (users left-joined to people), or `nil` when its person has left.
    static func activeUser(from row: any SQLRow) throws -> UserModel? {
        if let raw = try row.decode(column: "person_status", as: String?.self),
           let status = EmploymentStatus(rawValue: raw), !status.keepsAccess { return nil }
        let user = UserModel(id: try row.decode(column: "id", as: UUID.self), email: try row.decode(column: "email", as: String.self),
                             passwordHash: try row.decode(column: "password_hash", as: String.self),
                             role: UserRole(rawValue: try row.decode(column: "role", as: String.self)) ?? .participant,
                             employeeID: try row.decode(column: "employee_id", as: String?.self))
        user.$id.exists = true
        return user
    }
}

/// Signs page requests in from the session, unless the login's person has left since: the login and its
/// person's status as read with the session, or one query for them.
struct ActiveSessionAuthenticator: AsyncSessionAuthenticator {
    typealias User = UserModel

    /// The login read with the session (`ExpiringSessions.readSession`): its id, and the login unless
    /// its person has left.
    struct ReadWithSessionKey: StorageKey { typealias Value = (UUID, UserModel?) }

    func authenticate(sessionID: UUID, for request: Request) async throws {
        if let (userID, user) = request.storage[ReadWithSessionKey.self], userID == sessionID {
            if let user { request.auth.login(user) }
            return
        }
        guard let sql = request.db as? any SQLDatabase,
              let row = try await sql.raw("""
                SELECT \(AccessEnding.loginColumns) FROM \(ident: UserModel.schema) u \(AccessEnding.personJoin)
                WHERE u.id = \(bind: sessionID)
                """).first(),
              let user = try AccessEnding.activeUser(from: row) else { return }
        request.auth.login(user)
    }
}
