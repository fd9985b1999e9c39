import FlipsideCore
import Foundation
import Vapor

struct TokenRequest: Content {
    var email: String
    var password: String
}

struct TokenResponse: Content {
    var token: String
    var expires_at: Date
    var user: UserDTO
}

struct UserDTO: Content {
    var id: UUID
    var email: String
    var role: UserRole
    var employee_id: String?

    init(_ user: UserModel) {
        id = user.id!
        email = user.email
        role = user.userRole
        employee_id = user.employeeID
    }
}

struct MeResponse: Content {
    var user: UserDTO
    var person: PersonDTO?
    var enrolments: [EnrolmentDTO]
}

struct MeUpdate: Content {
    var time_zone: String?
    var attributes: [String: String?]?
}

struct ImportResponse: Content {
    var created: Int
    var updated: Int
    var unchanged: Int
    var warnings: [EnrolmentWarning]?
}

/// The body of `POST /programs`, and of `PATCH` (where every field is optional).
struct ProgramInput: Content {
    var name: String?
    var purpose: String?
    var start_date: CalendarDate?
    var end_date: CalendarDate?
    var settings: SettingsInput?

    struct SettingsInput: Content {
        var min_level_gap: Int?
        var default_capacity: Int?
    }

    func apply(to program: inout Program) {
        if let name { program.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let purpose { program.purpose = purpose }
        if let start_date { program.startDate = start_date }
        if let end_date { program.endDate = end_date }
        if let gap = settings?.min_level_gap { program.settings.minLevelGap = gap }
        if let capacity = settings?.default_capacity { program.settings.defaultCapacity = capacity }
    }
}

struct StatusInput: Content {
    var status: ProgramStatus
}

/// The body of `POST /programs/{id}/enrolments` and of `PATCH` (where every field is optional).
struct EnrolmentInput: Content {
    var employee_id: String?
    var role: EnrolmentRole?
    var offers: [TopicOffer]?
    var wants: [TopicWant]?
    var industries: [String]?
    var channels: [FlipsideCore.Channel]?
    var cadence: Cadence?
    var capacity: Int?
    var availability: [HourRange]?

    func apply(to enrolment: inout Enrolment) {
        if let role { enrolment.role = role }
        if let offers { enrolment.offers = offers }
        if let wants { enrolment.wants = wants }
        if let industries { enrolment.industries = industries.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty } }
        if let channels { enrolment.channels = Array(Set(channels)).sorted() }
        if let cadence { enrolment.cadence = cadence }
        if let capacity { enrolment.capacity = capacity }
        if let availability { enrolment.availability = availability }
    }
}

struct EnrolmentResponse: Content {
    var enrolment: EnrolmentDTO
    var warnings: [EnrolmentWarning]
}

struct EnrolmentList: Content {
    var items: [EnrolmentItemDTO]
    var warnings: [EnrolmentWarning]
}
