import FlipsideCore
import MatchingEngine
import Vapor

// What the program pages, their forms, the enrolment form and a participant's own page show.

struct ProgramSummary: Encodable {
    var id: String
    var name: String
    var purpose: String
    var status: String
    var startDate: String
    var endDate: String
    var url: String
    var enrolURL: String?
    var minLevelGap: Int
    var defaultCapacity: Int

    init(_ p: Program, canEnrol: Bool = false) {
        id = p.id.uuidString.lowercased()
        name = p.name
        purpose = p.purpose
        status = p.status.rawValue
        startDate = p.startDate?.description ?? "—"
        endDate = p.endDate?.description ?? "ongoing"
        url = SiteURL.program(p.id).path
        enrolURL = canEnrol && p.status.acceptsEnrolments ? SiteURL.enrol(p.id).path : nil
        minLevelGap = p.settings.minLevelGap
        defaultCapacity = p.settings.defaultCapacity
    }
}

struct ProgramsPage: Encodable {
    var page: PageChrome
    var programs: [ProgramSummary]
}

struct ProgramFormPage: Encodable {
    var page: PageChrome
    var heading: String
    var action: String
    var submitLabel: String
    var backURL: String
    var backLabel: String
    /// On the edit page: where deleting posts, or why it cannot.
    var deleteURL: String?
    var deleteBlocked: String?
    var enrolmentCount: Int
    var name: String
    var purpose: String
    var startDate: String
    var endDate: String
    var settings: SettingsFields
    var topicCatalogue: String
    /// The catalogue shown was seeded from the enrolments (saving the form keeps it).
    var catalogueIsSeed: Bool
    var problems: [ErrorDetail]
}

/// A program's matching settings as the form shows them (after a failed post, what was typed).
struct SettingsFields: Encodable {
    struct Weight: Encodable { var name: String; var label: String; var value: String }
    struct Mode: Encodable { var value: String; var label: String; var selected: Bool }
    var minLevelGap: String
    var defaultCapacity: String
    var forbidSharedManager: Bool
    var requireCommonChannel: Bool
    var perspectiveAttributes: String
    var weights: [Weight]
    var modes: [Mode]
    var pairsNeedAcceptance: Bool
    var requestDays: String
    var allowRepeatPairs: Bool

    init(_ s: MatchingSettings, raw: ProgramsWebController.ProgramForm?) {
        minLevelGap = raw?.min_level_gap ?? String(s.minLevelGap)
        defaultCapacity = raw?.default_capacity ?? String(s.defaultCapacity)
        forbidSharedManager = s.forbidSharedManager
        requireCommonChannel = s.requireCommonChannel
        perspectiveAttributes = raw?.perspective_attributes ?? s.perspectiveAttributes.joined(separator: ", ")
        weights = ScoreComponent.allCases.map { c in
            Weight(name: "weight_\(c.rawValue)", label: c.label,
                   value: raw?.weight(c) ?? (s.weights[c.rawValue] ?? 0).formatted(.number.grouping(.never)))
        }
        modes = MatchingMode.allCases.map { Mode(value: $0.rawValue, label: $0.label, selected: $0 == s.mode) }
        pairsNeedAcceptance = s.pairsNeedAcceptance
        requestDays = raw?.request_days ?? String(s.requestDays)
        allowRepeatPairs = s.allowRepeatPairs
    }
}

struct ProgramPage: Encodable, Sendable {
    var page: PageChrome
    var program: ProgramSummary
    var transitions: [String]
    var editURL: String
    var statusURL: String
    var importURL: String
    /// A page of each list (`Pager`).
    var mentors: [EnrolmentRow]
    var mentees: [EnrolmentRow]
    var mentorsPager: Pager
    var menteesPager: Pager
    var warnings: [EnrolmentWarning]
    var ownEnrolment: EnrolmentRow?
    /// Coordinators, once matching has begun: the matching page.
    var matchingURL: String?
    /// A mentee in a self-matching program: where to choose a mentor.
    var chooseURL: String?
    var ownPairs: [OwnPairRow]
}

/// One of the signed-in person's pairs, as their pages list it.
struct OwnPairRow: Encodable, Sendable {
    var url: String
    var partner: String
    var status: String
    var canAnswer: Bool
}

struct EnrolFormPage: Encodable {
    var page: PageChrome
    var program: ProgramSummary
    var action: String
    var role: String
    /// The program's topics, each with a labelled level to pick as a mentor or as a mentee.
    var catalogue: [CatalogueRow]
    /// Topics not in the catalogue, typed as "topic:level; …".
    var offers: String
    var wants: String
    var industries: String
    var channels: [ChannelOption]
    var cadences: [CadenceOption]
    var capacity: Int
    var availability: String
    var problems: [ErrorDetail]
    var isUpdate: Bool
    var teachingProfileURL: String

    struct ChannelOption: Encodable { var value: String; var label: String; var checked: Bool }
    struct LevelOption: Encodable { var value: String; var label: String; var selected: Bool }
    struct CatalogueRow: Encodable { var index: Int; var topic: String; var offer: [LevelOption]; var want: [LevelOption] }
    struct CadenceOption: Encodable { var value: String; var selected: Bool }
}

struct MePage: Encodable {
    var page: PageChrome
    var person: PersonSummary?
    var timeZone: String
    var attributes: [AttributeField]
    var enrolments: [EnrolmentRow]
    var openPrograms: [ProgramSummary]
    var pairs: [OwnPairRow]
    var problems: [ErrorDetail]
    var saved: Bool

    struct AttributeField: Encodable { var key: String; var label: String; var value: String }
}
