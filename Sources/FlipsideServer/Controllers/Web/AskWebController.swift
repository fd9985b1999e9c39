import FlipsideCore
import Foundation
import Vapor

/// Requests, nominations and invitations on pages: `/me/asks`, `/asks/{id}` (answer or withdraw), a
/// request from "who could teach me?", `/nominate`; and a program's recruiting: `/programs/{id}/gaps`
/// (with inviting a selection to enrol) and `/programs/{id}/funnel`.
struct AskWebController {
    func register(_ web: any RoutesBuilder) {
        web.get("me", "asks", use: list)
        web.get("asks", ":askID", use: show)
        web.post("asks", ":askID", "accept", use: accept)
        web.post("asks", ":askID", "decline", use: decline)
        web.post("asks", ":askID", "withdraw", use: withdraw)
        web.post("who-could-teach", "ask", use: request)
        web.get("nominate", use: nominateForm)
        web.post("nominate", use: nominate)
        web.get("programs", ":programID", "gaps", use: gaps)
        web.post("programs", ":programID", "invitations-to-enrol", use: invite)
        web.get("programs", ":programID", "funnel", use: funnel)
    }

    // MARK: One's own asks

    func list(req: Request) async throws -> Response {
        _ = try req.requireUser()
        let views = try await req.flipside.service.asks.mine()
        let notice: String? = switch req.query[String.self, at: "done"] {
        case "requested": "Your request is sent. You will hear when they answer."
        case "nominated": "Your nomination is sent. You will see here whether they enrol."
        case "declined": "You said not this time. Nobody is told why."
        case "withdrawn": "Withdrawn."
        default: nil
        }
        return try await req.render("asks", AsksPage(page: PageChrome(request: req, title: "Requests and nominations", nav: "teach"),
                                                     received: views.filter { $0.side == .received }.map(AskItem.init),
                                                     sent: views.filter { $0.side == .sent }.map(AskItem.init),
                                                     nominateURL: "/nominate", notice: notice))
    }

    func show(req: Request) async throws -> Response {
        _ = try req.requireUser()
        let view = try await req.flipside.service.asks.open(try AskAPIController.askID(req))
        return try await render(req, view, problems: [], status: .ok)
    }

    private func render(_ req: Request, _ view: AskView, problems: [ErrorDetail], status: HTTPStatus) async throws -> Response {
        let needsProgram = view.ask.kind == .request || view.ask.programID == nil
        let programs = view.canAnswer && needsProgram ? try await req.flipside.service.asks.programs(toAccept: view.ask) : []
        let path = SiteURL.ask(view.ask.id).path
        let page = AskPage(page: PageChrome(request: req, title: AskItem(view).heading, nav: "teach"), item: AskItem(view),
                           programs: programs.map { .init(value: $0.id.uuidString.lowercased(), label: $0.name) }, needsProgram: needsProgram,
                           actions: (path + "/accept", path + "/decline", path + "/withdraw"), problems: problems)
        return try await req.render("ask", page, status: status)
    }

    /// A use case's refusal shown on the ask's page with its status (the API answers the same).
    private func answer(_ req: Request, _ body: () async throws -> Response) async throws -> Response {
        do { return try await body() } catch let error where [.unprocessableEntity, .conflict].contains(APIError.from(error).status) {
            let view = try await req.flipside.service.asks.open(try AskAPIController.askID(req))
            return try await render(req, view, problems: APIError.from(error).details.isEmpty ? [ErrorDetail(reason: APIError.from(error).message)] : APIError.from(error).details,
                                    status: APIError.from(error).status)
        }
    }

    func accept(req: Request) async throws -> Response {
        _ = try req.requireUser()
        try CSRF.verify(req)
        struct Form: Content { var program_id: String? }
        let raw = try req.content.decode(Form.self).program_id?.trimmed ?? ""
        return try await answer(req) {
            let programID = raw.isEmpty ? nil : try UUID(uuidString: raw) ?? { throw APIError.invalid([FieldProblem(field: "program_id", reason: "is not a program")]) }()
            let (_, next) = try await req.flipside.service.asks.accept(try AskAPIController.askID(req), programID: programID)
            return req.redirect(to: next)
        }
    }

    func decline(req: Request) async throws -> Response {
        _ = try req.requireUser()
        try CSRF.verify(req)
        return try await answer(req) {
            _ = try await req.flipside.service.asks.decline(try AskAPIController.askID(req))
            return req.redirect(to: SiteURL.asks.path + "?done=declined")
        }
    }

    func withdraw(req: Request) async throws -> Response {
        _ = try req.requireUser()
        try CSRF.verify(req)
        return try await answer(req) {
            _ = try await req.flipside.service.asks.withdraw(try AskAPIController.askID(req))
            return req.redirect(to: SiteURL.asks.path + "?done=withdrawn")
        }
    }

    /// "Ask" beside a person "who could teach me?" named.
    func request(req: Request) async throws -> Response {
        _ = try req.requireUser()
        try CSRF.verify(req)
        struct Form: Content { var to: String?; var topics: String?; var message: String? }
        let form = try req.content.decode(Form.self)
        _ = try await req.flipside.service.asks.request(to: form.to?.trimmed ?? "", topics: [form.topics ?? ""], message: form.message)
        return req.redirect(to: SiteURL.asks.path + "?done=requested")
    }

    // MARK: Nominating

    func nominateForm(req: Request) async throws -> Response {
        _ = try req.requireUser()
        return try await renderNominate(req, form: .init(), problems: [], status: .ok)
    }

    struct NominateForm: Content { var colleague: String?; var topics: String?; var program_id: String?; var message: String? }

    private func renderNominate(_ req: Request, form: NominateForm, problems: [ErrorDetail], status: HTTPStatus) async throws -> Response {
        let programs = AccessPolicy.visiblePrograms(req.actor, try await req.flipside.programs.all()).filter(\.status.acceptsEnrolments)
        let page = NominatePage(page: PageChrome(request: req, title: "Nominate a reverse mentor", nav: "teach"), action: "/nominate",
                                colleague: form.colleague ?? "", topics: form.topics ?? "", message: form.message ?? "",
                                programs: [.init(value: "", label: "Any program", selected: (form.program_id ?? "").isEmpty)]
                                    + programs.map { .init(value: $0.id.uuidString.lowercased(), label: $0.name, selected: form.program_id == $0.id.uuidString.lowercased()) },
                                problems: problems)
        return try await req.render("nominate", page, status: status)
    }

    func nominate(req: Request) async throws -> Response {
        _ = try req.requireUser()
        try CSRF.verify(req)
        let form = try req.content.decode(NominateForm.self)
        do {
            let raw = form.program_id?.trimmed ?? ""
            let programID = raw.isEmpty ? nil : try UUID(uuidString: raw) ?? { throw APIError.invalid([FieldProblem(field: "program_id", reason: "is not a program")]) }()
            _ = try await req.flipside.service.asks.nominate(form.colleague ?? "", topics: [form.topics ?? ""], programID: programID, message: form.message)
            return req.redirect(to: SiteURL.asks.path + "?done=nominated")
        } catch let error where [.unprocessableEntity, .conflict, .tooManyRequests].contains(APIError.from(error).status) {
            let api = APIError.from(error)
            return try await renderNominate(req, form: form, problems: api.details.isEmpty ? [ErrorDetail(reason: api.message)] : api.details, status: api.status)
        }
    }

    // MARK: A program's recruiting

    static func defaultInvitation(_ program: Program) -> String {
        "We are looking for reverse mentors for \(program.name): newer colleagues who teach senior leaders the tools, skills and perspectives they know. We think you could be one. Would you enrol?"
    }

    func gaps(req: Request) async throws -> Response {
        let program = try await req.visibleProgram()
        try req.authorize(.view, .recruiting)
        let (_, gaps) = try await req.flipside.service.recruiting.gaps(program.id)
        func person(_ c: ProgramGaps.Candidate) -> GapsPage.Person { .init(employeeID: c.employeeID, name: c.name, title: c.title, reason: c.reason) }
        let page = GapsPage(
            page: PageChrome(request: req, title: "Gaps and recruiting · \(program.name)", nav: "programs"), program: ProgramSummary(program),
            mentees: gaps.mentees, mentors: gaps.mentors, wantedLevel: ProgramGaps.wantedLevel,
            topics: gaps.topics.map { t in
                .init(topic: t.topic.key, menteeCount: t.mentees.count, bestOffered: t.bestOffered.map { "\($0)/5" } ?? "nobody",
                      open: t.open.map(person), notOpen: t.notOpenCount == 0 ? nil : "\(t.notOpenCount) more \(t.notOpenCount == 1 ? "person lists" : "people list") it but \(t.notOpenCount == 1 ? "is" : "are") not open to being asked.",
                      mightBeAsked: t.mightBeAsked.map(person))
            },
            unserved: gaps.unserved.map { .init(name: $0.name, url: SiteURL.person($0.employeeID).path, reason: $0.reason) },
            inviteAction: "/programs/\(program.id.uuidString.lowercased())/invitations-to-enrol", message: Self.defaultInvitation(program),
            funnelURL: "/programs/\(program.id.uuidString.lowercased())/funnel", canInvite: program.status.acceptsEnrolments)
        return try await req.render("gaps", page)
    }

    func invite(req: Request) async throws -> Response {
        let program = try await req.visibleProgram()
        try req.authorize(.create, .ask(kind: .invitation, fromID: req.actor.employeeID ?? Ask.programTeam, toID: ""))
        try CSRF.verify(req)
        struct Form: Content { var employee_ids: [String]?; var message: String? }
        let form = try req.content.decode(Form.self)
        let outcome = try await req.flipside.service.asks.invite(form.employee_ids ?? [], to: program.id, message: form.message)
        var said = ["\(outcome.invited.count) invited"]
        if !outcome.alreadyInvited.isEmpty { said.append("\(outcome.alreadyInvited.count) already invited") }
        if !outcome.alreadyEnrolled.isEmpty { said.append("\(outcome.alreadyEnrolled.count) already enrolled") }
        if !outcome.notFound.isEmpty { said.append("\(outcome.notFound.count) not found") }
        return try await renderFunnel(req, program: program, notice: said.joined(separator: ", ") + ".")
    }

    func funnel(req: Request) async throws -> Response {
        let program = try await req.visibleProgram()
        try req.authorize(.view, .recruiting)
        return try await renderFunnel(req, program: program, notice: nil)
    }

    private func renderFunnel(_ req: Request, program: Program, notice: String?) async throws -> Response {
        let (_, funnel, invitations) = try await req.flipside.service.recruiting.funnel(program.id)
        let page = FunnelPage(
            page: PageChrome(request: req, title: "Whom the program reaches · \(program.name)", nav: "programs"), program: ProgramSummary(program),
            stages: ProgramFunnel.Stage.allCases.map(\.label), totals: funnel.totals.map(\.description),
            tables: funnel.tables.map { t in
                .init(id: "funnel-\(t.breakdown.rawValue)", label: t.breakdown.label, groups: t.groups,
                      rows: zip(ProgramFunnel.Stage.allCases, t.cells).map { .init(stage: $0.label, cells: $1.map(\.description)) })
            },
            invitations: invitations.map { .init(name: $0.otherName, outcome: $0.outcome, opened: $0.ask.openedAt != nil, when: SiteDates.minute($0.ask.createdAt)) },
            gapsURL: "/programs/\(program.id.uuidString.lowercased())/gaps", notice: notice)
        return try await req.render("funnel", page)
    }
}
