import Foundation
import FlipsideCore
import Vapor

/// Everything the server reads from its environment, read once and validated.
public struct AppConfig: Sendable {
    /// Where the data lives.
    public enum Storage: Sendable, Equatable {
        case sqliteFile(String)
        case sqliteMemory
        case postgres(URL)
    }

    public var storage: Storage
    public var host: String
    public var port: Int
    /// bcrypt work factor for new password hashes.
    public var bcryptCost: Int
    /// Whether session cookies carry the `Secure` flag (set when the server is behind HTTPS).
    public var secureCookies: Bool
    /// Failed logins allowed per email within `loginWindow` before further attempts are refused.
    public var loginAttemptLimit: Int
    /// Failed logins allowed from one client address within `loginWindow`, whatever the emails.
    public var loginAddressLimit: Int
    public var loginWindow: TimeInterval
    /// Wrong anonymous-concern codes allowed from one client address within `loginWindow`
    /// (`CONCERN_CODE_LIMIT`).
    public var concernCodeLimit = 20
    /// How long one request may take before it is answered 503 and its work cancelled
    /// (`REQUEST_DEADLINE_SECONDS`); below the connection's 60-second idle timeout, and long enough for
    /// a 100,000-person import on a slow machine.
    public var requestDeadline: TimeInterval = 55
    /// How long a claimed outbox job is held before another worker may take it (`OUTBOX_LEASE_SECONDS`);
    /// a running job renews it every third of it.
    public var outboxLease: TimeInterval = 300
    /// The address people reach the server at (`BASE_URL`, e.g. `https://mentoring.example.com`), used
    /// to build the links Flipside hands out. Never taken from a request's Host header.
    public var baseURL: String?
    /// Whether this is a production run (`APP_ENV=production`): links need `BASE_URL` then.
    public var isProduction: Bool
    /// Where mail leaves (`SMTP_URL`, `MAIL_FROM`, `SMTP_CA_FILE`, `SMTP_TIMEOUT_SECONDS`); `nil` without
    /// `SMTP_URL`: messages are kept and shown, not sent.
    var smtp: SMTPSettings?
    /// Sign-in with the organisation's identity provider (`OIDC_ISSUER` and the rest), if set.
    public var openID: OpenIDConfig?
    /// Which networks a program's chat webhook may reach (`WEBHOOK_ALLOW`: public, loopback or private).
    public var webhookReach: WebhookReach = .publicOnly
    /// How long a message may stay `sending` before a worker that died is taken to have lost it
    /// (`MESSAGE_SENDING_WINDOW_SECONDS`): then it goes again.
    public var messageSendingWindow: TimeInterval = Messages.abandonedAfter
    /// How long a webhook may take to connect and to answer.
    public var webhookTimeout: TimeInterval = 10
    /// Whether a background match run starts at once in this process (besides the outbox workers that
    /// would take it on their next round). Tests turn it off and drain the outbox themselves.
    public var startBackgroundRunsAtOnce = true
    /// Whether results kept between requests (everyone's employment facts for the outcomes) are computed
    /// ahead, at start and after each HR import, so that the first page after them is not the slow one.
    /// Tests turn it off.
    public var warmCaches = true
    /// The bearer token `GET /metrics` asks for (`METRICS_TOKEN`); without one, only local scrapers
    /// that did not come through a proxy may read it.
    public var metricsToken: String?
    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed (`TRUSTED_PROXIES`, comma
    /// separated); from anyone else the header is ignored.
    public var trustedProxies: Set<String> = []
    /// What a person provisioned by SCIM gets when the provider does not send it (`SCIM_DEFAULT_LEVEL`,
    /// `SCIM_DEFAULT_TIME_ZONE`); a hire date not sent is the day they were provisioned.
    public var provisioningDefaults = ProvisioningDefaults()

    public init(storage: Storage, host: String = "127.0.0.1", port: Int = 8080, bcryptCost: Int = 12,
                secureCookies: Bool = false, loginAttemptLimit: Int = 5, loginAddressLimit: Int = 50,
                loginWindow: TimeInterval = 15 * 60, baseURL: String? = nil, isProduction: Bool = false) {
        self.storage = storage
        self.host = host
        self.port = port
        self.bcryptCost = bcryptCost
        self.secureCookies = secureCookies
        self.loginAttemptLimit = loginAttemptLimit
        self.loginAddressLimit = loginAddressLimit
        self.loginWindow = loginWindow
        self.baseURL = baseURL
        self.isProduction = isProduction
    }

    /// Where links point: `BASE_URL`, or in development the address the server listens on; `nil` in
    /// production without `BASE_URL` (a link built from a request's Host header could point anywhere).
    public var linkBase: String? {
        if let baseURL { return baseURL }
        return isProduction ? nil : "http://\(host):\(port)"
    }

    /// Reads `DATABASE_URL`, `HOST`, `PORT`, `BCRYPT_COST`, `SECURE_COOKIES`, `APP_ENV`, `BASE_URL`,
    /// `METRICS_TOKEN`, `TRUSTED_PROXIES`, `LOGIN_ADDRESS_LIMIT`, `REQUEST_DEADLINE_SECONDS`,
    /// `OUTBOX_LEASE_SECONDS`, `CONCERN_CODE_LIMIT` and the mail settings (`SMTP_URL`, `MAIL_FROM`,
    /// `SMTP_CA_FILE`, `SMTP_TIMEOUT_SECONDS`) from `environment`.
    /// `DATABASE_URL` may be `postgres://…`, `sqlite:///path/file.sqlite`, `sqlite::memory:` or unset
    /// (a `flipside.sqlite` file in the working directory).
    public static func fromEnvironment(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> AppConfig {
        let storage = try parseStorage(environment["DATABASE_URL"])
        var config = AppConfig(storage: storage)
        if let host = environment["HOST"], !host.isEmpty { config.host = host }
        /// A number from `range`, when the variable is set; a clear error when it is not one.
        func number<N: LosslessStringConvertible & Comparable>(_ name: String, _ range: ClosedRange<N>, _ note: String = "") throws -> N? {
            guard let raw = environment[name], !raw.isEmpty else { return nil }
            guard let value = N(raw), range.contains(value) else { throw ConfigError("\(name) must be from \(range.lowerBound) to \(range.upperBound)\(note), not '\(raw)'") }
            return value
        }
        if let port = try number("PORT", 1...65535) { config.port = port }
        if let cost = try number("BCRYPT_COST", 4...31) { config.bcryptCost = cost }
        if let raw = environment["SECURE_COOKIES"] { config.secureCookies = ["1", "true", "yes"].contains(raw.lowercased()) }
        config.isProduction = environment["APP_ENV"] == "production"
        if let raw = environment["BASE_URL"], !raw.isEmpty { config.baseURL = try parseBaseURL(raw) }
        if let raw = environment["METRICS_TOKEN"], !raw.isEmpty {
            guard raw.count >= 16 else { throw ConfigError("METRICS_TOKEN must be at least 16 characters") }
            config.metricsToken = raw
        }
        if let raw = environment["TRUSTED_PROXIES"], !raw.isEmpty {
            let addresses = raw.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            for address in addresses where !ClientAddress.looksLikeIP(address) {
                throw ConfigError("TRUSTED_PROXIES must list IP addresses, not '\(address)'")
            }
            config.trustedProxies = Set(addresses)
        }
        if let limit = try number("LOGIN_ADDRESS_LIMIT", 1...100_000) { config.loginAddressLimit = limit }
        if let seconds = try number("REQUEST_DEADLINE_SECONDS", 1.0...59.0, " (below the 60 s idle timeout)") { config.requestDeadline = seconds }
        if let seconds = try number("OUTBOX_LEASE_SECONDS", 3.0...86_400.0) { config.outboxLease = seconds }
        if let limit = try number("CONCERN_CODE_LIMIT", 1...100_000) { config.concernCodeLimit = limit }
        if let seconds = try number("MESSAGE_SENDING_WINDOW_SECONDS", 5.0...86_400.0) { config.messageSendingWindow = seconds }
        if let raw = environment["WEBHOOK_ALLOW"], !raw.isEmpty {
            guard let reach = WebhookReach(rawValue: raw.lowercased()) else {
                throw ConfigError("WEBHOOK_ALLOW must be one of \(WebhookReach.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            config.webhookReach = reach
        }
        if let level = try number("SCIM_DEFAULT_LEVEL", 0...100) { config.provisioningDefaults.level = level }
        if let zone = environment["SCIM_DEFAULT_TIME_ZONE"], !zone.isEmpty {
            guard TimeZoneName.isValid(zone) else { throw ConfigError("SCIM_DEFAULT_TIME_ZONE must be an IANA time zone (e.g. Europe/Berlin), not '\(zone)'") }
            config.provisioningDefaults.timeZone = zone
        }
        config.openID = try OpenIDConfig.from(environment, baseURL: config.baseURL)
        config.smtp = try SMTPSettings.from(url: environment["SMTP_URL"], from: environment["MAIL_FROM"], caFile: environment["SMTP_CA_FILE"],
                                            timeout: environment["SMTP_TIMEOUT_SECONDS"],
                                            heloName: config.baseURL.flatMap { URL(string: $0)?.host } ?? "localhost")
        return config
    }

    /// `https://host[:port][/path]` without a trailing slash, query or fragment.
    static func parseBaseURL(_ raw: String) throws -> String {
        let trimmed = raw.hasSuffix("/") ? String(raw.dropLast()) : raw
        guard let url = URL(string: trimmed), ["http", "https"].contains(url.scheme ?? ""), url.host?.isEmpty == false,
              url.query == nil, url.fragment == nil, url.user == nil else {
            throw ConfigError("BASE_URL must be an http(s) address such as https://mentoring.example.com, not '\(raw)'")
        }
        return trimmed
    }

    static func parseStorage(_ raw: String?) throws -> Storage {
        guard let raw, !raw.isEmpty else { return .sqliteFile("flipside.sqlite") }
        if raw == "sqlite::memory:" { return .sqliteMemory }
        if raw.hasPrefix("sqlite://") {
            let path = String(raw.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw ConfigError("DATABASE_URL sqlite:// needs a file path, e.g. sqlite:///var/lib/flipside/data.sqlite") }
            return .sqliteFile(path)
        }
        if raw.hasPrefix("postgres://") || raw.hasPrefix("postgresql://") {
            guard let url = URL(string: raw), url.host != nil else { throw ConfigError("DATABASE_URL is not a valid postgres:// URL") }
            return .postgres(url)
        }
        throw ConfigError("DATABASE_URL must start with postgres://, postgresql:// or sqlite://")
    }

    /// A description safe to log: no password.
    public var storageDescription: String {
        switch storage {
        case let .sqliteFile(path): return "SQLite file \(path)"
        case .sqliteMemory: return "SQLite in memory"
        case let .postgres(url): return "PostgreSQL at \(url.host ?? "?"):\(url.port ?? 5432)\(url.path)"
        }
    }
}

/// A configuration value that cannot be used.
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
