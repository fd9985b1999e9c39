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
    PartnershipAPIController().registerOpen(api)
    PartnershipAPIController.registerFeed(app)

    app.get("openapi.json") { req async throws -> Response in
        let data = try Data(contentsOf: URL(fileURLWithPath: ResourcePaths.openAPI))
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
    app.get("healthz") { _ in "ok" }

    let web = app.grouped(ActiveSessionAuthenticator())
    AuthWebController().register(web)
    PeopleWebController().register(web)
    ProgramsWebController().register(web)
    ParticipantWebController().register(web)
    MatchPreviewController().register(web)
    MatchingWebController().register(web)
    PartnershipWebController().register(web)
    OutcomesWebController().register(web)
    InvitationWebController().register(web)
}
