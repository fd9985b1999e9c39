import Foundation

/// What the mentee will do with what they learned.
public enum ActionKind: String, Codable, Sendable, CaseIterable {
    case shapeProduct = "shape_product"
    case improveProcess = "improve_process"
    case ownPractice = "own_practice"
    case shareWithTeam = "share_with_team"
    case other

    public var label: String {
        switch self {
        case .shapeProduct: return "Shape a product"
        case .improveProcess: return "Improve a process"
        case .ownPractice: return "Change my own practice"
        case .shareWithTeam: return "Share it with my team"
        case .other: return "Other"
        }
    }
}

public enum ActionStatus: String, Codable, Sendable, CaseIterable {
    case planned
    case inProgress = "in_progress"
    case done
    case dropped
}

/// An action the mentee (the senior side) takes on what they heard. Its words (what, and what came of
/// it) are `PairText`s with the action's visibility; the action itself is kind, dates and status.
public struct ActionItem: Sendable, Hashable, Codable {
    public var id: UUID
    public var pairID: UUID
    public var authorID: String
    /// The insight it came from, if any.
    public var insightID: UUID?
    public var kind: ActionKind
    public var due: CalendarDate?
    public var status: ActionStatus
    public var visibility: TextVisibility
    public var createdAt: Date
    public var updatedAt: Date
    /// When it was marked done.
    public var doneAt: Date?

    public init(id: UUID = UUID(), pairID: UUID, authorID: String, insightID: UUID? = nil, kind: ActionKind, due: CalendarDate?,
                status: ActionStatus = .planned, visibility: TextVisibility, createdAt: Date, updatedAt: Date? = nil, doneAt: Date? = nil) {
        self.id = id
        self.pairID = pairID
        self.authorID = authorID
        self.insightID = insightID
        self.kind = kind
        self.due = due
        self.status = status
        self.visibility = visibility
        self.createdAt = createdAt
        self.updatedAt = updatedAt ?? createdAt
        self.doneAt = doneAt
    }
}

/// Short guidance for each side, shown where each step happens; a program may rewrite it.
public struct Guidance: Sendable, Hashable, Codable {
    /// For the mentee (the senior side).
    public var senior: String
    /// For the mentor (the junior side).
    public var junior: String

    public init(senior: String, junior: String) {
        self.senior = senior
        self.junior = junior
    }

    /// Both texts trimmed, or every problem (each required, within `most`).
    public static func checked(senior: String, junior: String) throws(ProgramError) -> Guidance {
        var problems: [FieldProblem] = []
        for (field, value) in [("senior", senior), ("junior", junior)] {
            let text = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if text.isEmpty { problems.append(FieldProblem(field: field, reason: "is required")) }
            if let p = TextLimits.problem(text, most: most, multiline: true) { problems.append(FieldProblem(field: field, reason: p)) }
        }
        guard problems.isEmpty else { throw .invalid(problems) }
        return Guidance(senior: senior.trimmingCharacters(in: .whitespacesAndNewlines), junior: junior.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    public static let standard = Guidance(
        senior: """
        Reserve judgment and listen actively: you are here to learn. Take on board what is negative or \
        unexpected — that is where the value is. After each insight, say what you will do with it, and tell \
        your mentor what came of it.
        """,
        junior: """
        Candour is the point: say what you think, including about how things are done at the top. The pledge \
        you both accepted protects you: what you say carries no consequence for you. If something is wrong, \
        raise a concern with the program team — anonymously if you wish — from your pair's page.
        """)

    public static let most = 2_000
}

/// Everything about one pair's partnership, as the use cases read it inside one unit of work.
public struct Partnership: Sendable {
    public var pair: MentoringPair
    public var program: Program
    public var mentee: Enrolment?
    public var mentor: Enrolment?
    public var agreements: [AgreementVersion]
    public var meetings: [MeetingLog]
    public var checkIns: [CheckIn]
    public var texts: [PairText]
    public var actions: [ActionItem]
    public var events: [PairEvent]
    /// The calendar's SEQUENCE: bumped on every change of the series.
    public var sequence: Int
    public var guidance: Guidance
    /// Agreement versions whose goal words the reader may not see (set by `seen(by:)`).
    public var hiddenGoalWords: Set<UUID> = []

    public init(pair: MentoringPair, program: Program, mentee: Enrolment?, mentor: Enrolment?, agreements: [AgreementVersion] = [],
                meetings: [MeetingLog] = [], checkIns: [CheckIn] = [], texts: [PairText] = [], actions: [ActionItem] = [],
                events: [PairEvent] = [], sequence: Int = 0, guidance: Guidance = .standard) {
        self.pair = pair
        self.program = program
        self.mentee = mentee
        self.mentor = mentor
        self.agreements = agreements.sorted { $0.number < $1.number }
        self.meetings = meetings
        self.checkIns = checkIns
        self.texts = texts
        self.actions = actions
        self.events = events
        self.sequence = sequence
        self.guidance = guidance
    }

    /// The agreement in force: the latest version both accepted.
    public var current: AgreementVersion? { agreements.last { $0.isAgreed } }
    /// The latest version when it still waits for the other side.
    public var pending: AgreementVersion? { agreements.last.flatMap { $0.isAgreed ? nil : $0 } }
    public var schedule: Schedule? { current.flatMap { Schedule($0.rhythm) } }

    /// The status at `now`: an active pair past its agreed end date is completed even before it is marked so.
    public func status(now: Date) -> PairStatus {
        let stored = pair.effectiveStatus(now: now)
        if stored == .active, let end = schedule?.seriesEnd, end <= now { return .completed }
        return stored
    }

    /// When both said yes and they became a pair (the pair's own start when its history has no yes:
    /// a pair made by a lock, or stored before its history was kept).
    public var formedAt: Date { events.first { $0.status == .accepted }?.at ?? pair.createdAt }

    /// When the pair ended early (for the calendar).
    public var endedAt: Date? { pair.status == .ended ? events.last { $0.status == .ended }?.at : nil }

    public func flags(now: Date) -> [HealthFlag] {
        Health.flags(checkIns: checkIns, meetings: meetings, rhythm: current?.rhythm, status: status(now: now), now: now)
    }

    /// The pair's meeting series for a calendar, once an agreement is in force.
    public func calendarSeries(menteeName: String, mentorName: String, changedAt: Date) -> CalendarSeries? {
        guard let current else { return nil }
        let schedule = Schedule(current.rhythm)
        let channel: String
        switch current.rhythm.channel {
        case .inPerson: channel = "in person"
        case .video: channel = "video call"
        case .chat: channel = "chat"
        }
        return CalendarSeries(pairID: pair.id, summary: "Reverse mentoring: \(menteeName) & \(mentorName)",
                              description: "\(program.name) — \(current.rhythm.minutes) minutes, \(channel).",
                              rhythm: current.rhythm, sequence: sequence,
                              // Only exceptions to meetings of the rhythm in force (an earlier rhythm's are gone with it).
                              meetings: meetings.filter { ($0.status == .cancelled || $0.movedTo != nil) && schedule?.isOccurrence($0.occurrence) == true },
                              endedAt: endedAt, changedAt: changedAt)
    }

    /// The next planned meetings after `now` (moved ones at their new time, cancelled ones left out).
    public func upcoming(now: Date, count: Int = 5) -> [(occurrence: Date, start: Date)] {
        guard let schedule, status(now: now) == .active else { return [] }
        let logs = Dictionary(meetings.map { ($0.occurrence, $0) }, uniquingKeysWith: { a, _ in a })
        let cut = [schedule.seriesEnd, endedAt].compactMap { $0 }.min() ?? .distantFuture
        var out: [(Date, Date)] = []
        for occurrence in schedule.occurrences(from: now.addingTimeInterval(-7 * 86_400), to: cut, limit: count + 10) {
            let log = logs[occurrence]
            if log?.status == .cancelled { continue }
            let start = log?.movedTo ?? occurrence
            if start >= now { out.append((occurrence, start)) }
            if out.count == count { break }
        }
        return out
    }

    /// Meetings that have started and are not logged yet (the last few), for "how did it go?".
    public func toLog(now: Date, count: Int = 3) -> [Date] {
        guard let schedule else { return [] }
        let logged = Set(meetings.filter { $0.status != .moved }.map(\.occurrence))
        let past = schedule.occurrences(to: min(now, [schedule.seriesEnd, endedAt].compactMap { $0 }.min() ?? now))
        return Array(past.filter { !logged.contains($0) }.suffix(count))
    }
}

extension Partnership {
    /// The partnership with only what `actor` may read: texts by `TextAccess`, an agreement's goal words
    /// only when its visibility lets them (the kinds and counts stay), each side's check-in numbers for
    /// that side alone, actions by their visibility, history reasons by `AccessPolicy.mayReadReason`.
    /// Pages, the API and the calendar build their answers from this, never from the full record.
    public func seen(by actor: Actor) -> Partnership {
        var p = self
        let mentee = pair.menteeID, mentor = pair.mentorID
        p.texts = TextAccess.readable(actor, texts, in: pair)
        p.agreements = agreements.map { version in
            guard !TextAccess.mayRead(actor, authorID: version.authorID, visibility: version.visibility, menteeID: mentee, mentorID: mentor) else { return version }
            var v = version
            v.goals = v.goals.map { Goal(id: $0.id, title: "", kind: $0.kind, success: "", topic: nil) }
            return v
        }
        p.hiddenGoalWords = Set(agreements.filter {
            !TextAccess.mayRead(actor, authorID: $0.authorID, visibility: $0.visibility, menteeID: mentee, mentorID: mentor)
        }.map(\.id))
        p.checkIns = checkIns.filter { $0.authorID == actor.employeeID }
        p.actions = actions.filter { TextAccess.mayRead(actor, authorID: $0.authorID, visibility: $0.visibility, menteeID: mentee, mentorID: mentor) }
        p.events = events.map { event in
            var e = event
            if !AccessPolicy.mayReadReason(of: event, actor) { e.reason = nil }
            return e
        }
        return p
    }

    /// The texts about a subject, oldest first.
    public func texts(about subject: TextSubject, kind: TextKind? = nil) -> [PairText] {
        texts.filter { $0.about == subject && (kind == nil || $0.kind == kind) }
    }
}
