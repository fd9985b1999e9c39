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
    /// Replaces the topic catalogue (an empty list: seeded from the enrolments again).
    var topic_catalogue: [String]?

    /// Every field optional: what is absent stays as it is. `weights`, when given, replaces the weights
    /// (a component it leaves out weighs 0).
    struct SettingsInput: Content {
        var min_level_gap: Int?
        var default_capacity: Int?
        var forbid_shared_manager: Bool?
        var require_common_channel: Bool?
        var perspective_attributes: [String]?
        var weights: [String: Double]?
        var mode: MatchingMode?
        var pairs_need_acceptance: Bool?
        var request_days: Int?
        var allow_repeat_pairs: Bool?

        func apply(to s: inout MatchingSettings) {
            if let min_level_gap { s.minLevelGap = min_level_gap }
            if let default_capacity { s.defaultCapacity = default_capacity }
            if let forbid_shared_manager { s.forbidSharedManager = forbid_shared_manager }
            if let require_common_channel { s.requireCommonChannel = require_common_channel }
            if let perspective_attributes { s.perspectiveAttributes = perspective_attributes.map { $0.trimmed.lowercased() } }
            if let weights { s.weights = weights }
            if let mode { s.mode = mode }
            if let pairs_need_acceptance { s.pairsNeedAcceptance = pairs_need_acceptance }
            if let request_days { s.requestDays = request_days }
            if let allow_repeat_pairs { s.allowRepeatPairs = allow_repeat_pairs }
        }
    }

    /// Applies what is given; a catalogue topic that breaks a text limit is a 422 (it was dropped silently).
    func apply(to program: inout Program) throws {
        if let name { program.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let purpose { program.purpose = purpose }
        if let start_date { program.startDate = start_date }
        if let end_date { program.endDate = end_date }
        settings?.apply(to: &program.settings)
        if let topic_catalogue {
            let parsed = TopicCatalogue.parse(items: topic_catalogue)
            if !parsed.problems.isEmpty { throw APIError.invalid(parsed.problems) }
            program.topicCatalogue = parsed.topics
        }
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
