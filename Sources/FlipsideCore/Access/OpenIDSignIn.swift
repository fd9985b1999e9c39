import Foundation

/// How people sign in with the organisation's identity provider (OpenID Connect): which provider and
/// client, which claim names the person, and whether a group claim makes coordinators.
public struct OpenIDSettings: Sendable, Equatable {
    public var issuer: String
    public var clientID: String
    /// The claim that names the person: `email` (matched to the HR email), or an employee-id claim
    /// (`employee_id`, `preferred_username`, …) matched to the employee id.
    public var personClaim: String
    /// Matching by email needs `email_verified: true` unless a provider that omits it is allowed.
    public var requireVerifiedEmail: Bool
    /// The group (in `groupsClaim`) whose members sign in as coordinators; without it, roles stay as set in Flipside.
    public var coordinatorGroup: String?
    public var groupsClaim: String
    /// How far clocks may disagree when `exp` and `iat` are checked.
    public var leeway: TimeInterval

    public init(issuer: String, clientID: String, personClaim: String = "email", requireVerifiedEmail: Bool = true, coordinatorGroup: String? = nil,
                groupsClaim: String = "groups", leeway: TimeInterval = 60) {
        self.issuer = issuer
        self.clientID = clientID
        self.personClaim = personClaim
        self.requireVerifiedEmail = requireVerifiedEmail
        self.coordinatorGroup = coordinatorGroup
        self.groupsClaim = groupsClaim
        self.leeway = leeway
    }

    public var matchesByEmail: Bool { personClaim == "email" }
}

/// What an ID token says, once its signature was checked (claims as read, nothing trusted yet).
public struct OpenIDClaims: Sendable, Equatable {
    public var issuer: String
    public var audience: [String]
    public var authorizedParty: String?
    public var expires: Date
    public var issuedAt: Date
    public var nonce: String?
    public var subject: String
    public var email: String?
    public var emailVerified: Bool?
    /// Other string claims (an employee-id claim).
    public var strings: [String: String]
    /// The group claim's values.
    public var groups: [String]

    public init(issuer: String, audience: [String], authorizedParty: String? = nil, expires: Date, issuedAt: Date, nonce: String?, subject: String,
                email: String? = nil, emailVerified: Bool? = nil, strings: [String: String] = [:], groups: [String] = []) {
        self.issuer = issuer
        self.audience = audience
        self.authorizedParty = authorizedParty
        self.expires = expires
        self.issuedAt = issuedAt
        self.nonce = nonce
        self.subject = subject
        self.email = email
        self.emailVerified = emailVerified
        self.strings = strings
        self.groups = groups
    }
}

/// Why a sign-in through the provider was refused: a sentence for the person, and the technical reason
/// for the log (never a token).
public enum OpenIDRefusal: Error, Equatable, Sendable {
    case wrongIssuer(String)
    case wrongAudience
    case wrongAuthorizedParty(String)
    case expired
    case issuedInTheFuture
    case wrongNonce
    case emailNotVerified
    case missingClaim(String)
    case unknownPerson
    case personLeft
    /// The provider answered with an error, a bad state, or no usable token.
    case provider(String)

    public var message: String {
        switch self {
        case .unknownPerson:
            return "Your company account signed you in, but Flipside's people directory has nobody with it. Ask your program team to check your HR record."
        case .personLeft:
            return "Your company account signed you in, but Flipside's people directory says you have left the organisation, so you cannot sign in."
        case .emailNotVerified:
            return "Your identity provider has not verified your email address, so Flipside cannot tell who you are. Ask IT to verify it, or sign in another way."
        case .missingClaim:
            return "Your identity provider did not say who you are in the way Flipside was set up to read. Ask IT to check the sign-in settings."
        case .provider:
            return "Signing in with your company account did not work this time. Start again; if it keeps failing, ask IT."
        case .wrongIssuer, .wrongAudience, .wrongAuthorizedParty, .expired, .issuedInTheFuture, .wrongNonce:
            return "The answer from your identity provider could not be trusted, so you are not signed in. Start again; if it keeps failing, ask IT."
        }
    }

    /// For the log: which check failed, without any token or personal claim value.
    public var reason: String {
        switch self {
        case let .wrongIssuer(iss): return "ID token issuer is \(iss.prefix(200)), not the configured one"
        case .wrongAudience: return "ID token audience does not include this client"
        case let .wrongAuthorizedParty(azp): return "ID token azp is \(azp.prefix(200)), not this client"
        case .expired: return "ID token expired"
        case .issuedInTheFuture: return "ID token issued in the future"
        case .wrongNonce: return "ID token nonce does not match this sign-in"
        case .emailNotVerified: return "email_verified is not true"
        case let .missingClaim(claim): return "the \(claim) claim is missing or empty"
        case .unknownPerson: return "no person in the directory has the claimed identity"
        case .personLeft: return "the person has left (exited)"
        case let .provider(why): return why
        }
    }
}

/// Who signs in, as the ID token's claims say, under the settings.
public struct OpenIDIdentity: Sendable, Equatable {
    /// The value to look the person up by (an email, lower-cased, or an employee id).
    public var key: String
    public var byEmail: Bool
    /// Coordinator from the group claim; nil when roles stay as set in Flipside.
    public var coordinator: Bool?

    public init(key: String, byEmail: Bool, coordinator: Bool?) {
        self.key = key
        self.byEmail = byEmail
        self.coordinator = coordinator
    }
}

public enum OpenIDSignIn {
    /// The checks of OpenID Connect Core §3.1.3.7 on a token whose signature was verified: issuer,
    /// audience, authorized party, expiry and issue time (with leeway), the sign-in's nonce; then who it
    /// names, under the settings.
    public static func identity(_ c: OpenIDClaims, settings s: OpenIDSettings, nonce: String, now: Date) -> Result<OpenIDIdentity, OpenIDRefusal> {
        guard c.issuer == s.issuer else { return .failure(.wrongIssuer(c.issuer)) }
        guard c.audience.contains(s.clientID) else { return .failure(.wrongAudience) }
        if let azp = c.authorizedParty, azp != s.clientID { return .failure(.wrongAuthorizedParty(azp)) }
        if c.audience.count > 1 && c.authorizedParty == nil { return .failure(.wrongAuthorizedParty("(none, with several audiences)")) }
        guard c.expires.addingTimeInterval(s.leeway) > now else { return .failure(.expired) }
        guard c.issuedAt <= now.addingTimeInterval(s.leeway) else { return .failure(.issuedInTheFuture) }
        guard let n = c.nonce, !nonce.isEmpty, n == nonce else { return .failure(.wrongNonce) }
        let coordinator = s.coordinatorGroup.map { c.groups.contains($0) }
        if s.matchesByEmail {
            guard let email = c.email?.trimmingCharacters(in: .whitespaces), !email.isEmpty else { return .failure(.missingClaim("email")) }
            if s.requireVerifiedEmail && c.emailVerified != true { return .failure(.emailNotVerified) }
            return .success(OpenIDIdentity(key: email.lowercased(), byEmail: true, coordinator: coordinator))
        }
        guard let value = c.strings[s.personClaim]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return .failure(.missingClaim(s.personClaim)) }
        return .success(OpenIDIdentity(key: value, byEmail: false, coordinator: coordinator))
    }

    /// Whether the person found may sign in: someone who has left may not; nobody unknown is made.
    public static func admit(_ person: Person?) -> Result<Person, OpenIDRefusal> {
        guard let person else { return .failure(.unknownPerson) }
        guard person.status.keepsAccess else { return .failure(.personLeft) }
        return .success(person)
    }
}
