import FlipsideCore
import Vapor

/// `/api/v1/me/teaching-profile` and `/api/v1/who-could-teach`: the same Core use case and read model
/// as the pages.
struct TeachingAPIController {
    func register(_ api: any RoutesBuilder) {
        api.get("me", "teaching-profile", use: profile)
        api.put("me", "teaching-profile", use: update)
        api.get("who-could-teach", use: ask)
    }

    /// The signed-in person's employee id, or a clear 403 for a login that is not a person.
    static func me(_ req: Request) throws -> String {
        _ = try req.requireUser()
        guard let id = req.actor.employeeID else { throw APIError.noProfile("This login is not linked to a person, so it has no teaching profile.") }
        return id
    }

    func profile(req: Request) async throws -> TeachingProfileDTO {
        TeachingProfileDTO(try await req.flipside.service.teaching.profile(of: try Self.me(req)))
    }

    func update(req: Request) async throws -> TeachingProfileDTO {
        let id = try Self.me(req)
        let input = try req.content.decode(TeachingProfileInput.self)
        return TeachingProfileDTO(try await req.flipside.service.teaching.update(id, with: input.draft))
    }

    /// The question as a query: `topics` (`;` or `,` between topics), `industry`, `perspective`,
    /// `language`, `limit`, and for coordinators `for` (an employee id) and `program_id` (whose rules).
    struct Query: Content {
        var topics: String?
        var industry: String?
        var perspective: String?
        var language: String?
        var limit: Int?
        var `for`: String?
        var program_id: UUID?
    }

    static func question(_ q: Query) throws -> TeachingQuestion {
        try TeachingQuestion.parse(topics: [q.topics ?? ""], industry: q.industry, perspective: q.perspective, language: q.language, limit: q.limit).get()
    }

    func ask(req: Request) async throws -> TeachingAnswerDTO {
        _ = try req.requireUser()
        guard let query = try? req.query.decode(Query.self) else {
            throw APIError(.unprocessableEntity, code: "invalid", "Ask with ?topics=a;b, and optionally industry, perspective, language, limit (1–100), for and program_id (a UUID).")
        }
        let question = try Self.question(query)
        let asker = query.for?.trimmed.isEmpty == false ? query.for?.trimmed : nil
        return TeachingAnswerDTO(try await req.flipside.service.teaching.ask(question, for: asker, programID: query.program_id))
    }
}
