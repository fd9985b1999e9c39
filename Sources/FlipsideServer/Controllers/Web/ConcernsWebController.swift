import FlipsideCore
import Foundation
import Vapor

/// Anonymous concerns as pages: a participant raises one and reads the replies with its code; the
/// program team's inbox answers them.
struct ConcernsWebController {
    func register(_ web: any RoutesBuilder) {
        web.get("programs", ":programID", "concern", use: concernForm)
        web.post("programs", ":programID", "concern", use: raiseConcern)
        web.get("concerns", "read", use: readForm)
        web.post("concerns", "read", use: read)
        web.get("programs", ":programID", "concerns", use: inbox)
        web.post("programs", ":programID", "concerns", ":concernID", "reply", use: reply)
    }

    func concernForm(req: Request) async throws -> Response {
        _ = try req.requireUser()
        let program = try await req.visibleProgram()
        return try await req.render("concern", ConcernPage(page: PageChrome(request: req, title: "Raise a concern", nav: "me"), programName: program.name,
                                                           action: SiteURL.raiseConcern(program.id).path, readURL: SiteURL.readConcern.path))
    }

    func raiseConcern(req: Request) async throws -> Response {
        _ = try req.requireUser()
        try CSRF.verify(req)
        let program = try await req.visibleProgram()
        struct Form: Content { var body: String? }
        let form = try req.content.decode(Form.self)
        var page = ConcernPage(page: PageChrome(request: req, title: "Raise a concern", nav: "me"), programName: program.name,
                               action: SiteURL.raiseConcern(program.id).path, readURL: SiteURL.readConcern.path)
        do {
            let (_, code) = try await Concerns.raise(in: program.id, body: form.body ?? "", actor: req.actor, now: req.flipside.now, store: req.flipside.concernStore)
            page.code = code
            return try await req.render("concern", page, status: .created)
        } catch let error as ConcernError {
            let failure = APIError.from(error)
            page.message = failure.message
            return try await req.render("concern", page, status: failure.status)
        }
    }

    /// Reading a concern needs only its code (no sign-in: the page asks nobody who they are).
    func readForm(req: Request) async throws -> Response {
        try await req.render("concern-read", ReadPage(page: PageChrome(request: req, title: "Read the answers to a concern", hasForm: true),
                                                      action: SiteURL.readConcern.path, code: ""))
    }

    func read(req: Request) async throws -> Response {
        try CSRF.verify(req)
        struct Form: Content { var code: String?; var body: String? }
        let form = try req.content.decode(Form.self)
        var page = ReadPage(page: PageChrome(request: req, title: "Read the answers to a concern", hasForm: true), action: SiteURL.readConcern.path,
                            code: form.code ?? "")
        do {
            let (concern, messages) = try await req.limitingConcernCodeGuesses {
                if let body = form.body, !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    _ = try await Concerns.followUp(code: form.code ?? "", body: body, now: req.flipside.now, store: req.flipside.concernStore)
                }
                return try await Concerns.read(code: form.code ?? "", store: req.flipside.concernStore)
            }
            page.concern = ConcernDTO(concern, messages)
            return try await req.render("concern-read", page)
        } catch let failure as APIError where failure.status == .tooManyRequests {
            page.message = failure.message
            return try await req.render("concern-read", page, status: failure.status)
        } catch let error as ConcernError {
            let failure = APIError.from(error)
            page.message = failure.message
            return try await req.render("concern-read", page, status: failure.status)
        }
    }

    func inbox(req: Request) async throws -> Response {
        let program = try await req.visibleProgram()
        let items = try await Concerns.inbox(program.id, actor: req.actor, store: req.flipside.concernStore)
        return try await req.render("concerns", InboxPage(page: PageChrome(request: req, title: "Concerns · \(program.name)", nav: "programs"),
                                                          programName: program.name, programURL: SiteURL.program(program.id).path,
                                                          items: items.map { .init(concern: ConcernDTO($0.0, $0.1), replyURL: SiteURL.concerns(program.id).path + "/\($0.0.id.uuidString.lowercased())/reply") }))
    }

    func reply(req: Request) async throws -> Response {
        _ = try req.requireUser()
        try CSRF.verify(req)
        let program = try await req.visibleProgram()
        let concernID = try MatchingAPIController.id(req, "concernID", "Concern")
        struct Form: Content { var body: String? }
        _ = try await Concerns.reply(to: concernID, in: program.id, body: try req.content.decode(Form.self).body ?? "", actor: req.actor,
                                     now: req.flipside.now, store: req.flipside.concernStore)
        return req.redirect(to: SiteURL.concerns(program.id).path)
    }
}
