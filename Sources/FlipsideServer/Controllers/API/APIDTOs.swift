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

/// The body of `POST /programs`, and of `PATCH` (where every field is optional): decoded straight into
/// Core's `ProgramDraft`, the same draft the web form makes.
struct ProgramInput: Content {
    var name: String?
    var purpose: String?
    var start_date: CalendarDate?
    var end_date: CalendarDate?
    var settings: SettingsInput?
    /// Replaces the topic catalogue (an empty list: seeded from the enrolments again).
    var topic_catalogue: [String]?

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
    }

    var draft: ProgramDraft {
        var d = ProgramDraft()
        d.name = name
        d.purpose = purpose
        d.startDate = start_date.map { $0 }
        d.endDate = end_date.map { $0 }
        d.topicCatalogue = topic_catalogue
        if let s = settings {
            d.settings.minLevelGap = s.min_level_gap
            d.settings.defaultCapacity = s.default_capacity
            d.settings.forbidSharedManager = s.forbid_shared_manager
            d.settings.requireCommonChannel = s.require_common_channel
            d.settings.perspectiveAttributes = s.perspective_attributes
            d.settings.weights = s.weights
            d.settings.mode = s.mode
            d.settings.pairsNeedAcceptance = s.pairs_need_acceptance
            d.settings.requestDays = s.request_days
            d.settings.allowRepeatPairs = s.allow_repeat_pairs
        }
        return d
    }

    /// The draft applied to `program`; any problem (the draft's or the program's rules) is a 422 listing them all.
    func applied(to program: Program) throws -> Program {
        let (program, problems) = draft.applied(to: program)
        if !problems.isEmpty { throw ProgramError.invalid(problems) }
        return program
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

    /// The same Core draft the web form makes.
    var draft: EnrolmentDraft {
        var d = EnrolmentDraft()
        d.role = role
        d.offers = offers
        d.wants = wants
        d.industries = industries
        d.channels = channels
        d.cadence = cadence
        d.capacity = capacity
        d.availability = availability
        return d
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
