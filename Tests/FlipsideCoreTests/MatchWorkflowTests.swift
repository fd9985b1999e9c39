import FlipsideCore
import FlipsideCoreTestSupport
import Foundation
import MatchingEngine
import Testing

/// The matching workflow on an in-memory store: locks and exclusions with overrides, stored runs that
/// are reproducible and comparable, publishing with its refusals, each side's answer, re-runs for the
/// people a decline freed, and self-matching with requests, places and expiry.
@Suite struct MatchWorkflowTests {
    typealias Memory = MemoryMatchingStore

    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let coordinator = Actor.coordinator(employeeID: nil)

    static func person(_ id: String, level: Int, manager: String? = nil, department: String = "D") -> Person {
        Fixtures.person(id, level: level, name: "Name \(id)", manager: manager, department: department)
    }

    /// Seniors S1–S3 (mentees, level 8) and juniors J1–J3 (mentors, level 2); J3 reports to S3, and S3
    /// and J3 use only chat, the others video or in person: S3 has no eligible mentor.
    static func world(mode: MatchingMode = .coordinator, capacity: Int = 1, acceptance: Bool = true) -> (Memory, Program) {
        let program = Program(name: "Pilot", status: .matching,
                              settings: MatchingSettings(minLevelGap: 2, defaultCapacity: capacity, mode: mode, pairsNeedAcceptance: acceptance, requestDays: 7))
        var state = Memory.State()
        state.programs[program.id] = program
        for p in [person("S1", level: 8), person("S2", level: 8, department: "E"), person("S3", level: 8),
                  person("J1", level: 2), person("J2", level: 2, department: "E"), person("J3", level: 2, manager: "S3")] {
            state.people[p.employeeID] = p
        }
        func topic(_ t: String) -> Topic { Topic(t)! }
        state.enrolments = [
            Enrolment(programID: program.id, employeeID: "S1", role: .mentee, wants: [TopicWant(topic: topic("figma"), priority: 3)]),
            Enrolment(programID: program.id, employeeID: "S2", role: .mentee, wants: [TopicWant(topic: topic("sql"), priority: 3)]),
            Enrolment(programID: program.id, employeeID: "S3", role: .mentee, wants: [TopicWant(topic: topic("tiktok"), priority: 3)], channels: [.chat]),
            Enrolment(programID: program.id, employeeID: "J1", role: .mentor, offers: [TopicOffer(topic: topic("figma"), proficiency: 5)],
                      channels: [.video, .inPerson], capacity: capacity),
            Enrolment(programID: program.id, employeeID: "J2", role: .mentor, offers: [TopicOffer(topic: topic("sql"), proficiency: 5)],
                      channels: [.video, .inPerson], capacity: capacity),
            Enrolment(programID: program.id, employeeID: "J3", role: .mentor, offers: [TopicOffer(topic: topic("tiktok"), proficiency: 5)],
                      channels: [.chat], capacity: capacity),
        ]
        return (Memory(state), program)
    }

    static func pairs(_ run: MatchRun) -> [String] { run.result?.pairs.map { "\($0.menteeID)-\($0.mentorID)" } ?? [] }

    /// The fingerprint is taken field by field: every field of an enrolment moves it, so does each
    /// setting and rule, and nothing else (order of enrolments and rules, the rules' ids and times).
    @Test func theFingerprintCoversEveryEnrolmentField() throws {
        func topic(_ t: String) -> Topic { Topic(t)! }
        let programID = UUID()
        let base = Enrolment(programID: programID, employeeID: "A1", role: .mentor, offers: [TopicOffer(topic: topic("figma"), proficiency: 4)],
                             wants: [TopicWant(topic: topic("sql"), priority: 2)], industries: ["retail"], channels: [.video],
                             cadence: .weekly, capacity: 2, availability: [HourRange(start: 9, end: 12)!])
        let other = Enrolment(programID: programID, employeeID: "B2", role: .mentee)
        let settings = MatchingSettings()
        let lock = PairRule(programID: programID, kind: .lock, menteeID: "B2", mentorID: "A1", reason: "asked for", createdAt: Self.now)
        func print(_ e: Enrolment, settings: MatchingSettings = MatchingSettings(), rules: [PairRule] = []) -> String {
            RunSnapshot.fingerprint(settings: settings, enrolments: [e, other], rules: rules)
        }
        let original = print(base)
        var changed: [Enrolment] = []
        func with(_ change: (inout Enrolment) -> Void) { var e = base; change(&e); changed.append(e) }
        with { $0.id = UUID() }
        with { $0.programID = UUID() }
        with { $0.employeeID = "A2" }
        with { $0.role = .mentee }
        with { $0.offers[0].proficiency = 5 }
        with { $0.offers[0] = TopicOffer(topic: topic("figmb"), proficiency: 4) }
        with { $0.wants[0].priority = 3 }
        with { $0.wants = [] }
        with { $0.industries = ["retai", "l"] }
        with { $0.channels = [.chat] }
        with { $0.cadence = .monthly }
        with { $0.capacity = 3 }
        with { $0.availability = [HourRange(start: 9, end: 13)!] }
        // One change per stored field: a new field must be hashed (InputDigest.add) and get its line here.
        #expect(Mirror(reflecting: base).children.count == 11)
        let prints = changed.map { print($0) }
        #expect(!prints.contains(original) && Set(prints).count == prints.count)
        #expect(RunSnapshot.fingerprint(settings: settings, enrolments: [other, base], rules: []) == original)
        var wider = settings
        wider.minLevelGap += 1
        #expect(print(base, settings: wider) != original)
        let withLock = print(base, rules: [lock])
        var sameLockLater = lock
        sameLockLater.id = UUID()
        sameLockLater.createdAt = Self.now.addingTimeInterval(60)
        #expect(withLock != original && print(base, rules: [sameLockLater]) == withLock)
        var otherReason = lock
        otherReason.reason = "asked for it"
        #expect(print(base, rules: [otherReason]) != withLock)
    }

    @Test func aRunIsStoredReproducibleAndComparable() async throws {
        let (store, program) = Self.world()
        let clock = ManualClock(Self.now)
        let first = try await MatchWorkflow.run(in: program.id, algorithm: .optimal, actor: Self.coordinator, clock: clock, store: store)
        let again = try await MatchWorkflow.run(in: program.id, algorithm: .optimal, actor: Self.coordinator, clock: clock, store: store)
        #expect(first.status == .done && Self.pairs(first) == Self.pairs(again) && first.fingerprint == again.fingerprint)
        // S3 and J3 are in one reporting line: S3 stays unmatched, with the rule named.
        #expect(Self.pairs(first) == ["S1-J1", "S2-J2"])
        #expect(first.result?.unmatchedMentees.first?.reason == "No eligible mentor: every mentor breaks a hard rule: no_common_channel (2), same_reporting_chain (1).")
        #expect(await store.state.runs.count == 2)
        let comparison = RunComparison(first.result!, again.result!)
        #expect(comparison.onlyInFirst.isEmpty && comparison.shared.count == 2 && comparison.totalChange == 0)
        // Participants may not run the matching.
        await #expect(throws: MatchWorkflowError.refused(.forbidden(code: "forbidden", message: "Only coordinators may do this."))) {
            try await MatchWorkflow.run(in: program.id, algorithm: .optimal, actor: .participant(employeeID: "S1"), clock: clock, store: store)
        }
    }

    @Test func locksAndExclusionsAreCheckedAtOnceAndHonouredByEveryAlgorithm() async throws {
        let (store, program) = Self.world()
        let clock = ManualClock(Self.now)
        // S3–J3 breaks the reporting-chain rule: refused with the rule named, unless a reason overrides it.
        await #expect(throws: MatchWorkflowError.ruleBroken(menteeID: "S3", mentorID: "J3", rule: "same_reporting_chain")) {
            try await MatchWorkflow.addRule(.lock, menteeID: "S3", mentorID: "J3", reason: nil, in: program.id, actor: Self.coordinator, now: Self.now, store: store)
        }
        let lock = try await MatchWorkflow.addRule(.lock, menteeID: "S3", mentorID: "J3", reason: "Skip-level pairing agreed with HR",
                                                   in: program.id, actor: Self.coordinator, now: Self.now, store: store)
        #expect(lock.overriddenRule == "same_reporting_chain")
        // Unknown people are named by field.
        await #expect(throws: MatchWorkflowError.self) {
            try await MatchWorkflow.addRule(.exclusion, menteeID: "J1", mentorID: "S1", reason: nil, in: program.id, actor: Self.coordinator, now: Self.now, store: store)
        }
        _ = try await MatchWorkflow.addRule(.exclusion, menteeID: "S1", mentorID: "J1", reason: nil, in: program.id, actor: Self.coordinator, now: Self.now, store: store)
        // Locking an excluded pair is a conflict.
        await #expect(throws: MatchWorkflowError.conflictingRule("S1–J1 is excluded; remove the exclusion first.")) {
            try await MatchWorkflow.addRule(.lock, menteeID: "S1", mentorID: "J1", reason: nil, in: program.id, actor: Self.coordinator, now: Self.now, store: store)
        }
        for algorithm in MatchingAlgorithm.allCases {
            let run = try await MatchWorkflow.run(in: program.id, algorithm: algorithm, actor: Self.coordinator, clock: clock, store: store)
            #expect(run.status == .done, "\(algorithm): \(run.error ?? "")")
            let pairs = run.result?.pairs ?? []
            let locked = try #require(pairs.first { $0.menteeID == "S3" })
            #expect(locked.mentorID == "J3" && locked.locked && locked.overrideReason == "Skip-level pairing agreed with HR" && locked.score.isFinite)
            #expect(!pairs.contains { $0.menteeID == "S1" && $0.mentorID == "J1" }, "\(algorithm)")
        }
    }

    @Test func publishingTurnsARunIntoPairsAndIsRefusedWhenStaleOrDone() async throws {
        let (store, program) = Self.world()
        let clock = ManualClock(Self.now)
        let run = try await MatchWorkflow.run(in: program.id, algorithm: .optimal, actor: Self.coordinator, clock: clock, store: store)
        // A change after the run makes it stale.
        _ = try await MatchWorkflow.addRule(.exclusion, menteeID: "S2", mentorID: "J1", reason: nil, in: program.id, actor: Self.coordinator, now: Self.now, store: store)
        await #expect(throws: MatchWorkflowError.staleRun) {
            try await MatchWorkflow.publish(run.id, in: program.id, actor: Self.coordinator, now: Self.now, store: store)
        }
        let fresh = try await MatchWorkflow.run(in: program.id, algorithm: .optimal, actor: Self.coordinator, clock: clock, store: store)
        let pairs = try await MatchWorkflow.publish(fresh.id, in: program.id, actor: Self.coordinator, now: Self.now, store: store)
        #expect(pairs.map { "\($0.menteeID)-\($0.mentorID)" } == ["S1-J1", "S2-J2"] && pairs.allSatisfy { $0.status == .proposed && $0.runID == fresh.id })
        #expect(await store.state.programs[program.id]?.status == .active)
        #expect(await store.state.events.count == 2)
        // The same run again: already published (whatever the program's status has become).
        await #expect(throws: MatchWorkflowError.alreadyPublished) {
            try await MatchWorkflow.publish(fresh.id, in: program.id, actor: Self.coordinator, now: Self.now, store: store)
        }
    }

    @Test func bothSidesAnswerADeclineBecomesAnExclusionAndFreedPeopleAreRerun() async throws {
        let (store, program) = Self.world(capacity: 2)
        let clock = ManualClock(Self.now)
        let run = try await MatchWorkflow.run(in: program.id, algorithm: .optimal, actor: Self.coordinator, clock: clock, store: store)
        let pairs = try await MatchWorkflow.publish(run.id, in: program.id, actor: Self.coordinator, now: Self.now, store: store)
        let s1 = try #require(pairs.first { $0.menteeID == "S1" })
        let s2 = try #require(pairs.first { $0.menteeID == "S2" })
        // Someone else cannot answer; a coordinator does not answer for people.
        await #expect(throws: MatchWorkflowError.refused(.forbidden(code: "forbidden", message: "A participant sees and answers only their own pairs."))) {
            try await MatchWorkflow.respond(to: s1.id, accept: true, reason: nil, actor: .participant(employeeID: "S2"), now: Self.now, store: store)
        }
        await #expect(throws: MatchWorkflowError.self) {
            try await MatchWorkflow.respond(to: s1.id, accept: true, reason: nil, actor: Self.coordinator, now: Self.now, store: store)
        }
        let half = try await MatchWorkflow.respond(to: s1.id, accept: true, reason: nil, actor: .participant(employeeID: "S1"), now: Self.now, store: store)
        #expect(half.status == .proposed && half.menteeAccepted == true)
        let both = try await MatchWorkflow.respond(to: s1.id, accept: true, reason: nil, actor: .participant(employeeID: "J1"), now: Self.now, store: store)
        #expect(both.status == .accepted)
        let declined = try await MatchWorkflow.respond(to: s2.id, accept: false, reason: "Not the topic I need", actor: .participant(employeeID: "S2"),
                                                       now: Self.now, store: store)
        #expect(declined.status == .declined)
        #expect(await store.state.rules.contains { $0.kind == .exclusion && $0.menteeID == "S2" && $0.mentorID == "J2" })
        #expect(await store.state.events.contains { $0.pairID == s2.id && $0.reason == "Not the topic I need" && $0.actor == "S2" })
        await #expect(throws: MatchWorkflowError.notAnswerable(.declined)) {
            try await MatchWorkflow.respond(to: s2.id, accept: true, reason: nil, actor: .participant(employeeID: "S2"), now: Self.now, store: store)
        }
        // The re-run pairs only S2 (and S3, who was left out), around the places S1–J1 holds.
        let rerun = try await MatchWorkflow.run(in: program.id, algorithm: .optimal, actor: Self.coordinator, clock: clock, store: store)
        #expect(rerun.onlyMentees == ["S2", "S3"])
        #expect(!Self.pairs(rerun).contains { $0.hasPrefix("S1") } && !Self.pairs(rerun).contains("S2-J2"))
        let added = try await MatchWorkflow.publish(rerun.id, in: program.id, actor: Self.coordinator, now: Self.now, store: store)
        #expect(added.allSatisfy { $0.menteeID == "S2" } && !added.isEmpty)
        #expect(await store.state.pairs.filter { $0.status.isCurrent }.count == 2)
    }

    @Test func inSelfMatchingMenteesRequestAndTheLastPlaceClosesOtherRequests() async throws {
        let (store, program) = Self.world(mode: .selfService)
        let s1 = Actor.participant(employeeID: "S1"), s2 = Actor.participant(employeeID: "S2")
        let suggestions = try await MatchWorkflow.suggestions(for: "S1", in: program.id, actor: s1, now: Self.now, store: store)
        #expect(suggestions.first?.mentorID == "J1" && suggestions.first?.coveredTopics == ["figma"])
        await #expect(throws: MatchWorkflowError.self) {
            try await MatchWorkflow.suggestions(for: "S1", in: program.id, actor: s2, now: Self.now, store: store)
        }
        // S3 may not ask J3 (one reporting line).
        await #expect(throws: MatchWorkflowError.notEligible("J3 cannot be your mentor here: neither may be in the other's management chain.")) {
            try await MatchWorkflow.request(mentorID: "J3", for: "S3", in: program.id, actor: .participant(employeeID: "S3"), now: Self.now, store: store)
        }
        let first = try await MatchWorkflow.request(mentorID: "J1", for: "S1", in: program.id, actor: s1, now: Self.now, store: store)
        await #expect(throws: MatchWorkflowError.menteeAlreadyPaired(menteeID: "S1")) {
            try await MatchWorkflow.request(mentorID: "J2", for: "S1", in: program.id, actor: s1, now: Self.now, store: store)
        }
        let second = try await MatchWorkflow.request(mentorID: "J1", for: "S2", in: program.id, actor: s2, now: Self.now, store: store)
        #expect(first.status == .requested && first.expiresAt == Self.now.addingTimeInterval(7 * 86_400))
        // The mentee cannot accept their own request; the mentor can.
        await #expect(throws: MatchWorkflowError.notAnswerable(.requested)) {
            try await MatchWorkflow.respond(to: first.id, accept: true, reason: nil, actor: s1, now: Self.now, store: store)
        }
        let accepted = try await MatchWorkflow.respond(to: first.id, accept: true, reason: nil, actor: .participant(employeeID: "J1"), now: Self.now, store: store)
        #expect(accepted.status == .accepted)
        // J1's one place is filled: S2's request is declined with that reason, and J1 is no longer suggested.
        let other = await store.state.pairs.first { $0.id == second.id }
        #expect(other?.status == .declined)
        #expect(await store.state.events.contains { $0.pairID == second.id && $0.reason == "J1's last place was filled" })
        let now = try await MatchWorkflow.suggestions(for: "S2", in: program.id, actor: s2, now: Self.now, store: store)
        #expect(!now.contains { $0.mentorID == "J1" })
        await #expect(throws: MatchWorkflowError.placeTaken(mentorID: "J1")) {
            try await MatchWorkflow.request(mentorID: "J1", for: "S2", in: program.id, actor: s2, now: Self.now, store: store)
        }
        // A request nobody answers lapses after the program's days, and the mentee may ask again.
        let late = try await MatchWorkflow.request(mentorID: "J2", for: "S2", in: program.id, actor: s2, now: Self.now, store: store)
        let later = Self.now.addingTimeInterval(7 * 86_400 + 1)
        await #expect(throws: MatchWorkflowError.requestExpired) {
            try await MatchWorkflow.respond(to: late.id, accept: true, reason: nil, actor: .participant(employeeID: "J2"), now: later, store: store)
        }
        #expect(await store.state.pairs.first { $0.id == late.id }?.effectiveStatus(now: later) == .expired)
        _ = try await MatchWorkflow.request(mentorID: "J2", for: "S2", in: program.id, actor: s2, now: later, store: store)
        #expect(await store.state.pairs.first { $0.id == late.id }?.status == .expired)
        // The coordinator does not run matches in a self-matching program.
        await #expect(throws: MatchWorkflowError.wrongMode(.selfService)) {
            try await MatchWorkflow.run(in: program.id, algorithm: .optimal, actor: Self.coordinator, clock: ManualClock(Self.now), store: store)
        }
    }

    /// A background run is stored queued and scheduled; a worker computes it to the same pairs as a run
    /// computed at once; a run found running (its worker stopped) is marked failed, never left running.
    @Test func aBackgroundRunIsQueuedComputedByAWorkerAndNeverLeftRunning() async throws {
        let (store, program) = Self.world()
        let clock = ManualClock(Self.now)
        let inline = try await MatchWorkflow.run(in: program.id, algorithm: .optimal, actor: Self.coordinator, clock: clock, store: store)
        let queued = try await MatchWorkflow.run(in: program.id, algorithm: .optimal, actor: Self.coordinator, clock: clock, store: store, background: true)
        #expect(queued.status == .queued && queued.result == nil)
        #expect(await store.state.scheduled == [queued.id])
        try await MatchWorkflow.computeQueued(queued.id, in: program.id, clock: clock, store: store) { MatchWorkflow.compute($0, now: { clock.now }) }
        let done = try #require(await store.state.runs.first { $0.id == queued.id })
        #expect(done.status == .done && Self.pairs(done) == Self.pairs(inline))
        // Running again does nothing to a finished run.
        try await MatchWorkflow.computeQueued(queued.id, in: program.id, clock: clock, store: store) { _ in Issue.record("computed twice"); return done }
        // A run left running by a stopped worker is failed with the reason when its job comes round again.
        let stuck = try await MatchWorkflow.run(in: program.id, algorithm: .fair, actor: Self.coordinator, clock: clock, store: store, background: true)
        await store.update { state in
            if let i = state.runs.firstIndex(where: { $0.id == stuck.id }) { state.runs[i].status = .running }
        }
        try await MatchWorkflow.computeQueued(stuck.id, in: program.id, clock: clock, store: store) { _ in Issue.record("computed a stuck run"); return stuck }
        let failed = try #require(await store.state.runs.first { $0.id == stuck.id })
        #expect(failed.status == .failed && failed.error?.contains("stopped") == true)
    }

    /// People paired in an earlier program are not paired again unless the program allows it: runs keep
    /// them apart, a lock needs a reason, and a mentee cannot request that mentor.
    @Test func peoplePairedBeforeAreNotPairedAgainByDefault() async throws {
        let (store, program) = Self.world()
        let clock = ManualClock(Self.now)
        let earlier = UUID()
        await store.update { state in
            state.pairs.append(MentoringPair(programID: earlier, menteeID: "S1", mentorID: "J1", status: .accepted, source: .run, score: 80,
                                             menteeAccepted: true, mentorAccepted: true, createdAt: Self.now))
        }
        let run = try await MatchWorkflow.run(in: program.id, algorithm: .optimal, actor: Self.coordinator, clock: clock, store: store)
        #expect(!Self.pairs(run).contains("S1-J1") && Self.pairs(run).count == 2, "\(Self.pairs(run))")
        #expect(run.snapshot.pastPairs == [["S1", "J1"]])
        await #expect(throws: MatchWorkflowError.ruleBroken(menteeID: "S1", mentorID: "J1", rule: "paired_before")) {
            try await MatchWorkflow.addRule(.lock, menteeID: "S1", mentorID: "J1", reason: nil, in: program.id, actor: Self.coordinator, now: Self.now, store: store)
        }
        let lock = try await MatchWorkflow.addRule(.lock, menteeID: "S1", mentorID: "J1", reason: "A second round, both asked for it",
                                                   in: program.id, actor: Self.coordinator, now: Self.now, store: store)
        #expect(lock.overriddenRule == "paired_before")
        let locked = try await MatchWorkflow.run(in: program.id, algorithm: .optimal, actor: Self.coordinator, clock: clock, store: store)
        #expect(Self.pairs(locked).contains("S1-J1"))
        // Allowed by the program: paired like anyone else.
        let (open, openProgram) = Self.world(mode: .selfService)
        await open.update { state in
            state.programs[openProgram.id]?.settings.allowRepeatPairs = false
            state.pairs.append(MentoringPair(programID: earlier, menteeID: "S1", mentorID: "J1", status: .accepted, source: .run, score: 80,
                                             menteeAccepted: true, mentorAccepted: true, createdAt: Self.now))
        }
        await #expect(throws: MatchWorkflowError.notEligible("J1 cannot be your mentor here: they were paired in an earlier program.")) {
            try await MatchWorkflow.request(mentorID: "J1", for: "S1", in: openProgram.id, actor: .participant(employeeID: "S1"), now: Self.now, store: open)
        }
        await open.update { state in state.programs[openProgram.id]?.settings.allowRepeatPairs = true }
        let request = try await MatchWorkflow.request(mentorID: "J1", for: "S1", in: openProgram.id, actor: .participant(employeeID: "S1"), now: Self.now, store: open)
        #expect(request.status == .requested)
    }
}
