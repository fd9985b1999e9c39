import Foundation

/// What the sign-in link use cases read and write. The store keeps only a hash of each token; the token
/// itself is shown once to the coordinator who made it.
public protocol SignInLinkStore: Sendable {
    func person(_ employeeID: String) async throws -> Person?
    /// Makes a new random token for the person, stores it (hashed) as their only link, replacing earlier
    /// ones, and returns it.
    func replaceLinks(for employeeID: String, expiresAt: Date, now: Date) async throws -> String
    /// The employee id of a link that is unused and not expired at `now`, or `nil`.
    func validLink(_ token: String, now: Date) async throws -> String?
    /// In one unit of work: claims the link (one conditional write, so of two requests at once exactly one
    /// gets it) and sets the person's password, creating a participant's login when they have none.
    /// Returns `false` when the link was already used.
    func claimAndSetPassword(_ token: String, person: Person, password: String, now: Date) async throws -> Bool
}

public enum SignInLinkError: Error, Equatable, Sendable {
    case personNotFound(employeeID: String)
    /// No link for someone who has left.
    case personLeft(name: String, status: EmploymentStatus)
    /// Used, replaced by a newer one, or expired.
    case invalidLink
    /// The link is for someone who has left since it was made.
    case accessEnded
    case invalid([FieldProblem])

    /// A sentence for a person.
    public var message: String {
        switch self {
        case let .personNotFound(id): return "Person \(id) was not found."
        case let .personLeft(name, status): return "\(name) has left the organisation (status \(status.rawValue)); no sign-in link."
        case .invalidLink:
            return "This sign-in link does not work: it was used, replaced by a newer one, or has expired. Ask your program coordinator for a new one."
        case .accessEnded: return SignInError.accessEnded.message
        case let .invalid(problems): return problems.map { "\($0.field) \($0.reason)" }.joined(separator: "; ")
        }
    }
}

/// Why a sign-in with a password, or a new login, is refused.
public enum SignInError: Error, Equatable, Sendable {
    case invalid([FieldProblem])
    /// Too many failed sign-ins, from one network address or for one email; try again after `minutes`.
    case tooManyAttempts(fromAddress: Bool, minutes: Int)
    case wrongCredentials
    /// The login belongs to someone who has left.
    case accessEnded

    public var message: String {
        switch self {
        case let .invalid(problems): return problems.map { "\($0.field) \($0.reason)" }.joined(separator: "; ")
        case let .tooManyAttempts(fromAddress, minutes):
            return "Too many failed sign-ins \(fromAddress ? "from your network" : "for this email"). Try again in \(minutes) minutes."
        case .wrongCredentials: return "The email or password is not right."
        case .accessEnded:
            return "This login belongs to someone who has left the organisation, so it no longer signs in. If that is wrong, ask HR to correct the record."
        }
    }
}

/// Sign-in links: a coordinator makes one for a person and passes it on; the person opens it and sets a
/// password. The same link resets a forgotten password (an existing login keeps its role). A link works
/// once, for `lifetime`, and only while it is the person's newest.
public enum SignInLinks {
    public static let lifetime: TimeInterval = 7 * 24 * 3600

    /// A new link for a person still employed: the token (shown once) and when it expires.
    public static func issue(for employeeID: String, actor: Actor, now: Date, store: any SignInLinkStore) async throws -> (token: String, expiresAt: Date) {
        try AccessPolicy.require(actor, .create, .invitation(employeeID: employeeID))
        guard let person = try await store.person(employeeID) else { throw SignInLinkError.personNotFound(employeeID: employeeID) }
        guard person.status.keepsAccess else { throw SignInLinkError.personLeft(name: person.name, status: person.status) }
        let expires = now.addingTimeInterval(lifetime)
        return (try await store.replaceLinks(for: employeeID, expiresAt: expires, now: now), expires)
    }

    /// The person a link is for, while it works.
    public static func person(for token: String, now: Date, store: any SignInLinkStore) async throws -> Person {
        guard let id = try await store.validLink(token, now: now), let person = try await store.person(id) else {
            throw SignInLinkError.invalidLink
        }
        return person
    }

    /// Sets the person's password (typed twice) and uses the link up; returns the person.
    public static func redeem(_ token: String, password: String, confirmation: String, now: Date, store: any SignInLinkStore) async throws -> Person {
        let person = try await person(for: token, now: now, store: store)
        guard person.status.keepsAccess else { throw SignInLinkError.accessEnded }
        var problems = PasswordRules.problems(password)
        if password != confirmation { problems.append(FieldProblem(field: "confirm", reason: "is not the same as the password")) }
        if !problems.isEmpty { throw SignInLinkError.invalid(problems) }
        guard try await store.claimAndSetPassword(token, person: person, password: password, now: now) else { throw SignInLinkError.invalidLink }
        return person
    }
}

/// What a password must be.
public enum PasswordRules {
    public static let minimumLength = 10

    public static func problems(_ password: String) -> [FieldProblem] {
        password.count >= minimumLength ? [] : [FieldProblem(field: "password", reason: "must be at least \(minimumLength) characters")]
    }
}
