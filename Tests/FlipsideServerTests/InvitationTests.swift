import Fluent
import FlipsideCore
@testable import FlipsideServer
import Testing
import VaporTesting

@Suite(.serialized) struct InvitationTests {
    /// The link shown on the person's page, as a path.
    static func link(in page: String) throws -> String {
        let range = try #require(page.range(of: #"<code id="invitation-url">[^<]+</code>"#, options: .regularExpression))
        let url = String(page[range]).replacingOccurrences(of: #"<code id="invitation-url">"#, with: "").replacingOccurrences(of: "</code>", with: "")
        let start = try #require(url.range(of: "/invite/"))
        return String(url[start.lowerBound...])
    }

    /// A coordinator makes a link for a person without a login; the person sets a password through it,
    /// is signed in as a participant, and can sign in again later; the link then no longer works.
    @Test func aPersonSetsTheirPasswordThroughTheirLink() async throws {
        try await TestWorld.run { world in
            let coordinator = try await WebClient.signedIn(world, as: "coord@example.com")
            #expect(try await coordinator.get("/people/J2").body.string.contains("has no login yet"))
            let page = try await coordinator.post("/people/J2/invite", form: [:])
            #expect(page.status == .ok)
            let link = try Self.link(in: page.body.string)
            #expect(try await InvitationModel.query(on: world.app.db).all().allSatisfy { !link.contains($0.tokenHash) })

            let kai = WebClient(app: world.app)
            let form = try await kai.get(link)
            #expect(form.status == .ok && form.body.string.contains("kai@example.com"))
            let mismatch = try await kai.post(link, form: ["password": "a long password 1", "confirm": "a long password 2"])
            #expect(mismatch.status == .unprocessableEntity && mismatch.body.string.contains("not the same"))
            let short = try await kai.post(link, form: ["password": "short", "confirm": "short"])
            #expect(short.status == .unprocessableEntity && short.body.string.contains("at least 10"))
            let done = try await kai.post(link, form: ["password": "kai's own password", "confirm": "kai's own password"])
            #expect(done.status == .seeOther && done.headers.first(name: .location) == "/me")
            #expect(try await kai.get("/me").body.string.contains("Kai Newcomer"))
            let user = try #require(try await UserModel.query(on: world.app.db).filter(\.$email == "kai@example.com").first())
            #expect(user.userRole == .participant && user.employeeID == "J2")
            // Used once: the link is gone; the password works at the sign-in form.
            #expect(try await WebClient(app: world.app).get(link).status == .notFound)
            let again = WebClient(app: world.app)
            _ = try await again.get("/login")
            #expect(try await again.post("/login", form: ["email": "kai@example.com", "password": "kai's own password"]).status == .seeOther)
            #expect(try await coordinator.get("/people/J2").body.string.contains("has a login (participant)"))
        }
    }

    /// A participant-side API client starts from the link: it sets the password and gets a token at once.
    @Test func anAPIClientRedeemsASignInLink() async throws {
        try await TestWorld.run { world in
            let (made, body) = try await world.api(.POST, "/api/v1/people/J2/invitation", as: .coordinator)
            #expect(made == .created)
            let path = try #require((try json(body) as? [String: Any])?["path"] as? String)
            let token = String(path.split(separator: "/").last ?? "")
            let short = try await world.api(.POST, "/api/v1/auth/invitation", as: .anonymous, json: #"{"token":"\#(token)","password":"short"}"#)
            #expect(short.status == .unprocessableEntity && short.body.contains("at least 10"))
            let (redeemed, answer) = try await world.api(.POST, "/api/v1/auth/invitation", as: .anonymous,
                                                         json: #"{"token":"\#(token)","password":"kai's own password"}"#)
            #expect(redeemed == .created, "\(answer)")
            let document = try OpenAPIDocument()
            #expect(document.check("POST", "/api/v1/auth/invitation", status: 201, body: answer).isEmpty)
            let apiToken = try #require((try json(answer) as? [String: Any])?["token"] as? String)
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: apiToken)
            let me = try await world.app.testing().sendRequest(.GET, "/api/v1/me", headers: headers)
            #expect(me.status == .ok && me.body.string.contains("J2"))
            // Used once.
            let twice = try await world.api(.POST, "/api/v1/auth/invitation", as: .anonymous, json: #"{"token":"\#(token)","password":"kai's own password"}"#)
            #expect(twice.status == .notFound)
        }
    }

    /// A new link replaces the earlier one and resets a password (the role is kept); an expired link
    /// and a link for someone who has left do not work.
    @Test func linksAreReplacedExpireAndResetPasswords() async throws {
        try await TestWorld.run { world in
            let service = world.signInLinks
            let first = try await service.issue("J1")
            let second = try await service.issue("J1")
            let web = WebClient(app: world.app)
            #expect(try await web.get(SiteURL.invitation(token: first.token).path).status == .notFound)
            #expect(try await web.get(SiteURL.invitation(token: second.token).path).status == .ok)
            // Jo already has a login: the link resets the password and keeps the role.
            let reset = try await service.issue("J1")
            let done = try await web.post(SiteURL.invitation(token: reset.token).path, form: ["password": "jo's new password", "confirm": "jo's new password"])
            #expect(done.status == .seeOther)
            let jo = WebClient(app: world.app)
            _ = try await jo.get("/login")
            #expect(try await jo.post("/login", form: ["email": "jo@example.com", "password": TestWorld.password]).status == .unauthorized)
            #expect(try await jo.post("/login", form: ["email": "jo@example.com", "password": "jo's new password"]).status == .seeOther)
            #expect(try await UserModel.query(on: world.app.db).filter(\.$email == "jo@example.com").first()?.userRole == .participant)
            // Expired: seven days and a second later.
            let late = try await service.issue("M1")
            #expect(try await web.get(SiteURL.invitation(token: late.token).path).status == .ok)
            world.clock.advance(by: SignInLinks.lifetime + 1)
            #expect(try await web.get(SiteURL.invitation(token: late.token).path).status == .notFound)
            // Someone who has left gets no link.
            let left = try #require(try await PersonModel.query(on: world.app.db).filter(\.$employeeID == "M1").first())
            left.status = EmploymentStatus.exited.rawValue
            try await left.save(on: world.app.db)
            let (status, body) = try await world.api(.POST, "/api/v1/people/M1/invitation", as: .coordinator)
            #expect(status == .conflict && body.contains("person_inactive"))
        }
    }
}

/// With `OIDC_ONLY`, people sign in with the company account: invitations carry the provider's button,
/// never a password link, and coordinators make no password links (the command line keeps break-glass).
@Suite(.serialized) struct CompanySignInOnlyTests {
    @Test func invitationsLeadToTheProviderAndNoPasswordLinkIsMade() async throws {
        try await TestWorld.run(adjust: { config in
            config.baseURL = "https://flipside.example.com"
            config.smtp = try? SMTPSettings.from(url: "smtp://127.0.0.1:2525", from: "Flipside <flipside@example.com>", caFile: nil, timeout: nil, heloName: "flipside.example.com")
            config.openID = try? OpenIDConfig.from(["OIDC_ISSUER": "https://login.example.com", "OIDC_CLIENT_ID": "flipside", "OIDC_CLIENT_SECRET": "secret",
                                                    "OIDC_ONLY": "true", "OIDC_PROVIDER_NAME": "Example SSO"], baseURL: config.baseURL)
        }) { world in
            #expect(world.app.appConfig.openID?.only == true)
            let (queued, body) = try await world.api(.POST, "/api/v1/programs/\(pathID(world.program.id))/invitations", as: .coordinator)
            #expect(queued == .accepted, "\(body)")
            let rows = try await Messages.newest(limit: 50, on: world.app.db).filter { $0.kind == NoticeKind.invitation.rawValue }
            #expect(!rows.isEmpty)
            for row in rows {
                let mail = try #require(try await MessageDelivery.render(row, app: world.app, db: world.app.db, now: world.clock.now).mail)
                #expect(mail.text.contains("Sign in with Example SSO") && mail.text.contains("https://flipside.example.com/auth/oidc?next="), "\(mail.text)")
                #expect(!mail.text.contains("/invite/") && !mail.text.contains("password"), "\(mail.text)")
            }
            let (refused, answer) = try await world.api(.POST, "/api/v1/people/J2/invitation", as: .coordinator)
            #expect(refused == .conflict && answer.contains("company_sign_in_only"), "\(answer)")
            // The person page offers no link then (its login summary says whom they sign in with).
            let person = try #require(try await PeopleService(db: world.app.db).find("J2"))
            let summary = LoginSummary(person: person, user: nil, companySignInOnly: "Example SSO")
            #expect(!summary.canInvite && summary.companySignIn == "Example SSO")
            // Break-glass stays on the command line.
            #expect(try await AccountActions.invite(employeeID: "J2", app: world.app).path.hasPrefix("/invite/"))
        }
    }
}
