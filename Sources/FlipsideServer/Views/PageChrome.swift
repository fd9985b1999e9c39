import FlipsideCore
import MatchingEngine
import Vapor

/// What every page's layout needs: title, the signed-in user, the CSRF token, the navigation.
struct PageChrome: Encodable, Sendable {
    var title: String
    var userEmail: String?
    var isCoordinator: Bool
    var isSignedIn: Bool
    var csrf: String
    var nav: String
    /// Reload the page after this many seconds (a run in progress), without JavaScript.
    var refreshSeconds: Int?

    init(request: Request, title: String, nav: String = "", hasForm: Bool = false) {
        let user = request.auth.get(UserModel.self)
        self.title = title
        userEmail = user?.email
        isCoordinator = AccessPolicy.managesPrograms(request.actor)
        isSignedIn = user != nil
        // Anonymous pages without a form need no token, and so create no session.
        csrf = user != nil || hasForm ? CSRF.token(for: request) : ""
        self.nav = nav
    }

    /// A page written to a file (a report): nobody signed in, no navigation, no forms.
    init(reportTitle: String) {
        title = reportTitle
        userEmail = nil
        isCoordinator = false
        isSignedIn = false
        csrf = ""
        nav = ""
    }
}

struct ErrorPage: Encodable {
    var page: PageChrome
    var status: Int
    var message: String
    var details: [ErrorDetail]
    var requestID: String
}

extension Request {
    /// A page rendered with a status other than 200: a form shown again with its problems (422), a
    /// refused sign-in (401, 403, 429).
    func render(_ template: String, _ context: some Encodable & Sendable) async throws -> Response {
        try await render(template, context, status: .ok)
    }

    func render(_ template: String, _ context: some Encodable & Sendable, status: HTTPStatus) async throws -> Response {
        let response = try await view.render(template, context).encodeResponse(for: self)
        response.status = status
        return response
    }
}

