import FlipsideCore
import Vapor

/// Programs and their enrolments under `/api/v1/programs`.
struct ProgramsAPIController {
    func register(_ authed: any RoutesBuilder) {
        let programs = authed.grouped("programs")
        programs.get(use: list)
        programs.post(use: create)
        programs.get(":programID", use: show)
        programs.patch(":programID", use: update)
        programs.delete(":programID", use: delete)
        programs.post(":programID", "status", use: transition)
        programs.get(":programID", "enrolments", use: enrolments)
        programs.post(":programID", "enrolments", use: enrol)
        programs.on(.POST, ":programID", "enrolments", "import", body: .stream, use: importEnrolments)
        programs.patch(":programID", "enrolments", ":enrolmentID", use: updateEnrolment)
        programs.delete(":programID", "enrolments", ":enrolmentID", use: deleteEnrolment)
        programs.get(":programID", "matches", use: matches)
        programs.post(":programID", "invitations", use: inviteAll)
        programs.put(":programID", "chat-webhook", use: setChatWebhook)
        programs.delete(":programID", "chat-webhook", use: removeChatWebhook)
    }

    struct ChatWebhookDTO: Content { var host: String }

    /// Sets the program's chat webhook (its digest and announcements go there); the answer names the host only.
    func setChatWebhook(req: Request) async throws -> ChatWebhookDTO {
        struct Body: Content { var url: String }
        let program = try await req.visibleProgram()
        guard let body = try? req.content.decode(Body.self), !body.url.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw APIError.invalid([FieldProblem(field: "url", reason: "is required (DELETE removes the webhook)")])
        }
        let url = try await ChatWebhooks.change(program.id, to: body.url, actor: req.actor, reach: req.application.appConfig.webhookReach,
                                                now: req.flipside.now, db: req.db, audit: req.auditTrail)
        return ChatWebhookDTO(host: url?.host ?? "")
    }

    func removeChatWebhook(req: Request) async throws -> HTTPStatus {
        let program = try await req.visibleProgram()
        _ = try await ChatWebhooks.change(program.id, to: nil, actor: req.actor, reach: req.application.appConfig.webhookReach,
                                          now: req.flipside.now, db: req.db, audit: req.auditTrail)
        return .noContent
    }

    /// Emails a sign-in invitation to everyone enrolled without a login (the program page's button).
    func inviteAll(req: Request) async throws -> Response {
        struct Queued: Content { var queued: Int; var already_queued: Int }
        let program = try await req.visibleProgram()
        let outcome = try await ProgramInvitations.inviteAll(in: program.id, actor: req.actor, now: req.flipside.now,
                                                             store: req.flipside.programInvitationStore)
        return try await Queued(queued: outcome.queued, already_queued: outcome.alreadyQueued).encodeResponse(status: .accepted, for: req)
    }

    /// The program's pairing under its rules (coordinators): pairs, reasons, alternatives. Not stored;
    /// computed and encoded once per input (see `MatchPreviewService`).
    func matches(req: Request) async throws -> Response {
        try req.authorize(.view, .matchPreview)
        let program = try await req.visibleProgram()
        let algorithm = try PreviewAlgorithm(query: req.query["algorithm"])
        let previewKey = try await MatchPreviewService.key(program, algorithm: algorithm, now: req.flipside.now, on: req.db)
        let key = previewKey + "|json"
        var headers = HTTPHeaders()
        headers.contentType = .json
        if let kept: Data = await req.application.results.value(key) {
            return Response(status: .ok, headers: headers, body: .init(data: kept))
        }
        let preview = try await req.flipside.matchPreview.preview(program, algorithm: algorithm, key: previewKey)
        struct Body: Encodable {
            var programID: UUID
            var algorithm: PreviewAlgorithm
            var pairs: Int
            var total: Double
            var lowest: Double?
            var mentees: Int
            var mentors: Int
            var explanation: MatchExplanation
        }
        let body = Body(programID: program.id, algorithm: preview.algorithm, pairs: preview.matching.count, total: preview.matching.total,
                        lowest: preview.matching.pairs.map(\.score).min(), mentees: preview.input.mentees.count,
                        mentors: preview.input.mentors.count, explanation: preview.explanation)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys]
        let data = LowercaseUUIDEncoder.lowered(try encoder.encode(body))
        await req.application.results.keep(data, for: key)
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    /// Coordinators see every program; participants see those past draft.
    func list(req: Request) async throws -> [ProgramDTO] {
        _ = try req.requireUser()
        return AccessPolicy.visiblePrograms(req.actor, try await req.flipside.programs.all()).map(ProgramDTO.init)
    }

    func show(req: Request) async throws -> ProgramDTO {
        ProgramDTO(try await req.visibleProgram())
    }

    func create(req: Request) async throws -> Response {
        try req.authorize(.create, .programs)
        let program = try req.content.decode(ProgramInput.self).applied(to: Program(name: ""))
        let created = try await Programs.create(program, actor: req.actor, store: req.flipside.programStore)
        let response = Response(status: .created)
        response.headers.replaceOrAdd(name: .location, value: "/api/v1/programs/\(created.id.uuidString.lowercased())")
        try response.content.encode(ProgramDTO(created))
        return response
    }

    func update(req: Request) async throws -> ProgramDTO {
        try req.authorize(.change, .programs)
        let stored = try await req.flipside.programs.find(try req.programID())
        let program = try req.content.decode(ProgramInput.self).applied(to: stored)
        return ProgramDTO(try await Programs.update(program, actor: req.actor, store: req.flipside.programStore))
    }

    func delete(req: Request) async throws -> HTTPStatus {
        try req.authorize(.delete, .programs)
        try await Programs.delete(try req.programID(), actor: req.actor, store: req.flipside.programStore)
        return .noContent
    }

    func transition(req: Request) async throws -> ProgramDTO {
        try req.authorize(.change, .programs)
        let input = try req.content.decode(StatusInput.self)
        return ProgramDTO(try await Programs.transition(try req.programID(), to: input.status, actor: req.actor, now: req.flipside.now, store: req.flipside.programStore))
    }

    /// Coordinators see every enrolment and the warnings; a participant sees only their own.
    func enrolments(req: Request) async throws -> EnrolmentList {
        let program = try await req.visibleProgram()
        try req.authorize(.view, .enrolmentList(programStatus: program.status))
        let (rows, warnings) = try await req.flipside.enrolments.overview(of: program)
        let manages = AccessPolicy.managesPrograms(req.actor)
        return EnrolmentList(items: AccessPolicy.visibleEnrolments(req.actor, rows) { $0.enrolment.employeeID }.map(EnrolmentItemDTO.init),
                             warnings: manages ? warnings : [])
    }

    func enrol(req: Request) async throws -> Response {
        let program = try await req.visibleProgram()
        let input = try req.content.decode(EnrolmentInput.self)
        // Whom: the person named, or else the participant themselves (a coordinator must name someone).
        let actor = req.actor
        guard let employeeID = input.employee_id.flatMap({ $0.isEmpty ? nil : $0 }) ?? (actor.isCoordinator ? nil : actor.employeeID ?? "") else {
            throw APIError.invalid([FieldProblem(field: "employee_id", reason: "is required")])
        }
        try req.authorize(.create, .enrolment(employeeID: employeeID, programStatus: program.status))
        guard let enrolment = input.draft.newEnrolment(of: employeeID, in: program) else { throw EnrolmentError.invalid([EnrolmentDraft.roleRequired]) }
        let warnings = try await Enrolling.enrol(enrolment, actor: req.actor, store: req.flipside.enrolmentStore)
        let response = Response(status: .created)
        try response.content.encode(EnrolmentResponse(enrolment: EnrolmentDTO(enrolment), warnings: warnings))
        return response
    }

    func importEnrolments(req: Request) async throws -> ImportResponse {
        try req.authorize(.create, .enrolmentImport)
        try await req.collectBody(upTo: UploadLimits.enrolments)
        let (counts, warnings) = try await Importing.enrolments(csv: try csvBody(req), into: try req.programID(), actor: req.actor,
                                                                store: req.flipside.enrolmentImportStore)
        return ImportResponse(created: counts.created, updated: counts.updated, unchanged: counts.unchanged, warnings: warnings)
    }

    func updateEnrolment(req: Request) async throws -> EnrolmentResponse {
        let (program, enrolment) = try await req.ownedEnrolment()
        var updated = enrolment
        let input = try req.content.decode(EnrolmentInput.self)
        if let id = input.employee_id, id != enrolment.employeeID {
            throw EnrolmentError.invalid([FieldProblem(field: "employee_id", reason: "cannot be changed; withdraw and enrol the other person")])
        }
        input.draft.apply(to: &updated, in: program)
        let warnings = try await Enrolling.update(updated, actor: req.actor, store: req.flipside.enrolmentStore)
        return EnrolmentResponse(enrolment: EnrolmentDTO(updated), warnings: warnings)
    }

    func deleteEnrolment(req: Request) async throws -> HTTPStatus {
        let (program, enrolment) = try await req.ownedEnrolment()
        try await Enrolling.withdraw(enrolment.id, in: program.id, actor: req.actor, store: req.flipside.enrolmentStore)
        return .noContent
    }
}
