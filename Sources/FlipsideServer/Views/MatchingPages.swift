import FlipsideCore
import Foundation
import MatchingEngine
import Vapor

/// What `MatchingWebController`'s pages show: the contexts its templates render.
extension MatchingWebController {
    struct Choice: Encodable, Sendable { var value: String; var label: String; var selected: Bool }

    struct Option: Encodable, Sendable { var value: String; var label: String; var selected: Bool }

    struct RunRow: Encodable, Sendable {
        var url: String; var id: String; var label: String; var status: String; var created: String
        var pairs: String; var total: String; var mean: String; var lowest: String; var current: Bool; var error: String?
    }

    struct RuleRow: Encodable, Sendable {
        var kind: String; var mentee: String; var mentor: String; var overridden: String?; var reason: String?; var deleteURL: String
    }

    struct PairRow: Encodable, Sendable {
        var url: String; var mentee: String; var mentor: String; var status: String; var answers: String; var score: String; var overridden: Bool
    }

    struct MatchingPage: Encodable, Sendable {
        var page: PageChrome
        var program: ProgramSummary
        var mode: String
        var isSelfMatching: Bool
        var algorithms: [Choice]
        var runAction: String
        var runs: [RunRow]
        var compareAction: String
        var ruleAction: String
        var rules: [RuleRow]
        var mentees: [Option]
        var mentors: [Option]
        /// Too many enrolled to list: the rule form asks for employee ids.
        var pickByID: Bool
        /// A page of the pairs (`pairsPager`).
        var pairs: [PairRow]
        var pairsPager: Pager
        var declined: Int
        var message: String?
        var problems: [ErrorDetail]
        var form: RuleForm
        var needsReason: Bool
    }

    struct RunPage: Encodable {
        struct Pair: Encodable {
            var mentee: String; var mentor: String; var menteeID: String; var mentorID: String; var score: String; var locked: Bool
            var parts: String; var covered: String; var uncovered: String; var override: String?
        }
        struct Note: Encodable { var name: String; var reason: String }
        var page: PageChrome
        var program: ProgramSummary
        var matchingURL: String
        var title: String
        var status: String
        var error: String?
        var current: Bool
        var rerun: Bool
        var algorithm: String
        var summary: String
        var pairs: [Pair]
        var unmatched: [Note]
        var placesLeft: [Note]
        var ignoredLocks: [String]
        var publishURL: String?
        var ruleAction: String
        var selfURL: String
        var message: String?
        var refresh: Bool
    }

    struct ComparePage: Encodable {
        struct Row: Encodable { var mentee: String; var mentor: String }
        var page: PageChrome
        var program: ProgramSummary
        var matchingURL: String
        var choices: [Option]
        var secondChoices: [Option]
        var chosen: Bool
        var shared: [Row]
        var onlyFirst: [Row]
        var onlySecond: [Row]
        var changes: [String]
    }

    struct PairPage: Encodable {
        struct Event: Encodable { var when: String; var status: String; var actor: String; var reason: String? }
        var page: PageChrome
        var pair: PairDTO
        var heading: String
        var partner: PairDTO.Person
        var partnerRole: String
        var statusText: String
        var why: [String]
        var overrideNote: String?
        var history: [Event]
        var responseURL: String?
        var message: String?
        var backURL: String
        /// Once the pair is on: its partnership, as the reader may see it.
        var partnership: PartnershipWebController.Section?
    }

    struct ChoosePage: Encodable {
        struct Row: Encodable { var mentorID: String; var name: String; var title: String; var department: String; var score: String; var topics: String; var places: Int }
        var page: PageChrome
        var program: ProgramSummary
        var rules: String
        var suggestions: [Row]
        var current: PairDTO?
        var currentURL: String?
        var requestAction: String
        var message: String?
    }
}
