import Foundation

/// The page of a person's message choices.
struct MessagePreferencesPage: Encodable {
    struct Option: Encodable { var value: String; var label: String; var checked: Bool }
    struct Row: Encodable {
        var kind: String
        var label: String
        var fixed: Bool
        var options: [Option]
    }
    var page: PageChrome
    var rows: [Row]
    var saved: Bool
    var action: String
}

/// The one-click unsubscribe page: asks, then says it is done.
struct UnsubscribePage: Encodable {
    var page: PageChrome
    var label: String
    var done: Bool
    var action: String
    var manage: String
}
