import Fluent
import FlipsideCore
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

    /// Why this login may not be used, or `nil` when it may: a login linked to a person who has left is
    /// refused; coordinators' own logins that match no person are unaffected.
    static func refusal(for user: UserModel, on db: any Database) async throws -> APIError? {
        guard let employeeID = user.employeeID,
              let raw = try await PersonModel.query(on: db).filter(\.$employeeID == employeeID).field(\.$status).first()?.status,
              let status = EmploymentStatus(rawValue: raw), !status.keepsAccess else { return nil }
        return accessEnded
    }

    static let accessEnded = APIError(.forbidden, code: "access_ended",
                                      "This login belongs to someone who has left the organisation, so it no longer signs in. If that is wrong, ask HR to correct the record.")
}

/// Signs page requests in from the session, unless the login's person has left since.
struct ActiveSessionAuthenticator: AsyncSessionAuthenticator {
    typealias User = UserModel

    func authenticate(sessionID: UUID, for request: Request) async throws {
        guard let user = try await UserModel.find(sessionID, on: request.db),
              try await AccessEnding.refusal(for: user, on: request.db) == nil else { return }
        request.auth.login(user)
    }
}
