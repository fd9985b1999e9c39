import FlipsideCore
import Vapor

/// Provisioning tokens, on a page (`/provisioning`) and in the API (`/api/v1/provisioning-tokens`):
/// coordinators make one for an identity provider (shown once), see when each was last used, revoke it.
struct ProvisioningController {
    func register(web: any RoutesBuilder, api: any RoutesBuilder) {
        web.get("provisioning", use: page)
        web.post("provisioning", "tokens", use: makeFromForm)
        web.post("provisioning", "tokens", ":tokenID", "revoke", use: revokeFromForm)
        api.get("provisioning-tokens", use: list)
        api.post("provisioning-tokens", use: make)
        api.delete("provisioning-tokens", ":tokenID", use: revoke)
    }

    struct MadeDTO: Content {
        var id: UUID
        var name: String
        /// The token itself: shown this once, kept only as a hash.
        var token: String
        var scim_base_url: String?
    }

    struct TokenDTO: Content {
        var id: UUID
        var name: String
        var created_by: String
        var created_at: Date
        var last_used_at: Date?
        var revoked_at: Date?

        init(_ token: ProvisioningToken) {
            id = token.id
            name = token.name
            created_by = token.createdBy
            created_at = token.created
            last_used_at = token.lastUsed
            revoked_at = token.revoked
        }
    }

    struct ListDTO: Content { var items: [TokenDTO] }

    func list(req: Request) async throws -> ListDTO {
        ListDTO(items: try await ProvisioningTokens.list(actor: req.actor, store: req.flipside.provisioningTokenStore).map(TokenDTO.init))
    }

    func make(req: Request) async throws -> Response {
        struct Input: Decodable { var name: String? }
        let input = try req.content.decode(Input.self)
        let (made, secret) = try await Self.make(req, name: input.name ?? "")
        return try await MadeDTO(id: made.id, name: made.name, token: secret, scim_base_url: Self.scimBase(req))
            .encodeResponse(status: .created, for: req)
    }

    func revoke(req: Request) async throws -> TokenDTO {
        guard let id = req.parameters.get("tokenID", as: UUID.self) else { throw APIError.notFound("Provisioning token") }
        return TokenDTO(try await ProvisioningTokens.revoke(id, actor: req.actor, now: req.flipside.now, store: req.flipside.provisioningTokenStore))
    }

    /// A new token, made by the signed-in coordinator; the secret is returned this once.
    static func make(_ req: Request, name: String) async throws -> (ProvisioningToken, String) {
        let secret = TokenHash.newToken()
        let token = try await ProvisioningTokens.make(name: name, secret: secret, actor: req.actor, by: req.auditTrail.actor, now: req.flipside.now,
                                                      store: req.flipside.provisioningTokenStore)
        return (token, secret)
    }

    static func scimBase(_ req: Request) -> String? { req.application.appConfig.linkBase.map { $0 + "/scim/v2" } }

    // MARK: The page

    func page(req: Request) async throws -> Response {
        try await render(req, made: nil, problems: [], status: .ok)
    }

    func makeFromForm(req: Request) async throws -> Response {
        try req.authorize(.create, .provisioningTokens)
        try CSRF.verify(req)
        struct Form: Content { var name: String? }
        let name = try req.content.decode(Form.self).name ?? ""
        do {
            let (made, secret) = try await Self.make(req, name: name)
            return try await render(req, made: .init(name: made.name, token: secret), problems: [], status: .created)
        } catch let error as ProvisioningTokenError {
            let api = APIError.from(error)
            return try await render(req, made: nil, problems: api.details.isEmpty ? [ErrorDetail(field: "name", reason: error.message)] : api.details,
                                    status: api.status)
        }
    }

    func revokeFromForm(req: Request) async throws -> Response {
        try req.authorize(.delete, .provisioningTokens)
        try CSRF.verify(req)
        guard let id = req.parameters.get("tokenID", as: UUID.self) else { throw APIError.notFound("Provisioning token") }
        _ = try await ProvisioningTokens.revoke(id, actor: req.actor, now: req.flipside.now, store: req.flipside.provisioningTokenStore)
        return req.redirect(to: "/provisioning")
    }

    private func render(_ req: Request, made: ProvisioningPage.Made?, problems: [ErrorDetail], status: HTTPStatus) async throws -> Response {
        let tokens = try await ProvisioningTokens.list(actor: req.actor, store: req.flipside.provisioningTokenStore)
        let page = ProvisioningPage(
            page: PageChrome(request: req, title: "Provisioning (SCIM)", nav: "people", hasForm: true),
            scimBase: Self.scimBase(req) ?? "(set BASE_URL)/scim/v2",
            made: made,
            problems: problems,
            rows: tokens.map { token in
                .init(id: token.id.uuidString.lowercased(), name: token.name, createdBy: token.createdBy, created: SiteDates.minute(token.created),
                      lastUsed: token.lastUsed.map(SiteDates.minute) ?? "never", revoked: token.revoked.map(SiteDates.minute))
            })
        return try await req.render("provisioning", page, status: status)
    }
}
