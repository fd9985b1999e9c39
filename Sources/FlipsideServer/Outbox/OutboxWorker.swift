import Fluent
import FlipsideCore
import MatchingEngine
import Foundation
import SQLKit
import Vapor

/// Drains the outbox: claims due jobs, runs each by its kind, and records the outcome. Run by
/// `flipside worker`, and by default as a task inside `flipside serve`; any number of them may share a
/// database (see `Outbox`).
public struct OutboxWorker: Sendable {
    /// Runs one job. Writes that must not outlive the claim call `lease.hold(on: tx)` in their transaction.
    public typealias Handler = @Sendable (_ payload: String, _ db: any Database, _ now: Date, _ lease: OutboxLease) async throws -> Void

    let app: Application
    let handlers: [String: Handler]
    /// How long a claimed job is held before another worker may take it again.
    /// (`OUTBOX_LEASE_SECONDS`, 300 by default.)
    let lease: TimeInterval
    /// How often a running job's lease is renewed (a third of the lease, so two renewals may fail).
    let renewEvery: Duration
    let maxAttempts = 5

    public init(app: Application, extraHandlers: [String: Handler] = [:], renewEvery: Duration? = nil) {
        self.app = app
        self.lease = app.appConfig.outboxLease
        self.renewEvery = renewEvery ?? .milliseconds(Int64(app.appConfig.outboxLease * 1000 / 3))
        var handlers: [String: Handler] = [Outbox.Kind.cleanUpExpired.rawValue: Self.cleanUpExpired(loginWindow: app.appConfig.loginWindow),
                                           Outbox.Kind.computeMatchRun.rawValue: Self.computeMatchRun(clock: app.clock, background: { BackgroundDatabase.handle(for: app) }),
                                           Outbox.Kind.deliverMessages.rawValue: MessageDelivery.handler(app: app),
                                           Outbox.Kind.planReminders.rawValue: ReminderPlanner.handler]
        handlers.merge(extraHandlers) { _, extra in extra }
        self.handlers = handlers
    }

    /// Claims and runs due jobs until none is left; returns how many ran (succeeded or not). With
    /// `planning`, first makes sure this hour's reminder planning is asked for (a running worker does).
    @discardableResult
    public func drain(batch: Int = 20, planning: Bool = false) async throws -> Int {
        var ran = 0
        if planning { try await ReminderPlanner.ensureScheduled(now: app.clock.now, on: app.db) }
        while true {
            let jobs = try await Outbox.claim(limit: batch, lease: lease, now: app.clock.now, on: app.db)
            if jobs.isEmpty { return ran }
            for job in jobs {
                ran += 1
                // The lease is renewed while the job runs; a worker paused past it loses the job, and its
                // fenced writes and its finish are refused.
                let renewal = Task { [app, lease, renewEvery] in
                    while !Task.isCancelled {
                        try await Task.sleep(for: renewEvery)
                        guard try await Outbox.renew(job, lease: lease, now: app.clock.now, on: app.db) else { return }
                    }
                }
                defer { renewal.cancel() }
                do {
                    guard let handler = handlers[job.kind] else { throw UnknownKind(kind: job.kind) }
                    try await handler(job.payload, app.db, app.clock.now, job.lease)
                    if try await !Outbox.finish(job, now: app.clock.now, on: app.db) {
                        app.logger.warning("Outbox job \(job.kind) \(job.id) finished after its lease was taken over; not recorded")
                    }
                } catch let lost as OutboxLeaseLost {
                    app.logger.warning("Outbox job \(job.kind) \(job.id): \(lost)")
                } catch {
                    app.logger.warning("Outbox job \(job.kind) \(job.id) failed (attempt \(job.attempts)): \(String(describing: error))")
                    try await Outbox.fail(job, error: String(describing: error), maxAttempts: maxAttempts, now: app.clock.now, on: app.db)
                }
            }
        }
    }

    /// Drains every `interval` until the task is cancelled; a failing drain is logged and tried again.
    public func run(every interval: Duration = .seconds(15)) async {
        while !Task.isCancelled {
            do { try await drain(planning: true) } catch { app.logger.error("Outbox worker: \(String(describing: error))") }
            try? await Task.sleep(for: interval)
        }
    }

    struct UnknownKind: Error, CustomStringConvertible {
        var kind: String
        var description: String { "no handler for jobs of kind '\(kind)'" }
    }

    /// Computes a queued match run. The solve runs on a Dispatch thread, not on the server's event loops
    /// or Swift's cooperative threads, so other requests stay fast meanwhile.
    /// `background` gives the database the run reads and writes through (see `BackgroundDatabase`).
    static func computeMatchRun(clock: any WallClock, background: @escaping @Sendable () -> any Database,
                                computing: (@Sendable (MatchWorkflow.Prepared) async -> MatchRun)? = nil) -> Handler { { payload, _, _, lease in
        let db = background()
        let ids = try StoredJSON.decode([String: String].self, payload)
        guard let run = ids["run"].flatMap(UUID.init(uuidString:)), let program = ids["program"].flatMap(UUID.init(uuidString:)) else {
            throw UnknownKind(kind: "compute_match_run with payload \(payload)")
        }
        try await MatchWorkflow.computeQueued(run, in: program, clock: clock, store: FluentMatchingStore(db: db, audit: .system(clock), fence: lease),
                                               computing: computing ?? offloaded(clock: clock, alone: true))
    } }

    /// Computes a run on a Dispatch thread, away from the event loops and Swift's cooperative threads (a
    /// run takes seconds of CPU; requests meanwhile are served). A background run uses one core, leaving
    /// the other to requests; a run in a request (at most 2,000 mentees) both.
    static func offloaded(clock: any WallClock, alone: Bool = false) -> @Sendable (MatchWorkflow.Prepared) async -> MatchRun { { prepared in
        await withCheckedContinuation { continuation in
            DispatchQueue.global(qos: .utility).async {
                let started = ContinuousClock.now
                let run = alone ? Parallelism.alone { MatchWorkflow.compute(prepared, now: { clock.now }) } : MatchWorkflow.compute(prepared, now: { clock.now })
                FlipsideMetrics.shared.matchRun(background: alone, duration: ContinuousClock.now - started)
                continuation.resume(returning: run)
            }
        }
    } }

    /// Deletes what has expired: browser sessions, API tokens, used or expired sign-in links, sign-in
    /// counters whose window is over; and marks partnerships past their agreed end date completed.
    static func cleanUpExpired(loginWindow: TimeInterval) -> Handler { { _, db, now, _ in
        try await Partnerships.completeDue(now: now, store: FluentPartnershipStore(db: db))
        try await WebSessionModel.query(on: db).filter(\.$expiresAt <= now).delete()
        try await UserTokenModel.query(on: db).filter(\.$expiresAt <= now).delete()
        try await InvitationModel.query(on: db).group(.or) { $0.filter(\.$expiresAt <= now).filter(\.$usedAt != nil) }.delete()
        try await LoginLimiter(db: db, window: loginWindow).prune(now: now)
    } }
}

extension Outbox {
    /// Asks for the expired-rows clean-up (once, however often asked before it runs).
    static func requestCleanUp(now: Date, on db: any Database) async throws {
        try await enqueue(.cleanUpExpired, dedupeKey: Kind.cleanUpExpired.rawValue, runAt: now, on: db)
    }
}
