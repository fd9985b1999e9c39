import FlipsideCore
import Foundation
import Vapor

/// What `ProgramTeamWebController`'s pages show.
extension ProgramTeamWebController {
    struct HealthPage: Encodable {
        struct Row: Encodable { var url: String; var mentee: String; var mentor: String; var status: String; var flags: [String] }
        var page: PageChrome
        var programName: String
        var programURL: String
        var concernsURL: String
        var guidanceURL: String
        var rows: [Row]
        var flagged: Int
    }

    struct GuidancePage: Encodable {
        var page: PageChrome
        var programName: String
        var action: String
        var senior: String
        var junior: String
        var problems: [ErrorDetail]
        var saved: Bool
    }
}
