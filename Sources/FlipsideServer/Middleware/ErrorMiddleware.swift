import Vapor

/// Turns every error into a response: JSON `{"error": {"code", "message", "details"}}` under `/api`,
/// a friendly HTML page elsewhere. Bad input never becomes a 500.
struct FlipsideErrorMiddleware: AsyncMiddleware {
    struct Body: Content {
        struct Inner: Content {
            var code: String
            var message: String
            var details: [ErrorDetail]
        }
        var error: Inner
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            let api = APIError.from(error)
            if api.status == .internalServerError {
                request.logger.error("Unhandled error: \(String(reflecting: error))")
            }
            if request.isAPI {
                let response = Response(status: api.status)
                try response.content.encode(Body(error: .init(code: api.code, message: api.message, details: api.details)))
                if api.status == .unauthorized { response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer") }
                return response
            }
            if api.status == .unauthorized {
                return request.redirect(to: SiteURL.login(next: request.url.string).path)
            }
            let context = ErrorPage(page: PageChrome(request: request, title: "\(api.status.code) \(api.status.reasonPhrase)"),
                                    status: Int(api.status.code), message: api.message, details: api.details)
            let view = try await request.view.render("error", context)
            let response = try await view.encodeResponse(for: request)
            response.status = api.status
            return response
        }
    }
}

extension Request {
    /// Whether this is a JSON API request (as opposed to a page).
    var isAPI: Bool { url.path.hasPrefix("/api/") || url.path == "/openapi.json" }
}
