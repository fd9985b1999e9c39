import Fluent
import FlipsideCore
import Foundation
import SQLKit
import Vapor

/// Sign-in links: a coordinator makes one for a person and passes it on; the person opens it and sets
/// a password. The same link resets a forgotten password. A new link replaces the person's earlier ones.
struct InvitationService {
    static let lifetime: TimeInterval = 7 * 24 * 3600
    let db: any Database
    let clock: any WallClock

    /// A new link for a person still employed; returns the token (shown once) and when it expires.
    func invite(_ employeeID: String) async throws -> (token: String, expiresAt: Date) {
        guard let person = try await PeopleService(db: db).find(employeeID) else { throw APIError.notFound("Person \(employeeID)") }
        guard person.status.keepsAccess else {
            throw APIError(.conflict, code: "person_inactive", "\(person.name) has left the organisation (status \(person.status.rawValue)); no sign-in link.")
        }
        let token = Self.urlSafe(TokenHash.newToken())
        let now = clock.now
        let expires = now.addingTimeInterval(Self.lifetime)
        try await db.writeTransaction { tx in
            // Earlier links for this person stop working; used and expired links of anyone are the
            // outbox's clean-up, asked for in the same transaction.
            try await InvitationModel.query(on: tx).filter(\.$employeeID == employeeID).delete()
            try await Outbox.requestCleanUp(now: now, on: tx)
            try await InvitationModel(employeeID: employeeID, tokenHash: TokenHash.of(token), expiresAt: expires).create(on: tx)
        }
        return (token, expires)
    }

    /// The person a link is for, while it is valid.
    func person(for token: String) async throws -> Person? {
        guard let invitation = try await valid(token) else { return nil }
        return try await PeopleService(db: db).find(invitation.employeeID)
    }

    /// Sets the person's password (creating their login if they have none) and uses the link up, in one
    /// transaction: the link is claimed with a single conditional update, so of two requests redeeming it
    /// at once exactly one succeeds. An existing login keeps its role; a new one is a participant's. A
    /// person who has left is refused.
    func redeem(_ token: String, password: String, accounts: AccountService) async throws -> UserModel {
        guard let invitation = try await valid(token), let person = try await PeopleService(db: db).find(invitation.employeeID) else {
            throw Self.invalidLink
        }
        guard person.status.keepsAccess else { throw AccessEnding.accessEnded }
        let id = try invitation.requireID()
        return try await db.writeTransaction { tx in
            let claimed = try await (tx as! any SQLDatabase).raw("""
                UPDATE \(ident: InvitationModel.schema) SET used_at = \(bind: clock.now) WHERE id = \(bind: id) AND used_at IS NULL RETURNING id
                """).all()
            guard !claimed.isEmpty else { throw Self.invalidLink }
            let email = person.email.lowercased()
            let existing = try await UserModel.find(email: email, on: tx)
            return try await accounts.on(tx).upsertUser(email: email, password: password, role: existing?.userRole ?? .participant)
        }
    }

    /// Where sign-in links point (`BASE_URL`); refuses in production when it is not set, since the
    /// request's Host header is the client's to choose.
    static func linkBase(_ config: AppConfig) throws -> String {
        guard let base = config.linkBase else {
            throw APIError(.serviceUnavailable, code: "base_url_not_set",
                           "Sign-in links need the server's public address: set BASE_URL (e.g. https://mentoring.example.com) and restart.")
        }
        return base
    }

    static let invalidLink = APIError(.notFound, code: "invalid_link",
                                      "This sign-in link does not work: it was used, replaced by a newer one, or has expired. Ask your program coordinator for a new one.")

    private func valid(_ token: String) async throws -> InvitationModel? {
        try await InvitationModel.query(on: db).filter(\.$tokenHash == TokenHash.of(token))
            .filter(\.$usedAt == nil).filter(\.$expiresAt > clock.now).first()
    }

    /// Base64url without padding, so the token can sit in a path.
    static func urlSafe(_ base64: String) -> String {
        base64.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
