import Foundation

/// An enrolment as a person asked to make or change it, from the API's JSON or the web form: every
/// field optional, what is absent stays as it is. Both decode into this draft and apply it here, so they
/// read the same fields the same way and get the same problems from `Enrolling`.
public struct EnrolmentDraft: Sendable, Equatable {
    public var role: EnrolmentRole?
    public var offers: [TopicOffer]?
    public var wants: [TopicWant]?
    public var industries: [String]?
    public var channels: [Channel]?
    public var cadence: Cadence?
    public var capacity: Int?
    public var availability: [HourRange]?

    public init() {}

    /// The problem of a new enrolment without a role.
    public static let roleRequired = FieldProblem(field: "role", reason: "is required (mentor or mentee)")

    /// A new enrolment of `employeeID` in `program` from this draft, or `nil` when it names no role. Its
    /// capacity is the program's default for the role unless the draft gives one.
    public func newEnrolment(of employeeID: String, in program: Program) -> Enrolment? {
        guard let role else { return nil }
        var enrolment = Enrolment(programID: program.id, employeeID: employeeID, role: role, capacity: program.defaultCapacity(for: role))
        apply(to: &enrolment, in: program)
        return enrolment
    }

    /// Applies what is given. A role changed without a capacity takes the program's default for the new
    /// role (a mentee has one mentor; a mentor the program's default number of mentees).
    public func apply(to enrolment: inout Enrolment, in program: Program) {
        if let role, role != enrolment.role {
            enrolment.role = role
            if capacity == nil { enrolment.capacity = program.defaultCapacity(for: role) }
        }
        if let offers { enrolment.offers = offers }
        if let wants { enrolment.wants = wants }
        if let industries { enrolment.industries = industries.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        if let channels { enrolment.channels = Array(Set(channels)).sorted() }
        if let cadence { enrolment.cadence = cadence }
        if let capacity { enrolment.capacity = capacity }
        if let availability { enrolment.availability = availability }
    }

    /// The problems of `unread` (fields that could not be read at all) and every rule the enrolment
    /// breaks besides, each field once: all of them at once, as `Enrolling` would report the rules.
    public static func problems(_ enrolment: Enrolment, unread: [FieldProblem]) -> [FieldProblem] {
        let reported = Set(unread.map(\.field))
        return unread + EnrolmentRules.problems(in: enrolment).filter { !reported.contains($0.field) }
    }
}
