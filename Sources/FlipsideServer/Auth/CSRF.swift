import Vapor

/// Synchroniser-token CSRF protection for forms: each session holds a random token that every
/// state-changing form must send back as `_csrf`.
enum CSRF {
    static let sessionKey = "csrf"
    static let field = "_csrf"

    /// The session's token, created on first use.
    static func token(for request: Request) -> String {
        if let token = request.session.data[sessionKey] { return token }
        let token = TokenHash.newToken()
        request.session.data[sessionKey] = token
        return token
    }

    /// Throws a 403 unless the form carries the session's token. Called by every form handler once the
    /// body is collected (a middleware would run before a large upload's body has arrived).
    static func verify(_ request: Request) throws {
        guard isValid(request) else {
            throw APIError(.forbidden, code: "csrf", "This form has expired or did not come from Flipside. Reload the page and try again.")
        }
    }

    /// Whether the form carries the session's token (compared in constant time).
    static func isValid(_ request: Request) -> Bool {
        guard let expected = request.session.data[sessionKey],
              let sent = try? request.content.get(String.self, at: field) else { return false }
        let a = Array(expected.utf8), b = Array(sent.utf8)
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

