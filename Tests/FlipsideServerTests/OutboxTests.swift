import Fluent
import FlipsideCore
@testable import FlipsideServer
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import VaporTesting

/// The outbox: work stored with the write that asks for it, run by any number of workers, each job once.
@Suite(.serialized) struct OutboxTests {
    /// Which jobs ran, and how often.
    actor Runs {
        var counts: [String: Int] = [:]
        func record(_ payload: String) { counts[payload, default: 0] += 1 }
    }

    /// Two workers on two application instances drain 200 jobs at the same time: every job runs exactly
    /// once (on PostgreSQL the claims skip each other's locked rows; on SQLite there is one writer).
    /// Background work is stopped and waited for when the application shuts down, before its databases
    /// close: a worker still reading when the server stops ends first, instead of reaching for a database
    /// that is gone (the server crashed there on every stop while the worker was busy).
    @Test func backgroundWorkEndsBeforeTheDatabasesClose() async throws {
        let ended = NIOLockedValueBox(false), reads = NIOLockedValueBox(0)
        try await TestWorld.run { world in
            let app = world.app
            app.backgroundWork.start {
                while !Task.isCancelled {
                    _ = try? await DataVersions.read(on: app.db)
                    reads.withLockedValue { $0 += 1 }
                }
                ended.withLockedValue { $0 = true }
            }
            while reads.withLockedValue({ $0 }) < 3 { try await Task.sleep(for: .milliseconds(5)) }
            #expect(!ended.withLockedValue { $0 })
        }
        #expect(ended.withLockedValue { $0 }, "the shutdown waited for the work to end")
    }

    @Test func twoWorkersNeverRunTheSameJob() async throws {
        try await TestWorld.withTwoInstances { world, second in
            let runs = Runs()
            let handler: OutboxWorker.Handler = { payload, _, _, _ in
                await runs.record(payload)
                try await Task.sleep(for: .milliseconds(1))
            }
            try await OutboxWorker(app: world.app).drain()   // the clean-up the seed's sign-ins asked for
            for i in 0..<200 {
                try await Outbox.enqueue(kind: "test_job", payload: "job \(i)", dedupeKey: nil, runAt: world.clock.now, on: world.app.db)
            }
            let workers = [OutboxWorker(app: world.app, extraHandlers: ["test_job": handler]),
                           OutboxWorker(app: second, extraHandlers: ["test_job": handler])]
            let ran = try await HardeningTests.concurrently(2) { i in try await workers[i].drain(batch: 7) }
            let counts = await runs.counts
            #expect(counts.count == 200 && counts.values.allSatisfy { $0 == 1 }, "\(counts.filter { $0.value != 1 })")
            #expect(ran.reduce(0, +) == 200)
            let pending = try await (world.app.db as! any SQLDatabase).raw("SELECT count(*) AS n FROM outbox_jobs WHERE done_at IS NULL").first()
            #expect(try pending?.decode(column: "n", as: Int.self) == 0)
        }
    }

    /// A clean-up asked for many times is one job; a failing job is retried later and given up after
    /// five attempts, with its error kept.
    @Test func oneCleanUpPendingAndFailuresAreRetriedThenGivenUp() async throws {
        try await TestWorld.run { world in
            for _ in 0..<5 { try await Outbox.requestCleanUp(now: world.clock.now, on: world.app.db) }
            let sql = world.app.db as! any SQLDatabase
            let pending = { try await sql.raw("SELECT count(*) AS n FROM outbox_jobs WHERE done_at IS NULL AND failed_at IS NULL").first()?.decode(column: "n", as: Int.self) }
            #expect(try await pending() == 1)
            #expect(try await OutboxWorker(app: world.app).drain() == 1)
            #expect(try await pending() == 0)

            struct Boom: Error {}
            let failing = OutboxWorker(app: world.app, extraHandlers: ["boom": { _, _, _, _ in throw Boom() }])
            try await Outbox.enqueue(kind: "boom", payload: "{}", dedupeKey: nil, runAt: world.clock.now, on: world.app.db)
            var attempts = 0
            for _ in 0..<10 {
                attempts += try await failing.drain()
                world.clock.advance(by: 3600)   // past any back-off
            }
            #expect(attempts == 5)
            let row = try #require(try await sql.raw("SELECT attempts, failed_at, last_error FROM outbox_jobs WHERE kind = 'boom'").first())
            #expect(try row.decode(column: "attempts", as: Int.self) == 5)
            #expect(try row.decode(column: "failed_at", as: Double?.self) != nil)
            #expect(try row.decode(column: "last_error", as: String.self).contains("Boom"))
        }
    }

    /// A job claimed by a worker that died is run again once its lease is over.
    @Test func aDeadWorkersJobRunsAgainAfterItsLease() async throws {
        try await TestWorld.run { world in
            try await OutboxWorker(app: world.app).drain()   // the clean-up the seed's sign-ins asked for
            try await Outbox.enqueue(kind: "test_job", payload: "orphan", dedupeKey: nil, runAt: world.clock.now, on: world.app.db)
            let claimed = try await Outbox.claim(limit: 10, lease: 300, now: world.clock.now, on: world.app.db)
            #expect(claimed.count == 1)   // and its worker is never heard of again
            let runs = Runs()
            let worker = OutboxWorker(app: world.app, extraHandlers: ["test_job": { payload, _, _, _ in await runs.record(payload) }])
            #expect(try await worker.drain() == 0)
            world.clock.advance(by: 301)
            #expect(try await worker.drain() == 1)
            #expect(await runs.counts == ["orphan": 1])
        }
    }

    /// A gate a paused worker waits at: `reached` once it is there, `release()` lets it go on.
    final class Gate: Sendable {
        let (arrivals, arrived) = AsyncStream.makeStream(of: Void.self)
        let (releases, releasing) = AsyncStream.makeStream(of: Void.self)
        func wait() async {
            arrived.yield()
            for await _ in releases { return }
        }
        func reached() async { for await _ in arrivals { return } }
        func release() { releasing.yield() }
    }

    static func pausedMatchRun(_ world: TestWorld, gate: Gate) -> OutboxWorker.Handler {
        OutboxWorker.computeMatchRun(clock: world.clock, background: { world.app.db }) { prepared in
            await gate.wait()
            return MatchWorkflow.compute(prepared, now: { world.clock.now })
        }
    }

    static func queueBackgroundRun(_ world: TestWorld) async throws -> (program: String, run: String) {
        let program = try await MatchingWorkflowTests.matchingProgram(world)
        let (status, queued) = try await world.api(.POST, "/api/v1/programs/\(program)/runs", as: .coordinator, json: #"{"background":true}"#)
        #expect(status == .created)
        return (program, try #require(try MatchingWorkflowTests.object(queued)["id"] as? String))
    }

    static func job(_ world: TestWorld) async throws -> (attempts: Int, done: Bool, lockedUntil: Double?) {
        let row = try #require(try await (world.app.db as! any SQLDatabase).raw("SELECT attempts, done_at, locked_until FROM outbox_jobs WHERE kind = 'compute_match_run'").first())
        return (try row.decode(column: "attempts", as: Int.self), try row.decode(column: "done_at", as: Double?.self) != nil,
                try row.decode(column: "locked_until", as: Double?.self))
    }

    /// A worker paused past its lease (here: stopped in the middle of computing a match run while the
    /// clock passes 300 s) loses the job to the next worker; when it wakes up, nothing it does is kept —
    /// the run does not flip from failed to done, and the job is finished once.
    @Test func aWorkerPausedPastItsLeaseKeepsNothing() async throws {
        try await TestWorld.run { world in
            try await OutboxWorker(app: world.app).drain()
            let (program, run) = try await Self.queueBackgroundRun(world)
            let gate = Gate()
            let paused = OutboxWorker(app: world.app, extraHandlers: ["compute_match_run": Self.pausedMatchRun(world, gate: gate)])
            let first = Task { try await paused.drain() }
            await gate.reached()
            world.clock.advance(by: 301)
            #expect(try await OutboxWorker(app: world.app).drain() == 1)   // the next worker takes the job over
            let (_, taken) = try await world.api(.GET, "/api/v1/programs/\(program)/runs/\(run)", as: .coordinator)
            #expect(taken.contains(#""status":"failed""#))
            gate.release()
            _ = try await first.value
            let (_, after) = try await world.api(.GET, "/api/v1/programs/\(program)/runs/\(run)", as: .coordinator)
            #expect(after.contains(#""status":"failed""#) && !after.contains(#""status":"done""#), "the paused worker's result was stored")
            let job = try await Self.job(world)
            #expect(job.attempts == 2 && job.done)
        }
    }

    /// A worker that is alive renews its lease while the job runs: however long the run takes, no other
    /// worker claims it, and it is finished once.
    @Test func aLiveWorkerRenewsItsLease() async throws {
        try await TestWorld.run { world in
            try await OutboxWorker(app: world.app).drain()
            let (program, run) = try await Self.queueBackgroundRun(world)
            let gate = Gate()
            let slow = OutboxWorker(app: world.app, extraHandlers: ["compute_match_run": Self.pausedMatchRun(world, gate: gate)], renewEvery: .milliseconds(20))
            let first = Task { try await slow.drain() }
            await gate.reached()
            let start = world.clock.now.timeIntervalSince1970
            for step in 1...3 {
                world.clock.advance(by: 200)
                // Wait for a renewal past the moved clock.
                for _ in 0..<500 where (try await Self.job(world).lockedUntil ?? 0) < start + Double(step) * 200 + 250 {
                    try await Task.sleep(for: .milliseconds(10))
                }
                #expect(try await OutboxWorker(app: world.app).drain() == 0, "another worker claimed a job whose worker is alive")
            }
            gate.release()
            #expect(try await first.value == 1)
            let (_, done) = try await world.api(.GET, "/api/v1/programs/\(program)/runs/\(run)", as: .coordinator)
            #expect(done.contains(#""status":"done""#))
            let job = try await Self.job(world)
            #expect(job.attempts == 1 && job.done)
        }
    }
}
