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
    @Field(key: "offers") var offers: [TopicOffer]
    @Field(key: "wants") var wants: [TopicWant]
    @Field(key: "industries") var industries: [String]
    @Field(key: "channels") var channels: [FlipsideCore.Channel]
    @Field(key: "cadence") var cadence: String
    @Field(key: "capacity") var capacity: Int
    @Field(key: "availability") var availability: [HourRange]
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
        offers = enrolment.offers
        wants = enrolment.wants
        industries = enrolment.industries
        channels = enrolment.channels
        cadence = enrolment.cadence.rawValue
        capacity = enrolment.capacity
        availability = enrolment.availability
    }

    var enrolment: Enrolment {
        Enrolment(id: id!, programID: $program.id, employeeID: employeeID, role: EnrolmentRole(rawValue: role) ?? .mentee,
                  offers: offers, wants: wants, industries: industries, channels: channels,
                  cadence: Cadence(rawValue: cadence) ?? .biweekly, capacity: capacity, availability: availability)
    }
}
