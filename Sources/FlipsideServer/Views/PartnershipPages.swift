import FlipsideCore
import Foundation
import Vapor

/// What `PartnershipWebController`'s pages show: the contexts its templates render.
extension PartnershipWebController {
    /// What the pair page shows of the partnership, built from the API's DTO (what the reader may see).
    struct Section: Encodable {
        struct Option: Encodable { var value: String; var label: String; var selected: Bool = false }
        struct GoalView: Encodable { var id: String; var kind: String; var title: String?; var success: String?; var topic: String? }
        struct AgreementView: Encodable {
            var number: Int; var author: String; var agreed: Bool; var goals: [GoalView]; var rhythm: String; var visibility: String; var created: String
        }
        struct TextView: Encodable { var id: String; var kind: String; var author: String; var visibility: String; var body: String; var when: String; var canReply: Bool }
        struct ActionView: Encodable {
            var id: String; var kind: String; var what: String?; var due: String?; var status: String; var visibility: String
            var outcomes: [String]; var reactions: [String]; var mine: Bool

            init(_ a: ActionDTO, mine: Bool) {
                id = a.id.uuidString.lowercased()
                kind = a.kind.label
                what = a.what
                due = a.due
                status = a.status.rawValue.replacingOccurrences(of: "_", with: " ")
                visibility = a.visibility.label
                outcomes = a.outcomes.map(\.body)
                reactions = a.reactions.map(\.body)
                self.mine = mine
            }
        }
        var isMember: Bool
        var side: String?
        var status: String
        var guidance: String?
        var pledge: String
        var current: AgreementView?
        var pending: AgreementView?
        var canAccept: Bool
        var earlier: [AgreementView]
        var upcoming: [String]
        var meetingOptions: [Option]
        var meetings: [String]
        var goalsForProgress: [GoalView]
        var texts: [TextView]
        var actions: [ActionView]
        var insights: [Option]
        var flags: [String]?
        // Form choices.
        var goalKinds: [Option]
        var topics: [Option]
        var cadences: [Option]
        var channels: [Option]
        var visibilities: [Option]
        /// An agreement's choices (never "only me").
        var agreementVisibilities: [Option]
        var actionKinds: [Option]
        var actionStatuses: [Option]
        var draftFirstMeeting: String
        var draftTimeZone: String
        var draftMinutes: Int
        var canDraft: Bool
        var canMeet: Bool
        var canClose: Bool
        var canEnd: Bool
        var canWrite: Bool
        var formURL: String
        var calendarURL: String
        var concernURL: String
        /// What a note can be about: the goals in force and the meetings so far.
        var subjects: [Option]
        var canContinue: Bool
        var endDate: String?
        var goalSlots = [0, 1, 2]
        var scale = [1, 2, 3, 4, 5]
    }

    struct ImpactPage: Encodable {
        struct Pair: Encodable { var url: String; var mentee: String; var insights: [String]; var actions: [Section.ActionView] }
        var page: PageChrome
        var pairs: [Pair]
    }

    struct CalendarPage: Encodable {
        var page: PageChrome
        var hasFeed: Bool
        var url: String?
        var action: String
    }
}
