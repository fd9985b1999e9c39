import Fluent
import FlipsideCore
import Foundation

/// A stored enrolment; list-valued fields are JSON columns.
final class EnrolmentModel: Model, @unchecked Sendable {
    static let schema = "enrolments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "program_id") var program: ProgramModel
    @Field(key: "employee_id") var employeeID: String
    @Field(key: "role") var role: String
    /// The list-valued fields as one JSON object (a JSON array column would become a PostgreSQL array).
    @Field(key: "details") var details: Details
    @Field(key: "cadence") var cadence: String
    @Field(key: "capacity") var capacity: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}

    init(_ enrolment: Enrolment) {
        id = enrolment.id
        $program.id = enrolment.programID
        copy(from: enrolment)
    }

    func copy(from enrolment: Enrolment) {
        employeeID = enrolment.employeeID
        role = enrolment.role.rawValue
        details = Details(offers: enrolment.offers, wants: enrolment.wants, industries: enrolment.industries,
                          channels: enrolment.channels, availability: enrolment.availability)
        cadence = enrolment.cadence.rawValue
        capacity = enrolment.capacity
    }

    var enrolment: Enrolment {
        details.enrolment(id: id!, programID: $program.id, employeeID: employeeID, role: role, cadence: cadence, capacity: capacity)
    }
}

extension EnrolmentModel {
    struct Details: Codable, Sendable, Equatable {
        var offers: [TopicOffer]
        var wants: [TopicWant]
        var industries: [String]
        var channels: [FlipsideCore.Channel]
        var availability: [HourRange]

        /// The enrolment a stored row holds (the columns and these details), however it was read.
        func enrolment(id: UUID, programID: UUID, employeeID: String, role: String, cadence: String, capacity: Int) -> Enrolment {
            Enrolment(id: id, programID: programID, employeeID: employeeID, role: EnrolmentRole(rawValue: role) ?? .mentee,
                      offers: offers, wants: wants, industries: industries, channels: channels,
                      cadence: Cadence(rawValue: cadence) ?? .biweekly, capacity: capacity, availability: availability)
        }
    }
}
