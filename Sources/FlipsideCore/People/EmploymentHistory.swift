import Foundation

/// Where a person stands in the organisation: what outcomes compare people by, and what the HR history
/// records the changes of.
public struct Placement: Sendable, Hashable, Codable {
    public var level: Int
    public var department: String
    public var location: String

    public init(level: Int, department: String, location: String) {
        self.level = level
        self.department = department
        self.location = location
    }
}

extension Person {
    public var placement: Placement { Placement(level: level, department: department, location: location) }
}

extension Employment {
    public var placement: Placement { Placement(level: level, department: department, location: location) }

    /// The same person placed as `placement` says (their dates and status unchanged).
    public func placed(_ placement: Placement) -> Employment {
        var copy = self
        copy.level = placement.level
        copy.department = placement.department
        copy.location = placement.location
        return copy
    }
}

/// One change of a person's level, department or location, effective from a day: what an HR import, a
/// provisioning write or an edit recorded, in the same transaction as the change itself.
public struct EmploymentChange: Sendable, Hashable, Codable {
    public var employeeID: String
    /// The first day the person was placed as `after` says.
    public var effective: CalendarDate
    public var before: Placement
    public var after: Placement

    public init(employeeID: String, effective: CalendarDate, before: Placement, after: Placement) {
        self.employeeID = employeeID
        self.effective = effective
        self.before = before
        self.after = after
    }

    /// A move to a higher level.
    public var isPromotion: Bool { after.level > before.level }

    /// What changed between what was stored (`old`) and what is written (`new`), effective `day`: `nil`
    /// for someone new (nothing was known of them before) or whose placement stayed the same.
    public init?(from old: Person?, to new: Person, on day: CalendarDate) {
        guard let old, old.placement != new.placement else { return nil }
        self.init(employeeID: new.employeeID, effective: day, before: old.placement, after: new.placement)
    }

    /// The changes an import of `updated` people over `existing` ones records, effective `day`.
    public static func changes(_ updated: [Person], over existing: [String: Person], on day: CalendarDate) -> [EmploymentChange] {
        updated.compactMap { EmploymentChange(from: existing[$0.employeeID], to: $0, on: day) }
    }
}

/// Everyone's HR history: the changes of placement each person went through, in the order they took
/// effect. A person's placement on a day is the one before their first change after that day, or the one
/// stored now when nothing changed since (someone known only from one import has always been as they are
/// now, as far as Flipside can tell).
public struct EmploymentHistory: Sendable {
    /// Each person's changes, by the day they took effect (then in the order they were recorded).
    public let changes: [String: [EmploymentChange]]

    public static let none = EmploymentHistory([])

    /// `changes` in the order they were recorded.
    public init(_ changes: [EmploymentChange]) {
        var byPerson: [String: [EmploymentChange]] = [:]
        for change in changes { byPerson[change.employeeID, default: []].append(change) }
        for (id, list) in byPerson {
            // Stable: changes of one day keep the order they were recorded in.
            byPerson[id] = list.enumerated().sorted { ($0.element.effective, $0.offset) < ($1.element.effective, $1.offset) }.map(\.element)
        }
        self.changes = byPerson
    }

    public var isEmpty: Bool { changes.isEmpty }

    /// Where `person` stood at the end of `day`.
    public func placement(of person: Employment, on day: CalendarDate) -> Placement {
        guard let list = changes[person.employeeID], let next = list.first(where: { $0.effective > day }) else { return person.placement }
        return next.before
    }

    /// `person` as they stood at the end of `day` (dates and status as stored: an exit date already says
    /// when someone left).
    public func asOf(_ day: CalendarDate, _ person: Employment) -> Employment {
        guard changes[person.employeeID] != nil else { return person }
        return person.placed(placement(of: person, on: day))
    }

    /// Everyone as they stood at the end of `day`.
    public func asOf(_ day: CalendarDate, _ everyone: [Employment]) -> [Employment] {
        guard !changes.isEmpty else { return everyone }
        return everyone.map { asOf(day, $0) }
    }

    /// The day of the person's first promotion after `day` (a change effective later than `day` to a level
    /// above the one before it), if any.
    public func firstPromotion(of employeeID: String, after day: CalendarDate) -> CalendarDate? {
        changes[employeeID]?.first { $0.effective > day && $0.isPromotion }?.effective
    }
}

/// Everyone in the HR data, as stored now, with their history: what the outcomes read. Figures about a
/// program see people as they stood on its start day (`asOf`).
public struct Workforce: Sendable {
    public var everyone: [Employment]
    public var history: EmploymentHistory

    public init(_ everyone: [Employment], history: EmploymentHistory = .none) {
        self.everyone = everyone
        self.history = history
    }

    /// Everyone as they stood at the end of `day`.
    public func asOf(_ day: CalendarDate) -> [Employment] { history.asOf(day, everyone) }
}
