import Foundation
import MatchingEngine

/// What the matching workflow reads and writes inside one unit of work. The server implements it on the
/// database (a write transaction holding the program's row); Core's tests in memory.
public protocol MatchingWork: Sendable {
    /// The program, its row held until the work ends.
    func heldProgram(_ id: UUID) async throws -> Program?
    func enrolments(in programID: UUID) async throws -> [Enrolment]
    /// The given people and everyone above them in the reporting lines.
    func directory(for employeeIDs: [String]) async throws -> [String: Person]
    func rules(in programID: UUID) async throws -> [PairRule]
    func insertRule(_ rule: PairRule) async throws
    func deleteRule(_ id: UUID, in programID: UUID) async throws -> Bool
    func run(_ id: UUID, in programID: UUID) async throws -> MatchRun?
    /// What publishing needs of a run: everything but its input snapshot (megabytes for a large program).
    func runOutcome(_ id: UUID, in programID: UUID) async throws -> RunOutcome?
    func insertRun(_ run: MatchRun) async throws
    /// Stores a run's new status, result or error.
    func updateRun(_ run: MatchRun) async throws
    /// Marks a run `running` (its input is stored with its result).
    func markRunning(_ id: UUID) async throws
    /// How many mentees the program has (to decide whether a run goes to the background).
    func menteeCount(in programID: UUID) async throws -> Int
    /// Asks for a queued run to be computed in the background (with the write that stored it).
    func scheduleRun(_ id: UUID, in programID: UUID, at: Date) async throws
    func pairs(in programID: UUID) async throws -> [MentoringPair]
    func pair(_ id: UUID) async throws -> MentoringPair?
    /// Stores new pairs; throws `MatchWorkflowError.menteeAlreadyPaired` when the database's "one current
    /// pair per mentee and program" fires (another request got there first).
    func insertPairs(_ pairs: [MentoringPair], events: [PairEvent]) async throws
    func updatePair(_ pair: MentoringPair, event: PairEvent) async throws
    func setProgramStatus(_ id: UUID, _ status: ProgramStatus) async throws
    /// Pairs of these people that were accepted in other programs, as (mentee, mentor).
    func earlierPairs(among employeeIDs: [String], except programID: UUID) async throws -> [[String]]
    /// Holds the mentor's enrolment until the work ends, so that two units of work filling their places
    /// run one after the other.
    func holdMentor(_ employeeID: String, in programID: UUID) async throws
    /// Queues messages with the change (`Notices` decides which).
    func notify(_ notices: [Notice]) async throws
}

public protocol MatchingStore: Sendable {
    func atomically<T: Sendable>(_ body: @escaping @Sendable (any MatchingWork) async throws -> T) async throws -> T
    /// Reads without writing: what a background run reads of its input (seconds for a large program)
    /// need not hold the write lock.
    func reading<T: Sendable>(_ body: @escaping @Sendable (any MatchingWork) async throws -> T) async throws -> T
    /// Stores a finished background run (a store may prepare the write first, outside the unit of work).
    func finish(_ run: MatchRun) async throws
}

extension MatchingStore {
    public func finish(_ run: MatchRun) async throws {
        try await atomically { work in try await work.updateRun(run) }
    }

    /// Reads without writing (a store may use a lighter unit than `atomically`).
    public func reading<T: Sendable>(_ body: @escaping @Sendable (any MatchingWork) async throws -> T) async throws -> T {
        try await atomically(body)
    }
}

/// A stored run without its input snapshot.
public struct RunOutcome: Sendable {
    public var status: RunStatus
    public var fingerprint: String
    public var result: RunResult?
    public var onlyMentees: [String]?
    public init(status: RunStatus, fingerprint: String, result: RunResult?, onlyMentees: [String]?) {
        self.status = status
        self.fingerprint = fingerprint
        self.result = result
        self.onlyMentees = onlyMentees
    }
}

/// Why a step of the workflow was refused. The server maps each case to its answer once.
public enum MatchWorkflowError: Error, Equatable, Sendable {
    case programNotFound
    case runNotFound
    case pairNotFound
    case ruleNotFound
    case wrongStatus(ProgramStatus, allowed: [ProgramStatus], doing: String)
    case wrongMode(MatchingMode)
    case invalid([FieldProblem])
    /// A lock on a pair that breaks a hard rule, without a written reason.
    case ruleBroken(menteeID: String, mentorID: String, rule: String)
    case conflictingRule(String)
    case runNotDone(RunStatus)
    /// Two runs compared, one of them not finished.
    case runsNotComparable
    case staleRun
    case alreadyPublished
    case run(RunError)
    case notAnswerable(PairStatus)
    case requestExpired
    case placeTaken(mentorID: String)
    case menteeAlreadyPaired(menteeID: String)
    case notEligible(String)
    case refused(AccessDecision)

    public var message: String {
        switch self {
        case .programNotFound: return "Program was not found."
        case .runNotFound: return "Match run was not found."
        case .pairNotFound: return "Pair was not found."
        case .ruleNotFound: return "Lock or exclusion was not found."
        case let .wrongStatus(status, allowed, doing):
            return "\(doing) needs a program in \(allowed.map(\.rawValue).joined(separator: " or ")); this one is \(status.rawValue)."
        case let .wrongMode(mode):
            return mode == .selfService ? "This program lets mentees choose their mentor; the coordinator does not run or publish matches."
                : "In this program the coordinator runs the matching; mentees do not request mentors."
        case let .invalid(problems): return problems.map { "\($0.field) \($0.reason)" }.joined(separator: "; ")
        case let .ruleBroken(mentee, mentor, rule):
            return "\(mentee)–\(mentor) breaks the \(rule) rule (\(EligibilityRule(rawValue: rule)?.explanation ?? rule)). To pair them anyway, give a written reason to override it."
        case let .conflictingRule(text): return text
        case let .runNotDone(status): return "Only a finished run can be published; this one is \(status.rawValue)."
        case .runsNotComparable: return "Only finished runs can be compared."
        case .staleRun: return "The program's enrolments, locks or exclusions changed after this run. Run the matching again and publish the new run."
        case .alreadyPublished: return "This program's pairs are already published. Re-run for the people left without a partner instead."
        case let .run(error): return error.message
        case let .notAnswerable(status): return "This pair is \(status.rawValue); there is nothing to answer."
        case .requestExpired: return "This request expired before it was answered."
        case let .placeTaken(mentor): return "\(mentor) has no place left: it was taken a moment ago."
        case let .menteeAlreadyPaired(mentee): return "\(mentee) already has a current pair or request in this program."
        case let .notEligible(text): return text
        case .refused: return "You are not allowed to do this."
        }
    }
}

extension EligibilityRule {
    /// The rule in a sentence.
    public var explanation: String {
        switch self {
        case .levelGap: return "the mentee must be enough levels above the mentor"
        case .sameReportingChain: return "neither may be in the other's management chain"
        case .sharedManager: return "they may not share a direct manager"
        case .noCommonChannel: return "they need a meeting channel both use"
        case .excluded: return "the coordinator excluded this pair"
        case .pairedBefore: return "they were paired in an earlier program"
        }
    }
}

/// The matching workflow: locks and exclusions, stored runs, publishing pairs, and each side's answer.
public enum MatchWorkflow {
    // MARK: Locks and exclusions

    /// Locks (pairs by hand) or excludes a pair. A lock is checked against the hard rules at once: a
    /// rule break is refused with the rule named, unless `reason` says why to override it.
    public static func addRule(_ kind: PairRule.Kind, menteeID: String, mentorID: String, reason: String?, in programID: UUID,
                               actor: Actor, now: Date, store: any MatchingStore) async throws -> PairRule {
        try allow(actor, .change, .matchRuns)
        let reason = reason?.trimmed ?? ""
        if let problem = TextLimits.problem(reason, most: TextLimits.long, multiline: true) {
            throw MatchWorkflowError.invalid([FieldProblem(field: "reason", reason: problem)])
        }
        return try await store.atomically { work in
            let program = try await requireProgram(programID, in: [.matching, .active], doing: "Locking or excluding pairs", work)
            let enrolments = try await work.enrolments(in: programID)
            var problems: [FieldProblem] = []
            let mentee = enrolments.first { $0.employeeID == menteeID && $0.role == .mentee }
            let mentor = enrolments.first { $0.employeeID == mentorID && $0.role == .mentor }
            if mentee == nil { problems.append(FieldProblem(field: "mentee_id", reason: "\(TextLimits.preview(menteeID)) is not enrolled as a mentee in this program")) }
            if mentor == nil { problems.append(FieldProblem(field: "mentor_id", reason: "\(TextLimits.preview(mentorID)) is not enrolled as a mentor in this program")) }
            guard problems.isEmpty, let mentor else { throw MatchWorkflowError.invalid(problems) }
            let rules = try await work.rules(in: programID)
            if let same = rules.first(where: { $0.kind == kind && $0.menteeID == menteeID && $0.mentorID == mentorID }) { return same }
            if rules.contains(where: { $0.kind != kind && $0.menteeID == menteeID && $0.mentorID == mentorID }) {
                throw MatchWorkflowError.conflictingRule(kind == .lock ? "\(menteeID)–\(mentorID) is excluded; remove the exclusion first."
                                                                       : "\(menteeID)–\(mentorID) is locked; remove the lock first.")
            }
            var rule = PairRule(programID: programID, kind: kind, menteeID: menteeID, mentorID: mentorID,
                                reason: reason.isEmpty ? nil : reason, createdAt: now)
            if kind == .lock {
                let locks = rules.filter { $0.kind == .lock }
                if let other = locks.first(where: { $0.menteeID == menteeID }) {
                    throw MatchWorkflowError.conflictingRule("\(menteeID) is already locked to \(other.mentorID); remove that lock first.")
                }
                let places = mentor.capacity
                if locks.filter({ $0.mentorID == mentorID }).count >= places {
                    throw MatchWorkflowError.conflictingRule("\(mentorID) already has \(places) locked mentee(s), all their places.")
                }
                if let broken = try await brokenRule(menteeID: menteeID, mentorID: mentorID, settings: program.settings,
                                                     enrolments: enrolments, reference: program.referenceDay(now: now).startUTC, work: work) {
                    guard !reason.isEmpty else { throw MatchWorkflowError.ruleBroken(menteeID: menteeID, mentorID: mentorID, rule: broken.rawValue) }
                    rule.overriddenRule = broken.rawValue
                }
            }
            try await work.insertRule(rule)
            return rule
        }
    }

    public static func removeRule(_ id: UUID, in programID: UUID, actor: Actor, store: any MatchingStore) async throws {
        try allow(actor, .change, .matchRuns)
        try await store.atomically { work in
            _ = try await requireProgram(programID, in: [.matching, .active], doing: "Removing a lock or exclusion", work)
            guard try await work.deleteRule(id, in: programID) else { throw MatchWorkflowError.ruleNotFound }
        }
    }

    /// The hard rule a pair breaks under the program's settings (ignoring exclusions), if any.
    static func brokenRule(menteeID: String, mentorID: String, settings: MatchingSettings, enrolments: [Enrolment], reference: Date,
                           work: any MatchingWork) async throws -> EligibilityRule? {
        let two = enrolments.filter { $0.employeeID == menteeID || $0.employeeID == mentorID }
        let directory = try await work.directory(for: [menteeID, mentorID])
        var rules = settings.rules
        if !settings.allowRepeatPairs, let programID = two.first?.programID {
            rules.pastPairs = try await work.earlierPairs(among: [menteeID, mentorID], except: programID)
        }
        let input = MatchInput(people: directory, enrolments: two, rules: rules, reference: reference)
        guard input.mentees.count == 1, input.mentors.count == 1 else { return nil }
        return ScoringProblem(mentees: input.mentees, mentors: input.mentors, rules: rules).brokenRule(mentee: 0, mentor: 0)
    }

    // MARK: Runs

    /// What a run of the program would be computed from now, read in one unit of work.
    public struct Prepared: Sendable {
        public var run: MatchRun
        public var directory: [String: Person]
        public var held: [String: Int]
        public var heldMentees: Set<String>
    }

    /// Reads the program's snapshot for a new run (queued, not yet computed). In `matching` it pairs
    /// everyone; in `active` it pairs only the mentees without a current pair, around the places that
    /// current pairs hold.
    public static func prepareRun(in programID: UUID, algorithm: MatchingAlgorithm, objective: Objective, actor: Actor, now: Date,
                                  store: any MatchingStore) async throws -> Prepared {
        try allow(actor, .create, .matchRuns)
        let started = ContinuousClock.now
        defer { trace("prepare run: \(ContinuousClock.now - started)") }
        return try await store.atomically { work in
            let program = try await runnableProgram(programID, work)
            return try await prepare(queuedRun(in: program, algorithm: algorithm, objective: objective, now: now), program: program, now: now, work)
        }
    }

    /// The program, when a run may be made in it now.
    static func runnableProgram(_ programID: UUID, _ work: any MatchingWork) async throws -> Program {
        guard let program = try await work.heldProgram(programID) else { throw MatchWorkflowError.programNotFound }
        try checkRunnable(program)
        return program
    }

    /// A run is made in a program in matching or active whose coordinator runs the matching.
    static func checkRunnable(_ program: Program) throws(MatchWorkflowError) {
        guard program.status.isPairing else { throw .wrongStatus(program.status, allowed: ProgramStatus.allCases.filter(\.isPairing), doing: "A match run") }
        guard program.settings.mode == .coordinator else { throw .wrongMode(program.settings.mode) }
    }

    /// A new run, queued: its input is read when it is computed.
    static func queuedRun(in program: Program, algorithm: MatchingAlgorithm, objective: Objective, now: Date) -> MatchRun {
        MatchRun(programID: program.id, algorithm: algorithm, objective: objective, status: .queued,
                 snapshot: RunSnapshot(settings: program.settings, enrolments: [], rules: [], referenceDay: program.referenceDay(now: now)),
                 createdAt: now)
    }

    /// Reads what `run` is computed from, as the program holds it now: its settings, enrolments, locks
    /// and exclusions, earlier pairs, and in an active program the places current pairs hold.
    static func prepare(_ run: MatchRun, program: Program, now: Date, _ work: any MatchingWork) async throws -> Prepared {
        let programID = program.id, started = ContinuousClock.now
        let enrolments = try await work.enrolments(in: programID)
        trace("prepare run: enrolments \(ContinuousClock.now - started)")
        let rules = try await work.rules(in: programID)
        var held: [String: Int] = [:]
        var heldMentees = Set<String>()
        if program.status == .active {
            for pair in try await work.pairs(in: programID) where pair.status.holdsPlaces {
                held[pair.mentorID, default: 0] += 1
                heldMentees.insert(pair.menteeID)
            }
        }
        let past = program.settings.allowRepeatPairs ? [] : try await work.earlierPairs(among: enrolments.map(\.employeeID), except: programID)
        trace("prepare run: earlier pairs \(ContinuousClock.now - started)")
        let snapshot = RunSnapshot(settings: program.settings, enrolments: enrolments, rules: rules,
                                   referenceDay: program.referenceDay(now: now), pastPairs: past)
        let only = program.status == .active ? enrolments.filter { $0.role == .mentee && !heldMentees.contains($0.employeeID) }.map(\.employeeID) : nil
        var prepared = run
        prepared.snapshot = snapshot
        prepared.fingerprint = snapshot.fingerprint
        prepared.onlyMentees = only
        trace("prepare run: fingerprint \(ContinuousClock.now - started)")
        let directory = try await work.directory(for: enrolments.map(\.employeeID))
        trace("prepare run: directory \(ContinuousClock.now - started)")
        return Prepared(run: prepared, directory: directory, held: held, heldMentees: heldMentees)
    }

    /// Computes a prepared run: `done` with its result, or `failed` with the reason (a lock that now
    /// breaks a rule, too many locks).
    public static func compute(_ prepared: Prepared, now: @Sendable () -> Date) -> MatchRun {
        var run = prepared.run
        do {
            run.result = try MatchRunning.compute(run.snapshot, directory: prepared.directory, algorithm: run.algorithm,
                                                  objective: run.objective, held: (prepared.held, prepared.heldMentees))
            run.status = .done
        } catch {
            run.status = .failed
            run.error = ((error as? RunError) ?? .engine(String(describing: error))).message
        }
        run.finishedAt = now()
        return run
    }

    /// Runs with more mentees than this are computed in the background: the request returns at once
    /// with the queued run.
    public static let backgroundThreshold = 2_000

    /// Runs the matching and stores the run: computed now (`done` or `failed`), or, for a program with
    /// more than `backgroundThreshold` mentees (or when `background` says so), stored `queued` and
    /// scheduled for a worker.
    public static func run(in programID: UUID, algorithm: MatchingAlgorithm, objective: Objective = .participation, actor: Actor,
                           clock: any WallClock, store: any MatchingStore, background: Bool? = nil,
                           computing: (@Sendable (Prepared) async -> MatchRun)? = nil) async throws -> MatchRun {
        try allow(actor, .create, .matchRuns)
        // A large program's run is queued at once; the worker reads its input when it starts.
        let now = clock.now
        let queued: MatchRun? = try await store.atomically { work in
            let program = try await runnableProgram(programID, work)
            let large: Bool
            if let background { large = background } else { large = try await work.menteeCount(in: programID) > backgroundThreshold }
            guard large else { return nil }
            let run = queuedRun(in: program, algorithm: algorithm, objective: objective, now: now)
            try await work.insertRun(run)
            try await work.scheduleRun(run.id, in: programID, at: now)
            return run
        }
        if let queued { return queued }
        let prepared = try await prepareRun(in: programID, algorithm: algorithm, objective: objective, actor: actor, now: clock.now, store: store)
        let run = if let computing { await computing(prepared) } else { compute(prepared, now: { clock.now }) }
        try await store.atomically { work in try await work.insertRun(run) }
        return run
    }

    /// A worker's part of a background run: marks it running, computes it with `computing` (off the
    /// caller's threads, in the server), and stores the outcome. A run found already `running` was being
    /// computed when its worker stopped (a restart): it is marked failed, never left running.
    public static func computeQueued(_ runID: UUID, in programID: UUID, clock: any WallClock, store: any MatchingStore,
                                     computing: @Sendable (Prepared) async -> MatchRun) async throws {
        let began = ContinuousClock.now
        // Claim the run (a short write), then read its input without holding the write lock.
        let claimed: (run: MatchRun, program: Program)? = try await store.atomically { work -> (run: MatchRun, program: Program)? in
            guard var run = try await work.run(runID, in: programID) else { return nil }
            func fail(_ reason: String) async throws {
                run.status = .failed
                run.error = reason
                run.finishedAt = clock.now
                try await work.updateRun(run)
            }
            switch run.status {
            case .queued:
                // A program moved on meanwhile fails the run.
                guard let program = try await work.heldProgram(programID) else { return nil }
                do throws(MatchWorkflowError) {
                    try checkRunnable(program)
                } catch {
                    try await fail(error.message)
                    return nil
                }
                try await work.markRunning(run.id)
                run.status = .running
                return (run, program)
            case .running:
                try await fail("The server stopped while this run was being computed. Start it again.")
                return nil
            case .done, .failed:
                return nil
            }
        }
        guard let claimed else { return }
        let started = try await store.reading { work in try await prepare(claimed.run, program: claimed.program, now: clock.now, work) }
        trace("background run read: \(ContinuousClock.now - began)")
        let finished = await computing(started)
        trace("background run computed: \(ContinuousClock.now - began)")
        try await store.finish(finished)
        trace("background run stored: \(ContinuousClock.now - began)")
    }

    // MARK: Publishing

    /// Turns a finished run into pairs: `proposed`, or `accepted` when the program does not ask people
    /// to accept; the program moves to `active`. For a re-run in an active program, adds the new pairs.
    /// Refused when the run is stale, when pairs are already published (for a first run), or when the
    /// program is in another status.
    public static func publish(_ runID: UUID, in programID: UUID, actor: Actor, now: Date, store: any MatchingStore) async throws -> [MentoringPair] {
        try allow(actor, .change, .matchRuns)
        let began = ContinuousClock.now
        defer { trace("publish: \(ContinuousClock.now - began)") }
        return try await store.atomically { work in
            let program = try await requireProgram(programID, in: [.matching, .active], doing: "Publishing pairs", work)
            guard let run = try await work.runOutcome(runID, in: programID) else { throw MatchWorkflowError.runNotFound }
            trace("publish: run read \(ContinuousClock.now - began)")
            guard run.status == .done, let result = run.result else { throw MatchWorkflowError.runNotDone(run.status) }
            let enrolmentsNow = try await work.enrolments(in: programID)
            trace("publish: enrolments read \(ContinuousClock.now - began)")
            let current = RunSnapshot.fingerprint(settings: program.settings, enrolments: enrolmentsNow,
                                                  rules: try await work.rules(in: programID))
            if let refusal = publishRefusal(of: run, id: runID, in: program, currentFingerprint: current, pairs: try await work.pairs(in: programID)) {
                throw refusal
            }
            trace("publish: checked \(ContinuousClock.now - began)")
            let status: PairStatus = program.settings.pairsNeedAcceptance ? .proposed : .accepted
            let pairs = result.pairs.map { p in
                MentoringPair(programID: programID, menteeID: p.menteeID, mentorID: p.mentorID, status: status, source: .run, runID: runID,
                              score: p.score, overriddenRule: p.overriddenRule, overrideReason: p.overrideReason,
                              menteeAccepted: status == .accepted ? true : nil, mentorAccepted: status == .accepted ? true : nil, createdAt: now)
            }
            let events = pairs.map { PairEvent(pairID: $0.id, status: status, at: now, actor: actor.historyName, reason: "published from run \(runID.uuidString.lowercased().prefix(8))") }
            try await work.insertPairs(pairs, events: events)
            try await work.notify(Notices.published(pairs, now: now))
            trace("publish: stored \(ContinuousClock.now - began)")
            if program.status == .matching {
                try await work.setProgramStatus(programID, .active)
                var active = program
                active.status = .active
                try await work.notify(Notices.statusChanged(active, now: now))
            }
            return pairs
        }
    }

    /// Why `run` cannot be published into `program` now, or `nil` when it can: finished, made from the
    /// program as it is now (`currentFingerprint`), a first run into a program in matching without pairs
    /// yet, a re-run into an active program whose mentees are all still free. The one rule `publish`
    /// enforces and the run's page and answer ask before offering to publish.
    public static func publishRefusal(of run: RunOutcome, id runID: UUID, in program: Program, currentFingerprint: String,
                                      pairs: [MentoringPair]) -> MatchWorkflowError? {
        guard run.status == .done, let result = run.result else { return .runNotDone(run.status) }
        // This very run's pairs are out already: say so (whatever the program's status has become since).
        if pairs.contains(where: { $0.runID == runID }) { return .alreadyPublished }
        guard currentFingerprint == run.fingerprint else { return .staleRun }
        if run.onlyMentees == nil {
            guard program.status == .matching else { return .wrongStatus(program.status, allowed: [.matching], doing: "Publishing a first run") }
            guard !pairs.contains(where: { $0.status.isCurrent }) else { return .alreadyPublished }
        } else {
            // A re-run: the places it counted on must still be free.
            let heldNow = Set(pairs.filter { $0.status.isCurrent }.map(\.menteeID))
            if let taken = result.pairs.first(where: { heldNow.contains($0.menteeID) }) { return .menteeAlreadyPaired(menteeID: taken.menteeID) }
            guard program.status == .active else { return .wrongStatus(program.status, allowed: [.active], doing: "Publishing a re-run") }
        }
        return nil
    }

    // MARK: Answers

    /// One side's answer to a proposed pair, or a mentor's to a request. A decline frees the places and
    /// becomes an exclusion. Accepting a request takes one of the mentor's places: checked with the
    /// mentor's enrolment held, so of two answers for the last place exactly one succeeds; when the last
    /// place fills, the mentor's other open requests are declined with that reason.
    public static func respond(to pairID: UUID, accept: Bool, reason: String?, actor: Actor, now: Date,
                               store: any MatchingStore) async throws -> MentoringPair {
        let reason = reason?.trimmed ?? ""
        if let problem = TextLimits.problem(reason, most: TextLimits.long, multiline: true) {
            throw MatchWorkflowError.invalid([FieldProblem(field: "reason", reason: problem)])
        }
        return try await store.atomically { work in
            guard var pair = try await work.pair(pairID) else { throw MatchWorkflowError.pairNotFound }
            try allow(actor, .change, .pair(menteeID: pair.menteeID, mentorID: pair.mentorID))
            guard let side = pair.side(of: actor.employeeID) else {
                throw MatchWorkflowError.refused(.forbidden(code: "forbidden", message: "Only the two people in a pair answer for it."))
            }
            guard let program = try await work.heldProgram(pair.programID) else { throw MatchWorkflowError.programNotFound }
            switch pair.status {
            case .requested:
                guard side == .mentor else { throw MatchWorkflowError.notAnswerable(pair.status) }
                // (Marked expired in storage by the next request in the program; shown as expired meanwhile.)
                if pair.effectiveStatus(now: now) == .expired { throw MatchWorkflowError.requestExpired }
            case .proposed: break
            case .declined where pair.source == .request && pair.mentorAccepted == nil && side == .mentor:
                // Declined by no one's answer: the mentor's last place went to another request a moment ago.
                throw MatchWorkflowError.placeTaken(mentorID: pair.mentorID)
            default: throw MatchWorkflowError.notAnswerable(pair.status)
            }
            if !accept {
                pair.status = .declined
                if side == .mentee { pair.menteeAccepted = false } else { pair.mentorAccepted = false }
                try await work.updatePair(pair, event: PairEvent(pairID: pair.id, status: .declined, at: now, actor: actor.historyName,
                                                                 reason: reason.isEmpty ? nil : reason))
                try await work.notify(Notices.requestSettled(pair, now: now))
                let rules = try await work.rules(in: pair.programID)
                if !rules.contains(where: { $0.menteeID == pair.menteeID && $0.mentorID == pair.mentorID }) {
                    try await work.insertRule(PairRule(programID: pair.programID, kind: .exclusion, menteeID: pair.menteeID, mentorID: pair.mentorID,
                                                       reason: "declined by the \(side.rawValue)", createdAt: now))
                }
                return pair
            }
            if pair.status == .requested {
                try await work.holdMentor(pair.mentorID, in: pair.programID)
                let places = try await work.enrolments(in: pair.programID).first { $0.employeeID == pair.mentorID && $0.role == .mentor }?.capacity ?? 0
                let all = try await work.pairs(in: pair.programID)
                let taken = all.filter { $0.mentorID == pair.mentorID && $0.status.holdsPlaces }.count
                guard taken < places else { throw MatchWorkflowError.placeTaken(mentorID: pair.mentorID) }
                pair.status = .accepted
                pair.mentorAccepted = true
                try await work.updatePair(pair, event: PairEvent(pairID: pair.id, status: .accepted, at: now, actor: actor.historyName,
                                                                 reason: reason.isEmpty ? nil : reason))
                try await work.notify(Notices.requestSettled(pair, now: now))
                if taken + 1 >= places {
                    for var other in all where other.mentorID == pair.mentorID && other.status == .requested && other.id != pair.id {
                        other.status = .declined
                        try await work.updatePair(other, event: PairEvent(pairID: other.id, status: .declined, at: now, actor: "system",
                                                                          reason: "\(pair.mentorID)'s last place was filled"))
                        try await work.notify(Notices.requestSettled(other, now: now))
                    }
                }
                return pair
            }
            if side == .mentee { pair.menteeAccepted = true } else { pair.mentorAccepted = true }
            let both = pair.menteeAccepted == true && pair.mentorAccepted == true
            if both || !program.settings.pairsNeedAcceptance { pair.status = .accepted }
            try await work.updatePair(pair, event: PairEvent(pairID: pair.id, status: pair.status, at: now, actor: actor.historyName,
                                                             reason: both ? "both accepted" : "the \(side.rawValue) accepted"))
            return pair
        }
    }

    // MARK: Self-matching

    /// A mentor a mentee could ask, with why.
    public struct Suggestion: Sendable, Equatable {
        public var mentorID: String
        public var score: Double
        /// Each score component's points.
        public var points: [String: Double]
        public var coveredTopics: [String]
        public var placesLeft: Int
    }

    /// "Who would make a good reverse mentor for me?": the eligible mentors with a place left, best first,
    /// under the program's rules (exclusions and earlier declines included).
    public static func suggestions(for menteeID: String, in programID: UUID, limit: Int = 10, actor: Actor, now: Date,
                                   store: any MatchingStore) async throws -> [Suggestion] {
        try await store.atomically { work in
            let program = try await selfMatchingProgram(programID, menteeID: menteeID, actor: actor, action: .view, work)
            let (problem, row) = try await problem(for: menteeID, program: program, now: now, work: work)
            guard let i = row else { throw MatchWorkflowError.invalid([FieldProblem(field: "mentee_id", reason: "is not enrolled as a mentee in this program")]) }
            let left = try await placesLeft(in: programID, work: work)
            return problem.suggest(mentee: i, k: problem.mentors.count).compactMap { s -> Suggestion? in
                let mentor = problem.mentors[s.mentor]
                let free = left[mentor.id] ?? mentor.capacity
                guard free > 0 else { return nil }
                let weights = problem.rules.normalisedWeights
                let points = Dictionary(uniqueKeysWithValues: ScoreComponent.allCases.enumerated().map { ($1.rawValue, s.components[$0] * weights[$0]) })
                return Suggestion(mentorID: mentor.id, score: s.score, points: points,
                                  coveredTopics: problem.coveredTopics(mentee: i, mentor: s.mentor).map(\.topic), placesLeft: free)
            }.prefix(limit).map { $0 }
        }
    }

    /// A mentee asks one mentor. Refused when the mentee already has a current pair or open request,
    /// when a hard rule forbids the pair, or when the mentor has no place left. The request lapses after
    /// the program's number of days.
    public static func request(mentorID: String, for menteeID: String, in programID: UUID, actor: Actor, now: Date,
                               store: any MatchingStore) async throws -> MentoringPair {
        try await store.atomically { work in
            let program = try await selfMatchingProgram(programID, menteeID: menteeID, actor: actor, action: .create, work)
            try await expireRequests(in: programID, now: now, work: work)
            let pairs = try await work.pairs(in: programID)
            guard !pairs.contains(where: { $0.menteeID == menteeID && $0.status.isCurrent }) else {
                throw MatchWorkflowError.menteeAlreadyPaired(menteeID: menteeID)
            }
            let (problem, row) = try await problem(for: menteeID, program: program, now: now, work: work)
            guard let i = row else { throw MatchWorkflowError.invalid([FieldProblem(field: "mentee_id", reason: "is not enrolled as a mentee in this program")]) }
            guard let j = problem.mentors.firstIndex(where: { $0.id == mentorID }) else {
                throw MatchWorkflowError.invalid([FieldProblem(field: "mentor_id", reason: "\(TextLimits.preview(mentorID)) is not enrolled as a mentor in this program")])
            }
            if let rule = problem.brokenRule(mentee: i, mentor: j) {
                throw MatchWorkflowError.notEligible("\(mentorID) cannot be your mentor here: \(rule.explanation).")
            }
            guard (try await placesLeft(in: programID, work: work))[mentorID] ?? problem.capacity[j] > 0 else {
                throw MatchWorkflowError.placeTaken(mentorID: mentorID)
            }
            let pair = MentoringPair(programID: programID, menteeID: menteeID, mentorID: mentorID, status: .requested, source: .request,
                                     score: problem.score(mentee: i, mentor: j) ?? 0, menteeAccepted: true, createdAt: now,
                                     expiresAt: now.addingTimeInterval(Double(program.settings.requestDays) * 86_400))
            try await work.insertPairs([pair], events: [PairEvent(pairID: pair.id, status: .requested, at: now, actor: actor.historyName)])
            try await work.notify(Notices.requested(pair, now: now))
            return pair
        }
    }

    /// Marks the program's unanswered requests whose time is up as expired.
    static func expireRequests(in programID: UUID, now: Date, work: any MatchingWork) async throws {
        for var pair in try await work.pairs(in: programID) where pair.status == .requested {
            guard let expires = pair.expiresAt, expires <= now else { continue }
            pair.status = .expired
            try await work.updatePair(pair, event: PairEvent(pairID: pair.id, status: .expired, at: expires, actor: "system", reason: "nobody answered in time"))
            try await work.notify(Notices.requestSettled(pair, now: now))
        }
    }

    static func selfMatchingProgram(_ programID: UUID, menteeID: String, actor: Actor, action: Action, _ work: any MatchingWork) async throws -> Program {
        guard let program = try await work.heldProgram(programID) else { throw MatchWorkflowError.programNotFound }
        try allow(actor, action, .suggestions(employeeID: menteeID, programStatus: program.status))
        guard program.settings.mode == .selfService else { throw MatchWorkflowError.wrongMode(program.settings.mode) }
        guard program.status.isPairing else {
            throw MatchWorkflowError.wrongStatus(program.status, allowed: ProgramStatus.allCases.filter(\.isPairing), doing: "Choosing a mentor")
        }
        return program
    }

    /// The program's mentors and this mentee, scored under the program's rules and exclusions.
    static func problem(for menteeID: String, program: Program, now: Date, work: any MatchingWork) async throws -> (ScoringProblem, Int?) {
        let enrolments = try await work.enrolments(in: program.id).filter { $0.role == .mentor || $0.employeeID == menteeID }
        var rules = program.settings.rules
        rules.exclusions = try await work.rules(in: program.id).filter { $0.kind == .exclusion }.map { [$0.menteeID, $0.mentorID] }
        if !program.settings.allowRepeatPairs {
            rules.pastPairs = try await work.earlierPairs(among: enrolments.map(\.employeeID), except: program.id)
        }
        let directory = try await work.directory(for: enrolments.map(\.employeeID))
        let input = MatchInput(people: directory, enrolments: enrolments, rules: rules, reference: program.referenceDay(now: now).startUTC)
        let problem = ScoringProblem(mentees: input.mentees, mentors: input.mentors, rules: rules)
        return (problem, input.mentees.firstIndex { $0.id == menteeID })
    }

    /// Each mentor's places not held by a proposed or accepted pair.
    static func placesLeft(in programID: UUID, work: any MatchingWork) async throws -> [String: Int] {
        var left: [String: Int] = [:]
        for e in try await work.enrolments(in: programID) where e.role == .mentor { left[e.employeeID] = e.capacity }
        for pair in try await work.pairs(in: programID) where pair.status.holdsPlaces { left[pair.mentorID, default: 0] -= 1 }
        return left
    }

    // MARK: Helpers

    static func requireProgram(_ id: UUID, in allowed: [ProgramStatus], doing: String, _ work: any MatchingWork) async throws -> Program {
        guard let program = try await work.heldProgram(id) else { throw MatchWorkflowError.programNotFound }
        guard allowed.contains(program.status) else { throw MatchWorkflowError.wrongStatus(program.status, allowed: allowed, doing: doing) }
        return program
    }

    static func allow(_ actor: Actor, _ action: Action, _ resource: Resource) throws {
        let decision = AccessPolicy.decide(actor, action, resource)
        guard decision.isAllowed else { throw MatchWorkflowError.refused(decision) }
    }
}
