import Foundation

/// Who may read a piece of text, as its author chose. The heart of "speaking freely": a junior mentor
/// says what they think because they decide who hears it.
public enum TextVisibility: String, Codable, Sendable, CaseIterable {
    /// A private journal: the author alone.
    case onlyMe = "only_me"
    /// The two people of the pair.
    case ourPair = "our_pair"
    /// The pair and the program's coordinators.
    case programTeam = "program_team"

    /// What a form offers first.
    public static let standard = TextVisibility.ourPair

    /// What an agreement may be: it is for both of the pair (they read it and accept it).
    public static let forAgreements: [TextVisibility] = [.ourPair, .programTeam]

    /// The choice in words, for forms and pages.
    public var label: String {
        switch self {
        case .onlyMe: return "Only me (a private journal)"
        case .ourPair: return "The two of us"
        case .programTeam: return "The two of us and the program's coordinators"
        }
    }
}

/// What a piece of text is.
public enum TextKind: String, Codable, Sendable, CaseIterable {
    /// A note: about a meeting, or a journal entry.
    case note
    /// Candid feedback from the mentor (the junior side) to the mentee.
    case feedback
    /// The mentee's answer to a piece of feedback.
    case feedbackReply = "feedback_reply"
    /// What the mentee learned, or an unexpected idea.
    case insight
    /// What the mentee will do with it (the text of an action).
    case action
    /// What came of an action.
    case actionOutcome = "action_outcome"
    /// The mentor's reaction to an action that came from their input.
    case reaction
    /// The comment of a check-in.
    case checkInComment = "check_in_comment"
    /// "What changed for me", in a closing check-in.
    case closingWords = "closing_words"
}

/// One piece of text written in a partnership. Every free text a participant writes is one of these, so
/// that one rule (`TextAccess.mayRead`) decides who reads it.
public struct PairText: Sendable, Hashable, Codable {
    public var id: UUID
    public var pairID: UUID
    public var kind: TextKind
    /// The employee id of the author.
    public var authorID: String
    public var visibility: TextVisibility
    public var body: String
    public var createdAt: Date
    /// What it is about: a goal, a meeting, a piece of feedback, an action or a check-in (`TextSubject`).
    public var about: TextSubject?

    public init(id: UUID = UUID(), pairID: UUID, kind: TextKind, authorID: String, visibility: TextVisibility, body: String,
                createdAt: Date, about: TextSubject? = nil) {
        self.id = id
        self.pairID = pairID
        self.kind = kind
        self.authorID = authorID
        self.visibility = visibility
        self.body = body
        self.createdAt = createdAt
        self.about = about
    }
}

/// What a text is attached to.
public enum TextSubject: Sendable, Hashable, Codable, CustomStringConvertible {
    case goal(UUID)
    /// A meeting, by the start of its occurrence in the schedule.
    case meeting(Date)
    case text(UUID)
    case action(UUID)
    case checkIn(UUID)

    /// Stored as `goal:ID`, `meeting:SECONDS`, `text:ID`, `action:ID`, `check_in:ID`.
    public var description: String {
        switch self {
        case let .goal(id): return "goal:\(id.uuidString.lowercased())"
        case let .meeting(at): return "meeting:\(Int(at.timeIntervalSince1970))"
        case let .text(id): return "text:\(id.uuidString.lowercased())"
        case let .action(id): return "action:\(id.uuidString.lowercased())"
        case let .checkIn(id): return "check_in:\(id.uuidString.lowercased())"
        }
    }

    public init?(_ stored: String) {
        guard let colon = stored.firstIndex(of: ":") else { return nil }
        let kind = stored[..<colon], value = String(stored[stored.index(after: colon)...])
        switch kind {
        case "meeting":
            guard let seconds = Int(value) else { return nil }
            self = .meeting(Date(timeIntervalSince1970: TimeInterval(seconds)))
        case "goal": guard let id = UUID(uuidString: value) else { return nil }; self = .goal(id)
        case "text": guard let id = UUID(uuidString: value) else { return nil }; self = .text(id)
        case "action": guard let id = UUID(uuidString: value) else { return nil }; self = .action(id)
        case "check_in": guard let id = UUID(uuidString: value) else { return nil }; self = .checkIn(id)
        default: return nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let subject = TextSubject(raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(TextLimits.preview(raw))' is not a subject")
        }
        self = subject
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// The one rule for who reads a piece of participant text. Every page, API route, export and message
/// that shows such text filters it through `mayRead`; nothing else decides.
public enum TextAccess {
    /// Whether `actor` may read text written by `authorID` with `visibility` in the pair of `menteeID`
    /// and `mentorID`:
    /// - the author always;
    /// - the other person of the pair when it is `our_pair` or `program_team`;
    /// - a coordinator only when it is `program_team` (never `only_me` or `our_pair`);
    /// - nobody else, and nobody who is not signed in.
    public static func mayRead(_ actor: Actor, authorID: String, visibility: TextVisibility, menteeID: String, mentorID: String) -> Bool {
        if let me = actor.employeeID {
            if me == authorID { return true }
            if (me == menteeID || me == mentorID) && visibility != .onlyMe { return true }
        }
        return actor.isCoordinator && visibility == .programTeam
    }

    public static func mayRead(_ actor: Actor, _ text: PairText, in pair: MentoringPair) -> Bool {
        text.pairID == pair.id && mayRead(actor, authorID: text.authorID, visibility: text.visibility, menteeID: pair.menteeID, mentorID: pair.mentorID)
    }

    /// Of these texts, the ones the actor may read.
    public static func readable(_ actor: Actor, _ texts: [PairText], in pair: MentoringPair) -> [PairText] {
        texts.filter { mayRead(actor, $0, in: pair) }
    }
}
