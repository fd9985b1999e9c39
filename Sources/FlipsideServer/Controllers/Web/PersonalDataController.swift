import FlipsideCore
import Vapor

/// Access requests and erasure, on pages and in the API: the export as a JSON download, erasure after
/// typing the person's employee id (so a slip of the mouse erases nobody).
struct PersonalDataController {
    func register(web: any RoutesBuilder, api: any RoutesBuilder) {
        web.get("people", ":employeeID", "data.json", use: download)
        web.get("me", "data.json", use: downloadOwn)
        web.post("people", ":employeeID", "erase", use: eraseFromPage)
        api.get("people", ":employeeID", "data", use: exportAPI)
        api.post("people", ":employeeID", "erase", use: eraseAPI)
    }

    struct EraseInput: Content { var confirm: String? }

    static func export(_ req: Request, _ id: String) async throws -> PersonalDataExportDTO {
        let dto = try await PersonalData.export(id, actor: req.actor, actorName: req.auditTrail.actor, now: req.flipside.now, db: req.db)
        try await req.auditTrail.record(.personExported, "person", id, req.actor.employeeID == id ? "their own export" : "for an access request", on: req.db)
        return dto
    }

    static func attachment(_ dto: PersonalDataExportDTO, for req: Request, name: String) async throws -> Response {
        let response = try await dto.encodeResponse(for: req)
        response.headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"flipside-data-\(name).json\"")
        return response
    }

    func download(req: Request) async throws -> Response {
        let id = req.parameters.get("employeeID") ?? ""
        return try await Self.attachment(try await Self.export(req, id), for: req, name: id)
    }

    func downloadOwn(req: Request) async throws -> Response {
        guard let id = try req.requireUser().employeeID else {
            throw APIError.noProfile("This login is not linked to a person: there is no personal data to export.")
        }
        return try await Self.attachment(try await Self.export(req, id), for: req, name: id)
    }

    func exportAPI(req: Request) async throws -> PersonalDataExportDTO {
        try await Self.export(req, req.parameters.get("employeeID") ?? "")
    }

    static func erase(_ req: Request) async throws -> PersonalData.Erased {
        let id = req.parameters.get("employeeID") ?? ""
        try req.authorize(.delete, .personalData(employeeID: id))
        let input = try req.content.decode(EraseInput.self)
        guard input.confirm?.trimmed == id else {
            throw APIError.invalid([FieldProblem(field: "confirm", reason: "must be the person's employee id (\(id)), to confirm the erasure")])
        }
        let erased = try await PersonalData.erase(id, actor: req.actor, audit: req.auditTrail, now: req.flipside.now, db: req.db)
        PeopleService.warm(req.application)
        return erased
    }

    func eraseAPI(req: Request) async throws -> PersonalData.Erased { try await Self.erase(req) }

    func eraseFromPage(req: Request) async throws -> View {
        try CSRF.verify(req)
        let erased = try await Self.erase(req)
        return try await req.view.render("erased", ErasedPage(page: PageChrome(request: req, title: "Erased", nav: "people"),
                                                        pseudonym: erased.pseudonym, texts: erased.texts_deleted, pairs: erased.pairs_ended))
    }
}
