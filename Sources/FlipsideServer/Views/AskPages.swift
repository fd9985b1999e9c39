import FlipsideCore
import Foundation

/// One request, nomination or invitation on a page.
struct AskItem: Encodable {
    var url: String
    var kind: String
    var heading: String
    var topics: String
    var programName: String?
    var outcome: String
    var message: String?
    var when: String
    var canAnswer: Bool
    var canWithdraw: Bool
    /// For the sender of a request said yes to: the program to enrol in (and, in an open circle, choose them).
    var nextURL: String?

    init(_ v: AskView) {
        url = SiteURL.ask(v.ask.id).path
        kind = v.ask.kind.rawValue
        let topics = WhoCouldTeach.list(v.ask.topics.map(\.key))
        switch (v.ask.kind, v.side) {
        case (.request, .received): heading = "\(v.otherName) would like to learn from you"
        case (.request, .sent): heading = "You asked \(v.otherName) to teach you"
        case (.nomination, .received): heading = "\(v.otherName) thinks you would make a good reverse mentor"
        case (.nomination, .sent): heading = "You nominated \(v.otherName)"
        case (.invitation, .received): heading = "\(v.otherName) invites you to enrol\(v.programName.map { " in \($0)" } ?? "")"
        case (.invitation, .sent): heading = "Invitation to \(v.otherName)\(v.programName.map { " to enrol in \($0)" } ?? "")"
        }
        self.topics = topics
        programName = v.programName
        outcome = v.outcome
        message = v.message
        when = SiteDates.minute(v.ask.createdAt)
        canAnswer = v.canAnswer
        canWithdraw = v.canWithdraw
        nextURL = v.ask.kind == .request && v.side == .sent && v.ask.status == .accepted ? v.ask.programID.map { SiteURL.program($0).path } : nil
    }
}

struct AsksPage: Encodable {
    var page: PageChrome
    var received: [AskItem]
    var sent: [AskItem]
    var nominateURL: String
    var notice: String?
}

struct AskPage: Encodable {
    struct Option: Encodable { var value: String; var label: String }
    var page: PageChrome
    var item: AskItem
    /// Programs to say yes into (when the ask names none, or for a request).
    var programs: [Option]
    var needsProgram: Bool
    var actions: (accept: String, decline: String, withdraw: String)
    var problems: [ErrorDetail]

    enum CodingKeys: String, CodingKey { case page, item, programs, needsProgram, acceptURL, declineURL, withdrawURL, problems }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(page, forKey: .page)
        try c.encode(item, forKey: .item)
        try c.encode(programs, forKey: .programs)
        try c.encode(needsProgram, forKey: .needsProgram)
        try c.encode(actions.accept, forKey: .acceptURL)
        try c.encode(actions.decline, forKey: .declineURL)
        try c.encode(actions.withdraw, forKey: .withdrawURL)
        try c.encode(problems, forKey: .problems)
    }
}

struct NominatePage: Encodable {
    struct Option: Encodable { var value: String; var label: String; var selected: Bool }
    var page: PageChrome
    var action: String
    var colleague: String
    var topics: String
    var message: String
    var programs: [Option]
    var problems: [ErrorDetail]
}

/// A program's gaps and who could fill them, with the invitation form.
struct GapsPage: Encodable {
    struct Person: Encodable { var employeeID: String; var name: String; var title: String; var reason: String }
    struct Topic: Encodable {
        var topic: String
        var menteeCount: Int
        var bestOffered: String
        var open: [Person]
        var notOpen: String?
        var mightBeAsked: [Person]
    }
    struct Unserved: Encodable { var name: String; var url: String; var reason: String }
    var page: PageChrome
    var program: ProgramSummary
    var mentees: Int
    var mentors: Int
    var wantedLevel: Int
    var topics: [Topic]
    var unserved: [Unserved]
    var inviteAction: String
    var message: String
    var funnelURL: String
    var canInvite: Bool
}

struct FunnelPage: Encodable {
    struct Table: Encodable { var id: String; var label: String; var groups: [String]; var rows: [Row] }
    struct Row: Encodable { var stage: String; var cells: [String] }
    struct Invitation: Encodable { var name: String; var outcome: String; var opened: Bool; var when: String }
    var page: PageChrome
    var program: ProgramSummary
    var stages: [String]
    var totals: [String]
    var tables: [Table]
    var invitations: [Invitation]
    var gapsURL: String
    var notice: String?
}
