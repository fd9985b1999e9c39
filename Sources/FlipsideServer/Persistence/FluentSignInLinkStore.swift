import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// Core's `SignInLinkStore` on the database. Only the SHA-256 of a token is stored.
struct FluentSignInLinkStore: SignInLinkStore {
    let db: any Database
    /// Sets passwords (bcrypt, queued) and creates logins.
    let accounts: AccountService

    func person(_ employeeID: String) async throws -> Person? { try await PeopleService(db: db).find(employeeID) }

    func replaceLinks(for employeeID: String, expiresAt: Date, now: Date) async throws -> String {
        let token = TokenHash.newToken()
        try await db.writeTransaction { tx in
            // Earlier links for this person stop working; used and expired links of anyone are the
            // outbox's clean-up, asked for in the same transaction.
            try await InvitationModel.query(on: tx).filter(\.$employeeID == employeeID).delete()
            try await Outbox.requestCleanUp(now: now, on: tx)
            try await InvitationModel(employeeID: employeeID, tokenHash: TokenHash.of(token), expiresAt: expiresAt).create(on: tx)
        }
        return token
    }

    func validLink(_ token: String, now: Date) async throws -> String? {
        try await InvitationModel.query(on: db).filter(\.$tokenHash == TokenHash.of(token))
            .filter(\.$usedAt == nil).filter(\.$expiresAt > now).first()?.employeeID
    }

    func claimAndSetPassword(_ token: String, person: Person, password: String, now: Date) async throws -> Bool {
        try await db.writeTransaction { tx in
            let claimed = try await (tx as! any SQLDatabase).raw("""
                UPDATE \(ident: InvitationModel.schema) SET used_at = \(bind: now)
                WHERE token_hash = \(bind: TokenHash.of(token)) AND used_at IS NULL AND expires_at > \(bind: now) RETURNING id
                """).all()
            guard !claimed.isEmpty else { return false }
            let email = person.email.lowercased()
            let existing = try await UserModel.find(email: email, on: tx)
            try await accounts.on(tx).upsertUser(email: email, password: password, role: existing?.userRole ?? .participant)
            return true
        }
    }
}

extension AppConfig {
    /// Where sign-in links point (`BASE_URL`); refuses in production when it is not set, since the
    /// request's Host header is the client's to choose.
    func requireLinkBase() throws -> String {
        guard let base = linkBase else {
            throw APIError(.serviceUnavailable, code: "base_url_not_set",
                           "Sign-in links need the server's public address: set BASE_URL (e.g. https://mentoring.example.com) and restart.")
        }
        return base
    }

    /// With `OIDC_ONLY`, people sign in with the company account: a link to set a password is refused
    /// (coordinators' break-glass stays on the command line: `flipside user invite`, `user create`).
    func requirePasswordLinks() throws {
        if let openID, openID.only {
            throw APIError(.conflict, code: "company_sign_in_only",
                           "People sign in with \(openID.providerName) here (OIDC_ONLY): no password link is needed. Send them to the sign-in page.")
        }
    }
}
