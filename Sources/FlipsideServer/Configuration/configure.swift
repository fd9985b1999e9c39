import FlipsideCore
import Fluent
import FluentPostgresDriver
import FluentSQLiteDriver
import Leaf
import LeafKit
import Vapor

extension Application {
    private struct AppConfigKey: StorageKey { typealias Value = AppConfig }

    private struct WallClockKey: StorageKey { typealias Value = any WallClock }

    /// Where "now" comes from: the system's clock, or a test's.
    public var clock: any WallClock {
        get { storage[WallClockKey.self] ?? SystemClock() }
        set { storage[WallClockKey.self] = newValue }
    }

    /// The configuration the application was set up with.
    public var appConfig: AppConfig {
        get { storage[AppConfigKey.self] ?? AppConfig(storage: .sqliteMemory) }
        set { storage[AppConfigKey.self] = newValue }
    }
}

/// Connections to PostgreSQL per event loop (and per instance). SQLite has one per event loop whatever
/// is asked (FluentSQLiteDriver's choice); its writes go through a connection of their own instead.
let postgresConnectionsPerLoop = 4

/// Sets up the database, sessions, pages and routes. Does not run migrations.
public func configure(_ app: Application, config: AppConfig) async throws {
    app.appConfig = config
    app.results = ResultCache()
    app.backgroundWork = BackgroundWork()
    if let openID = config.openID { app.openID = OpenIDProvider(config: openID, client: app.client, clock: app.clock) }
    app.passwordWork = PasswordWork()
    // Ids in every JSON answer in lower case (`LowercaseUUIDEncoder`).
    ContentConfiguration.global.use(encoder: LowercaseUUIDEncoder(), for: .json)
    app.http.server.configuration.hostname = config.host
    app.http.server.configuration.port = config.port
    // A connection that sends and receives nothing for this long is closed: half-sent uploads and idle
    // sockets do not pile up.
    app.http.server.configuration.idleTimeout = .seconds(60)

    // SQLite's queries block a thread of the application's pool, and a connection waiting for SQLite's
    // writer lock spins on its thread until the lock is free (SQLiteNIO's busy handler retries at once).
    // With fewer threads than connections, waiting connections can take every thread while the one
    // holding the lock waits for a thread to commit on: everything stops. So the pool has threads to
    // spare beyond the connections, and two for password hashing and files (and is the application's
    // own, not the process-wide one, which two applications in one process would share).
    let loops = System.coreCount
    switch config.storage {
    case .sqliteFile: app.threadPool = NIOThreadPool(numberOfThreads: loops * 4 + 2)
    case .sqliteMemory: app.threadPool = NIOThreadPool(numberOfThreads: loops + 2)
    case .postgres: break
    }

    switch config.storage {
    case let .sqliteFile(path):
        // One connection per event loop for reads (the driver allows no more); writes go one at a time
        // through a connection of their own (`SQLiteWriterConnection`: `writeTransaction` queues, then
        // takes SQLite's writer lock first; WAL lets readers on), so that a long write does not hold a
        // loop's connection; a large run's input is read through `BackgroundDatabase`.
        app.databases.use(.sqlite(.file(path), sqlLogLevel: .debug), as: .sqlite)
        SQLiteWriterConnection.register(app, path: path)
        BackgroundDatabase.prepare(app)
    case .sqliteMemory:
        app.databases.use(.sqlite(.memory, sqlLogLevel: .debug), as: .sqlite)
    case let .postgres(url):
        // A few connections per event loop (the driver's default is one): a large run's input read held
        // a loop's only connection, and a page request on that loop waited 1 s for it.
        app.databases.use(.postgres(configuration: try SchemaMigration.postgresConfiguration(url),
                                    maxConnectionsPerEventLoop: postgresConnectionsPerLoop, sqlLogLevel: .debug), as: .psql)
    }
    FlipsideMigrations.register(on: app)

    app.passwords.use(.bcrypt(cost: config.bcryptCost))
    app.sessions.use { _ in ExpiringSessions() }
    app.sessions.configuration.cookieName = "flipside-session"
    let secure = config.secureCookies
    // Max-Age alone (every browser honours it; it wins over Expires where both are given): formatting an
    // Expires date made a date formatter per response, 15 % of a kept page's time under load.
    app.sessions.configuration.cookieFactory = { sessionID in
        HTTPCookies.Value(string: sessionID.string, expires: nil, maxAge: Int(ExpiringSessions.lifetime),
                          domain: nil, path: "/", isSecure: secure, isHTTPOnly: true, sameSite: .lax)
    }

    app.views.use(.leaf)
    if ResourcePaths.root != nil {
        app.leaf.configuration.rootDirectory = ResourcePaths.views
    } else {
        app.leaf.sources = LeafSources.singleSource(EmbeddedLeafSource())
    }
    app.leaf.cache.isEnabled = app.environment.isRelease

    // Security headers on every response (error pages too), then our error middleware in place of
    // Vapor's, then static files.
    app.middleware = Middlewares()
    app.middleware.use(RequestObservation())
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(FlipsideErrorMiddleware())
    let stragglers = Stragglers()
    app.lifecycle.use(Stragglers.Shutdown(stragglers: stragglers))
    // Handlers stop in reverse order: registered after the databases, background work ends before they close.
    app.lifecycle.use(app.backgroundWork)
    app.middleware.use(RequestDeadline(limit: .milliseconds(Int64(config.requestDeadline * 1000)), stragglers: stragglers))
    app.middleware.use(ResourcePaths.root != nil ? FileMiddleware(publicDirectory: ResourcePaths.publicDirectory) as any Middleware : EmbeddedFilesMiddleware())
    // Sessions for every request so that any page (error pages too) can carry the CSRF token.
    // Only page routes authenticate from the session; the API accepts bearer tokens alone.
    app.middleware.use(app.sessions.middleware)
    app.routes.defaultMaxBodySize = "1mb"

    try routes(app)
}

/// Where pages, styles and the OpenAPI document come from: the folder `FLIPSIDE_RESOURCES` names, or
/// the working directory when it is a Flipside source tree (development: edits show at once), else the
/// copies built into the binary (`EmbedResources`), so a release binary serves them wherever it is
/// copied.
enum ResourcePaths {
    /// The folder holding `Resources/` and `Public/`, or `nil` when the built-in copies serve.
    static let root: String? = {
        let fm = FileManager.default
        if let given = ProcessInfo.processInfo.environment["FLIPSIDE_RESOURCES"], !given.isEmpty {
            return given.hasSuffix("/") ? given : given + "/"
        }
        let cwd = fm.currentDirectoryPath
        return fm.fileExists(atPath: cwd + "/Resources/Views/base.leaf") ? cwd + "/" : nil
    }()

    static var views: String { (root ?? "/") + "Resources/Views/" }
    static var publicDirectory: String { (root ?? "/") + "Public/" }
    static var openAPI: String { (root ?? "/") + "Resources/openapi.json" }

    /// A resource's bytes by its path under the root (`Resources/openapi.json`, `Public/css/flipside.css`).
    static func data(_ relative: String) -> Data? {
        if let root { return FileManager.default.contents(atPath: root + relative) }
        return EmbeddedResources.files[relative].flatMap { Data(base64Encoded: $0) }
    }
}

/// Templates from the copies built into the binary.
struct EmbeddedLeafSource: LeafSource {
    func file(template: String, escape: Bool, on eventLoop: any EventLoop) throws -> EventLoopFuture<ByteBuffer> {
        let name = template.hasSuffix(".leaf") ? template : template + ".leaf"
        guard !name.contains(".."), let data = ResourcePaths.data("Resources/Views/" + name) else {
            return eventLoop.makeFailedFuture(LeafError(.noTemplateExists(template)))
        }
        return eventLoop.makeSucceededFuture(ByteBuffer(data: data))
    }
}

/// `Public/` from the copies built into the binary (what `FileMiddleware` does for a folder).
struct EmbeddedFilesMiddleware: AsyncMiddleware {
    static let types = ["css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8", "svg": "image/svg+xml", "png": "image/png",
                        "ico": "image/x-icon", "txt": "text/plain; charset=utf-8"]

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path
        guard request.method == .GET || request.method == .HEAD, !path.contains(".."), path.count > 1,
              let data = ResourcePaths.data("Public" + path) else { return try await next.respond(to: request) }
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: Self.types[String(path.split(separator: ".").last ?? "")] ?? "application/octet-stream")
        headers.replaceOrAdd(name: .cacheControl, value: "public, max-age=3600")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}

/// Conservative security headers on every response.
struct SecurityHeadersMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: "X-Content-Type-Options", value: "nosniff")
        response.headers.replaceOrAdd(name: "X-Frame-Options", value: "DENY")
        response.headers.replaceOrAdd(name: "Referrer-Policy", value: "same-origin")
        response.headers.replaceOrAdd(name: "Content-Security-Policy", value: "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'")
        // Behind HTTPS (SECURE_COOKIES=true), browsers are told to use nothing else for a year.
        if request.application.appConfig.secureCookies {
            response.headers.replaceOrAdd(name: "Strict-Transport-Security", value: "max-age=31536000; includeSubDomains")
        }
        return response
    }
}

extension Request {
    /// Now, by the application's clock.
    var now: Date { application.clock.now }
}
