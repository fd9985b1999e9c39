import FlipsideCore
import Vapor

/// Sign-in links: a coordinator makes one on a person's page; the person opens it and sets a password.
struct InvitationWebController {
    func register(_ web: any RoutesBuilder) {
        web.post("people", ":employeeID", "invite", use: invite)
        web.get("invite", ":token", use: form)
        web.post("invite", ":token", use: accept)
    }

    /// Makes a new link and shows it once on the person's page.
    func invite(req: Request) async throws -> View {
        let id = req.parameters.get("employeeID") ?? ""
        try req.authorize(.create, .invitation(employeeID: id))
        try CSRF.verify(req)
        try req.application.appConfig.requirePasswordLinks()
        let base = try req.application.appConfig.requireLinkBase()
        let (token, expires) = try await SignInLinks.issue(for: id, actor: req.actor, now: req.flipside.now, store: req.flipside.signInLinkStore)
        let notice = InvitationNotice(url: base + SiteURL.invitation(token: token).path, expires: SiteDates.minute(expires))
        return try await PeopleWebController.personPage(req, invitation: notice)
    }

    func form(req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let person = try await SignInLinks.person(for: token, now: req.flipside.now, store: req.flipside.signInLinkStore)
        return try await render(req, person: person, token: token, problems: [], status: .ok)
    }

    func accept(req: Request) async throws -> Response {
        try CSRF.verify(req)
        struct Form: Content { var password: String?; var confirm: String? }
        let token = req.parameters.get("token") ?? ""
        let store = req.flipside.signInLinkStore
        let person = try await SignInLinks.person(for: token, now: req.flipside.now, store: store)
        let form = try req.content.decode(Form.self)
        do {
            let redeemed = try await SignInLinks.redeem(token, password: form.password ?? "", confirmation: form.confirm ?? "",
                                                        now: req.flipside.now, store: store)
            guard let user = try await UserModel.find(email: redeemed.email.lowercased(), on: req.db) else { throw APIError.from(SignInLinkError.invalidLink) }
            try await AuthWebController.signIn(req, user)
            return req.redirect(to: AuthWebController.landing(user))
        } catch let error as SignInLinkError {
            guard case .invalid = error else { throw error }
            return try await render(req, person: person, token: token, problems: APIError.from(error).details, status: .unprocessableEntity)
        }
    }

    private func render(_ req: Request, person: Person, token: String, problems: [ErrorDetail], status: HTTPStatus) async throws -> Response {
        let page = Page(page: PageChrome(request: req, title: "Set your password", hasForm: true), name: person.name,
                        email: person.email, action: SiteURL.invitation(token: token).path, problems: problems)
        return try await req.render("invite", page, status: status)
    }
}
