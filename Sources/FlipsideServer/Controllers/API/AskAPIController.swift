import FlipsideCore
import Vapor

/// Requests, nominations and invitations to enrol, and a program's recruiting, through the API: the same
/// Core use cases and read models as the pages.
struct AskAPIController {
    func register(_ api: any RoutesBuilder) {
        api.get("me", "asks", use: mine)
        api.post("asks", use: send)
        api.get("asks", ":askID", use: one)
        api.post("asks", ":askID", "accept", use: accept)
        api.post("asks", ":askID", "decline", use: decline)
        api.post("asks", ":askID", "withdraw", use: withdraw)
        api.post("programs", ":programID", "invitations-to-enrol", use: invite)
        api.get("programs", ":programID", "gaps", use: gaps)
        api.get("programs", ":programID", "funnel", use: funnel)
    }

    static func askID(_ req: Request) throws -> UUID { try MatchingAPIController.id(req, "askID", "Ask") }

    func mine(req: Request) async throws -> AsksDTO {
        _ = try req.requireUser()
        return AsksDTO(try await req.flipside.service.asks.mine())
    }

    func send(req: Request) async throws -> Response {
        _ = try req.requireUser()
        let input = try req.content.decode(AskInput.self)
        guard let to = input.to?.trimmed, !to.isEmpty else { throw APIError.invalid([FieldProblem(field: "to", reason: "is required: whom the request or nomination is for")]) }
        let asks = req.flipside.service.asks
        let view: AskView
        switch input.kind {
        case "request"?: view = try await asks.request(to: to, topics: input.topics ?? [], message: input.message)
        case "nomination"?: view = try await asks.nominate(to, topics: input.topics ?? [], programID: input.program_id, message: input.message)
        default: throw APIError.invalid([FieldProblem(field: "kind", reason: "must be request or nomination (the program team invites through /programs/{id}/invitations-to-enrol)")])
        }
        return try await AskDTO(view).encodeResponse(status: .created, for: req)
    }

    func one(req: Request) async throws -> AskDTO {
        _ = try req.requireUser()
        return AskDTO(try await req.flipside.service.asks.open(try Self.askID(req)))
    }

    func accept(req: Request) async throws -> AcceptedDTO {
        _ = try req.requireUser()
        let id = try Self.askID(req)
        // A body is optional (a nomination or an invitation names its program); one that is sent is read strictly.
        let input = (req.body.data?.readableBytes ?? 0) > 0 ? try req.content.decode(AskAcceptInput.self) : AskAcceptInput(program_id: nil)
        let (view, next) = try await req.flipside.service.asks.accept(id, programID: input.program_id)
        return AcceptedDTO(ask: AskDTO(view), next: next)
    }

    func decline(req: Request) async throws -> AskDTO {
        _ = try req.requireUser()
        return AskDTO(try await req.flipside.service.asks.decline(try Self.askID(req)))
    }

    func withdraw(req: Request) async throws -> AskDTO {
        _ = try req.requireUser()
        return AskDTO(try await req.flipside.service.asks.withdraw(try Self.askID(req)))
    }

    func invite(req: Request) async throws -> InvitedDTO {
        let program = try await req.visibleProgram()
        try req.authorize(.create, .ask(kind: .invitation, fromID: req.actor.employeeID ?? Ask.programTeam, toID: ""))
        let input = try req.content.decode(InviteInput.self)
        return InvitedDTO(try await req.flipside.service.asks.invite(input.employee_ids ?? [], to: program.id, message: input.message))
    }

    func gaps(req: Request) async throws -> GapsDTO {
        let program = try await req.visibleProgram()
        try req.authorize(.view, .recruiting)
        return GapsDTO(try await req.flipside.service.recruiting.gaps(program.id).1)
    }

    func funnel(req: Request) async throws -> FunnelDTO {
        let program = try await req.visibleProgram()
        try req.authorize(.view, .recruiting)
        let (_, funnel, invitations) = try await req.flipside.service.recruiting.funnel(program.id)
        return FunnelDTO(program: program, funnel: funnel, invitations: invitations)
    }
}
