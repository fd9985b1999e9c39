import FlipsideCore
import Foundation
import Vapor

/// What the program team reads and sets about a program's partnerships under `/api/v1`: their health,
/// the outcomes (a program's and the organisation overview) and the guidance each side is given.
struct ProgramTeamAPIController {
    func register(_ api: any RoutesBuilder) {
        let authed = api.grouped(UserModel.guardMiddleware(throwing: APIError.unauthenticated))
        let program = authed.grouped("programs", ":programID")
        program.get("health", use: health)
        authed.get("outcomes", use: overview)
        program.get("outcomes", "retention", use: retention)
        program.get("outcomes", "promotion", use: promotion)
        program.get("outcomes", "diversity", use: diversity)
        program.get("outcomes", "engagement", use: engagement)
        program.get("guidance", use: guidance)
        program.put("guidance", use: setGuidance)
    }

    func health(req: Request) async throws -> [PairHealthDTO] {
        try await req.flipside.partnerships.health(try await req.visibleProgram())
    }

    func retention(req: Request) async throws -> RetentionDTO {
        try req.authorize(.view, .outcomes)
        let program = try await req.visibleProgram()
        return try await req.flipside.outcomes.retention(program, censor: try req.censorDate())
    }

    func promotion(req: Request) async throws -> PromotionDTO {
        try req.authorize(.view, .outcomes)
        let program = try await req.visibleProgram()
        return try await req.flipside.outcomes.promotion(program, censor: try req.censorDate())
    }

    func overview(req: Request) async throws -> OverviewDTO {
        try await req.flipside.outcomes.overview(censor: try req.censorDate())
    }

    func diversity(req: Request) async throws -> DiversityDTO {
        try req.authorize(.view, .outcomes)
        return try await req.flipside.outcomes.diversity(try await req.visibleProgram())
    }

    func engagement(req: Request) async throws -> EngagementDTO {
        try req.authorize(.view, .outcomes)
        return try await req.flipside.outcomes.engagement(try await req.visibleProgram())
    }

    /// Both sides' guidance, as the coordinators' guidance page shows it: coordinators only (each
    /// participant sees their own side's guidance on their pair's page).
    func guidance(req: Request) async throws -> GuidanceInput {
        try req.authorize(.change, .programs)
        let program = try await req.visibleProgram()
        let g = try await PartnershipReads(db: req.db).guidance(program.id)
        return GuidanceInput(senior: g.senior, junior: g.junior)
    }

    func setGuidance(req: Request) async throws -> GuidanceInput {
        try req.authorize(.change, .programs)
        let program = try await req.visibleProgram()
        let input = try req.content.decode(GuidanceInput.self)
        let g = try await Programs.setGuidance(of: program.id, senior: input.senior, junior: input.junior, actor: req.actor, store: req.flipside.programStore)
        return GuidanceInput(senior: g.senior, junior: g.junior)
    }
}
