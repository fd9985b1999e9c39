import FlipsideCore
import Foundation
import Vapor

/// What `ConcernsWebController`'s pages show.
extension ConcernsWebController {
    struct ConcernPage: Encodable {
        var page: PageChrome
        var programName: String
        var action: String
        var code: String?
        var message: String?
        var readURL: String
    }

    struct ReadPage: Encodable {
        var page: PageChrome
        var action: String
        var code: String
        var concern: ConcernDTO?
        var message: String?
    }

    struct InboxPage: Encodable {
        struct Item: Encodable { var concern: ConcernDTO; var replyURL: String }
        var page: PageChrome
        var programName: String
        var programURL: String
        var items: [Item]
    }
}
