import Foundation

/// The life cycle of a reverse-mentoring program (a cohort).
public enum ProgramStatus: String, Codable, Sendable, CaseIterable {
    case draft, enrolling, matching, active, closed

    /// The statuses a program may move to from this one. Matching may go back to enrolling
    /// (the coordinator reopens sign-up); everything else moves forward only.
    public var allowedNext: [ProgramStatus] {
        switch self {
        case .draft: return [.enrolling]
        case .enrolling: return [.matching]
        case .matching: return [.enrolling, .active]
        case .active: return [.closed]
        case .closed: return []
        }
    }

    /// Whether people may still enrol or change their enrolment.
    public var acceptsEnrolments: Bool { self == .draft || self == .enrolling }
}

/// Per-program matching settings.
public struct MatchingSettings: Hashable, Codable, Sendable {
    /// A mentee's level must exceed their mentor's by at least this much.
    public var minLevelGap: Int
    /// How many mentees a mentor takes unless their enrolment says otherwise.
    public var defaultCapacity: Int

    public init(minLevelGap: Int = 1, defaultCapacity: Int = 1) {
        self.minLevelGap = minLevelGap
        self.defaultCapacity = defaultCapacity
    }

    enum CodingKeys: String, CodingKey {
        case minLevelGap = "min_level_gap", defaultCapacity = "default_capacity"
    }
}

/// A reverse-mentoring program.
public struct Program: Hashable, Codable, Sendable {
    public var id: UUID
    public var name: String
    public var purpose: String
    public var startDate: CalendarDate?
    public var endDate: CalendarDate?
    public var status: ProgramStatus
    public var settings: MatchingSettings

    public init(id: UUID = UUID(), name: String, purpose: String = "", startDate: CalendarDate? = nil,
                endDate: CalendarDate? = nil, status: ProgramStatus = .draft, settings: MatchingSettings = .init()) {
        self.id = id
        self.name = name
        self.purpose = purpose
        self.startDate = startDate
        self.endDate = endDate
        self.status = status
        self.settings = settings
    }

    /// Moves the program to `next`, or throws when the life cycle does not allow it.
    public mutating func transition(to next: ProgramStatus) throws(ProgramError) {
        guard status.allowedNext.contains(next) else {
            throw .illegalTransition(from: status, to: next)
        }
        status = next
    }

    /// How many mentees someone in `role` takes unless their enrolment says otherwise: a mentor the
    /// program's default, a mentee always one mentor.
    public func defaultCapacity(for role: EnrolmentRole) -> Int {
        role == .mentor ? settings.defaultCapacity : 1
    }

    /// Why the program cannot be deleted now, or `nil` when it can (an active program has pairs running).
    public var deletionBlocker: String? {
        status == .active ? "An active program cannot be deleted; close it first." : nil
    }

    /// Checks the fields a coordinator typed.
    public func validate() throws(ProgramError) {
        var problems: [FieldProblem] = []
        if name.isBlank {
            problems.append(FieldProblem(field: "name", reason: "must not be empty"))
        }
        if let reason = TextLimits.problem(name, most: TextLimits.short) { problems.append(FieldProblem(field: "name", reason: reason)) }
        if let reason = TextLimits.problem(purpose, most: TextLimits.long, multiline: true) {
            problems.append(FieldProblem(field: "purpose", reason: reason))
        }
        if let s = startDate, let e = endDate, e < s {
            problems.append(FieldProblem(field: "end_date", reason: "must not be before start_date (\(s))"))
        }
        if settings.minLevelGap < 0 || settings.minLevelGap > 50 {
            problems.append(FieldProblem(field: "settings.min_level_gap", reason: "must be between 0 and 50"))
        }
        if settings.defaultCapacity < 1 || settings.defaultCapacity > 50 {
            problems.append(FieldProblem(field: "settings.default_capacity", reason: "must be between 1 and 50"))
        }
        if !problems.isEmpty { throw .invalid(problems) }
    }

    enum CodingKeys: String, CodingKey {
        case id, name, purpose, startDate = "start_date", endDate = "end_date", status, settings
    }
}

/// One problem with one field of a submitted form or JSON body.
public struct FieldProblem: Hashable, Codable, Sendable {
    public var field: String
    public var reason: String
    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }
}

/// What can go wrong with a program.
public enum ProgramError: Error, Equatable, Sendable {
    case illegalTransition(from: ProgramStatus, to: ProgramStatus)
    case invalid([FieldProblem])
    case closedForEnrolment(ProgramStatus)
    case notFound
    /// Another program took the name at the same moment (the database's unique rule fired).
    case nameTaken(String)
    /// The program cannot be deleted now; says why.
    case cannotDelete(String)
    case refused(AccessDecision)

    /// A sentence for a person.
    public var message: String {
        switch self {
        case let .illegalTransition(from, to):
            let allowed = from.allowedNext.map(\.rawValue).joined(separator: ", ")
            return "A program cannot move from \(from.rawValue) to \(to.rawValue)"
                + (allowed.isEmpty ? "; it is \(from.rawValue) for good." : "; from \(from.rawValue) it can move to: \(allowed).")
        case let .invalid(problems):
            return problems.map { "\($0.field) \($0.reason)" }.joined(separator: "; ")
        case let .closedForEnrolment(status):
            return "The program is \(status.rawValue); enrolments can only change while it is draft or enrolling."
        case .notFound: return "Program was not found."
        case let .nameTaken(name): return "Another program named '\(TextLimits.preview(name))' was saved at the same moment; choose another name."
        case let .cannotDelete(reason): return reason
        case .refused: return "You are not allowed to do this."
        }
    }
}
