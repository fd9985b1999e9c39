import Foundation

/// What Flipside tells people, by kind. A person chooses per kind whether it reaches them (email or
/// none; chat for coordinators' program channels); the invitation cannot be switched off.
public enum NoticeKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A sign-in link for someone enrolled who has no login yet.
    case invitation
    /// A match proposal to answer (or, when pairs need no acceptance, the news of the pairing).
    case proposal
    /// A mentee's request to answer (to the mentor).
    case request
    /// A request answered or lapsed (to the mentee).
    case requestAnswered = "request_answered"
    /// An agreement version to accept (to the side that did not draft it).
    case agreement
    /// The calendar invitation for the agreed rhythm, its updates and cancellations (iTIP).
    case calendar
    /// A meeting tomorrow, at 9:00 in the person's own time zone.
    case meetingReminder = "meeting_reminder"
    /// A check-in due after a meeting.
    case checkInDue = "check_in_due"
    /// The pair looks inactive or unhappy (to both, never saying who said what).
    case pairFlagged = "pair_flagged"
    /// An action from the mentor's input marked done (to the mentor).
    case actionDone = "action_done"
    /// The program closed: the closing check-in is open.
    case programClosing = "program_closing"
    /// The weekly digest of a program, to coordinators (counts and links only).
    case digest
    /// A new anonymous concern is waiting (to coordinators, batched by the hour, nothing in it).
    case concernWaiting = "concern_waiting"
    /// A program's news in its chat channel: enrolment open, pairs published, the program closed.
    case announcement
    /// A colleague asks you to teach them, nominates you, or the program team invites you to enrol.
    case teachingAsk = "teaching_ask"
    /// Your request to a colleague answered: yes, or not this time.
    case teachingAnswer = "teaching_answer"

    /// Whether a person may switch it off.
    public var optional: Bool { self != .invitation && self != .announcement }
    /// Sent to coordinators (the rest to participants).
    public var forCoordinators: Bool { self == .digest || self == .concernWaiting }
    /// Only ever posted to a program's chat channel.
    public var chatOnly: Bool { self == .announcement }
    /// May go to a program's chat channel too.
    public var mayGoToChat: Bool { self == .digest }

    /// Whether a person may choose `channel` for this kind: the invitation always comes by email, chat
    /// only for what goes to a program's channel.
    public func allows(_ channel: NoticeChannel) -> Bool {
        guard optional else { return channel == .email }
        return channel != .chat || mayGoToChat
    }

    /// The kinds a person chooses for on their preferences form: a participant's, and a coordinator's too.
    public static func choosable(coordinator: Bool) -> [NoticeKind] {
        allCases.filter { $0.optional && !$0.chatOnly && (coordinator || !$0.forCoordinators) }
    }

    /// In words, for the preferences form and the outgoing messages page.
    public var label: String {
        switch self {
        case .invitation: return "Sign-in invitation"
        case .proposal: return "A match proposal to answer"
        case .request: return "A mentee's request to answer"
        case .requestAnswered: return "Your request answered or lapsed"
        case .agreement: return "An agreement to accept"
        case .calendar: return "Calendar invitations for your meetings"
        case .meetingReminder: return "A meeting tomorrow"
        case .checkInDue: return "A check-in due"
        case .pairFlagged: return "Your partnership may need attention"
        case .actionDone: return "An action from your input was done"
        case .programClosing: return "The program closing"
        case .digest: return "Weekly program digest"
        case .concernWaiting: return "A new anonymous concern is waiting"
        case .announcement: return "Program news in its chat channel"
        case .teachingAsk: return "A colleague asks you to teach them, nominates you, or you are invited to enrol"
        case .teachingAnswer: return "Your request to learn from a colleague answered"
        }
    }
}

/// How a kind of message reaches a person.
public enum NoticeChannel: String, Sendable, Hashable, Codable, CaseIterable {
    case email, none, chat
}

/// Who a notice is for.
public enum NoticeRecipient: Sendable, Hashable {
    /// One person, by employee id (their address is read from their HR record when it is queued).
    case person(String)
    /// Every coordinator (each gets their own message).
    case coordinators
    /// The program's chat channel (its webhook), when it has one.
    case programChat
}

/// One message to send: made by a use case in the same unit of work as the change that causes it, or by
/// the reminder planner. Its key (kind, object, occurrence, recipient) makes it unique: the same notice is
/// never queued twice. It carries no words anybody wrote: what it says is rendered when it goes, from the
/// state of things then.
public struct Notice: Sendable, Hashable {
    public var kind: NoticeKind
    public var recipient: NoticeRecipient
    /// The program it is about (an ask between colleagues may name none).
    public var programID: UUID?
    public var pairID: UUID?
    /// What in the object it is about: an agreement version, an occurrence, an action, a week.
    public var ref: String?
    /// When it is to go.
    public var dueAt: Date
    /// When it was made (shown as queued at): its due time unless said otherwise, so a note about a
    /// concern does not tell when the concern came.
    public var madeAt: Date

    public init(_ kind: NoticeKind, to recipient: NoticeRecipient, programID: UUID?, pairID: UUID? = nil, ref: String? = nil, dueAt: Date, madeAt: Date? = nil) {
        self.kind = kind
        self.recipient = recipient
        self.programID = programID
        self.pairID = pairID
        self.ref = ref
        self.dueAt = dueAt
        self.madeAt = min(madeAt ?? dueAt, dueAt)
    }

    /// The idempotency key, for one recipient.
    public func key(for recipient: String) -> String {
        [kind.rawValue, (pairID ?? programID)?.uuidString.lowercased() ?? "", ref ?? "", recipient].joined(separator: "|")
    }
}

/// Who is told what after a change: the one place the rules of "who hears of it" live. Each function
/// takes the change as the use case made it and returns the notices to queue in the same unit of work.
public enum Notices {
    /// Pairs published from a run: each side is asked to answer (or told of the pairing).
    public static func published(_ pairs: [MentoringPair], now: Date) -> [Notice] {
        pairs.flatMap { pair in
            [pair.menteeID, pair.mentorID].map { Notice(.proposal, to: .person($0), programID: pair.programID, pairID: pair.id, dueAt: now) }
        }
    }

    /// A mentee asked a mentor.
    public static func requested(_ pair: MentoringPair, now: Date) -> [Notice] {
        [Notice(.request, to: .person(pair.mentorID), programID: pair.programID, pairID: pair.id, dueAt: now)]
    }

    /// A request answered (accepted, declined, or declined because the last place filled) or lapsed: the
    /// mentee hears once, whichever came first.
    public static func requestSettled(_ pair: MentoringPair, now: Date) -> [Notice] {
        guard pair.source == .request, [.accepted, .declined, .expired].contains(pair.status) else { return [] }
        return [Notice(.requestAnswered, to: .person(pair.menteeID), programID: pair.programID, pairID: pair.id, dueAt: now)]
    }

    /// A new version of the agreement: the side that did not draft it is asked to accept it.
    public static func agreementProposed(_ version: AgreementVersion, in pair: MentoringPair, now: Date) -> [Notice] {
        guard let other = pair.side(of: version.authorID).map({ $0 == .mentee ? pair.mentorID : pair.menteeID }) else { return [] }
        return [Notice(.agreement, to: .person(other), programID: pair.programID, pairID: pair.id, ref: "v\(version.number)", dueAt: now)]
    }

    /// The pair's meeting series changed (an agreement in force, a moved or cancelled meeting, the end):
    /// both get the calendar update for the new SEQUENCE. A cancelled meeting names its occurrence.
    public static func seriesChanged(_ pair: MentoringPair, sequence: Int, cancelled occurrence: Date? = nil, now: Date) -> [Notice] {
        let ref = "s\(sequence)" + (occurrence.map { "-c\(Int($0.timeIntervalSince1970))" } ?? "")
        return [pair.menteeID, pair.mentorID].map { Notice(.calendar, to: .person($0), programID: pair.programID, pairID: pair.id, ref: ref, dueAt: now) }
    }

    /// An action marked done: the mentor whose input it came from hears of it.
    public static func actionDone(_ action: ActionItem, in pair: MentoringPair, now: Date) -> [Notice] {
        guard action.status == .done else { return [] }
        return [Notice(.actionDone, to: .person(pair.mentorID), programID: pair.programID, pairID: pair.id, ref: action.id.uuidString.lowercased(), dueAt: now)]
    }

    /// A program closed: both sides of each pair it completed are asked for the closing check-in.
    public static func programClosed(_ programID: UUID, pairs: [MentoringPair], now: Date) -> [Notice] {
        pairs.filter { $0.status == .completed }.flatMap { pair in
            [pair.menteeID, pair.mentorID].map { Notice(.programClosing, to: .person($0), programID: programID, pairID: pair.id, dueAt: now) }
        }
    }

    /// A program moved on: its chat channel hears that enrolment opened, pairs were published or it closed.
    public static func statusChanged(_ program: Program, now: Date) -> [Notice] {
        guard [.enrolling, .active, .closed].contains(program.status) else { return [] }
        return [Notice(.announcement, to: .programChat, programID: program.id, ref: program.status.rawValue, dueAt: now)]
    }

    /// The weekly digest: to each coordinator, and to the program's chat channel.
    public static func digest(_ programID: UUID, week: String, at: Date, now: Date) -> [Notice] {
        [Notice(.digest, to: .coordinators, programID: programID, ref: week, dueAt: at, madeAt: now),
         Notice(.digest, to: .programChat, programID: programID, ref: week, dueAt: at, madeAt: now)]
    }

    /// A concern was raised: the coordinators hear that one is waiting at the next full hour, one note per
    /// program per hour however many came, so neither the note nor its time tells who raised it.
    public static func concernRaised(in programID: UUID, now: Date) -> [Notice] {
        let hour = (now.timeIntervalSince1970 / 3_600).rounded(.down) + 1
        return [Notice(.concernWaiting, to: .coordinators, programID: programID, ref: "h\(Int(hour))", dueAt: Date(timeIntervalSince1970: hour * 3_600))]
    }
}

/// A person's choices of how each kind of message reaches them: the one parser the preferences page,
/// the API and the one-click unsubscribe share.
public enum MessageChoices {
    /// Reads choices as written (kind → channel): what is valid, and a problem per field that is not.
    public static func parse(_ choices: [String: String], coordinator: Bool) -> (valid: [NoticeKind: NoticeChannel], problems: [FieldProblem]) {
        var valid: [NoticeKind: NoticeChannel] = [:], problems: [FieldProblem] = []
        for (kind, channel) in choices.sorted(by: { $0.key < $1.key }) {
            guard let k = NoticeKind(rawValue: kind), k.optional, NoticeKind.choosable(coordinator: coordinator).contains(k) else {
                if NoticeKind(rawValue: kind)?.optional == false {
                    problems.append(FieldProblem(field: kind, reason: "cannot be switched off: sign-in invitations always come by email"))
                } else {
                    problems.append(FieldProblem(field: TextLimits.preview(kind), reason: "is not a kind of message you can choose for"))
                }
                continue
            }
            guard let c = NoticeChannel(rawValue: channel), k.allows(c) else {
                problems.append(FieldProblem(field: kind, reason: "must be one of \(NoticeChannel.allCases.filter(k.allows).map(\.rawValue).joined(separator: ", "))"))
                continue
            }
            valid[k] = c
        }
        return (valid, problems)
    }
}

extension MessageChoices {
    /// One line of a person's preferences, as the page and the API show it.
    public struct Choice: Sendable, Equatable {
        public var kind: NoticeKind
        public var channel: NoticeChannel
        /// The channels that may be chosen (one, email, when it cannot be switched off).
        public var options: [NoticeChannel]
    }

    /// Every kind a person gets, with their choice (email unless they chose otherwise); the invitation
    /// first, fixed.
    public static func choices(stored: [NoticeKind: NoticeChannel], coordinator: Bool) -> [Choice] {
        [Choice(kind: .invitation, channel: .email, options: [.email])]
            + NoticeKind.choosable(coordinator: coordinator).map { k in
                Choice(kind: k, channel: stored[k].flatMap { k.allows($0) ? $0 : nil } ?? .email, options: NoticeChannel.allCases.filter(k.allows))
            }
    }
}
