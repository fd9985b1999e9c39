import FlipsideCore
import Foundation
import MatchingEngine

/// The matching workflow's answers, built once for the API and the pages (so both say the same).
struct MatchingViews {
    let scope: ServiceScope
    var reads: MatchingReads { MatchingReads(db: scope.db) }

    /// The program's snapshot fingerprint now (to tell current runs from stale ones). Kept in the result
    /// cache under what it is computed from (the enrolments table's version, the settings, the rules), so
    /// a page that reloads while a large run is computed does not read 20,000 enrolments each time.
    /// `known`: the program's enrolments as read while the enrolments table was at that version (a run's
    /// snapshot), used instead of reading them again when the table is still there.
    func currentFingerprint(_ program: Program, known: (version: Int64, enrolments: [Enrolment])? = nil) async throws -> String {
        let db = scope.db
        let rules = try await reads.rules(in: program.id)
        let versions = try await DataVersions.read(on: db)
        let key = "fingerprint|\(program.id)|\(versions.enrolments)|\(ProgramModel.encode(program.settings))|"
            + rules.map { "\($0.id) \($0.kind.rawValue) \($0.overriddenRule ?? "") \($0.reason?.count ?? 0)" }.joined(separator: ",")
        return try await scope.results.value(key) {
            let enrolments = if let known, known.version == versions.enrolments { known.enrolments } else { try await EnrolmentService(db: db).all(in: program.id) }
            return RunSnapshot.fingerprint(settings: program.settings, enrolments: enrolments, rules: rules)
        }
    }

    /// The enrolments table's version now (read before a run, to tell whether its snapshot is still current).
    func enrolmentsVersion() async throws -> Int64 { try await DataVersions.read(on: scope.db).enrolments }

    func runs(_ program: Program) async throws -> [RunListDTO] {
        let fingerprint = try await currentFingerprint(program)
        return try await reads.runs(in: program.id).map { RunListDTO($0, currentFingerprint: fingerprint) }
    }

    func run(_ id: UUID, in program: Program) async throws -> RunDTO {
        let started = ContinuousClock.now
        guard let view = try await reads.runView(id, in: program.id) else { throw MatchWorkflowError.runNotFound }
        trace("run view: read \(ContinuousClock.now - started)")
        let result = try view.decodedResult()
        trace("run view: decoded \(ContinuousClock.now - started)")
        return try await answer(view, result: result, onlyMentees: try view.onlyMentees(), in: program)
    }

    /// The answer about a run just stored, from the run in hand: the same as `run(_:in:)` reads back, without
    /// reading and decoding the result again (30 ms of a 2,000 x 2,000 run).
    /// `enrolmentsAt`: the enrolments table's version read before the run began; while it is unchanged the
    /// run's snapshot holds the program's enrolments now, and the current fingerprint is computed from them.
    func run(_ stored: MatchRun, in program: Program, enrolmentsAt version: Int64) async throws -> RunDTO {
        try await answer(RunView(stored), result: stored.result, onlyMentees: stored.onlyMentees, in: program,
                         known: (version, stored.snapshot.enrolments))
    }

    private func answer(_ view: RunView, result: RunResult?, onlyMentees: [String]?, in program: Program,
                        known: (version: Int64, enrolments: [Enrolment])? = nil) async throws -> RunDTO {
        let started = ContinuousClock.now, id = view.id
        defer { trace("run view: done \(ContinuousClock.now - started)") }
        // Only a finished run can be current (a queued run has not read its input yet).
        let status = RunStatus(rawValue: view.status) ?? .failed
        let fingerprint = status == .done ? try await currentFingerprint(program, known: known) : nil
        let current = fingerprint == view.fingerprint
        // Offered to publish exactly when the use case would publish it (and to whom may).
        let outcome = RunOutcome(status: status, fingerprint: view.fingerprint, result: result, onlyMentees: onlyMentees)
        var publishable = false
        if let fingerprint, AccessPolicy.decide(scope.actor, .change, .matchRuns).isAllowed {
            let pairs = try await allPairs(program.id)
            publishable = MatchWorkflow.publishRefusal(of: outcome, id: id, in: program, currentFingerprint: fingerprint, pairs: pairs) == nil
        }
        trace("run view: publishable \(ContinuousClock.now - started)")
        let ids = (result?.pairs ?? []).flatMap { [$0.menteeID, $0.mentorID] } + (result?.unmatchedMentees ?? []).map(\.id)
            + (result?.mentorsWithPlacesLeft ?? []).map(\.id)
        return RunDTO(view, result: result, onlyMentees: outcome.onlyMentees, current: current, canPublish: publishable, names: try await names(ids))
    }

    /// A finished run's figures (kept: a finished run never changes).
    func summary(_ id: UUID, in program: Program) async throws -> RunSummary? {
        let reads = self.reads
        return try await scope.results.value("run-summary|\(id)") {
            try await reads.runView(id, in: program.id)?.decodedResult()?.summary
        }
    }

    func compare(_ first: UUID, _ second: UUID, in program: Program) async throws -> RunComparisonDTO {
        guard let a = try await reads.runView(first, in: program.id), let b = try await reads.runView(second, in: program.id) else {
            throw MatchWorkflowError.runNotFound
        }
        guard let ra = try a.decodedResult(), let rb = try b.decodedResult() else {
            throw MatchWorkflowError.runsNotComparable
        }
        return RunComparisonDTO(first: a.id, second: b.id, comparison: RunComparison(ra, rb))
    }

    func rules(_ program: Program) async throws -> [PairRuleDTO] {
        try await reads.rules(in: program.id).map(PairRuleDTO.init)
    }

    /// Every pair of the program, as stored: kept per version of the pairs table (one copy per program),
    /// for the pages, answers and figures that read them; the use cases read their own in their transactions.
    func allPairs(_ programID: UUID) async throws -> [MentoringPair] {
        let reads = self.reads
        let version = try await DataVersions.read(on: scope.db).key([MatchingTables.pairs])
        return try await scope.results.current("pairs.\(programID)", version: version) { try await reads.pairs(in: programID) }
    }

    /// The program's pairs the actor may see (without their stories and histories).
    /// A page of the pairs the actor may see that the filter takes (oldest first), and how many it takes in all.
    func pairs(_ program: Program, filter: PairFilter = PairFilter(), page: Int = 1, per: Int = .max) async throws -> (pairs: [PairDTO], total: Int) {
        let actor = scope.actor, now = scope.now
        let taken = AccessPolicy.visiblePairs(actor, try await allPairs(program.id)).filter { filter.includes($0, now: now) }
        let start = min(taken.count, (page - 1) * min(per, taken.count + 1))
        let shown = Array(taken[start..<min(taken.count, start + per)])
        let people = try await scope.people.find(Array(Set(shown.flatMap { [$0.menteeID, $0.mentorID] })))
        return (shown.map { PairDTO($0, actor: actor, now: now, people: people, why: [], history: []) }, taken.count)
    }

    /// The pair, if the actor may see it (404 when there is none, 403 when it is not theirs).
    func visiblePair(_ id: UUID) async throws -> MentoringPair {
        guard let pair = try await reads.pair(id) else { throw MatchWorkflowError.pairNotFound }
        try scope.authorize(.view, .pair(menteeID: pair.menteeID, mentorID: pair.mentorID))
        return pair
    }

    /// One pair, if the actor may see it, with why they were paired and its history.
    func pair(_ id: UUID) async throws -> PairDTO {
        let pair = try await visiblePair(id)
        let actor = scope.actor
        let program = try await scope.programs.find(pair.programID)
        let enrolments = try await scope.enrolments.of([pair.menteeID, pair.mentorID], in: program.id)
        let directory = try await scope.people.withManagementChains(of: [pair.menteeID, pair.mentorID])
        var why: [String] = []
        if let mentee = enrolments.first(where: { $0.employeeID == pair.menteeID }), let mentor = enrolments.first(where: { $0.employeeID == pair.mentorID }) {
            why = PairStory.sentences(mentee: mentee, mentor: mentor, directory: directory, settings: program.settings,
                                      viewer: pair.side(of: actor.employeeID) ?? .mentee, reference: program.referenceDay(now: scope.now).startUTC)
        }
        return PairDTO(pair, actor: actor, now: scope.now, people: directory, why: why, history: try await reads.history(of: pair.id))
    }

    func suggestions(_ program: Program, for employeeID: String) async throws -> [SuggestionDTO] {
        let list = try await MatchWorkflow.suggestions(for: employeeID, in: program.id, actor: scope.actor, now: scope.now,
                                                       store: scope.matchingStore)
        let people = try await scope.people.find(list.map(\.mentorID))
        return list.map { s in
            let p = people[s.mentorID]
            return SuggestionDTO(mentor_id: s.mentorID, name: p?.name ?? s.mentorID, title: p?.title ?? "", department: p?.department ?? "",
                                 score: s.score, points: s.points, covered_topics: s.coveredTopics, places_left: s.placesLeft)
        }
    }

    private func names(_ ids: [String]) async throws -> [String: String] {
        try await scope.people.names(of: ids)
    }
}
