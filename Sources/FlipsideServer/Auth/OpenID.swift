import Crypto
import FlipsideCore
import Foundation
import JWTKit
import Vapor

/// Sign-in with the organisation's identity provider (`OIDC_*`): the client's settings and Core's rules.
public struct OpenIDConfig: Sendable, Equatable {
    public enum ClientAuth: String, Sendable, CaseIterable { case basic = "client_secret_basic", post = "client_secret_post" }
    public var settings: OpenIDSettings
    public var clientSecret: String
    public var clientAuth: ClientAuth
    /// "Sign in with …".
    public var providerName: String
    public var scopes: String
    /// Passwords and sign-in links give way to the provider (coordinators keep a break-glass password).
    public var only: Bool

    /// Reads `OIDC_ISSUER` (which turns it on), `OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET`, `OIDC_CLIENT_AUTH`,
    /// `OIDC_PERSON_CLAIM`, `OIDC_REQUIRE_EMAIL_VERIFIED`, `OIDC_COORDINATOR_GROUP`, `OIDC_GROUPS_CLAIM`,
    /// `OIDC_PROVIDER_NAME`, `OIDC_SCOPES` and `OIDC_ONLY`.
    static func from(_ env: [String: String], baseURL: String?) throws -> OpenIDConfig? {
        func value(_ name: String) -> String? { env[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0.trimmingCharacters(in: .whitespaces) } }
        guard let issuer = value("OIDC_ISSUER") else { return nil }
        guard let url = URL(string: issuer), ["https", "http"].contains(url.scheme ?? ""), url.host != nil else {
            throw ConfigError("OIDC_ISSUER must be the provider's issuer URL, such as https://login.example.com/realms/staff")
        }
        guard baseURL != nil else { throw ConfigError("OIDC_ISSUER needs BASE_URL: the provider sends people back to BASE_URL/auth/oidc/callback") }
        guard let clientID = value("OIDC_CLIENT_ID") else { throw ConfigError("OIDC_ISSUER needs OIDC_CLIENT_ID") }
        guard let secret = value("OIDC_CLIENT_SECRET") else { throw ConfigError("OIDC_ISSUER needs OIDC_CLIENT_SECRET") }
        let auth = try value("OIDC_CLIENT_AUTH").map { raw in
            guard let a = ClientAuth(rawValue: raw) else { throw ConfigError("OIDC_CLIENT_AUTH must be client_secret_basic or client_secret_post") }
            return a
        } ?? .basic
        func flag(_ name: String, _ fallback: Bool) throws -> Bool {
            guard let raw = value(name)?.lowercased() else { return fallback }
            if ["1", "true", "yes"].contains(raw) { return true }
            if ["0", "false", "no"].contains(raw) { return false }
            throw ConfigError("\(name) must be true or false")
        }
        let settings = OpenIDSettings(issuer: issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer, clientID: clientID,
                                      personClaim: value("OIDC_PERSON_CLAIM") ?? "email", requireVerifiedEmail: try flag("OIDC_REQUIRE_EMAIL_VERIFIED", true),
                                      coordinatorGroup: value("OIDC_COORDINATOR_GROUP"), groupsClaim: value("OIDC_GROUPS_CLAIM") ?? "groups")
        return OpenIDConfig(settings: settings, clientSecret: secret, clientAuth: auth, providerName: value("OIDC_PROVIDER_NAME") ?? "your company account",
                            scopes: value("OIDC_SCOPES") ?? "openid email profile", only: try flag("OIDC_ONLY", false))
    }
}

/// An ID token's claims as read (signature checked by jwt-kit; every claim check is Core's, on the
/// clock's `now`): the standard ones, every other string claim, and string-array claims (groups).
struct IDTokenPayload: JWTPayload {
    var claims: OpenIDClaims
    var arrays: [String: [String]]

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        func string(_ k: String) -> String? { try? c.decode(String.self, forKey: Key(stringValue: k)) }
        func time(_ k: String) throws -> Date {
            guard let t = try? c.decode(Double.self, forKey: Key(stringValue: k)) else {
                throw DecodingError.keyNotFound(Key(stringValue: k), .init(codingPath: [], debugDescription: "the ID token has no \(k)"))
            }
            return Date(timeIntervalSince1970: t)
        }
        let audience: [String] = (try? c.decode([String].self, forKey: Key(stringValue: "aud"))) ?? string("aud").map { [$0] } ?? []
        var verified: Bool?
        if let b = try? c.decode(Bool.self, forKey: Key(stringValue: "email_verified")) { verified = b } else if let s = string("email_verified") {
            verified = s.lowercased() == "true"
        }
        var strings: [String: String] = [:], arrays: [String: [String]] = [:]
        for key in c.allKeys {
            if let s = try? c.decode(String.self, forKey: key) { strings[key.stringValue] = s }
            if let a = try? c.decode([String].self, forKey: key) { arrays[key.stringValue] = a }
        }
        self.arrays = arrays
        claims = OpenIDClaims(issuer: string("iss") ?? "", audience: audience, authorizedParty: string("azp"), expires: try time("exp"), issuedAt: try time("iat"),
                              nonce: string("nonce"), subject: string("sub") ?? "", email: string("email"), emailVerified: verified, strings: strings)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(claims.issuer, forKey: Key(stringValue: "iss"))
        try c.encode(claims.audience, forKey: Key(stringValue: "aud"))
        try c.encodeIfPresent(claims.authorizedParty, forKey: Key(stringValue: "azp"))
        try c.encode(claims.expires.timeIntervalSince1970, forKey: Key(stringValue: "exp"))
        try c.encode(claims.issuedAt.timeIntervalSince1970, forKey: Key(stringValue: "iat"))
        try c.encodeIfPresent(claims.nonce, forKey: Key(stringValue: "nonce"))
        try c.encode(claims.subject, forKey: Key(stringValue: "sub"))
        try c.encodeIfPresent(claims.email, forKey: Key(stringValue: "email"))
        try c.encodeIfPresent(claims.emailVerified, forKey: Key(stringValue: "email_verified"))
        for (k, v) in claims.strings where !["iss", "azp", "nonce", "sub", "email"].contains(k) { try c.encode(v, forKey: Key(stringValue: k)) }
        for (k, v) in arrays where k != "aud" { try c.encode(v, forKey: Key(stringValue: k)) }
    }

    /// The claims are Core's to check, on the application's clock.
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}

/// The provider's signing keys (its JWKS), kept and refreshed: a token whose key is unknown fetches the
/// keys again — at most once a minute — and is checked once more, so a key rotation needs no restart.
actor OpenIDKeys {
    private var keys = JWTKeyCollection()
    private var fetched: Date?
    private let fetch: @Sendable () async throws -> String
    private let now: @Sendable () -> Date
    static let refetchEvery: TimeInterval = 60

    init(fetch: @escaping @Sendable () async throws -> String, now: @escaping @Sendable () -> Date) {
        self.fetch = fetch
        self.now = now
    }

    private func refresh() async throws {
        let json = try await fetch()
        let fresh = JWTKeyCollection()
        _ = try await fresh.add(jwksJSON: json)
        keys = fresh
        fetched = now()
    }

    /// The token's claims, once its signature checks out against one of the provider's keys.
    func verify(_ token: String) async throws -> IDTokenPayload {
        if fetched == nil { try await refresh() }
        do {
            return try await keys.verify(token, as: IDTokenPayload.self)
        } catch let error as JWTError where error.errorType == .unknownKID || error.errorType == .signatureVerificationFailed {
            // A new key the provider rotated to: fetch again, unless that was just done.
            guard let last = fetched, now().timeIntervalSince(last) >= Self.refetchEvery else { throw error }
            try await refresh()
            return try await keys.verify(token, as: IDTokenPayload.self)
        }
    }
}

/// The provider as Flipside talks to it: discovery, the token request, the keys.
actor OpenIDProvider {
    struct Metadata: Decodable, Sendable {
        var issuer: String
        var authorization_endpoint: String
        var token_endpoint: String
        var jwks_uri: String
        var end_session_endpoint: String?
    }

    struct Failure: Error, CustomStringConvertible { var description: String }

    let config: OpenIDConfig
    let client: any Client
    let clock: any WallClock
    private var metadata: Metadata?
    private var keys: OpenIDKeys?

    init(config: OpenIDConfig, client: any Client, clock: any WallClock) {
        self.config = config
        self.client = client
        self.clock = clock
    }

    /// The provider's metadata (`/.well-known/openid-configuration`), read once and kept.
    func discovered() async throws -> Metadata {
        if let metadata { return metadata }
        let url = config.settings.issuer + "/.well-known/openid-configuration"
        let response = try await client.get(URI(string: url))
        guard response.status == .ok else { throw Failure(description: "discovery at \(url) answered \(response.status.code)") }
        let found = try response.content.decode(Metadata.self)
        guard found.issuer.trimmingCharacters(in: CharacterSet(charactersIn: "/")) == config.settings.issuer.trimmingCharacters(in: CharacterSet(charactersIn: "/")) else {
            throw Failure(description: "discovery names the issuer \(found.issuer), not \(config.settings.issuer)")
        }
        metadata = found
        let client = self.client, jwks = found.jwks_uri, clock = self.clock
        keys = OpenIDKeys(fetch: {
            let r = try await client.get(URI(string: jwks))
            guard r.status == .ok, let body = r.body else { throw Failure(description: "the JWKS at \(jwks) answered \(r.status.code)") }
            return String(buffer: body)
        }, now: { clock.now })
        return found
    }

    func verify(_ idToken: String) async throws -> IDTokenPayload {
        _ = try await discovered()
        return try await keys!.verify(idToken)
    }

    /// Exchanges the code (with the PKCE verifier) for tokens; returns the ID token.
    func idToken(code: String, verifier: String, redirectURI: String) async throws -> String {
        let meta = try await discovered()
        var form = ["grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI, "code_verifier": verifier]
        var headers = HTTPHeaders()
        switch config.clientAuth {
        case .basic:
            let id = Self.formEncode(config.settings.clientID), secret = Self.formEncode(config.clientSecret)
            headers.basicAuthorization = BasicAuthorization(username: id, password: secret)
        case .post:
            form["client_id"] = config.settings.clientID
            form["client_secret"] = config.clientSecret
        }
        let response = try await client.post(URI(string: meta.token_endpoint), headers: headers) { req in
            try req.content.encode(form, as: .urlEncodedForm)
        }
        struct Tokens: Decodable { var id_token: String? }
        guard response.status == .ok else {
            struct Problem: Decodable { var error: String? }
            let code = (try? response.content.decode(Problem.self))?.error ?? "?"
            throw Failure(description: "the token endpoint answered \(response.status.code) (\(code))")
        }
        guard let token = try response.content.decode(Tokens.self).id_token else { throw Failure(description: "the token response has no id_token") }
        return token
    }

    /// RFC 6749 §2.3.1: client credentials in Basic are form-encoded first.
    static func formEncode(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }

    /// PKCE S256: the challenge of a verifier.
    static func challenge(_ verifier: String) -> String {
        Data(SHA256.hash(data: Data(verifier.utf8))).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

extension Application {
    private struct OpenIDProviderKey: StorageKey { typealias Value = OpenIDProvider }

    /// The identity provider, when `OIDC_ISSUER` is set.
    var openID: OpenIDProvider? {
        get { storage[OpenIDProviderKey.self] }
        set { storage[OpenIDProviderKey.self] = newValue }
    }
}
