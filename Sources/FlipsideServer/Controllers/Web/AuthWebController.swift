import FlipsideCore
import Vapor

/// Sign-in and sign-out pages.
struct AuthWebController {
    func register(_ web: any RoutesBuilder) {
        web.get(use: home)
        web.get("login", use: loginForm)
        web.post("login", use: login)
        web.post("logout", use: logout)
    }

    func home(req: Request) async throws -> Response {
        guard let user = req.auth.get(UserModel.self) else { return req.redirect(to: SiteURL.login(next: nil).path) }
        return req.redirect(to: Self.landing(user))
    }

    func loginForm(req: Request) async throws -> View {
        try await req.view.render("login", Self.page(req, next: safeNext(req.query["next"]), email: "", error: nil))
    }

    /// The sign-in page: the provider's button when one is set; the password form unless the provider is
    /// the only way in (then only at `/login?break-glass`, for coordinators).
    static func page(_ req: Request, next: String, email: String, error: String?) -> LoginPage {
        var page = LoginPage(page: PageChrome(request: req, title: "Sign in", hasForm: true), next: next, email: email, error: error)
        if let openID = req.application.appConfig.openID {
            page.providerName = openID.providerName
            page.providerURL = "/auth/oidc" + (next.isEmpty ? "" : "?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            page.passwordForm = !openID.only || req.query[String.self, at: "break-glass"] != nil || error != nil
        }
        return page
    }

    func login(req: Request) async throws -> Response {
        struct Form: Content { var email: String?; var password: String?; var next: String? }
        try CSRF.verify(req)
        let form = try req.content.decode(Form.self)
        let next = safeNext(form.next)
        do {
            let user = try await req.flipside.accounts.verify(email: form.email ?? "", password: form.password ?? "")
            // With the provider as the only way in, a password is a coordinator's break-glass, nobody else's.
            if req.application.appConfig.openID?.only == true && user.userRole != .coordinator {
                throw SignInError.invalid([FieldProblem(field: "email", reason: "signs in with \(req.application.appConfig.openID?.providerName ?? "the company account")")])
            }
            try await Self.signIn(req, user)
            return req.redirect(to: next.isEmpty ? Self.landing(user) : next)
        } catch let error as SignInError {
            let answer = APIError.from(error)
            return try await req.render("login", Self.page(req, next: next, email: form.email ?? "", error: answer.message), status: answer.status)
        }
    }

    /// Signs a user in with a new session id, so a session fixed before sign-in is worthless.
    static func signIn(_ req: Request, _ user: UserModel) async throws {
        if let old = req.session.id { try await req.application.sessions.driver.deleteSession(old, for: req).get() }
        req.session.id = nil
        req.session.data = SessionData()
        req.auth.login(user)
        try await req.db.writeTransaction { tx in try await AuditTrail(actor: user.email, clock: req.application.clock).record(.signedIn, "login", user.email, "\(user.role), web", on: tx) }
    }

    /// Where a user starts: coordinators on the programs, participants on their profile.
    static func landing(_ user: UserModel) -> String {
        AccessPolicy.managesPrograms(user.actor) ? SiteURL.programs.path : SiteURL.me.path
    }

    func logout(req: Request) async throws -> Response {
        try CSRF.verify(req)
        req.auth.logout(UserModel.self)
        req.session.destroy()
        // Signed in through the provider: end its session too, when it offers RP-initiated logout.
        if let provider = req.application.openID, let end = try? await provider.discovered().end_session_endpoint,
           var url = URLComponents(string: end), let base = req.application.appConfig.baseURL {
            url.queryItems = (url.queryItems ?? []) + [URLQueryItem(name: "client_id", value: provider.config.settings.clientID),
                                                       URLQueryItem(name: "post_logout_redirect_uri", value: base + SiteURL.login(next: nil).path)]
            if let target = url.string { return req.redirect(to: target) }
        }
        return req.redirect(to: SiteURL.login(next: nil).path)
    }

    /// Only same-site paths are followed after sign-in (no open redirect).
    private func safeNext(_ raw: String?) -> String {
        SiteURL.localPath(raw) ?? ""
    }
}
