import FlipsideCore
import Foundation
import Vapor

/// The program team's pages about a program's partnerships: their health and the guidance each side is given.
struct ProgramTeamWebController {
    func register(_ web: any RoutesBuilder) {
        web.get("programs", ":programID", "health", use: health)
        web.get("programs", ":programID", "guidance", use: guidanceForm)
        web.post("programs", ":programID", "guidance", use: saveGuidance)
    }

    func health(req: Request) async throws -> Response {
        let program = try await req.visibleProgram()
        let rows = try await req.flipside.partnerships.health(program)
        return try await req.render("health", HealthPage(
            page: PageChrome(request: req, title: "Partnership health · \(program.name)", nav: "programs"), programName: program.name,
            programURL: SiteURL.program(program.id).path, concernsURL: SiteURL.concerns(program.id).path, guidanceURL: SiteURL.guidance(program.id).path,
            rows: rows.map { .init(url: SiteURL.pair($0.pair_id).path, mentee: $0.mentee.name, mentor: $0.mentor.name, status: $0.status.rawValue,
                                   flags: $0.flags.map(\.sentence)) },
            flagged: rows.filter { !$0.flags.isEmpty }.count))
    }

    func guidanceForm(req: Request) async throws -> Response {
        try req.authorize(.change, .programs)
        let program = try await req.visibleProgram()
        let g = try await PartnershipReads(db: req.db).guidance(program.id)
        return try await req.render("guidance", GuidancePage(page: PageChrome(request: req, title: "Guidance · \(program.name)", nav: "programs"),
                                                             programName: program.name, action: SiteURL.guidance(program.id).path,
                                                             senior: g.senior, junior: g.junior, problems: [], saved: false))
    }

    func saveGuidance(req: Request) async throws -> Response {
        try req.authorize(.change, .programs)
        try CSRF.verify(req)
        let program = try await req.visibleProgram()
        struct Form: Content { var senior: String?; var junior: String? }
        let form = try req.content.decode(Form.self)
        var page = GuidancePage(page: PageChrome(request: req, title: "Guidance · \(program.name)", nav: "programs"), programName: program.name,
                                action: SiteURL.guidance(program.id).path, senior: form.senior ?? "", junior: form.junior ?? "", problems: [], saved: false)
        do {
            _ = try await Programs.setGuidance(of: program.id, senior: form.senior ?? "", junior: form.junior ?? "", actor: req.actor,
                                               store: req.flipside.programStore)
            page.saved = true
            return try await req.render("guidance", page)
        } catch let error as ProgramError {
            guard case .invalid = error else { throw error }
            let answer = APIError.from(error)
            page.problems = answer.details
            return try await req.render("guidance", page, status: answer.status)
        }
    }
}
