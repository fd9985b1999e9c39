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

    /// A page whose body is the same for every reader of the same data, rendered once: `template` (a
    /// body without the chrome) is rendered from `context` once per `version` of `name` and kept in the
    /// result cache (computed once for readers that ask at once; with `onePerName`, an older version is
    /// dropped when a newer is kept); each request renders only its own chrome (who is signed in, their
    /// form token) around it (`kept.leaf`). The body must show nothing of the reader that `name` does not
    /// name: `context` is the first reader's, and every reader of the same name is served it (its forms
    /// carry `PageChrome.forKeptBody`'s hole, filled with each reader's own token).
    func renderKept<C: Encodable & Sendable>(_ template: String, name: String, version: String, onePerName: Bool = true, chrome: PageChrome,
                                             context: @escaping @Sendable () async throws -> (C, HTTPStatus)) async throws -> Response {
        let results = flipside.service.results
        let key = "\(name)|\(version)"
        let body: KeptBody
        if let kept = await results.value(key, as: KeptBody.self) {
            body = kept
        } else {
            // The model is computed once for the readers that miss at once; each renders it, and the body
            // is kept for everyone after (the model of an older version is dropped with the older body).
            let (model, status) = onePerName ? try await results.current(name + "|model", version: version, compute: context)
                : try await results.value(name + "|model|" + version, compute: context)
            let rendered = KeptBody(String(buffer: try await view.render(template, model).data), status: status)
            if onePerName { await results.keepCurrent(rendered, name: name, version: version) } else { await results.keep(rendered, for: key) }
            body = rendered
        }
        return try await render("kept", KeptPage(page: chrome, body: body.html(formToken: chrome.csrf)), status: body.status)
    }

    func render(_ template: String, _ context: some Encodable & Sendable, status: HTTPStatus) async throws -> Response {
        let response = try await view.render(template, context).encodeResponse(for: self)
        response.status = status
        return response
    }
}

/// A page's body as `renderKept` keeps it: the HTML and the status it is answered with.
struct KeptBody: Sendable {
    /// The HTML cut where the reader's form token goes (`formTokenHole`), so that filling it in per
    /// request is a join, not a search through the page.
    private let pieces: [String]
    let status: HTTPStatus

    init(_ html: String, status: HTTPStatus) {
        pieces = html.components(separatedBy: Self.formTokenHole)
        self.status = status
    }

    /// The body with `formToken` in each of its forms.
    func html(formToken: String) -> String { pieces.joined(separator: formToken) }

    /// Where a kept body's forms carry the reader's form token (filled in per request).
    static let formTokenHole = "kept-body-form-token-9f2c71d4"
}

extension PageChrome {
    /// The chrome a kept body is rendered with: the form token a hole `renderKept` fills in per reader,
    /// and no one's email.
    var forKeptBody: PageChrome {
        var chrome = self
        chrome.csrf = KeptBody.formTokenHole
        chrome.userEmail = nil
        return chrome
    }
}

/// A kept body inside this request's chrome.
struct KeptPage: Encodable, Sendable {
    var page: PageChrome
    var body: String
}
