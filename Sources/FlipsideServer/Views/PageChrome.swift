import FlipsideCore
import MatchingEngine
import LeafKit
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
    /// dropped when a newer is kept). The whole page, the body inside the chrome (`kept.leaf`), is kept
    /// too, once per shape of the chrome (`PageChrome.keptShape`: title, navigation, role): a request
    /// only fills in its reader's own form token and email. The body must show nothing of the reader
    /// that `name` does not name: `context` is the first reader's, and every reader of the same name is
    /// served it (its forms carry `PageChrome.forKeptBody`'s hole, filled with each reader's own token).
    func renderKept<C: Encodable & Sendable>(_ template: String, name: String, version: String, onePerName: Bool = true, chrome: PageChrome,
                                             context: @escaping @Sendable () async throws -> (C, HTTPStatus)) async throws -> Response {
        let results = flipside.service.results
        let pageName = "\(name)|page|\(chrome.keptShape)"
        if let page = await results.value("\(pageName)|\(version)", as: KeptBody.self) {
            return page.response(formToken: chrome.csrf, email: chrome.userEmail)
        }
        let key = "\(name)|\(version)"
        let body: RenderedBody
        if let kept = await results.value(key, as: RenderedBody.self) {
            body = kept
        } else {
            // The model is computed once for the readers that miss at once; each renders it, and the body
            // is kept for everyone after (the model of an older version is dropped with the older body).
            let (model, status) = onePerName ? try await results.current(name + "|model", version: version, compute: context)
                : try await results.value(name + "|model|" + version, compute: context)
            let rendered = RenderedBody(html: String(buffer: try await view.render(template, model).data), status: status)
            if onePerName { await results.keepCurrent(rendered, name: name, version: version) } else { await results.keep(rendered, for: key) }
            body = rendered
        }
        let page = KeptBody(String(buffer: try await view.render("kept", KeptPage(page: chrome.forKeptPage, body: body.html)).data), status: body.status)
        if onePerName { await results.keepCurrent(page, name: pageName, version: version) } else { await results.keep(page, for: "\(pageName)|\(version)") }
        return page.response(formToken: chrome.csrf, email: chrome.userEmail)
    }

    func render(_ template: String, _ context: some Encodable & Sendable, status: HTTPStatus) async throws -> Response {
        let response = try await view.render(template, context).encodeResponse(for: self)
        response.status = status
        return response
    }
}

/// A page's body as `renderKept` keeps it, to be put inside the chrome: its HTML (with form token holes)
/// and the status it is answered with.
struct RenderedBody: Sendable {
    let html: String
    let status: HTTPStatus
}

/// A whole page as `renderKept` keeps it: the HTML with holes where each reader's own form token and
/// email go, and the status it is answered with.
struct KeptBody: Sendable {
    /// The HTML cut at the holes, and which hole follows each piece but the last (true: the form token,
    /// false: the email), so that filling them in per request is a join, not a search through the page.
    private let pieces: [String]
    private let holes: [Bool]
    /// The HTML's length in bytes, holes included.
    private let size: Int
    let status: HTTPStatus

    init(_ html: String, status: HTTPStatus) {
        size = html.utf8.count
        var pieces: [String] = [], holes: [Bool] = []
        for (i, part) in html.components(separatedBy: Self.formTokenHole).enumerated() {
            if i > 0 { holes.append(true) }
            for (j, piece) in part.components(separatedBy: Self.emailHole).enumerated() {
                if j > 0 { holes.append(false) }
                pieces.append(piece)
            }
        }
        self.pieces = pieces
        self.holes = holes
        self.status = status
    }

    /// The HTML with `formToken` in each of its forms and `email` (escaped as Leaf escapes it) where
    /// the page shows who is signed in.
    func html(formToken: String, email: String?) -> String {
        let escaped = email?.htmlEscaped() ?? ""
        var html = pieces[0]
        html.reserveCapacity(size + 16 * holes.count)
        for (i, isToken) in holes.enumerated() {
            html += isToken ? formToken : escaped
            html += pieces[i + 1]
        }
        return html
    }

    /// The answer to a request: the HTML filled in for its reader.
    func response(formToken: String, email: String?) -> Response {
        Response(status: status, headers: ["content-type": "text/html; charset=utf-8"], body: .init(string: html(formToken: formToken, email: email)))
    }

    /// Where a kept body's forms carry the reader's form token, and a kept page the reader's email
    /// (filled in per request): new each time the server starts, so that no text in the data can be one.
    static let formTokenHole = "kept-form-token-" + TokenHash.newToken()
    static let emailHole = "kept-email-" + TokenHash.newToken()
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

    /// The chrome a kept page is rendered with: holes for the reader's form token and email.
    var forKeptPage: PageChrome {
        var chrome = self
        chrome.csrf = KeptBody.formTokenHole
        chrome.userEmail = userEmail == nil ? nil : KeptBody.emailHole
        return chrome
    }

    /// Everything of the chrome but the reader's form token and email (which a kept page has holes
    /// for): readers with the same shape are served the same kept page. A field added to the chrome
    /// belongs here.
    var keptShape: String {
        "\(isSignedIn ? "s" : "-")\(isCoordinator ? "c" : "-")\(userEmail == nil ? "-" : "e")|\(refreshSeconds.map(String.init) ?? "")|\(nav)|\(title)"
    }
}

/// A kept body inside this request's chrome.
struct KeptPage: Encodable, Sendable {
    var page: PageChrome
    var body: String
}
