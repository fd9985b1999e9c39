import SQLKit
import Crypto
import Vapor

/// Registers every route: the JSON API under `/api/v1` (bearer tokens) and the pages (sessions).
func routes(_ app: Application) throws {
    let api = app.grouped("api", "v1")
    let authed = api.grouped(BearerTokenAuthenticator())
    AuthAPIController().register(api: api, authed: authed)
    PeopleAPIController().register(authed)
    ProgramsAPIController().register(authed)
    MatchingAPIController().register(authed)
    PartnershipAPIController().register(authed)
    ProgramTeamAPIController().register(authed)
    ConcernsAPIController().register(authed)
    ConcernsAPIController().registerOpen(api)
    TeachingAPIController().register(authed)
    AskAPIController().register(authed)
    PartnershipAPIController.registerFeed(app)
    SCIMController().register(app)

    app.get("openapi.json") { req async throws -> Response in
        guard let data = ResourcePaths.data("Resources/openapi.json") else { throw APIError.notFound("The OpenAPI document") }
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
    app.get("healthz") { _ in "ok" }
    // Ready = the database answers (a load balancer sends traffic only then).
    app.get("readyz") { req async -> Response in
        do {
            _ = try await (req.db as! any SQLDatabase).raw("SELECT 1 AS ok").first()
            return Response(status: .ok, body: .init(string: "ready"))
        } catch {
            req.logger.warning("Not ready: the database does not answer (\(String(describing: error)))")
            return Response(status: .serviceUnavailable, body: .init(string: "the database does not answer"))
        }
    }
    app.get("metrics") { req async throws -> Response in
        if let token = req.application.appConfig.metricsToken {
            guard let given = req.headers.bearerAuthorization?.token,
                  Data(SHA256.hash(data: Data(given.utf8))) == Data(SHA256.hash(data: Data(token.utf8))) else {
                var headers = HTTPHeaders()
                headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer")
                return Response(status: .unauthorized, headers: headers, body: .init(string: "Send the metrics token as a bearer token."))
            }
        } else {
            guard ClientAddress.isLocal(peer: req.remoteAddress?.ipAddress, headers: req.headers) else {
                return Response(status: .forbidden, body: .init(string: "Metrics are read locally, or with METRICS_TOKEN set."))
            }
        }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "text/plain; version=0.0.4; charset=utf-8")
        return Response(status: .ok, headers: headers, body: .init(string: try await FlipsideMetrics.shared.exposition(db: req.db)))
    }

    let web = app.grouped(ActiveSessionAuthenticator())
    AuthWebController().register(web)
    OpenIDController().register(web)
    PeopleWebController().register(web)
    ProgramsWebController().register(web)
    ParticipantWebController().register(web)
    MatchPreviewController().register(web)
    MatchingWebController().register(web)
    PartnershipWebController().register(web)
    ConcernsWebController().register(web)
    ProgramTeamWebController().register(web)
    OutcomesWebController().register(web)
    AuditController().register(web: web, api: authed)
    MessagesWebController().register(web)
    MessagePreferencesController().register(web: web, api: authed)
    PersonalDataController().register(web: web, api: authed)
    InvitationWebController().register(web)
    TeachingWebController().register(web)
    AskWebController().register(web)
    ProvisioningController().register(web: web, api: authed)
}
