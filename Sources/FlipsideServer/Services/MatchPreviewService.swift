import Fluent
import FlipsideCore
import Vapor

extension PreviewAlgorithm {
    /// From a query parameter; absent means `optimal`.
    init(query: String?) throws {
        guard let query else { self = .optimal; return }
        guard let algorithm = PreviewAlgorithm(rawValue: query) else {
            throw APIError(.badRequest, code: "bad_request", "'\(query)' is not a matching algorithm: use optimal, fair or stable.")
        }
        self = algorithm
    }
}

/// The match preview, on the stored people and enrolments.
struct MatchPreviewService {
    let db: any Database

    func preview(_ program: Program, algorithm: PreviewAlgorithm) async throws -> MatchPreview {
        try await MatchPreview.make(for: program, algorithm: algorithm, people: PeopleService(db: db), enrolments: EnrolmentService(db: db))
    }
}
