import FlipsideCore
import Vapor

/// What `InvitationWebController`'s pages show: the contexts its templates render.
extension InvitationWebController {
    struct Page: Encodable {
        var page: PageChrome
        var name: String
        var email: String
        var action: String
        var problems: [ErrorDetail]
    }
}
