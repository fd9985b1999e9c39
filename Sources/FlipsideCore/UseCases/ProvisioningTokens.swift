import Foundation

/// A token an identity provider provisions people with (SCIM), as coordinators see it: never the token itself.
public struct ProvisioningToken: Sendable, Equatable {
    public var id: UUID
    public var name: String
    /// Who made it (the login's email, or `system` from the command line).
    public var createdBy: String
    public var created: Date
    public var lastUsed: Date?
    public var revoked: Date?

    public init(id: UUID, name: String, createdBy: String, created: Date, lastUsed: Date? = nil, revoked: Date? = nil) {
        self.id = id
        self.name = name
        self.createdBy = createdBy
        self.created = created
        self.lastUsed = lastUsed
        self.revoked = revoked
    }
}

public enum ProvisioningTokenError: Error, Equatable, Sendable {
    case invalid([FieldProblem])
    case tooMany(limit: Int)
    case notFound

    public var message: String {
        switch self {
        case .invalid: return "The token's name breaks a rule."
        case let .tooMany(limit): return "There are \(limit) live provisioning tokens already: revoke one first."
        case .notFound: return "Provisioning token was not found."
        }
    }
}

/// What making and revoking tokens reads and writes, in one unit of work (the store keeps only a hash of
/// the secret, and records each change in the audit trail).
public protocol ProvisioningTokenWork: Sendable {
    func liveCount() async throws -> Int
    func insert(_ token: ProvisioningToken, secret: String) async throws
    func token(_ id: UUID) async throws -> ProvisioningToken?
    func revoke(_ token: ProvisioningToken) async throws
}

public protocol ProvisioningTokenStore: Sendable {
    func atomically<T: Sendable>(_ body: @escaping @Sendable (any ProvisioningTokenWork) async throws -> T) async throws -> T
    func all() async throws -> [ProvisioningToken]
}

/// Coordinators make a token for each identity provider (named after who uses it, shown once), see when
/// each was last used, and revoke it at once.
public enum ProvisioningTokens {
    /// Live tokens at once (a company has a provider or two, and a test tenant).
    public static let liveLimit = 10

    public static func problems(name: String) -> [FieldProblem] {
        let trimmed = name.trimmed
        if trimmed.isEmpty { return [FieldProblem(field: "name", reason: "Name the token after who uses it (e.g. “Entra ID production”).")] }
        if let reason = TextLimits.problem(trimmed, most: 80) { return [FieldProblem(field: "name", reason: "The name \(reason).")] }
        return []
    }

    /// Makes a token with this `secret` (made by the caller from a secure random source).
    public static func make(name: String, secret: String, actor: Actor, by createdBy: String, now: Date,
                            store: any ProvisioningTokenStore) async throws -> ProvisioningToken {
        try AccessPolicy.require(actor, .create, .provisioningTokens)
        let problems = problems(name: name)
        guard problems.isEmpty else { throw ProvisioningTokenError.invalid(problems) }
        let token = ProvisioningToken(id: UUID(), name: name.trimmed, createdBy: createdBy, created: now)
        return try await store.atomically { work in
            guard try await work.liveCount() < liveLimit else { throw ProvisioningTokenError.tooMany(limit: liveLimit) }
            try await work.insert(token, secret: secret)
            return token
        }
    }

    public static func list(actor: Actor, store: any ProvisioningTokenStore) async throws -> [ProvisioningToken] {
        try AccessPolicy.require(actor, .view, .provisioningTokens)
        return try await store.all()
    }

    /// Revokes a token at once; revoking one already revoked changes nothing.
    public static func revoke(_ id: UUID, actor: Actor, now: Date, store: any ProvisioningTokenStore) async throws -> ProvisioningToken {
        try AccessPolicy.require(actor, .delete, .provisioningTokens)
        return try await store.atomically { work in
            guard var token = try await work.token(id) else { throw ProvisioningTokenError.notFound }
            guard token.revoked == nil else { return token }
            token.revoked = now
            try await work.revoke(token)
            return token
        }
    }
}
