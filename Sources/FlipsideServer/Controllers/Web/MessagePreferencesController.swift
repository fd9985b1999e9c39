import FlipsideCore
import Foundation
import Vapor

/// What reaches a person: their choices per kind of message (page and API, one parser, Core's
/// `MessageChoices`), and the one-click unsubscribe (RFC 8058) that works without signing in, by the
/// recipient's own secret token in the link.
struct MessagePreferencesController {
    func register(web: any RoutesBuilder, api: any RoutesBuilder) {
        web.get("me", "messages", use: page)
        web.post("me", "messages", use: save)
        web.get("unsubscribe", ":token", ":kind", use: confirm)
        web.post("unsubscribe", ":token", ":kind", use: unsubscribe)
        api.get("me", "message-preferences", use: read)
        api.put("me", "message-preferences", use: write)
    }

    /// The signed-in person's recipient key and whether they coordinate.
    static func who(_ req: Request) throws -> (recipient: String, coordinator: Bool) {
        let user = try req.requireUser()
        return (MessagePreferences.recipient(employeeID: user.employeeID, login: try user.requireID()), user.userRole == .coordinator)
    }

    static func choices(_ req: Request) async throws -> [MessageChoices.Choice] {
        let me = try who(req)
        return MessageChoices.choices(stored: try await MessagePreferences.choices(of: me.recipient, on: req.db), coordinator: me.coordinator)
    }

    static func store(_ req: Request, _ choices: [String: String]) async throws {
        let me = try who(req)
        let (valid, problems) = MessageChoices.parse(choices, coordinator: me.coordinator)
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        let now = req.flipside.now
        try await req.db.writeTransaction { tx in
            for (kind, channel) in valid { try await MessagePreferences.set(kind, to: channel, for: me.recipient, now: now, on: tx) }
        }
    }

    // MARK: Page

    func page(req: Request) async throws -> Response {
        try await render(req, saved: false)
    }

    func render(_ req: Request, saved: Bool) async throws -> Response {
        let rows = try await Self.choices(req).map { c in
            MessagePreferencesPage.Row(kind: c.kind.rawValue, label: c.kind.label, fixed: c.options.count == 1,
                                       options: c.options.map { .init(value: $0.rawValue, label: Self.label($0), checked: $0 == c.channel) })
        }
        return try await req.render("message-preferences", MessagePreferencesPage(page: PageChrome(request: req, title: "My messages", nav: "me"),
                                                                                  rows: rows, saved: saved, action: SiteURL.messagePreferences.path))
    }

    static func label(_ channel: NoticeChannel) -> String {
        switch channel {
        case .email: return "Email"
        case .none: return "None"
        case .chat: return "The program's chat channel"
        }
    }

    func save(req: Request) async throws -> Response {
        _ = try Self.who(req)
        try CSRF.verify(req)
        let form = try req.content.decode([String: String].self).filter { $0.key != CSRF.field }
        try await Self.store(req, form)
        return try await render(req, saved: true)
    }

    // MARK: One-click unsubscribe

    struct Unsubscribing {
        var recipient: String
        var kind: NoticeKind
    }

    /// The link's recipient and kind, or a clear 404 / 400.
    static func unsubscribing(_ req: Request) async throws -> Unsubscribing {
        let token = req.parameters.get("token") ?? ""
        guard let recipient = try await MessagePreferences.recipient(token: token, on: req.db) else {
            throw APIError.notFound("This unsubscribe link")
        }
        let raw = req.parameters.get("kind") ?? ""
        guard let kind = NoticeKind(rawValue: raw), kind.optional else {
            throw APIError.notFound("A kind of message that can be switched off named \(TextLimits.preview(raw))")
        }
        return Unsubscribing(recipient: recipient, kind: kind)
    }

    /// A GET only asks (mail scanners open links); the button, or a mail program's one-click POST, unsubscribes.
    func confirm(req: Request) async throws -> Response {
        let u = try await Self.unsubscribing(req)
        return try await req.render("unsubscribe", UnsubscribePage(page: PageChrome(request: req, title: "Stop these messages"), label: u.kind.label,
                                                                  done: false, action: req.url.path, manage: SiteURL.messagePreferences.path))
    }

    func unsubscribe(req: Request) async throws -> Response {
        let u = try await Self.unsubscribing(req)
        try await MessagePreferences.set(u.kind, to: .none, for: u.recipient, now: req.flipside.now, on: req.db)
        req.logger.info("Messages \(u.kind.rawValue) switched off by one-click unsubscribe")
        return try await req.render("unsubscribe", UnsubscribePage(page: PageChrome(request: req, title: "Stopped"), label: u.kind.label,
                                                                  done: true, action: req.url.path, manage: SiteURL.messagePreferences.path))
    }

    // MARK: API

    struct ChoiceDTO: Content {
        var kind: String
        var label: String
        var channel: String
        var options: [String]
    }

    struct ChoicesDTO: Content { var preferences: [ChoiceDTO] }

    static func dto(_ choices: [MessageChoices.Choice]) -> ChoicesDTO {
        ChoicesDTO(preferences: choices.map { ChoiceDTO(kind: $0.kind.rawValue, label: $0.kind.label, channel: $0.channel.rawValue, options: $0.options.map(\.rawValue)) })
    }

    func read(req: Request) async throws -> ChoicesDTO {
        Self.dto(try await Self.choices(req))
    }

    func write(req: Request) async throws -> ChoicesDTO {
        guard let body = try? req.content.decode([String: String].self) else {
            throw APIError(.unprocessableEntity, code: "invalid", "Send an object of kind → channel, for example {\"meeting_reminder\": \"none\"}.")
        }
        try await Self.store(req, body)
        return Self.dto(try await Self.choices(req))
    }
}
