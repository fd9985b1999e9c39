import Vapor

/// Turns every error into a response: JSON `{"error": {"code", "message", "details"}}` under `/api`,
/// a friendly HTML page elsewhere. Bad input never becomes a 500.
struct FlipsideErrorMiddleware: AsyncMiddleware {
    struct Body: Content {
        struct Inner: Content {
            var code: String
            var message: String
            var details: [ErrorDetail]
            /// The request's id, to quote when asking for help (it is in the server's log lines).
            var request_id: String
        }
        var error: Inner
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            var api = APIError.from(error)
            // A path that exists for other methods: 405 with the methods it has, rather than 404.
            let allowed = api.status == .notFound ? request.allowedMethods : []
            if !allowed.isEmpty && !allowed.contains(request.method) {
                api = APIError(.methodNotAllowed, code: "method_not_allowed",
                               "\(request.method.rawValue) is not supported here; use \(allowed.map(\.rawValue).joined(separator: " or ")).")
            }
            let response = try await render(api, for: request, error: error)
            if api.status == .methodNotAllowed { response.headers.replaceOrAdd(name: .allow, value: allowed.map(\.rawValue).joined(separator: ", ")) }
            if let seconds = api.retryAfter { response.headers.replaceOrAdd(name: .retryAfter, value: String(seconds)) }
            return response
        }
    }

    private func render(_ api: APIError, for request: Request, error: any Error) async throws -> Response {
        if api.status == .internalServerError {
            request.logger.error("Unhandled error: \(LoggedError.text(error))")
        } else if api.code == "client_aborted" {
            request.logger.debug("Client went away mid-request: \(LoggedError.text(error))")
        }
        if request.isAPI {
            let response = Response(status: api.status)
            try response.content.encode(Body(error: .init(code: api.code, message: api.message, details: api.details, request_id: request.requestID)))
            if api.status == .unauthorized { response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer") }
            return response
        }
        if api.status == .unauthorized {
            return request.redirect(to: SiteURL.login(next: request.url.string).path)
        }
        let context = ErrorPage(page: PageChrome(request: request, title: "\(api.status.code) \(api.status.reasonPhrase)"),
                                status: Int(api.status.code), message: api.message, details: api.details, requestID: request.requestID)
        let view = try await request.view.render("error", context)
        let response = try await view.encodeResponse(for: request)
        response.status = api.status
        return response
    }
}

extension Request {
    /// The methods the server has for this path (empty when the path is unknown): those of the most
    /// specific routes that match it. `/api/v1/people/import` is the import's path, not a person's,
    /// though `GET /api/v1/people/:employeeID` would match it too.
    var allowedMethods: [HTTPMethod] {
        let parts = url.path.split(separator: "/").map(String.init)
        var best = -1
        var methods: [HTTPMethod] = []
        for route in application.routes.all where route.path.count == parts.count {
            var constants = 0
            let matches = zip(route.path, parts).allSatisfy { component, part in
                switch component {
                case let .constant(text): constants += 1; return text == part
                case .parameter, .anything, .catchall: return true
                }
            }
            guard matches, constants >= best else { continue }
            if constants > best { (best, methods) = (constants, []) }
            if !methods.contains(route.method) { methods.append(route.method) }
        }
        return methods.sorted { $0.rawValue < $1.rawValue }
    }
}

extension Request {
    /// Whether this is a JSON API request (as opposed to a page).
    var isAPI: Bool { url.path.hasPrefix("/api/") || url.path == "/openapi.json" }
}
