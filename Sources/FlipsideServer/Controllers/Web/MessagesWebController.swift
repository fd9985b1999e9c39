import FlipsideCore
import Foundation
import Vapor

/// The program team's view of outgoing mail, and inviting a whole program's people at once.
struct MessagesWebController {
    func register(_ web: any RoutesBuilder) {
        web.get("messages", use: list)
        web.post("programs", ":programID", "invitations", use: inviteAll)
        web.post("programs", ":programID", "chat-webhook", use: setChatWebhook)
    }

    func setChatWebhook(req: Request) async throws -> Response {
        try CSRF.verify(req)
        struct Form: Content { var url: String? }
        let program = try await req.visibleProgram()
        let raw = try req.content.decode(Form.self).url
        let notice: String
        do {
            let url = try await ChatWebhooks.change(program.id, to: raw, actor: req.actor, reach: req.application.appConfig.webhookReach,
                                                    now: req.flipside.now, db: req.db, audit: req.auditTrail)
            notice = url.map { "\(program.name): digest and announcements go to \($0.host ?? "the webhook")." } ?? "\(program.name): no chat webhook."
        } catch let refused as ChatWebhook.Refused {
            notice = "\(program.name): the webhook \(refused.problem.field) \(refused.problem.reason)."
        }
        var url = URI(path: "/messages")
        url.query = "notice=" + (notice.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        return req.redirect(to: url.string)
    }

    func list(req: Request) async throws -> View {
        try await req.view.render("messages", try await Self.page(req, notice: req.query[String.self, at: "notice"]))
    }

    static func page(_ req: Request, notice: String?) async throws -> MessagesPage {
        try req.authorize(.create, .invitation(employeeID: ""))
        let rows = try await Messages.newest(limit: 200, on: req.db)
        let names = try await req.flipside.people.names(of: rows.compactMap(\.employee_id))
        return MessagesPage(
            page: PageChrome(request: req, title: "Outgoing messages", nav: "messages"),
            mode: req.application.appConfig.smtp.map { "Mail goes through \($0.host):\($0.port) from \($0.from.address)." }
                ?? "SMTP_URL is not set: messages are kept here and not sent.",
            notice: notice,
            channels: try await channels(req),
            rows: rows.map { r in
                MessagesPage.Row(queued: SiteDates.minute(Date(timeIntervalSince1970: r.created_at)),
                                 recipient: r.employee_id.flatMap { names[$0] }.map { "\($0) <\(r.email)>" } ?? r.email,
                                 kind: r.kind, subject: r.subject ?? "", status: r.status, attempts: r.attempts, problem: r.last_error ?? "")
            })
    }

    static func channels(_ req: Request) async throws -> [MessagesPage.Channel] {
        var out: [MessagesPage.Channel] = []
        for program in try await ProgramModel.query(on: req.db).sort(\.$name).all().map(\.program) {
            out.append(MessagesPage.Channel(program: program.name, action: SiteURL.program(program.id).path + "/chat-webhook",
                                            host: ChatWebhooks.shown(try await ChatWebhooks.url(of: program.id, on: req.db))))
        }
        return out
    }

    func inviteAll(req: Request) async throws -> Response {
        try CSRF.verify(req)
        let program = try await req.visibleProgram()
        let outcome = try await ProgramInvitations.inviteAll(in: program.id, actor: req.actor, now: req.flipside.now,
                                                             store: req.flipside.programInvitationStore)
        let notice = "\(program.name): \(outcome.queued) invitation\(outcome.queued == 1 ? "" : "s") queued"
            + (outcome.alreadyQueued > 0 ? "; \(outcome.alreadyQueued) already invited today" : "") + "."
        var url = URI(path: "/messages")
        url.query = "notice=" + (notice.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        return req.redirect(to: url.string)
    }
}
