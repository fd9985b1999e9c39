import FlipsideCore
import Foundation
import Vapor

/// Anonymous concerns under `/api/v1`: raised by a participant, answered by the program team, read and
/// followed up with the code alone.
struct ConcernsAPIController {
    func register(_ api: any RoutesBuilder) {
        let authed = api.grouped(UserModel.guardMiddleware(throwing: APIError.unauthenticated))
        let program = authed.grouped("programs", ":programID")
        program.post("concerns", use: raiseConcern)
        program.get("concerns", use: concerns)
        program.post("concerns", ":concernID", "replies", use: reply)
    }

    /// Reading a concern with its code needs no sign-in (and asks nobody who they are).
    func registerOpen(_ api: any RoutesBuilder) {
        api.post("concerns", "read", use: readConcern)
        api.post("concerns", "follow-up", use: followUp)
    }

    func raiseConcern(req: Request) async throws -> Response {
        let program = try await req.visibleProgram()
        let input = try req.content.decode(ConcernInput.self)
        let (concern, code) = try await Concerns.raise(in: program.id, body: input.body, actor: req.actor, now: req.flipside.now,
                                                       store: req.flipside.concernStore)
        struct Raised: Content { var code: String; var raised_on: String; var message: String }
        return try await Raised(code: code, raised_on: concern.raisedOn.description,
                                message: "Keep this code: it is shown only now. With it you read the program team's replies; nothing links the concern to you.")
            .encodeResponse(status: .created, for: req)
    }

    func concerns(req: Request) async throws -> [ConcernDTO] {
        let program = try await req.visibleProgram()
        return try await Concerns.inbox(program.id, actor: req.actor, store: req.flipside.concernStore).map { ConcernDTO($0.0, $0.1) }
    }

    func reply(req: Request) async throws -> Response {
        let program = try await req.visibleProgram()
        let concernID = try MatchingAPIController.id(req, "concernID", "Concern")
        let input = try req.content.decode(ConcernInput.self)
        _ = try await Concerns.reply(to: concernID, in: program.id, body: input.body, actor: req.actor, now: req.flipside.now, store: req.flipside.concernStore)
        guard let concern = try await req.flipside.concernStore.concern(concernID, in: program.id) else { throw APIError.from(ConcernError.notFound) }
        return try await ConcernDTO(concern, try await req.flipside.concernStore.messages(of: concernID)).encodeResponse(status: .created, for: req)
    }

    func readConcern(req: Request) async throws -> ConcernDTO {
        let input = try req.content.decode(CodeInput.self)
        let (concern, messages) = try await req.limitingConcernCodeGuesses { try await Concerns.read(code: input.code, store: req.flipside.concernStore) }
        return ConcernDTO(concern, messages)
    }

    func followUp(req: Request) async throws -> Response {
        let input = try req.content.decode(CodeInput.self)
        _ = try await req.limitingConcernCodeGuesses {
            try await Concerns.followUp(code: input.code, body: input.body ?? "", now: req.flipside.now, store: req.flipside.concernStore)
        }
        let (concern, messages) = try await Concerns.read(code: input.code, store: req.flipside.concernStore)
        return try await ConcernDTO(concern, messages).encodeResponse(status: .created, for: req)
    }
}
