import FlipsideCore
import Fluent
import Vapor

/// `POST /api/v1/auth/token`, `DELETE /api/v1/auth/token`, `GET/PATCH /api/v1/me`.
struct AuthAPIController {
    func register(api: any RoutesBuilder, authed: any RoutesBuilder) {
        api.post("auth", "token", use: token)
        api.post("auth", "invitation", use: redeem)
        authed.delete("auth", "token", use: revoke)
        authed.get("me", use: me)
        authed.patch("me", use: updateMe)
    }

    func token(req: Request) async throws -> Response {
        let input = try req.content.decode(TokenRequest.self)
        let accounts = req.flipside.accounts
        let user = try await accounts.verify(email: input.email, password: input.password)
        let (token, expires) = try await accounts.issueToken(for: user)
        try await req.db.writeTransaction { tx in try await AuditTrail(actor: user.email, clock: req.application.clock).record(.tokenIssued, "login", user.email, "\(user.role), API token", on: tx) }
        let response = Response(status: .created)
        try response.content.encode(TokenResponse(token: token, expires_at: expires, user: UserDTO(user)))
        return response
    }

    /// A sign-in link redeemed by an API client (what the invitation page does): the person sets their
    /// password and gets an API token at once, so a participant-side client can start from the link.
    func redeem(req: Request) async throws -> Response {
        struct Input: Decodable { var token: String; var password: String; var confirm: String? }
        let input = try req.content.decode(Input.self)
        try req.application.appConfig.requirePasswordLinks()
        let redeemed = try await SignInLinks.redeem(input.token, password: input.password, confirmation: input.confirm ?? input.password,
                                                    now: req.flipside.now, store: req.flipside.signInLinkStore)
        guard let user = try await UserModel.find(email: redeemed.email.lowercased(), on: req.db) else { throw APIError.from(SignInLinkError.invalidLink) }
        let (token, expires) = try await req.flipside.accounts.issueToken(for: user)
        try await req.db.writeTransaction { tx in
            try await AuditTrail(actor: user.email, clock: req.application.clock).record(.tokenIssued, "login", user.email, "\(user.role), API token from a sign-in link", on: tx)
        }
        let response = Response(status: .created)
        try response.content.encode(TokenResponse(token: token, expires_at: expires, user: UserDTO(user)))
        return response
    }

    func revoke(req: Request) async throws -> HTTPStatus {
        _ = try req.requireUser()
        guard let bearer = req.headers.bearerAuthorization else { throw APIError.unauthenticated }
        try await UserTokenModel.query(on: req.db).filter(\.$tokenHash == TokenHash.of(bearer.token)).delete()
        return .noContent
    }

    func me(req: Request) async throws -> MeResponse {
        let user = try req.requireUser()
        guard let employeeID = user.employeeID else { return MeResponse(user: UserDTO(user), person: nil, enrolments: []) }
        return MeResponse(user: UserDTO(user), person: try await req.flipside.people.find(employeeID).map(PersonDTO.init),
                          enrolments: try await req.flipside.enrolments.all(of: employeeID).map(EnrolmentDTO.init))
    }

    func updateMe(req: Request) async throws -> MeResponse {
        let user = try req.requireUser()
        guard let employeeID = user.employeeID else {
            throw APIError.noProfile("This login is not linked to a person, so it has no profile to edit.")
        }
        let input = try req.content.decode(MeUpdate.self)
        _ = try await Profiles.update(employeeID, with: ProfileDraft(timeZone: input.time_zone, attributes: input.attributes ?? [:]),
                                      actor: req.actor, store: req.flipside.people)
        return try await me(req: req)
    }
}
