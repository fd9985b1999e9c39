import Fluent
import SQLKit
import FlipsideCore
import Vapor

/// Logins: creating users, checking passwords with a rate limit, issuing API tokens.
struct AccountService {
    let db: any Database
    let passwords: QueuedPasswords
    let config: AppConfig
    let clock: any WallClock
    /// The client's IP address, for the per-address sign-in limit (`nil` on the command line).
    let clientAddress: String?

    /// The service on the application's passwords and settings, over `db` (the application's database
    /// by default), for a client at `clientAddress` (`nil` on the command line).
    init(app: Application, db: (any Database)? = nil, clientAddress: String? = nil) {
        self.db = db ?? app.db
        passwords = QueuedPasswords(hasher: app.password.async(on: app.threadPool, hopTo: app.eventLoopGroup.next()), work: app.passwordWork)
        config = app.appConfig
        clock = app.clock
        self.clientAddress = clientAddress
    }

    /// The same service working inside a transaction.
    func on(_ database: any Database) -> AccountService {
        AccountService(db: database, passwords: passwords, config: config, clock: clock, clientAddress: clientAddress)
    }

    private init(db: any Database, passwords: QueuedPasswords, config: AppConfig, clock: any WallClock, clientAddress: String?) {
        self.db = db
        self.passwords = passwords
        self.config = config
        self.clock = clock
        self.clientAddress = clientAddress
    }

    /// Creates a login, or resets the password and role of an existing one with the same email.
    /// A participant is linked to the person whose email matches.
    @discardableResult
    func upsertUser(email: String, password: String, role: UserRole) async throws -> UserModel {
        let email = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard EmailAddress.isPlausible(email) else { throw SignInError.invalid([FieldProblem(field: "email", reason: "is not an email address")]) }
        let weak = PasswordRules.problems(password)
        guard weak.isEmpty else { throw SignInError.invalid(weak) }
        // A new login whose address only looks like a known one (look-alike letters) is refused.
        if !email.isAllASCII, try await UserModel.find(email: email, on: db) == nil {
            let sql = db as! any SQLDatabase
            let known = try await sql.raw("SELECT email FROM users UNION SELECT email FROM people").all().map { try $0.decode(column: "email", as: String.self) }
            if let (_, other) = UnicodeSafety.lookAlikes(candidates: [email], others: known).first {
                throw SignInError.invalid([FieldProblem(field: "email", reason: "looks like \(other) but is another address (look-alike characters)")])
            }
        }
        let hash = try await passwords.hash(password)
        // search_key holds the lower-cased email, so a mixed-case HR email still links.
        let person = try await PersonModel.query(on: db).searchKeyContains(email).all()
            .first { $0.email.lowercased() == email }
        if role == .participant && person == nil {
            throw SignInError.invalid([FieldProblem(field: "email", reason: "no person has this email; a participant's login belongs to a person imported from HR")])
        }
        let user = try await UserModel.find(email: email, on: db)
            ?? UserModel(email: email, passwordHash: hash, role: role, employeeID: nil)
        user.passwordHash = hash
        user.role = role.rawValue
        user.employeeID = person?.employeeID
        try await user.save(on: db)
        return user
    }

    /// Checks a password under two limits: `loginAttemptLimit` wrong passwords per email and
    /// `loginAddressLimit` per client address within `loginWindow`; past either, a 429 without checking
    /// the password (so a flood of guesses costs no bcrypt work). The counters live in the database, are
    /// taken atomically before the check and handed back when the password was right, so the limits hold
    /// under any concurrency and across every server instance. A person who has left cannot sign in.
    func verify(email rawEmail: String, password: String) async throws -> UserModel {
        let email = rawEmail.trimmingCharacters(in: .whitespaces).lowercased()
        let limiter = LoginLimiter(db: db, window: config.loginWindow)
        var reserved: [String] = []
        let minutes = Int((config.loginWindow / 60).rounded(.up))
        let addressRefusal = SignInError.tooManyAttempts(fromAddress: true, minutes: minutes)
        let emailRefusal = SignInError.tooManyAttempts(fromAddress: false, minutes: minutes)
        let emailKey = LoginLimiter.emailKey(String(email.prefix(320)))
        if let clientAddress {
            let key = LoginLimiter.addressKey(ClientAddress.limitKey(clientAddress))
            if try await limiter.isLocked(key, limit: config.loginAddressLimit, now: clock.now) { throw addressRefusal }
            reserved.append(key)
            if try await limiter.reserve(key, now: clock.now) > config.loginAddressLimit { throw addressRefusal }
        }
        if try await limiter.isLocked(emailKey, limit: config.loginAttemptLimit, now: clock.now) { throw emailRefusal }
        reserved.append(emailKey)
        if try await limiter.reserve(emailKey, now: clock.now) > config.loginAttemptLimit { throw emailRefusal }
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
            throw SignInError.wrongCredentials
        }
        // The password was right: these attempts were not failures.
        try await limiter.release(reserved)
        let now = clock.now
        try await db.writeTransaction { tx in try await Outbox.requestCleanUp(now: now, on: tx) }
        if try await AccessEnding.hasEnded(for: user, on: db) { throw SignInError.accessEnded }
        return user
    }

    /// Issues a bearer token valid for 30 days; returns the token (shown once) and its expiry. Expired
    /// tokens (anyone's) are left to the outbox's clean-up, asked for here.
    func issueToken(for user: UserModel) async throws -> (token: String, expiresAt: Date) {
        let token = TokenHash.newToken()
        let now = clock.now
        let expires = now.addingTimeInterval(30 * 24 * 3600)
        let row = UserTokenModel(userID: try user.requireID(), tokenHash: TokenHash.of(token), expiresAt: expires)
        try await db.writeTransaction { tx in
            try await Outbox.requestCleanUp(now: now, on: tx)
            try await row.create(on: tx)
        }
        return (token, expires)
    }
}
