import Crypto
import Fluent
import FlipsideCore
import Foundation
import SQLKit
import Vapor

/// "Sign in with your company account": the Authorization Code flow with PKCE, `state` and `nonce`
/// (`/auth/oidc` → the provider → `/auth/oidc/callback`). The ID token's signature is checked by jwt-kit
/// against the provider's keys; every claim by Core's `OpenIDSignIn` on the clock's now. Nobody is made
/// an account unless the people directory knows them; someone who left is refused.
struct OpenIDController {
    static let table = "oidc_logins"
    /// How long a started sign-in may take at the provider.
    static let window: TimeInterval = 600

    func register(_ web: any RoutesBuilder) {
        web.get("auth", "oidc", use: start)
        web.get("auth", "oidc", "callback", use: callback)
    }

    static func random(_ bytes: Int = 32) -> String {
        var g = SystemRandomNumberGenerator()
        return Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &g) }).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func redirectURI(_ app: Application) -> String { (app.appConfig.baseURL ?? "") + "/auth/oidc/callback" }

    func start(req: Request) async throws -> Response {
        guard let provider = req.application.openID else { throw APIError.notFound("Sign-in with an identity provider") }
        let meta: OpenIDProvider.Metadata
        do { meta = try await provider.discovered() } catch {
            req.logger.warning("OpenID sign-in could not start: \(String(describing: error))")
            return try await refused(req, .provider("discovery failed"), status: .badGateway)
        }
        let state = Self.random(), nonce = Self.random(), verifier = Self.random(48)
        let next = SiteURL.localPath(req.query["next"]) ?? ""
        let now = req.flipside.now
        try await req.db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            // Sign-ins never finished go after the window.
            try await sql.delete(from: Self.table).where("created_at", .lessThan, now.timeIntervalSince1970 - Self.window).run()
            try await sql.insert(into: Self.table).columns("state_hash", "nonce", "verifier", "next", "created_at")
                .values(SQLBind(TokenHash.of(state)), SQLBind(nonce), SQLBind(verifier), SQLBind(next), SQLBind(now.timeIntervalSince1970)).run()
        }
        let config = provider.config
        var url = URLComponents(string: meta.authorization_endpoint) ?? URLComponents()
        url.queryItems = (url.queryItems ?? []) + [
            URLQueryItem(name: "response_type", value: "code"), URLQueryItem(name: "client_id", value: config.settings.clientID),
            URLQueryItem(name: "redirect_uri", value: Self.redirectURI(req.application)), URLQueryItem(name: "scope", value: config.scopes),
            URLQueryItem(name: "state", value: state), URLQueryItem(name: "nonce", value: nonce),
            URLQueryItem(name: "code_challenge", value: OpenIDProvider.challenge(verifier)), URLQueryItem(name: "code_challenge_method", value: "S256"),
        ]
        return req.redirect(to: url.string ?? meta.authorization_endpoint)
    }

    func callback(req: Request) async throws -> Response {
        guard let provider = req.application.openID else { throw APIError.notFound("Sign-in with an identity provider") }
        let now = req.flipside.now
        if let error = req.query[String.self, at: "error"] {
            return try await refused(req, .provider("the provider answered \(TextLimits.preview(error))"), status: .forbidden)
        }
        guard let state = req.query[String.self, at: "state"], let code = req.query[String.self, at: "code"], state.count <= 200, code.count <= 4_000 else {
            return try await refused(req, .provider("the answer has no state or code"), status: .badRequest)
        }
        // The state is used once: taken, so a replayed answer finds nothing.
        struct Started: Decodable { var nonce: String; var verifier: String; var next: String; var created_at: Double }
        let started = try await req.db.writeTransaction { tx -> Started? in
            let sql = tx as! any SQLDatabase
            let row = try await sql.select().columns("nonce", "verifier", "next", "created_at").from(Self.table)
                .where("state_hash", .equal, TokenHash.of(state)).first(decoding: Started.self)
            try await sql.delete(from: Self.table).where("state_hash", .equal, TokenHash.of(state)).run()
            return row
        }
        guard let started, now.timeIntervalSince1970 - started.created_at <= Self.window else {
            return try await refused(req, .provider("unknown, used or expired state"), status: .badRequest)
        }
        let payload: IDTokenPayload
        do {
            let token = try await provider.idToken(code: code, verifier: started.verifier, redirectURI: Self.redirectURI(req.application))
            payload = try await provider.verify(token)
        } catch {
            // The technical reason, never the token.
            return try await refused(req, .provider("the ID token could not be obtained or its signature checked: \(Self.describe(error))"), status: .forbidden)
        }
        var claims = payload.claims
        let settings = provider.config.settings
        claims.groups = payload.arrays[settings.groupsClaim] ?? claims.strings[settings.groupsClaim].map { [$0] } ?? []
        let identity: OpenIDIdentity
        switch OpenIDSignIn.identity(claims, settings: settings, nonce: started.nonce, now: now) {
        case let .success(found): identity = found
        case let .failure(refusal): return try await refused(req, refusal, status: .forbidden)
        }
        let person: Person
        switch OpenIDSignIn.admit(try await Self.person(identity, on: req.db)) {
        case let .success(found): person = found
        case let .failure(refusal): return try await refused(req, refusal, status: .forbidden)
        }
        let user = try await Self.login(for: person, coordinator: identity.coordinator, req: req)
        try await AuthWebController.signIn(req, user)
        return req.redirect(to: started.next.isEmpty ? AuthWebController.landing(user) : started.next)
    }

    /// The person the identity names: by HR email (case-insensitive) or by employee id.
    static func person(_ identity: OpenIDIdentity, on db: any Database) async throws -> Person? {
        if !identity.byEmail { return try await PeopleService(db: db).find(identity.key) }
        guard let row = try await (db as! any SQLDatabase).select().column("employee_id").from(PersonModel.schema)
            .where(SQLFunction("LOWER", args: SQLIdentifier("email")), .equal, SQLBind(identity.key)).first() else { return nil }
        return try await PeopleService(db: db).find(try row.decode(column: "employee_id", as: String.self))
    }

    /// The person's login, made at their first sign-in (a participant, or a coordinator from the group
    /// claim); with a group configured the role follows it at every sign-in. Its password is a random one
    /// nobody knows: a coordinator may set one from the command line for break-glass.
    static func login(for person: Person, coordinator: Bool?, req: Request) async throws -> UserModel {
        let existing = try await UserModel.logins(of: person, on: req.db).first()
        let user: UserModel
        if let existing {
            user = existing
        } else {
            user = UserModel(email: person.email, passwordHash: try await req.flipside.accounts.passwords.hash(random()), role: coordinator == true ? .coordinator : .participant,
                             employeeID: person.employeeID)
        }
        if let coordinator { user.role = (coordinator ? UserRole.coordinator : .participant).rawValue }
        user.employeeID = person.employeeID
        try await user.save(on: req.db)
        return user
    }

    static func describe(_ error: any Error) -> String {
        String(String(describing: error).prefix(300))
    }

    /// A page that says what went wrong in words a person understands; the log says which check failed.
    func refused(_ req: Request, _ refusal: OpenIDRefusal, status: HTTPStatus) async throws -> Response {
        req.logger.notice("OpenID sign-in refused: \(refusal.reason)")
        let name = req.application.openID?.config.providerName ?? "your company account"
        return try await req.render("signin-refused", SignInRefusedPage(page: PageChrome(request: req, title: "Not signed in"), message: refusal.message,
                                                                          retry: "/auth/oidc", providerName: name), status: status)
    }
}

struct SignInRefusedPage: Encodable {
    var page: PageChrome
    var message: String
    var retry: String
    var providerName: String
}
