import FlipsideCore
import Vapor

/// What `AuditController`'s pages show: the contexts its templates render.
extension AuditController {
    struct Page: Encodable {
        struct Row: Encodable { var at: String; var actor: String; var action: String; var object: String; var detail: String }
        struct Option: Encodable { var value: String; var label: String; var selected: Bool }
        var page: PageChrome
        var rows: [Row]
        var actions: [Option]
        var actor: String
        var from: String
        var to: String
        var total: Int
        var pageNumber: Int
        var pageCount: Int
        var previousURL: String?
        var nextURL: String?
        var csvURL: String
    }
}
