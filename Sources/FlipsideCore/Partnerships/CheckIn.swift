import Foundation

/// "Are we heading in the right direction?"
public enum Direction: String, Codable, Sendable, CaseIterable {
    case yes, unsure, no
}

/// A regular check-in (after a meeting, or once per cadence period) or the closing one.
public enum CheckInKind: String, Codable, Sendable {
    case regular, closing
}

/// One side's short answer about how the partnership goes. Its numbers are the author's own (the other
/// side and coordinators see none of them; coordinators see only the health flags they raise); its
/// comment is a `PairText` with the visibility its author chose.
public struct CheckIn: Sendable, Hashable, Codable {
    public var id: UUID
    public var pairID: UUID
    public var authorID: String
    public var side: EnrolmentRole
    public var kind: CheckInKind
    public var at: Date
    /// The meeting it follows (its planned start), or `nil` for "this cadence period".
    public var meeting: Date?
    /// Which cadence period (0 = the one of the first meeting) it answers for; one check-in per side per
    /// meeting or per period.
    public var period: Int
    /// 1–5 (regular).
    public var satisfaction: Int?
    public var direction: Direction?
    /// Progress per goal, 0–100 %.
    public var progress: [UUID: Int]
    /// The mentor's "did you feel listened to?", 1–5.
    public var listened: Int?
    /// Closing: overall value 1–5 and whether they would do it again.
    public var overallValue: Int?
    public var wouldAgain: Bool?

    public init(id: UUID = UUID(), pairID: UUID, authorID: String, side: EnrolmentRole, kind: CheckInKind, at: Date, meeting: Date? = nil,
                period: Int = 0, satisfaction: Int? = nil, direction: Direction? = nil, progress: [UUID: Int] = [:],
                listened: Int? = nil, overallValue: Int? = nil, wouldAgain: Bool? = nil) {
        self.id = id
        self.pairID = pairID
        self.authorID = authorID
        self.side = side
        self.kind = kind
        self.at = at
        self.meeting = meeting
        self.period = period
        self.satisfaction = satisfaction
        self.direction = direction
        self.progress = progress
        self.listened = listened
        self.overallValue = overallValue
        self.wouldAgain = wouldAgain
    }

    /// The check-in's slot: one per side per meeting or per cadence period, one closing.
    public var slot: String {
        if kind == .closing { return "closing" }
        if let meeting { return "meeting:\(Int(meeting.timeIntervalSince1970))" }
        return "period:\(period)"
    }

    /// The author is unhappy: satisfaction 2 or less, or "not the right direction".
    public var isUnhappy: Bool { kind == .regular && ((satisfaction ?? 5) <= 2 || direction == .no) }
}

/// What a coordinator is told about a pair: which warning signs, and since when — never anybody's words.
public struct HealthFlag: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// Either side is unhappy (satisfaction ≤ 2 or "not the right direction").
        case unhappy
        /// The two sides see it very differently (satisfaction 3 or more apart).
        case apart
        /// No meeting was logged for two cadence periods.
        case noMeetings = "no_meetings"

        /// The sign in a few words, for tables and charts.
        public var label: String {
            switch self {
            case .unhappy: return "a side is unhappy"
            case .apart: return "the sides see it differently"
            case .noMeetings: return "no meetings for two periods"
            }
        }
    }

    public var kind: Kind
    public var since: Date
    /// For `unhappy`: which side (the side, not what they said).
    public var side: EnrolmentRole?

    public init(kind: Kind, since: Date, side: EnrolmentRole? = nil) {
        self.kind = kind
        self.since = since
        self.side = side
    }

    public var explanation: String {
        switch kind {
        case .unhappy: return "\(side == .mentor ? "The mentor" : side == .mentee ? "The mentee" : "One side") is unhappy (satisfaction 2 or less, or not the right direction)"
        case .apart: return "The two sides see it very differently (satisfaction 3 or more apart)"
        case .noMeetings: return "No meeting logged for two cadence periods"
        }
    }
}

/// The health rules.
public enum Health {
    /// The flags of one partnership at `now`, from its check-ins' numbers, its meetings and its rhythm.
    public static func flags(checkIns: [CheckIn], meetings: [MeetingLog], rhythm: Rhythm?, status: PairStatus, now: Date) -> [HealthFlag] {
        guard status.isRunning else { return [] }
        var flags: [HealthFlag] = []
        let regular = checkIns.filter { $0.kind == .regular && $0.at <= now }.sorted { $0.at < $1.at }
        var latest: [EnrolmentRole: CheckIn] = [:]
        for side in [EnrolmentRole.mentee, .mentor] {
            let own = regular.filter { $0.side == side }
            guard let last = own.last else { continue }
            latest[side] = last
            if last.isUnhappy {
                // Since the first of the unhappy answers in a row.
                let since = own.reversed().prefix { $0.isUnhappy }.last!.at
                flags.append(HealthFlag(kind: .unhappy, since: since, side: side))
            }
        }
        if let a = latest[.mentee], let b = latest[.mentor], let sa = a.satisfaction, let sb = b.satisfaction, abs(sa - sb) >= 3 {
            flags.append(HealthFlag(kind: .apart, since: max(a.at, b.at)))
        }
        if let rhythm, let schedule = Schedule(rhythm) {
            let held = meetings.filter { $0.status == .held && $0.start <= now }.map(\.start).max()
            let firstPlanned = schedule.instant(rhythm.firstMeeting)
            let reference = held ?? firstPlanned
            if reference <= now, now.timeIntervalSince(reference) >= 2 * schedule.period {
                flags.append(HealthFlag(kind: .noMeetings, since: reference))
            }
        }
        return flags
    }
}
