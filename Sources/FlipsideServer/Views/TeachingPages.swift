import FlipsideCore
import Foundation
import MatchingEngine

/// The teaching profile page: what I could teach, and whether colleagues may ask me.
struct TeachingProfilePage: Encodable {
    struct Row: Encodable { var index: Int; var topic: String; var offer: [EnrolFormPage.LevelOption] }
    struct ProgramLink: Encodable { var name: String; var url: String }
    var page: PageChrome
    var action: String
    var catalogue: [Row]
    var offers: String
    var industries: String
    var languages: String
    var channels: [EnrolFormPage.ChannelOption]
    var availability: String
    var open: Bool
    var problems: [ErrorDetail]
    var saved: Bool
    var enrolFromProfile: [ProgramLink]
}

/// "Who could teach me?": the question's form and, once asked, the answer.
struct WhoCouldTeachPage: Encodable {
    struct Option: Encodable { var value: String; var label: String; var selected: Bool }
    struct Candidate: Encodable {
        var employeeID: String
        var name: String
        var score: String
        var reasons: [String]
    }
    var page: PageChrome
    var action: String
    var topics: String
    var industry: String
    var language: String
    var perspectives: [Option]
    var programs: [Option]
    /// Coordinators ask on someone's behalf.
    var askFor: String?
    var asked: Bool
    var problems: [ErrorDetail]
    var candidates: [Candidate]
    var openCount: Int
    var notOpenSentence: String?
    var rulesFrom: String
    var profileURL: String
    /// Whether the reader asks for themselves (then each person named can be sent a request).
    var mayAsk: Bool = false
    /// The topics asked, for a request.
    var askedTopics: String = ""

    static func candidate(_ c: TeachingCandidate) -> Candidate {
        Candidate(employeeID: c.employeeID, name: c.name, score: String(format: "%.0f", c.score), reasons: c.reasons)
    }
}
