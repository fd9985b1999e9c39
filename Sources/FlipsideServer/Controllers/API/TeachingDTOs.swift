import FlipsideCore
import Foundation
import MatchingEngine
import Vapor

/// A teaching profile as its owner (or a coordinator) reads it.
struct TeachingProfileDTO: Content {
    var employee_id: String
    var offers: [TopicOffer]
    var industries: [String]
    var languages: [String]
    var channels: [FlipsideCore.Channel]
    var availability: [HourRange]
    var open_to_requests: Bool

    init(_ p: TeachingProfile) {
        employee_id = p.employeeID
        offers = p.offers
        industries = p.industries
        languages = p.languages
        channels = p.channels
        availability = p.availability
        open_to_requests = p.openToRequests
    }
}

/// A change to one's teaching profile: every field optional, what is absent stays.
struct TeachingProfileInput: Content {
    var offers: [TopicOffer]?
    var industries: [String]?
    var languages: [String]?
    var channels: [FlipsideCore.Channel]?
    var availability: [HourRange]?
    var open_to_requests: Bool?

    var draft: TeachingProfileDraft {
        TeachingProfileDraft(offers: offers, industries: industries, languages: languages, channels: channels, availability: availability,
                             openToRequests: open_to_requests)
    }
}

/// "Who could teach me?" answered: open people best first, with why; the rest only counted.
struct TeachingAnswerDTO: Content {
    struct Candidate: Content {
        var employee_id: String
        var name: String
        var score: Double
        var components: [String: Double]
        var knows: [TopicOffer]
        var reasons: [String]
    }

    var `for`: String
    var topics: [String]
    var industry: String?
    var perspective: String?
    var language: String?
    var rules_from: String
    var candidates: [Candidate]
    var open_count: Int
    var not_open_count: Int
    var not_open_sentence: String?

    init(_ a: TeachingAnswer) {
        self.for = a.askerID
        topics = a.question.topics.map(\.key)
        industry = a.question.industry?.key
        perspective = a.question.perspective?.rawValue
        language = a.question.language
        rules_from = a.rulesFrom
        candidates = a.candidates.map { c in
            Candidate(employee_id: c.employeeID, name: c.name, score: (c.score * 10).rounded() / 10,
                      components: Dictionary(uniqueKeysWithValues: zip(ScoreComponent.allCases.map(\.rawValue), c.components.map { ($0 * 1000).rounded() / 1000 })),
                      knows: c.knows, reasons: c.reasons)
        }
        open_count = a.openCount
        not_open_count = a.notOpenCount
        not_open_sentence = a.notOpenSentence
    }
}

/// A request, nomination or invitation as its reader may see it.
struct AskDTO: Content {
    var id: UUID
    var kind: String
    var side: String
    var status: String
    var other_name: String
    var program_id: UUID?
    var program_name: String?
    var topics: [String]
    var message: String?
    var outcome: String
    var created_at: Date
    var can_answer: Bool
    var can_withdraw: Bool

    init(_ v: AskView) {
        id = v.ask.id
        kind = v.ask.kind.rawValue
        side = v.side.rawValue
        // The sender of a nomination or an invitation does not learn whether it was declined.
        status = v.side == .sent && v.ask.kind != .request && v.ask.status != .withdrawn ? (v.ask.status == .sent ? "sent" : "answered") : v.ask.status.rawValue
        other_name = v.otherName
        program_id = v.ask.programID
        program_name = v.programName
        topics = v.ask.topics.map(\.key)
        message = v.message
        outcome = v.outcome
        created_at = v.ask.createdAt
        can_answer = v.canAnswer
        can_withdraw = v.canWithdraw
    }
}

struct AsksDTO: Content {
    var received: [AskDTO]
    var sent: [AskDTO]
    init(_ views: [AskView]) {
        received = views.filter { $0.side == .received }.map(AskDTO.init)
        sent = views.filter { $0.side == .sent }.map(AskDTO.init)
    }
}

/// A request to a colleague ("could you teach me?") or a nomination.
struct AskInput: Content {
    var kind: String?
    /// An employee id (a request: from "who could teach me?"), or for a nomination a work email too.
    var to: String?
    var topics: [String]?
    var program_id: UUID?
    var message: String?
}

struct AskAcceptInput: Content { var program_id: UUID? }

struct AcceptedDTO: Content {
    var ask: AskDTO
    /// Where to go next: the program (a request), or the enrolment form from one's teaching profile.
    var next: String
}

struct InviteInput: Content {
    var employee_ids: [String]?
    var message: String?
}

struct InvitedDTO: Content {
    var invited: [String]
    var already_invited: [String]
    var already_enrolled: [String]
    var not_found: [String]
    init(_ i: Asks.Invited) {
        invited = i.invited
        already_invited = i.alreadyInvited
        already_enrolled = i.alreadyEnrolled
        not_found = i.notFound
    }
}

/// A program's gaps and who could fill them, for its team.
struct GapsDTO: Content {
    struct Candidate: Content {
        var employee_id: String
        var name: String
        var title: String
        var proficiency: Int?
        var serves: Int
        var reason: String
        init(_ c: ProgramGaps.Candidate) {
            employee_id = c.employeeID
            name = c.name
            title = c.title
            proficiency = c.proficiency
            serves = c.serves
            reason = c.reason
        }
    }
    struct TopicGap: Content {
        var topic: String
        var mentees: [String]
        var best_offered: Int?
        var open: [Candidate]
        var not_open_count: Int
        var might_be_asked: [Candidate]
    }
    struct Unserved: Content { var employee_id: String; var name: String; var reason: String }

    var program_id: UUID
    var mentees: Int
    var mentors: Int
    var wanted_level: Int
    var topics: [TopicGap]
    var unserved: [Unserved]

    init(_ g: ProgramGaps) {
        program_id = g.programID
        mentees = g.mentees
        mentors = g.mentors
        wanted_level = ProgramGaps.wantedLevel
        topics = g.topics.map { TopicGap(topic: $0.topic.key, mentees: $0.mentees, best_offered: $0.bestOffered, open: $0.open.map(Candidate.init),
                                         not_open_count: $0.notOpenCount, might_be_asked: $0.mightBeAsked.map(Candidate.init)) }
        unserved = g.unserved.map { Unserved(employee_id: $0.employeeID, name: $0.name, reason: $0.reason) }
    }
}

/// Whom a program reaches, stage by stage; small groups hidden (`null`).
struct FunnelDTO: Content {
    struct Table: Content {
        var breakdown: String
        var groups: [String]
        /// One row per stage, one cell per group; `null` where the number is hidden.
        var counts: [[Int?]]
        /// Why each hidden number is hidden (`small`, `protects`, `withheld`); `null` where it is shown.
        var hidden: [[Suppression.Hidden?]]
    }
    struct Invitation: Content { var employee_id: String; var name: String; var outcome: String; var opened: Bool; var created_at: Date }
    var program_id: UUID
    var stages: [String]
    var totals: [Int?]
    var tables: [Table]
    var invitations: [Invitation]

    init(program: Program, funnel: ProgramFunnel, invitations: [AskView]) {
        program_id = program.id
        stages = ProgramFunnel.Stage.allCases.map(\.rawValue)
        totals = funnel.totals.map(\.number)
        tables = funnel.tables.map { Table(breakdown: $0.breakdown.rawValue, groups: $0.groups, counts: $0.cells.map { $0.map(\.number) },
                                           hidden: $0.cells.map { $0.map(\.hidden) }) }
        self.invitations = invitations.map { Invitation(employee_id: $0.ask.toID, name: $0.otherName, outcome: $0.outcome, opened: $0.ask.openedAt != nil,
                                                        created_at: $0.ask.createdAt) }
    }
}
