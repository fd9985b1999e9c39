import Foundation

/// A concern raised anonymously to a program's team. It has no link to the person or the pair: no
/// employee id, no pair, no session or address, and only the day it was raised. Whoever holds its code
/// (shown once, at submission) reads the replies and may write back.
public struct Concern: Sendable, Hashable, Codable {
    public var id: UUID
    public var programID: UUID
    public var raisedOn: CalendarDate
    public var body: String
    /// Whether the team has answered since the reporter last wrote.
    public var answered: Bool

    public init(id: UUID = UUID(), programID: UUID, raisedOn: CalendarDate, body: String, answered: Bool = false) {
        self.id = id
        self.programID = programID
        self.raisedOn = raisedOn
        self.body = body
        self.answered = answered
    }
}

/// One message after the concern: from the program team, or from the reporter (with the code).
public struct ConcernMessage: Sendable, Hashable, Codable {
    public enum From: String, Sendable, Codable { case reporter, team }
    public var id: UUID
    public var concernID: UUID
    public var from: From
    public var body: String
    public var on: CalendarDate

    public init(id: UUID = UUID(), concernID: UUID, from: From, body: String, on: CalendarDate) {
        self.id = id
        self.concernID = concernID
        self.from = from
        self.body = body
        self.on = on
    }
}

public protocol ConcernStore: Sendable {
    /// Whether the person takes part in the program (checked when a concern is raised; never stored).
    func isEnrolled(_ employeeID: String, in programID: UUID) async throws -> Bool
    func programExists(_ programID: UUID) async throws -> Bool
    /// Stores the concern with its code (the store keeps only a hash of the code).
    /// Stores a new concern with the notices it causes (in one unit of work).
    func insert(_ concern: Concern, code: String, notices: [Notice]) async throws
    func concern(code: String) async throws -> Concern?
    func concern(_ id: UUID, in programID: UUID) async throws -> Concern?
    func messages(of concernID: UUID) async throws -> [ConcernMessage]
    func insert(_ message: ConcernMessage) async throws
    func concerns(in programID: UUID) async throws -> [Concern]
}

public enum ConcernError: Error, Equatable, Sendable {
    case refused(AccessDecision)
    case notFound
    case programNotFound
    case notInProgram
    case invalid([FieldProblem])

    public var message: String {
        switch self {
        case .refused: return "You are not allowed to do this."
        case .notFound: return "No concern has this code. Check the code you were shown when you raised it."
        case .programNotFound: return "Program was not found."
        case .notInProgram: return "Concerns about a program are raised by the people taking part in it."
        case let .invalid(problems): return problems.map { "\($0.field) \($0.reason)" }.joined(separator: "; ")
        }
    }
}

/// Raising a concern anonymously, reading the answers with the code, and the team's inbox.
public enum Concerns {
    public static let most = 4_000

    /// Raises a concern; returns it and its code, which is shown once and never stored in clear.
    public static func raise(in programID: UUID, body: String, actor: Actor, now: Date, store: any ConcernStore) async throws -> (Concern, code: String) {
        let decision = AccessPolicy.decide(actor, .create, .concerns)
        guard decision.isAllowed, let me = actor.employeeID else { throw ConcernError.refused(decision) }
        let text = try checked(body)
        guard try await store.programExists(programID) else { throw ConcernError.programNotFound }
        guard try await store.isEnrolled(me, in: programID) else { throw ConcernError.notInProgram }
        let concern = Concern(programID: programID, raisedOn: CalendarDate.today(now: now), body: text)
        let code = newCode()
        try await store.insert(concern, code: code, notices: Notices.concernRaised(in: programID, now: now))
        return (concern, code)
    }

    /// The concern and its messages, for whoever holds the code.
    public static func read(code: String, store: any ConcernStore) async throws -> (Concern, [ConcernMessage]) {
        guard let concern = try await store.concern(code: normalised(code)) else { throw ConcernError.notFound }
        return (concern, try await store.messages(of: concern.id))
    }

    /// The reporter writes back, with the code.
    public static func followUp(code: String, body: String, now: Date, store: any ConcernStore) async throws -> ConcernMessage {
        let text = try checked(body)
        guard let concern = try await store.concern(code: normalised(code)) else { throw ConcernError.notFound }
        let message = ConcernMessage(concernID: concern.id, from: .reporter, body: text, on: CalendarDate.today(now: now))
        try await store.insert(message)
        return message
    }

    /// A coordinator answers.
    public static func reply(to concernID: UUID, in programID: UUID, body: String, actor: Actor, now: Date, store: any ConcernStore) async throws -> ConcernMessage {
        try allowTeam(actor)
        let text = try checked(body)
        guard try await store.concern(concernID, in: programID) != nil else { throw ConcernError.notFound }
        let message = ConcernMessage(concernID: concernID, from: .team, body: text, on: CalendarDate.today(now: now))
        try await store.insert(message)
        return message
    }

    /// The program's concerns with their messages, for its coordinators.
    public static func inbox(_ programID: UUID, actor: Actor, store: any ConcernStore) async throws -> [(Concern, [ConcernMessage])] {
        try allowTeam(actor)
        var out: [(Concern, [ConcernMessage])] = []
        for concern in try await store.concerns(in: programID) { out.append((concern, try await store.messages(of: concern.id))) }
        return out
    }

    static func allowTeam(_ actor: Actor) throws {
        let decision = AccessPolicy.decide(actor, .view, .concerns)
        guard decision.isAllowed else { throw ConcernError.refused(decision) }
    }

    static func checked(_ body: String) throws -> String {
        let text = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { throw ConcernError.invalid([FieldProblem(field: "body", reason: "is required")]) }
        if let problem = TextLimits.problem(text, most: most, multiline: true) { throw ConcernError.invalid([FieldProblem(field: "body", reason: problem)]) }
        return text
    }

    /// 20 random characters from an alphabet without look-alikes, in groups of four (about 100 bits).
    static func newCode() -> String {
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var rng = SystemRandomNumberGenerator()
        let chars = (0..<20).map { _ in alphabet[Int(rng.next(upperBound: UInt32(alphabet.count)))] }
        return stride(from: 0, to: 20, by: 4).map { String(chars[$0..<$0 + 4]) }.joined(separator: "-")
    }

    /// The code as typed: upper case, without spaces; dashes put back.
    public static func normalised(_ code: String) -> String {
        let raw = code.uppercased().filter { $0.isLetter || $0.isNumber }
        guard raw.count == 20 else { return raw }
        let chars = Array(raw)
        return stride(from: 0, to: 20, by: 4).map { String(chars[$0..<$0 + 4]) }.joined(separator: "-")
    }
}

/// A person's secret calendar feed address: issued, renewed (the old one stops working) and revoked.
public protocol CalendarFeedStore: Sendable {
    /// Replaces the person's feed token (the store keeps a hash of it).
    func replaceFeed(of employeeID: String, token: String, at: Date) async throws
    func removeFeed(of employeeID: String) async throws
    func hasFeed(_ employeeID: String) async throws -> Bool
    /// Whose feed the token opens.
    func feedOwner(token: String) async throws -> String?
}

public enum CalendarFeeds {
    /// A new secret address for the actor's own feed; the previous one stops working.
    public static func renew(actor: Actor, now: Date, store: any CalendarFeedStore) async throws -> String {
        guard let me = actor.employeeID else { throw AccessRefused(actor == .anonymous ? .signInFirst : AccessPolicy.noProfile) }
        try AccessPolicy.require(actor, .change, .calendarFeed(employeeID: me))
        var rng = SystemRandomNumberGenerator()
        let token = (0..<32).map { _ in String(format: "%02x", Int(UInt8.random(in: .min ... .max, using: &rng))) }.joined()
        try await store.replaceFeed(of: me, token: token, at: now)
        return token
    }

    public static func revoke(actor: Actor, store: any CalendarFeedStore) async throws {
        guard let me = actor.employeeID else { throw AccessRefused(actor == .anonymous ? .signInFirst : AccessPolicy.noProfile) }
        try AccessPolicy.require(actor, .delete, .calendarFeed(employeeID: me))
        try await store.removeFeed(of: me)
    }
}
