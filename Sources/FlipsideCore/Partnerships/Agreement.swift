import Foundation

/// What a goal is about: the kinds of learning reverse mentoring is for.
public enum GoalKind: String, Codable, Sendable, CaseIterable {
    case industryKnowledge = "industry_knowledge"
    case newSoftwareSystem = "new_software_system"
    case newTechOrApps = "new_tech_or_apps"
    case perspective
    case other

    public var label: String {
        switch self {
        case .industryKnowledge: return "Learn an industry the mentor worked in"
        case .newSoftwareSystem: return "Get hands-on with a new software system"
        case .newTechOrApps: return "Learn new tech or apps"
        case .perspective: return "See things from another perspective"
        case .other: return "Other"
        }
    }
}

/// One goal of a partnership.
public struct Goal: Sendable, Hashable, Codable {
    public var id: UUID
    public var title: String
    public var kind: GoalKind
    /// What success looks like.
    public var success: String
    /// A topic of the enrolments (what the mentee wants or the mentor offers), when the goal is about one.
    public var topic: Topic?

    public init(id: UUID = UUID(), title: String, kind: GoalKind, success: String = "", topic: Topic? = nil) {
        self.id = id
        self.title = title
        self.kind = kind
        self.success = success
        self.topic = topic
    }
}

/// A wall-clock time on a day, in no time zone yet (`YYYY-MM-DDTHH:MM`).
public struct LocalDateTime: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var date: CalendarDate
    public var hour: Int
    public var minute: Int

    public init?(date: CalendarDate, hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.date = date
        self.hour = hour
        self.minute = minute
    }

    /// Parses `YYYY-MM-DDTHH:MM` (or with a space, or with `:SS` seconds that must be zero).
    public init?(iso string: String) {
        let s = string.trimmingCharacters(in: .whitespaces)
        guard s.count >= 16 else { return nil }
        let dateEnd = s.index(s.startIndex, offsetBy: 10)
        guard let date = CalendarDate(iso: String(s[..<dateEnd])), s[dateEnd] == "T" || s[dateEnd] == " " else { return nil }
        let time = s[s.index(after: dateEnd)...].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 2 || (time.count == 3 && time[2] == "00"), time[0].count == 2, time[1].count == 2,
              let h = Int(time[0]), let m = Int(time[1]) else { return nil }
        self.init(date: date, hour: h, minute: m)
    }

    public var description: String { "\(date)T\(Self.two(hour)):\(Self.two(minute))" }

    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    public static func < (a: LocalDateTime, b: LocalDateTime) -> Bool { (a.date, a.hour, a.minute) < (b.date, b.hour, b.minute) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let value = LocalDateTime(iso: raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(TextLimits.preview(raw))' is not a date and time (expected YYYY-MM-DDTHH:MM)")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// How a pair meets: how often, how long, from when, until when, where and in which time zone.
public struct Rhythm: Sendable, Hashable, Codable {
    public var cadence: Cadence
    /// Minutes per meeting.
    public var minutes: Int
    /// The first meeting, in `timeZone`'s wall-clock time.
    public var firstMeeting: LocalDateTime
    /// The organiser's IANA time zone: the times of the series are kept in it (across daylight-saving changes).
    public var timeZone: String
    /// The last day of the partnership; `nil` = ongoing.
    public var endDate: CalendarDate?
    public var channel: Channel

    public init(cadence: Cadence, minutes: Int, firstMeeting: LocalDateTime, timeZone: String, endDate: CalendarDate?, channel: Channel) {
        self.cadence = cadence
        self.minutes = minutes
        self.firstMeeting = firstMeeting
        self.timeZone = timeZone
        self.endDate = endDate
        self.channel = channel
    }

    public var isOngoing: Bool { endDate == nil }

    enum CodingKeys: String, CodingKey {
        case cadence, minutes, firstMeeting = "first_meeting", timeZone = "time_zone", endDate = "end_date", channel
    }

    public static let minuteRange = 15...240
}

/// One version of a pair's agreement: goals, rhythm and the pledge. Either side drafts a version (and so
/// accepts it, pledge included); the other accepts it or drafts a new one. Earlier versions stay readable.
public struct AgreementVersion: Sendable, Hashable, Codable {
    public var id: UUID
    public var pairID: UUID
    /// 1, 2, 3 … per pair.
    public var number: Int
    public var authorID: String
    public var goals: [Goal]
    public var rhythm: Rhythm
    /// Who reads the goals' words: the author's choice (coordinators see how many goals of which kinds either way).
    public var visibility: TextVisibility
    public var createdAt: Date
    /// When each side accepted it (pledge included).
    public var menteeAcceptedAt: Date?
    public var mentorAcceptedAt: Date?

    public init(id: UUID = UUID(), pairID: UUID, number: Int, authorID: String, goals: [Goal], rhythm: Rhythm,
                visibility: TextVisibility = .standard, createdAt: Date, menteeAcceptedAt: Date? = nil, mentorAcceptedAt: Date? = nil) {
        self.id = id
        self.pairID = pairID
        self.number = number
        self.authorID = authorID
        self.goals = goals
        self.rhythm = rhythm
        self.visibility = visibility
        self.createdAt = createdAt
        self.menteeAcceptedAt = menteeAcceptedAt
        self.mentorAcceptedAt = mentorAcceptedAt
    }

    /// Both sides accepted.
    public var isAgreed: Bool { menteeAcceptedAt != nil && mentorAcceptedAt != nil }
    /// When the second side accepted.
    public var agreedAt: Date? {
        guard let a = menteeAcceptedAt, let b = mentorAcceptedAt else { return nil }
        return max(a, b)
    }

    public func accepted(by side: EnrolmentRole) -> Bool { side == .mentee ? menteeAcceptedAt != nil : mentorAcceptedAt != nil }
}

/// The short pledge both sides accept with the agreement.
public enum Pledge {
    public static let text = """
    What we say in our meetings stays between us unless we both agree otherwise. We listen with respect \
    and without judgment; candid words, including about the senior side, carry no consequence for the \
    person who says them. Either of us can raise a concern with the program team at any time, anonymously if we wish.
    """
}

/// A draft of an agreement as a participant writes it, before it is checked.
public struct AgreementDraft: Sendable {
    public struct GoalDraft: Sendable {
        public var title: String
        public var kind: String
        public var success: String
        public var topic: String?
        public init(title: String, kind: String, success: String = "", topic: String? = nil) {
            self.title = title
            self.kind = kind
            self.success = success
            self.topic = topic
        }
    }

    public var goals: [GoalDraft]
    public var cadence: String
    public var minutes: Int
    public var firstMeeting: String
    public var timeZone: String
    /// `nil` or empty = ongoing.
    public var endDate: String?
    public var channel: String
    public var visibility: String?
    public var pledgeAccepted: Bool

    public init(goals: [GoalDraft], cadence: String, minutes: Int, firstMeeting: String, timeZone: String, endDate: String?,
                channel: String, visibility: String? = nil, pledgeAccepted: Bool) {
        self.goals = goals
        self.cadence = cadence
        self.minutes = minutes
        self.firstMeeting = firstMeeting
        self.timeZone = timeZone
        self.endDate = endDate
        self.channel = channel
        self.visibility = visibility
        self.pledgeAccepted = pledgeAccepted
    }

    public static let mostGoals = 10

    /// The goals and rhythm, or every problem with a field name: the program's dates, the channels both
    /// use and the enrolments' topics are the limits.
    func checked(program: Program, mentee: Enrolment?, mentor: Enrolment?) -> Result<(goals: [Goal], rhythm: Rhythm, visibility: TextVisibility), PartnershipError> {
        var problems: [FieldProblem] = []
        if !pledgeAccepted { problems.append(FieldProblem(field: "pledge", reason: "must be accepted: both sides accept the confidentiality and respect pledge")) }
        if goals.isEmpty { problems.append(FieldProblem(field: "goals", reason: "must name at least one goal")) }
        if goals.count > Self.mostGoals { problems.append(FieldProblem(field: "goals", reason: "must be at most \(Self.mostGoals)")) }
        let topics = Set((mentee?.wants.map(\.topic) ?? []) + (mentor?.offers.map(\.topic) ?? []) + (mentee?.offers.map(\.topic) ?? []) + (mentor?.wants.map(\.topic) ?? []))
        var goalList: [Goal] = []
        for (i, g) in goals.prefix(Self.mostGoals).enumerated() {
            let field = "goals[\(i)]"
            let title = g.title.trimmingCharacters(in: .whitespacesAndNewlines)
            if title.isEmpty { problems.append(FieldProblem(field: "\(field).title", reason: "is required")) }
            if let p = TextLimits.problem(title, most: TextLimits.short) { problems.append(FieldProblem(field: "\(field).title", reason: p)) }
            let kind = GoalKind(rawValue: g.kind)
            if kind == nil { problems.append(FieldProblem(field: "\(field).kind", reason: "must be one of \(GoalKind.allCases.map(\.rawValue).joined(separator: ", "))")) }
            let success = g.success.trimmingCharacters(in: .whitespacesAndNewlines)
            if let p = TextLimits.problem(success, most: TextLimits.long, multiline: true) { problems.append(FieldProblem(field: "\(field).success", reason: p)) }
            var topic: Topic?
            if let raw = g.topic?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
                topic = Topic(raw)
                if topic == nil || !topics.contains(topic!) {
                    problems.append(FieldProblem(field: "\(field).topic", reason: "must be a topic of this pair's enrolments (\(topics.map(\.key).sorted().joined(separator: ", ")))"))
                }
            }
            if let kind { goalList.append(Goal(title: title, kind: kind, success: success, topic: topic)) }
        }
        let cadence = Cadence(rawValue: cadence)
        if cadence == nil { problems.append(FieldProblem(field: "rhythm.cadence", reason: "must be one of \(Cadence.allCases.map(\.rawValue).joined(separator: ", "))")) }
        if !Rhythm.minuteRange.contains(minutes) {
            problems.append(FieldProblem(field: "rhythm.minutes", reason: "must be between \(Rhythm.minuteRange.lowerBound) and \(Rhythm.minuteRange.upperBound)"))
        }
        let first = LocalDateTime(iso: firstMeeting)
        if first == nil { problems.append(FieldProblem(field: "rhythm.first_meeting", reason: "must be a date and time YYYY-MM-DDTHH:MM")) }
        if let first, let start = program.startDate, first.date < start {
            problems.append(FieldProblem(field: "rhythm.first_meeting", reason: "is before the program starts (\(start))"))
        }
        if let first, let end = program.endDate, end < first.date {
            problems.append(FieldProblem(field: "rhythm.first_meeting", reason: "is after the program ends (\(end))"))
        }
        if TimeZone(identifier: timeZone) == nil || timeZone.isEmpty {
            problems.append(FieldProblem(field: "rhythm.time_zone", reason: "must be an IANA time zone such as Europe/Berlin"))
        }
        var end: CalendarDate?
        if let raw = endDate?.trimmingCharacters(in: .whitespaces), !raw.isEmpty, raw != "ongoing" {
            end = CalendarDate(iso: raw)
            if end == nil { problems.append(FieldProblem(field: "rhythm.end_date", reason: "must be a date YYYY-MM-DD or 'ongoing'")) }
            if let end, let first, end < first.date { problems.append(FieldProblem(field: "rhythm.end_date", reason: "is before the first meeting")) }
            if let end, let start = program.startDate, end < start { problems.append(FieldProblem(field: "rhythm.end_date", reason: "is before the program starts (\(start))")) }
            if let end, let programEnd = program.endDate, programEnd < end {
                problems.append(FieldProblem(field: "rhythm.end_date", reason: "is after the program ends (\(programEnd))"))
            }
        }
        let channel = Channel(rawValue: channel)
        let common = Set(mentee?.channels ?? Channel.allCases).intersection(mentor?.channels ?? Channel.allCases)
        if channel == nil {
            problems.append(FieldProblem(field: "rhythm.channel", reason: "must be one of \(Channel.allCases.map(\.rawValue).joined(separator: ", "))"))
        } else if !common.isEmpty, !common.contains(channel!) {
            problems.append(FieldProblem(field: "rhythm.channel", reason: "must be a channel both of you use (\(common.sorted().map(\.rawValue).joined(separator: ", ")))"))
        }
        var visibility = TextVisibility.standard
        if let raw = self.visibility, !raw.isEmpty {
            // An agreement is for both of the pair: they read it, they accept it; "only me" is no agreement.
            let allowed = TextVisibility.forAgreements
            if let v = TextVisibility(rawValue: raw), allowed.contains(v) { visibility = v } else {
                problems.append(FieldProblem(field: "visibility", reason: "an agreement is read by both of the pair: must be one of \(allowed.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        guard problems.isEmpty, let cadence, let first, let channel else { return .failure(.invalid(problems)) }
        return .success((goalList, Rhythm(cadence: cadence, minutes: minutes, firstMeeting: first, timeZone: timeZone, endDate: end, channel: channel), visibility))
    }
}
