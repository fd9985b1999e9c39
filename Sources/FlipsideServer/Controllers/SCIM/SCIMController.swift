import FlipsideCore
import Foundation
import SQLKit
import Vapor

/// SCIM 2.0 (RFC 7643 / 7644) at `/scim/v2`: an identity provider keeps the people directory in step
/// with a token a coordinator made. Users only (Flipside has no groups to provision); every write goes
/// through Core's `Provisioning` under the HR import's rules, every answer is `application/scim+json`,
/// every failure a SCIM error body.
struct SCIMController {
    static let mediaType = HTTPMediaType(type: "application", subType: "scim+json", parameters: ["charset": "utf-8"])
    /// The most users one list answers with (`count` above it is lowered, as RFC 7644 §3.4.2.4 allows).
    static let maxResults = 200

    func register(_ app: Application) {
        let scim = app.grouped("scim", "v2").grouped(SCIMGuard())
        scim.get("ServiceProviderConfig", use: serviceProviderConfig)
        scim.get("ResourceTypes", use: resourceTypes)
        scim.get("ResourceTypes", ":name", use: resourceType)
        scim.get("Schemas", use: schemas)
        scim.get("Schemas", ":urn", use: schema)
        scim.get("Users", use: list)
        scim.on(.POST, "Users", ".search", body: .collect(maxSize: "64kb"), use: search)
        scim.on(.POST, "Users", body: .collect(maxSize: "256kb"), use: create)
        scim.get("Users", ":id", use: get)
        scim.on(.PUT, "Users", ":id", body: .collect(maxSize: "256kb"), use: replace)
        scim.on(.PATCH, "Users", ":id", body: .collect(maxSize: "256kb"), use: patch)
        scim.delete("Users", ":id", use: delete)
        scim.on(.POST, ".search", body: .collect(maxSize: "64kb")) { _ async throws -> Response in
            throw SCIMError(status: 501, detail: "Search across resource types is not supported: search /Users/.search.")
        }
        // What the endpoints do not do is a 405 (RFC 7644 §3.2: discovery is read-only).
        let notAllowed: [(path: [PathComponent], methods: [HTTPMethod])] = [
            (["ServiceProviderConfig"], [.POST, .PUT, .PATCH, .DELETE]), (["ResourceTypes"], [.POST, .PUT, .PATCH, .DELETE]),
            (["ResourceTypes", ":name"], [.POST, .PUT, .PATCH, .DELETE]), (["Schemas"], [.POST, .PUT, .PATCH, .DELETE]),
            (["Schemas", ":urn"], [.POST, .PUT, .PATCH, .DELETE]), (["Users"], [.PUT, .PATCH, .DELETE]), (["Users", ":id"], [.POST]),
        ]
        for (path, methods) in notAllowed {
            for method in methods {
                scim.on(method, path) { req async throws -> Response in
                    throw SCIMError(status: 405, detail: "\(req.method.rawValue) is not allowed on \(req.url.path).")
                }
            }
        }
        for method in [HTTPMethod.GET, .POST, .PUT, .PATCH, .DELETE] {
            scim.on(method, .catchall) { req async throws -> Response in
                let first = req.url.path.split(separator: "/").dropFirst(2).first.map(String.init) ?? ""
                if ["Groups", "Me", "Bulk"].contains(first) {
                    throw SCIMError(status: 501, detail: "\(first) is not supported: Flipside provisions users only.")
                }
                throw SCIMError(status: 404, detail: "No such endpoint: Flipside serves /Users, /ServiceProviderConfig, /ResourceTypes and /Schemas.")
            }
        }
    }

    // MARK: Discovery

    func serviceProviderConfig(req: Request) async throws -> Response {
        try Self.answer(.object(SCIMDiscovery.serviceProviderConfig(base: try req.scimBase)), status: .ok)
    }

    func resourceTypes(req: Request) async throws -> Response {
        try Self.answer(SCIMDiscovery.list([.object(SCIMDiscovery.userResourceType(base: try req.scimBase))]), status: .ok)
    }

    func resourceType(req: Request) async throws -> Response {
        guard req.parameters.get("name") == "User" else { throw SCIMError(status: 404, detail: "No such resource type: Flipside serves User.") }
        return try Self.answer(.object(SCIMDiscovery.userResourceType(base: try req.scimBase)), status: .ok)
    }

    func schemas(req: Request) async throws -> Response {
        let base = try req.scimBase
        return try Self.answer(SCIMDiscovery.list(SCIMDiscovery.schemas(base: base).map(JSONValue.object)), status: .ok)
    }

    func schema(req: Request) async throws -> Response {
        let base = try req.scimBase
        guard let urn = req.parameters.get("urn"),
              let schema = SCIMDiscovery.schemas(base: base).first(where: { $0["id"]?.string == urn }) else {
            throw SCIMError(status: 404, detail: "No such schema.")
        }
        return try Self.answer(.object(schema), status: .ok)
    }

    // MARK: Users

    func list(req: Request) async throws -> Response {
        struct Query: Decodable { var filter: String?; var startIndex: String?; var count: String?; var attributes: String?; var excludedAttributes: String? }
        let query = try req.query.decode(Query.self)
        func number(_ raw: String?, _ name: String) throws(SCIMError) -> Int? {
            guard let raw = raw?.trimmed, !raw.isEmpty else { return nil }
            guard let value = Int(raw) else { throw .invalidValue("\(name): must be a whole number") }
            return value
        }
        return try await answerList(req, filter: query.filter, startIndex: try number(query.startIndex, "startIndex"),
                                    count: try number(query.count, "count"),
                                    attributes: Self.names(query.attributes), excluded: Self.names(query.excludedAttributes))
    }

    func search(req: Request) async throws -> Response {
        let body = try Self.body(req)
        guard let object = body.object else { throw SCIMError.invalidSyntax("The body must be a SearchRequest object.") }
        func names(_ key: String) throws(SCIMError) -> [String] {
            guard let value = object[scim: key] else { return [] }
            guard let items = value.array else { throw .invalidValue("\(key): must be a list of attribute names") }
            var names: [String] = []
            for item in items {
                guard let name = item.string else { throw .invalidValue("\(key): must be a list of attribute names") }
                names.append(name)
            }
            return names
        }
        func number(_ key: String) throws(SCIMError) -> Int? {
            guard let value = object[scim: key] else { return nil }
            guard case let .number(n) = value, n == n.rounded(), abs(n) < 1e9 else { throw .invalidValue("\(key): must be a whole number") }
            return Int(n)
        }
        let filter: String?
        switch object[scim: "filter"] {
        case nil: filter = nil
        case let .string(text)?: filter = text
        default: throw SCIMError.invalidValue("filter: must be a string")
        }
        return try await answerList(req, filter: filter, startIndex: try number("startIndex"), count: try number("count"),
                                    attributes: try names("attributes"), excluded: try names("excludedAttributes"))
    }

    private func answerList(_ req: Request, filter: String?, startIndex: Int?, count: Int?, attributes: [String], excluded: [String]) async throws -> Response {
        try AccessPolicy.require(req.scimActor, .view, .directory)
        let lookup = try filter.map { raw throws(SCIMError) in try SCIMFilter.parse(raw).lookup() } ?? .everyone
        let start = max(1, startIndex ?? 1)
        let wanted = min(max(0, count ?? Self.maxResults), Self.maxResults)
        let (accounts, total) = try await ProvisioningRows.accounts(lookup, offset: start - 1, limit: wanted, on: req.db)
        let base = try req.scimBase
        let resources = try accounts.map { account throws(SCIMError) in
            JSONValue.object(try SCIMProjection.apply(SCIMUser.resource(account, base: base), attributes: attributes, excluded: excluded))
        }
        return try Self.answer(.object([
            "schemas": .array([.string(SCIMSchema.listResponse)]),
            "totalResults": .number(Double(total)),
            "startIndex": .number(Double(start)),
            "itemsPerPage": .number(Double(resources.count)),
            "Resources": .array(resources),
        ]), status: .ok)
    }

    func get(req: Request) async throws -> Response {
        let account = try await Provisioning.account(try req.scimID, actor: req.scimActor, store: req.provisioningStore)
        let resource = SCIMUser.resource(account, base: try req.scimBase)
        if let noneMatch = req.headers.first(name: .ifNoneMatch), noneMatch == resource["meta"]?.object?["version"]?.string {
            return Response(status: .notModified)
        }
        return try Self.answerUser(req, resource)
    }

    func create(req: Request) async throws -> Response {
        let user = try SCIMUser.read(try Self.body(req))
        let account = try await Provisioning.create(user, actor: req.scimActor, now: req.now,
                                                    defaults: req.application.appConfig.provisioningDefaults, store: req.provisioningStore)
        let resource = SCIMUser.resource(account, base: try req.scimBase)
        let response = try Self.answerUser(req, resource, status: .created)
        if let location = resource["meta"]?.object?["location"]?.string { response.headers.replaceOrAdd(name: .location, value: location) }
        return response
    }

    func replace(req: Request) async throws -> Response {
        let user = try SCIMUser.read(try Self.body(req))
        let base = try req.scimBase
        let account = try await Provisioning.change(try req.scimID, mode: .keepUnsent, actor: req.scimActor, now: req.now,
                                                    defaults: req.application.appConfig.provisioningDefaults, store: req.provisioningStore,
                                                    expect: Self.expecting(req, base: base)) { _ in user }
        return try Self.answerUser(req, SCIMUser.resource(account, base: base))
    }

    func patch(req: Request) async throws -> Response {
        let request = try Self.body(req)
        let base = try req.scimBase
        let account = try await Provisioning.change(try req.scimID, mode: .removeMissing, actor: req.scimActor, now: req.now,
                                                    defaults: req.application.appConfig.provisioningDefaults, store: req.provisioningStore,
                                                    expect: Self.expecting(req, base: base)) { current in
            let patched = try SCIMPatch.apply(request, to: SCIMUser.body(current, base: base))
            return try SCIMUser.read(.object(patched))
        }
        return try Self.answerUser(req, SCIMUser.resource(account, base: base))
    }

    func delete(req: Request) async throws -> Response {
        try await Provisioning.delete(try req.scimID, actor: req.scimActor, now: req.now, store: req.provisioningStore,
                                      expect: Self.expecting(req, base: try req.scimBase))
        return Response(status: .noContent)
    }

    // MARK: Helpers

    /// `If-Match`: the request applies only to the version it names (`*` to any).
    static func expecting(_ req: Request, base: String) -> @Sendable (ProvisionedAccount) throws -> Void {
        let wanted = req.headers.first(name: .ifMatch)?.trimmed
        return { current in
            guard let wanted, wanted != "*" else { return }
            let version = SCIMUser.version(of: SCIMUser.body(current, base: base))
            let given = wanted.split(separator: ",").map { $0.trimmed }
            guard given.contains(version) || given.contains(String(version.dropFirst(2))) else { throw ProvisioningError.versionChanged }
        }
    }

    static func names(_ raw: String?) -> [String] {
        (raw ?? "").split(separator: ",").map { $0.trimmed }.filter { !$0.isEmpty }
    }

    static func body(_ req: Request) throws -> JSONValue {
        guard let buffer = req.body.data, buffer.readableBytes > 0 else { throw SCIMError.invalidSyntax("The request needs a JSON body.") }
        do {
            return try JSONValue.parse(Data(buffer.readableBytesView))
        } catch {
            throw SCIMError.invalidSyntax("The body is not valid JSON.")
        }
    }

    static func answerUser(_ req: Request, _ resource: [String: JSONValue], status: HTTPResponseStatus = .ok) throws -> Response {
        let projected = try SCIMProjection.apply(resource, attributes: names(req.query[String.self, at: "attributes"]),
                                                 excluded: names(req.query[String.self, at: "excludedAttributes"]))
        let response = try answer(.object(projected), status: status)
        if let version = resource["meta"]?.object?["version"]?.string { response.headers.replaceOrAdd(name: .eTag, value: version) }
        return response
    }

    static func answer(_ value: JSONValue, status: HTTPResponseStatus) throws -> Response {
        var headers = HTTPHeaders()
        headers.contentType = mediaType
        return Response(status: status, headers: headers, body: .init(data: try value.encoded()))
    }
}

/// A provisioning token's identity for the request (set by `SCIMGuard`).
struct SCIMToken: Sendable {
    var id: UUID
    var name: String
}

extension Request {
    private struct SCIMTokenKey: StorageKey { typealias Value = SCIMToken }

    var scimToken: SCIMToken? {
        get { storage[SCIMTokenKey.self] }
        set { storage[SCIMTokenKey.self] = newValue }
    }

    /// The identity provider, as Core's policy knows it.
    var scimActor: Actor { scimToken == nil ? .anonymous : .provisioning }

    var provisioningStore: FluentProvisioningStore {
        FluentProvisioningStore(db: db, audit: AuditTrail(actor: "SCIM token “\(scimToken?.name ?? "?")”", clock: application.clock))
    }

    /// The SCIM base URL resources are located under (`BASE_URL` + `/scim/v2`).
    var scimBase: String {
        get throws {
            guard let base = application.appConfig.linkBase else {
                throw SCIMError(status: 500, detail: "Set BASE_URL: SCIM resources are located by it.")
            }
            return base + "/scim/v2"
        }
    }

    var scimID: String {
        get throws {
            guard let id = parameters.get("id"), !id.isEmpty else { throw SCIMError(status: 404, detail: "No such user.") }
            return id.removingPercentEncoding ?? id
        }
    }
}

/// The SCIM routes' door: a live provisioning token (`Authorization: Bearer …`) or a 401, and every
/// error of what follows as a SCIM error body.
struct SCIMGuard: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            guard let bearer = request.headers.bearerAuthorization,
                  let sql = request.db as? any SQLDatabase,
                  let token = try await ProvisioningRows.liveToken(hash: TokenHash.of(bearer.token), on: sql) else {
                let response = try SCIMController.answer(SCIMError(status: 401, detail: "Send a provisioning token as a bearer token (a coordinator makes one under People → Provisioning).").body,
                                                         status: .unauthorized)
                response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer realm=\"SCIM\"")
                return response
            }
            request.scimToken = SCIMToken(id: token.id, name: token.name)
            try await ProvisioningRows.touch(token.id, at: request.now, on: sql)
            return try await next.respond(to: request)
        } catch {
            let answer = Self.scimError(error, request)
            return try SCIMController.answer(answer.body, status: HTTPResponseStatus(statusCode: answer.status))
        }
    }

    static func scimError(_ error: any Error, _ request: Request) -> SCIMError {
        switch error {
        case let error as SCIMError: return error
        case let error as ProvisioningError: return SCIMError(error)
        case let refused as AccessRefused:
            if case let .forbidden(_, message) = refused.decision { return SCIMError(status: 403, detail: message) }
            return SCIMError(status: 401, detail: "Send a provisioning token as a bearer token.")
        case let abort as any AbortError:
            if abort.status == .notFound { return SCIMError(status: 404, detail: "No such endpoint: Flipside serves /Users, /ServiceProviderConfig, /ResourceTypes and /Schemas.") }
            return SCIMError(status: Int(abort.status.code), detail: abort.reason)
        case is DecodingError:
            return .invalidValue("The query could not be read.")
        default:
            request.logger.error("SCIM request failed: \(String(reflecting: type(of: error)))")
            return SCIMError(status: 500, detail: "Something went wrong on our side; nothing was changed.")
        }
    }
}
