import Foundation

/// A program's standing decision about one mentee–mentor pair: keep them together in every run (a lock,
/// also how a coordinator pairs two people by hand) or never pair them (an exclusion, also what a
/// decline leaves behind).
public struct PairRule: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable { case lock, exclusion }

    public var id: UUID
    public var programID: UUID
    public var kind: Kind
    public var menteeID: String
    public var mentorID: String
    /// For a lock on a pair that breaks a hard rule: the rule the coordinator overrode, and why.
    public var overriddenRule: String?
    public var reason: String?
    public var createdAt: Date

    public init(id: UUID = UUID(), programID: UUID, kind: Kind, menteeID: String, mentorID: String,
                overriddenRule: String? = nil, reason: String? = nil, createdAt: Date) {
        self.id = id
        self.programID = programID
        self.kind = kind
        self.menteeID = menteeID
        self.mentorID = mentorID
        self.overriddenRule = overriddenRule
        self.reason = reason
        self.createdAt = createdAt
    }
}

/// Where a pair is in its life.
public enum PairStatus: String, Sendable, Codable, CaseIterable {
    /// Self-matching: a mentee asked this mentor, who has not answered yet (holds no place).
    case requested
    /// Published, waiting for both people to accept (holds the places).
    case proposed
    /// Both accepted (or the program does not ask): the partnership is on, its agreement still to be made.
    case accepted
    /// Both accepted their agreement (goals, rhythm, pledge): they meet.
    case active
    /// The agreed end date passed, or the program closed.
    case completed
    /// One side said no, or a request was declined.
    case declined
    /// A request nobody answered in time.
    case expired
    /// Ended before or after it started (e.g. someone left the organisation).
    case ended

    // The one definition of each state: every use case, query, page, export and figure asks these (the
    // table of every status against every predicate is in PairStatusTests).

    /// Waiting for an answer: a request to the mentor, or a proposal to both (closing the program ends them).
    public var isUnanswered: Bool { self == .requested || self == .proposed }
    /// The partnership is on: both accepted the pair, whether or not their agreement is made yet.
    public var isRunning: Bool { self == .accepted || self == .active }
    /// They meet: an agreement (goals, rhythm, pledge) is in force.
    public var meets: Bool { self == .active }
    /// It was on and is over: completed, or ended (early, or when someone left).
    public var isOver: Bool { self == .completed || self == .ended }
    /// Whether the pair takes one of the mentor's places and the mentee's one place.
    public var holdsPlaces: Bool { self == .proposed || isRunning }
    /// Whether the pair is still open or on (a mentee has at most one such pair per program).
    public var isCurrent: Bool { self == .requested || holdsPlaces }
    /// Whether a partnership (agreement, meetings, words) may exist: on, or over. An `ended` pair had one
    /// only when both had accepted it (`MentoringPair.becamePartners`).
    public var mayHavePartnership: Bool { isRunning || isOver }
    /// Whether the pair never went ahead: declined, or a request that lapsed.
    public var wasRefused: Bool { self == .declined || self == .expired }
}

/// How a pair came about.
public enum PairSource: String, Sendable, Codable {
    /// Published from a stored match run.
    case run
    /// A mentee's request (self-matching).
    case request
}

/// A mentee and a mentor in one program (`MentoringPair`, as the engine has its own `Pair` of indices).
public struct MentoringPair: Sendable, Hashable, Codable {
    public var id: UUID
    public var programID: UUID
    public var menteeID: String
    public var mentorID: String
    public var status: PairStatus
    public var source: PairSource
    public var runID: UUID?
    /// The pair's score (0–100) under the program's rules when it was made.
    public var score: Double
    /// When a coordinator paired them against a hard rule: the rule and the reason, shown forever after.
    public var overriddenRule: String?
    public var overrideReason: String?
    /// Each side's answer while proposed (`nil` = not yet).
    public var menteeAccepted: Bool?
    public var mentorAccepted: Bool?
    public var createdAt: Date
    /// For a request: when it lapses unanswered.
    public var expiresAt: Date?

    public init(id: UUID = UUID(), programID: UUID, menteeID: String, mentorID: String, status: PairStatus, source: PairSource,
                runID: UUID? = nil, score: Double, overriddenRule: String? = nil, overrideReason: String? = nil,
                menteeAccepted: Bool? = nil, mentorAccepted: Bool? = nil, createdAt: Date, expiresAt: Date? = nil) {
        self.id = id
        self.programID = programID
        self.menteeID = menteeID
        self.mentorID = mentorID
        self.status = status
        self.source = source
        self.runID = runID
        self.score = score
        self.overriddenRule = overriddenRule
        self.overrideReason = overrideReason
        self.menteeAccepted = menteeAccepted
        self.mentorAccepted = mentorAccepted
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }

    /// The status as of `now`: a request past its time is expired even before it is marked so.
    public func effectiveStatus(now: Date) -> PairStatus {
        if status == .requested, let expiresAt, expiresAt <= now { return .expired }
        return status
    }

    /// Whether the two became partners (both accepted, or the program did not ask): running, completed, or
    /// ended after both had accepted. An `ended` pair that was never answered (its program closed first, a
    /// person left) had no partnership. Figures count these pairs; the pair page shows their partnership.
    public var becamePartners: Bool {
        Self.partnersByStatus.contains(status) || (status == .ended && menteeAccepted == true && mentorAccepted == true)
    }

    /// `becamePartners` for a query: the statuses that settle it alone (an `ended` pair needs both answers too).
    public static let partnersByStatus: [PairStatus] = PairStatus.allCases.filter { $0.isRunning || $0 == .completed }

    /// Whether `side` has an answer to give at `now`: a proposal they have not answered, or a request to the
    /// mentor that has not lapsed (what `MatchWorkflow.respond` accepts; it refuses an answer given twice).
    public func awaitsAnswer(from side: EnrolmentRole?, now: Date) -> Bool {
        switch effectiveStatus(now: now) {
        case .proposed: return side == .mentee ? menteeAccepted == nil : side == .mentor ? mentorAccepted == nil : false
        case .requested: return side == .mentor
        default: return false
        }
    }

    /// Which side `employeeID` is on, if either.
    public func side(of employeeID: String?) -> EnrolmentRole? {
        guard let employeeID else { return nil }
        if employeeID == menteeID { return .mentee }
        if employeeID == mentorID { return .mentor }
        return nil
    }

    /// The other person, seen from `side`.
    public func partner(of side: EnrolmentRole) -> String { side == .mentee ? mentorID : menteeID }
}

/// One step in a pair's history: the status it moved to, when, who did it, and why.
/// Which of a program's pairs a list shows: by status (as it stands now: a lapsed request is
/// `expired`), by person (either side) and by the run they were published from. Empty means any.
public struct PairFilter: Sendable, Equatable {
    public var statuses: Set<PairStatus>
    public var person: String?
    public var runID: UUID?

    public init(statuses: Set<PairStatus> = [], person: String? = nil, runID: UUID? = nil) {
        self.statuses = statuses
        self.person = person
        self.runID = runID
    }

    public func includes(_ pair: MentoringPair, now: Date) -> Bool {
        (statuses.isEmpty || statuses.contains(pair.effectiveStatus(now: now)))
            && (person == nil || pair.menteeID == person || pair.mentorID == person)
            && (runID == nil || pair.runID == runID)
    }
}

public struct PairEvent: Sendable, Hashable, Codable {
    public var pairID: UUID
    public var status: PairStatus
    public var at: Date
    /// An employee id, `coordinator`, or `system`.
    public var actor: String
    public var reason: String?

    public init(pairID: UUID, status: PairStatus, at: Date, actor: String, reason: String? = nil) {
        self.pairID = pairID
        self.status = status
        self.at = at
        self.actor = actor
        self.reason = reason
    }
}

extension Actor {
    /// How the actor is written in a pair's history.
    public var historyName: String {
        switch self {
        case .anonymous: return "anonymous"
        case .provisioning: return "identity provider"
        case let .participant(id): return id ?? "participant"
        case let .coordinator(id): return id.map { "coordinator \($0)" } ?? "coordinator"
        }
    }
}
