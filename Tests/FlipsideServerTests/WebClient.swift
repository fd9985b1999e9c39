import Foundation
import Testing
import VaporTesting

/// A browser-like client for page tests: keeps the session cookie and the CSRF token of the last page.
final class WebClient {
    let app: Application
    var cookie: String?
    var csrf: String = ""

    init(app: Application) { self.app = app }

    /// Signs in through the login form.
    static func signedIn(_ world: TestWorld, as email: String) async throws -> WebClient {
        let client = WebClient(app: world.app)
        _ = try await client.get("/login")
        let res = try await client.post("/login", form: ["email": email, "password": TestWorld.password])
        #expect(res.status == .seeOther, "sign-in of \(email) failed: \(res.body.string)")
        return client
    }

    func get(_ path: String) async throws -> TestingHTTPResponse {
        try await send(.GET, path, headers: [:], body: nil)
    }

    /// Posts a URL-encoded form, adding the CSRF token unless `csrf` is false.
    func post(_ path: String, form: [String: String], csrf includeToken: Bool = true, headers extra: [String: String] = [:]) async throws -> TestingHTTPResponse {
        var fields = form
        if includeToken { fields["_csrf"] = csrf }
        let body = fields.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        var headers = HTTPHeaders(extra.map { ($0.key, $0.value) })
        headers.contentType = .urlEncodedForm
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    /// Posts a multipart form with one file field named `file`.
    func upload(_ path: String, csv: String, filename: String = "people.csv") async throws -> TestingHTTPResponse {
        let boundary = "----flipside-test-boundary"
        var body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\(csrf)\r\n"
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n--\(boundary)--\r\n"
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        return try await send(.POST, path, headers: headers, body: ByteBuffer(string: body))
    }

    private func send(_ method: HTTPMethod, _ path: String, headers: HTTPHeaders, body: ByteBuffer?) async throws -> TestingHTTPResponse {
        var headers = headers
        headers.replaceOrAdd(name: .accept, value: "text/html")
        if let cookie { headers.replaceOrAdd(name: .cookie, value: "flipside-session=\(cookie)") }
        let res = try await app.testing().sendRequest(method, path, headers: headers, body: body)
        if let set = res.headers.setCookie?["flipside-session"] {
            cookie = set.string.isEmpty ? nil : set.string
        }
        let html = res.body.string
        if let range = html.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) {
            let match = String(html[range])
            csrf = String(match.dropFirst(#"name="_csrf" value=""#.count).dropLast())
        }
        return res
    }

    static func encode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? s
    }
}

extension String {
    /// Whether `id` (an employee id such as "J4") appears as a whole, not inside a random form token or
    /// other word (a token's characters are letters, digits, `-` and `_`): a page may carry "…xJ4b…".
    func mentions(id: String) -> Bool {
        var searchFrom = startIndex
        let wordy: (Character) -> Bool = { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        while let found = range(of: id, range: searchFrom..<endIndex) {
            let before = found.lowerBound == startIndex ? nil : self[index(before: found.lowerBound)]
            let after = found.upperBound == endIndex ? nil : self[found.upperBound]
            if !(before.map(wordy) ?? false) && !(after.map(wordy) ?? false) { return true }
            searchFrom = index(after: found.lowerBound)
        }
        return false
    }
}

