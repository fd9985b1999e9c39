import FlipsideCore
import Foundation
import Vapor

/// The matching workflow's answers, built once for the API and the pages (so both say the same).
struct MatchingViews {
    let request: Request
    var reads: MatchingReads { MatchingReads(db: request.db) }

    /// The program's snapshot fingerprint now (to tell current runs from stale ones).
    func currentFingerprint(_ program: Program) async throws -> String {
        RunSnapshot(settings: program.settings, enrolments: try await request.flipside.enrolments.all(in: program.id),
                    rules: try await reads.rules(in: program.id), referenceDay: CalendarDate(year: 2000, month: 1, day: 1)!).fingerprint
    }

    func runs(_ program: Program) async throws -> [RunListDTO] {
        let fingerprint = try await currentFingerprint(program)
        return try await reads.runs(in: program.id).map { RunListDTO($0, currentFingerprint: fingerprint) }
    }

    func run(_ id: UUID, in program: Program) async throws -> (MatchRun, RunDTO) {
        guard let run = try await reads.run(id, in: program.id) else { throw APIError.from(MatchWorkflowError.runNotFound) }
        let current = try await currentFingerprint(program) == run.fingerprint
        return (run, RunDTO(run, current: current, names: try await names(run.snapshot.enrolments.map(\.employeeID))))
    }

    func compare(_ first: UUID, _ second: UUID, in program: Program) async throws -> RunComparisonDTO {
        let (a, _) = try await run(first, in: program)
        let (b, _) = try await run(second, in: program)
        guard let ra = a.result, let rb = b.result else {
            throw APIError(.conflict, code: "run_not_done", "Only finished runs can be compared.")
        }
        return RunComparisonDTO(first: a, second: b, comparison: RunComparison(ra, rb))
    }

    func rules(_ program: Program) async throws -> [PairRuleDTO] {
        try await reads.rules(in: program.id).map(PairRuleDTO.init)
    }

    /// The program's pairs the actor may see (without their stories and histories).
    func pairs(_ program: Program) async throws -> [PairDTO] {
        let actor = request.actor
        let visible = AccessPolicy.visiblePairs(actor, try await reads.pairs(in: program.id))
        let people = try await request.flipside.people.find(Array(Set(visible.flatMap { [$0.menteeID, $0.mentorID] })))
        return visible.map { PairDTO($0, actor: actor, now: request.flipside.now, people: people, why: [], history: []) }
    }

    /// One pair, if the actor may see it, with why they were paired and its history.
    func pair(_ id: UUID) async throws -> PairDTO {
        guard let pair = try await reads.pair(id) else { throw APIError.from(MatchWorkflowError.pairNotFound) }
        let actor = request.actor
        try request.authorize(.view, .pair(menteeID: pair.menteeID, mentorID: pair.mentorID))
        let program = try await request.flipside.programs.find(pair.programID)
        let enrolments = try await request.flipside.enrolments.all(in: program.id)
        let directory = try await request.flipside.people.withManagementChains(of: [pair.menteeID, pair.mentorID])
        var why: [String] = []
        if let mentee = enrolments.first(where: { $0.employeeID == pair.menteeID }), let mentor = enrolments.first(where: { $0.employeeID == pair.mentorID }) {
            why = PairStory.sentences(mentee: mentee, mentor: mentor, directory: directory, settings: program.settings,
                                      viewer: pair.side(of: actor.employeeID) ?? .mentee)
        }
        return PairDTO(pair, actor: actor, now: request.flipside.now, people: directory, why: why, history: try await reads.history(of: pair.id))
    }

    func suggestions(_ program: Program, for employeeID: String) async throws -> [SuggestionDTO] {
        let list = try await MatchWorkflow.suggestions(for: employeeID, in: program.id, actor: request.actor, now: request.flipside.now,
                                                       store: request.flipside.matchingStore)
        let people = try await request.flipside.people.find(list.map(\.mentorID))
        return list.map { s in
            let p = people[s.mentorID]
            return SuggestionDTO(mentor_id: s.mentorID, name: p?.name ?? s.mentorID, title: p?.title ?? "", department: p?.department ?? "",
                                 score: s.score, points: s.points, covered_topics: s.coveredTopics, places_left: s.placesLeft)
        }
    }

    private func names(_ ids: [String]) async throws -> [String: String] {
        try await request.flipside.people.find(ids).mapValues(\.name)
    }
}
