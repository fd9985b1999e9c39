import FlipsideCore
import Foundation
import Vapor

// What the API sends, field by field. No Core type is encoded as it is: each response is built here
// from what the access policy let the handler load, so a field added to a Core type (a private note, a
// reason seen by the program team only) reaches no client until a DTO names it.

/// A person as the directory shows them.
struct PersonDTO: Content, Equatable {
    var employee_id: String
    var name: String
    var email: String
    var title: String
    var level: Int
    var hire_date: CalendarDate
    var department: String
    var location: String
    var time_zone: String
    var manager_id: String?
    var status: EmploymentStatus
    var exit_date: CalendarDate?
    var attributes: [String: String]

    init(_ person: Person) {
        employee_id = person.employeeID
        name = person.name
        email = person.email
        title = person.title
        level = person.level
        hire_date = person.hireDate
        department = person.department
        location = person.location
        time_zone = person.timeZone
        manager_id = person.managerID
        status = person.status
        exit_date = person.exitDate
        attributes = person.attributes
    }
}

/// A program with its matching settings.
struct ProgramDTO: Content {
    struct Settings: Content {
        var min_level_gap: Int
        var default_capacity: Int
        var forbid_shared_manager: Bool
        var require_common_channel: Bool
        var perspective_attributes: [String]
        var weights: [String: Double]
        var mode: MatchingMode
        var pairs_need_acceptance: Bool
        var request_days: Int
        var allow_repeat_pairs: Bool

        init(_ s: MatchingSettings) {
            min_level_gap = s.minLevelGap
            default_capacity = s.defaultCapacity
            forbid_shared_manager = s.forbidSharedManager
            require_common_channel = s.requireCommonChannel
            perspective_attributes = s.perspectiveAttributes
            weights = s.weights
            mode = s.mode
            pairs_need_acceptance = s.pairsNeedAcceptance
            request_days = s.requestDays
            allow_repeat_pairs = s.allowRepeatPairs
        }
    }

    var id: UUID
    var name: String
    var purpose: String
    var start_date: CalendarDate?
    var end_date: CalendarDate?
    var status: ProgramStatus
    var settings: Settings
    /// The coordinator's topic catalogue (empty: the enrolment form seeds it from what people name).
    var topic_catalogue: [String]

    init(_ program: Program) {
        id = program.id
        name = program.name
        purpose = program.purpose
        start_date = program.startDate
        end_date = program.endDate
        status = program.status
        settings = Settings(program.settings)
        topic_catalogue = program.topicCatalogue.map(\.key)
    }
}

/// One enrolment.
struct EnrolmentDTO: Content {
    var id: UUID
    var program_id: UUID
    var employee_id: String
    var role: EnrolmentRole
    var offers: [TopicOffer]
    var wants: [TopicWant]
    var industries: [String]
    var channels: [FlipsideCore.Channel]
    var cadence: Cadence
    var capacity: Int
    var availability: [HourRange]

    init(_ enrolment: Enrolment) {
        id = enrolment.id
        program_id = enrolment.programID
        employee_id = enrolment.employeeID
        role = enrolment.role
        offers = enrolment.offers
        wants = enrolment.wants
        industries = enrolment.industries
        channels = enrolment.channels
        cadence = enrolment.cadence
        capacity = enrolment.capacity
        availability = enrolment.availability
    }
}

/// An enrolment in a list, with the person it belongs to.
struct EnrolmentItemDTO: Content {
    var enrolment: EnrolmentDTO
    var person: PersonDTO?

    init(_ view: EnrolmentView) {
        enrolment = EnrolmentDTO(view.enrolment)
        person = view.person.map(PersonDTO.init)
    }
}
