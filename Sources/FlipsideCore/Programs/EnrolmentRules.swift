/// The rules an enrolment must meet, and the warnings a coordinator should see.
public enum EnrolmentRules {
    /// Problems with one enrolment's own fields, each with the field it concerns.
    public static func problems(in enrolment: Enrolment) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        switch enrolment.role {
        case .mentor:
            if !enrolment.wants.isEmpty { problems.append(FieldProblem(field: "wants", reason: "is for mentees; a mentor lists what they offer")) }
            if enrolment.offers.isEmpty { problems.append(FieldProblem(field: "offers", reason: "a mentor must offer at least one topic")) }
            if !(1...20).contains(enrolment.capacity) { problems.append(FieldProblem(field: "capacity", reason: "must be between 1 and 20")) }
        case .mentee:
            if !enrolment.offers.isEmpty { problems.append(FieldProblem(field: "offers", reason: "is for mentors; a mentee lists what they want to learn")) }
            if enrolment.wants.isEmpty { problems.append(FieldProblem(field: "wants", reason: "a mentee must want at least one topic")) }
            if enrolment.capacity != 1 { problems.append(FieldProblem(field: "capacity", reason: "a mentee has one mentor; capacity must be 1")) }
        }
        if enrolment.offers.contains(where: { !(1...5).contains($0.proficiency) }) {
            problems.append(FieldProblem(field: "offers", reason: "proficiency must be from 1 to 5"))
        }
        if enrolment.wants.contains(where: { !(1...3).contains($0.priority) }) {
            problems.append(FieldProblem(field: "wants", reason: "priority must be from 1 to 3"))
        }
        if Set(enrolment.offers.map(\.topic)).count != enrolment.offers.count { problems.append(FieldProblem(field: "offers", reason: "a topic is listed twice")) }
        if Set(enrolment.wants.map(\.topic)).count != enrolment.wants.count { problems.append(FieldProblem(field: "wants", reason: "a topic is listed twice")) }
        problems += limitProblems(in: enrolment)
        if enrolment.channels.isEmpty { problems.append(FieldProblem(field: "channels", reason: "at least one channel is needed")) }
        return problems
    }

    /// Bounded lists and text: a form or a file can hold only so much, and the API no more.
    static func limitProblems(in enrolment: Enrolment) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        for (field, topics) in [("offers", enrolment.offers.map(\.topic)), ("wants", enrolment.wants.map(\.topic))] {
            if topics.count > TextLimits.topicsPerList {
                problems.append(FieldProblem(field: field, reason: "lists \(topics.count) topics; at most \(TextLimits.topicsPerList)"))
            }
            if let reason = topics.lazy.compactMap({ TextLimits.problem($0.key, most: TextLimits.topic) }).first {
                problems.append(FieldProblem(field: field, reason: "a topic \(reason)"))
            }
        }
        if enrolment.industries.count > TextLimits.industries {
            problems.append(FieldProblem(field: "industries", reason: "lists \(enrolment.industries.count) industries; at most \(TextLimits.industries)"))
        }
        if let reason = enrolment.industries.lazy.compactMap({ TextLimits.problem($0, most: TextLimits.short) }).first {
            problems.append(FieldProblem(field: "industries", reason: "an industry \(reason)"))
        }
        if enrolment.availability.count > TextLimits.availabilityRanges {
            problems.append(FieldProblem(field: "availability", reason: "lists \(enrolment.availability.count) hour ranges; at most \(TextLimits.availabilityRanges)"))
        }
        return problems
    }

    /// Mentees whom no enrolled mentor can serve, because every mentor is too close to them in level.
    /// Returns nothing while the program has no mentors yet.
    public static func warnings(enrolments: [Enrolment], levels: [String: Int], gap: Int) -> [EnrolmentWarning] {
        let mentorLevels = enrolments.filter { $0.role == .mentor }.compactMap { levels[$0.employeeID] }
        guard let lowest = mentorLevels.min() else { return [] }
        return enrolments.filter { $0.role == .mentee }.compactMap { enrolment in
            guard let level = levels[enrolment.employeeID], level < lowest + gap else { return nil }
            return EnrolmentWarning(
                employeeID: enrolment.employeeID,
                message: "No mentor can serve \(enrolment.employeeID): their level \(level) does not exceed the lowest mentor level \(lowest) by the program's gap of \(gap).")
        }
    }
}

/// An enrolment that was accepted but that the coordinator should look at.
public struct EnrolmentWarning: Hashable, Codable, Sendable {
    public var employeeID: String
    public var message: String
    public init(employeeID: String, message: String) {
        self.employeeID = employeeID
        self.message = message
    }
    enum CodingKeys: String, CodingKey { case employeeID = "employee_id", message }
}
