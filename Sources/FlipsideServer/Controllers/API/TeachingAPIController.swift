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
    /// Read as text, so that a form's empty fields are "not given" and a bad number is a named problem.
    struct Query: Content {
        var topics: String?
        var industry: String?
        var perspective: String?
        var language: String?
        var limit: String?
        var `for`: String?
        var program_id: String?

        /// Whom the question is for, when named.
        var asker: String? { `for`?.trimmed.isEmpty == false ? `for`?.trimmed : nil }
    }

    /// The question, the program whose rules rank it, with every problem at once.
    static func question(_ q: Query) throws -> (TeachingQuestion, programID: UUID?) {
        var problems: [FieldProblem] = []
        var limit: Int?
        if let raw = q.limit?.trimmed, !raw.isEmpty {
            if let n = Int(raw) { limit = n } else { problems.append(FieldProblem(field: "limit", reason: "must be a whole number from 1 to \(TeachingQuestion.mostAnswers)")) }
        }
        var programID: UUID?
        if let raw = q.program_id?.trimmed, !raw.isEmpty {
            if let id = UUID(uuidString: raw) { programID = id } else { problems.append(FieldProblem(field: "program_id", reason: "is not a program id")) }
        }
        switch TeachingQuestion.parse(topics: [q.topics ?? ""], industry: q.industry, perspective: q.perspective, language: q.language, limit: limit) {
        case let .success(question) where problems.isEmpty: return (question, programID)
        case .success: throw ProfileError.invalid(problems)
        case let .failure(.invalid(more)): throw ProfileError.invalid(more + problems)
        case let .failure(error): throw error
        }
    }

    func ask(req: Request) async throws -> TeachingAnswerDTO {
        _ = try req.requireUser()
        let query = try req.query.decode(Query.self)
        let (question, programID) = try Self.question(query)
        return TeachingAnswerDTO(try await req.flipside.service.teaching.ask(question, for: query.asker, programID: programID))
    }
}
