import Fluent
import FlipsideCore
import Vapor

/// Logins: creating users, checking passwords with a rate limit, issuing API tokens.
struct AccountService {
    let db: any Database
    let passwords: AsyncPasswordHasher
    let config: AppConfig

    init(request: Request) {
        db = request.db
        passwords = request.password.async
        config = request.application.appConfig
    }

    init(app: Application) {
        db = app.db
        passwords = app.password.async(on: app.threadPool, hopTo: app.eventLoopGroup.next())
        config = app.appConfig
    }

    /// Creates a login, or resets the password and role of an existing one with the same email.
    /// A participant is linked to the person whose email matches.
    @discardableResult
    func upsertUser(email: String, password: String, role: UserRole) async throws -> UserModel {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard EmailAddress.isPlausible(email) else { throw APIError.invalid([FieldProblem(field: "email", reason: "is not an email address")]) }
        guard password.count >= 10 else { throw APIError.invalid([FieldProblem(field: "password", reason: "must be at least 10 characters")]) }
        let hash = try await passwords.hash(password)
        // search_key holds the lower-cased email, so a mixed-case HR email still links.
        let person = try await PersonModel.query(on: db).searchKeyContains(email).all()
            .first { $0.email.lowercased() == email }
        if role == .participant && person == nil {
            throw APIError.invalid([FieldProblem(field: "email", reason: "no person has this email; a participant's login belongs to a person imported from HR")])
        }
        let user = try await UserModel.find(email: email, on: db)
            ?? UserModel(email: email, passwordHash: hash, role: role, employeeID: nil)
        user.passwordHash = hash
        user.role = role.rawValue
        user.employeeID = person?.employeeID
        try await user.save(on: db)
        return user
    }

    /// Checks a password. After `loginAttemptLimit` failures for one email within the window, refuses
    /// further attempts with a 429 until the window has passed. Failures live in the database so that
    /// every server instance enforces the same limit.
    func verify(email rawEmail: String, password: String) async throws -> UserModel {
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        let since = Date().addingTimeInterval(-config.loginWindow)
        let failures = try await LoginFailureModel.query(on: db).filter(\.$email == email).filter(\.$failedAt > since).count()
        if failures >= config.loginAttemptLimit {
            throw APIError(.tooManyRequests, code: "too_many_attempts",
                           "Too many failed sign-ins for this email. Try again in \(Int(config.loginWindow / 60)) minutes.")
        }
        let user = try await UserModel.find(email: email, on: db)
        let ok: Bool
        if let user {
            ok = try await passwords.verify(password, created: user.passwordHash)
        } else {
            // Spend the same bcrypt work when the email has no login, so timing does not reveal which emails do.
            _ = try await passwords.hash(password)
            ok = false
        }
        guard let user, ok else {
            // Failures older than the window no longer count: drop them as new ones arrive.
            try await LoginFailureModel.query(on: db).filter(\.$failedAt <= since).delete()
            try await LoginFailureModel(email: email, failedAt: Date()).create(on: db)
            throw APIError(.unauthorized, code: "invalid_credentials", "The email or password is not right.")
        }
        try await LoginFailureModel.query(on: db).filter(\.$email == email).delete()
        return user
    }

    /// Issues a bearer token valid for 30 days; returns the token (shown once) and its expiry. Expired
    /// tokens (anyone's) are deleted first, so the table holds only live ones.
    func issueToken(for user: UserModel) async throws -> (token: String, expiresAt: Date) {
        let token = TokenHash.newToken()
        let now = Date()
        try await UserTokenModel.query(on: db).filter(\.$expiresAt <= now).delete()
        let expires = now.addingTimeInterval(30 * 24 * 3600)
        try await UserTokenModel(userID: user.requireID(), tokenHash: TokenHash.of(token), expiresAt: expires).create(on: db)
        return (token, expires)
    }
}
