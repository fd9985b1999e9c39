import Fluent
import FlipsideCore
@testable import FlipsideServer
import Foundation
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
    @Test func twoWorkersNeverRunTheSameJob() async throws {
        try await TestWorld.withTwoInstances { world, second in
            let runs = Runs()
            let handler: OutboxWorker.Handler = { payload, _, _ in
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
            let failing = OutboxWorker(app: world.app, extraHandlers: ["boom": { _, _, _ in throw Boom() }])
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
            let worker = OutboxWorker(app: world.app, extraHandlers: ["test_job": { payload, _, _ in await runs.record(payload) }])
            #expect(try await worker.drain() == 0)
            world.clock.advance(by: 301)
            #expect(try await worker.drain() == 1)
            #expect(await runs.counts == ["orphan": 1])
        }
    }
}
