import Fluent
import FlipsideCore
import Foundation

/// The match preview, on the stored people and enrolments. A preview is computed once per input (the
/// program's settings, the algorithm, the day, and the versions of the people and enrolments tables,
/// which the database bumps on every change) and then served from this instance's result cache.
struct MatchPreviewService {
    let db: any Database
    let results: ResultCache
    let now: Date

    init(scope: ServiceScope) {
        db = scope.db
        results = scope.results
        now = scope.now
    }

    /// The preview, kept under `key` (from `key(_:algorithm:on:)`, read here when the caller has none).
    func preview(_ program: Program, algorithm: PreviewAlgorithm, key: String? = nil) async throws -> MatchPreview {
        let db = self.db
        let resolved: String
        if let key { resolved = key } else { resolved = try await Self.key(program, algorithm: algorithm, now: now, on: db) }
        let now = self.now
        return try await results.value(resolved) {
            let input = try await MatchPreviewInput.read(for: program, people: PeopleService(db: db), enrolments: EnrolmentService(db: db), now: now)
            return try MatchPreview.make(from: input, algorithm: algorithm)
        }
    }

    /// Everything a program's preview depends on. The versions are read before the input, so a change
    /// made in between is at worst computed again, never kept under the newer version.
    static func key(_ program: Program, algorithm: PreviewAlgorithm, now: Date, on db: any Database) async throws -> String {
        let versions = try await DataVersions.read(on: db)
        let day = program.referenceDay(now: now)
        return "preview|\(program.id)|\(algorithm.rawValue)|\(ProgramModel.encode(program.settings))|\(day)|people \(versions.people)|enrolments \(versions.enrolments)"
    }
}
