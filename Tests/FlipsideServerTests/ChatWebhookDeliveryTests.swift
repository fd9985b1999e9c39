import FlipsideCore
@testable import FlipsideServer
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
import VaporTesting

/// A program's chat channel against a real local HTTP receiver: a post that arrives, one answered 500
/// (tried again later), one never answered (given up after the timeout, tried again later), and a 4xx
/// (failed for good).
@Suite(.serialized) struct ChatWebhookDeliveryTests {
    /// A receiver on a free loopback port: `/ok` keeps the bodies, `/fail` answers 500, `/gone` 404, `/hang` never answers in time.
    final class Receiver: Sendable {
        let app: Application
        let bodies = NIOLockedValueBox<[String]>([])
        var port: Int { app.http.server.shared.localAddress?.port ?? 0 }

        init() async throws {
            app = try await Application.make(.testing)
            app.http.server.configuration.hostname = "127.0.0.1"
            app.http.server.configuration.port = 0
            let bodies = self.bodies
            app.post("ok") { req -> HTTPStatus in
                bodies.withLockedValue { $0.append(req.body.string ?? "") }
                return .ok
            }
            app.post("fail") { _ in HTTPStatus.internalServerError }
            app.post("gone") { _ in HTTPStatus.notFound }
            app.post("hang") { _ async throws -> HTTPStatus in
                try await Task.sleep(for: .seconds(5))
                return .ok
            }
            try app.server.start()
        }

        func stop() async throws {
            await app.server.shutdown()
            try await app.asyncShutdown()
        }
    }

    @Test func announcementsAndDigestsReachTheChannelOrAreTriedAgain() async throws {
        let receiver = try await Receiver()
        do {
            try await TestWorld.run(adjust: { config in
                config.webhookReach = .loopback
                config.webhookTimeout = 1
                config.baseURL = "https://flipside.example.com"
            }) { world in
                let draft = pathID(world.draft.id)
                let set = try await world.api(.PUT, "/api/v1/programs/\(draft)/chat-webhook", as: .coordinator, json: #"{"url":"http://127.0.0.1:\#(receiver.port)/ok"}"#)
                #expect(set.status == .ok && set.body == #"{"host":"127.0.0.1"}"#, "\(set)")
                // Enrolment opens: the channel hears, once, with the link.
                #expect(try await world.api(.POST, "/api/v1/programs/\(draft)/status", as: .coordinator, json: #"{"status":"enrolling"}"#).status == .ok)
                try await OutboxWorker(app: world.app).drain()
                let got = receiver.bodies.withLockedValue { $0 }
                #expect(got.count == 1 && got.first?.contains(#"*Next year: enrolment is open*"#) == true
                        && got.first?.contains("https://flipside.example.com/programs/\(draft)|Enrol") == true, "\(got)")
                let sent = try await Messages.newest(limit: 50, on: world.app.db).first { $0.kind == "announcement" }
                #expect(sent?.status == "sent" && sent?.email == "chat" && sent?.recipient == Messages.chatRecipient(world.draft.id))
                // 500 and silence are tried again a minute on; a 404 is final.
                for (path, status, problem) in [("fail", "queued", "the webhook answered 500"), ("hang", "queued", "could not be reached"),
                                                ("gone", "failed", "the webhook answered 404")] {
                    #expect(try await world.api(.PUT, "/api/v1/programs/\(draft)/chat-webhook", as: .coordinator,
                                                json: #"{"url":"http://127.0.0.1:\#(receiver.port)/\#(path)"}"#).status == .ok)
                    let key = "digest|\(world.draft.id.uuidString.lowercased())|\(path)|\(Messages.chatRecipient(world.draft.id))"
                    _ = try await Messages.insert([Messages.Pending(kind: .digest, recipient: Messages.chatRecipient(world.draft.id), employeeID: nil, email: "chat",
                                                                    programID: world.draft.id, key: key, dueAt: world.clock.now, madeAt: world.clock.now)], on: world.app.db)
                    // A concern waiting in the program makes its digest worth sending.
                    try await FluentConcernStore(db: world.app.db).insert(Concern(programID: world.draft.id, raisedOn: CalendarDate.today(now: world.clock.now), body: "x"),
                                                                          code: UUID().uuidString, notices: [])
                    let started = ContinuousClock.now
                    let due = try await Messages.take(limit: 10, now: world.clock.now, on: world.app.db)
                    let mine = try #require(due.first { $0.dedupe_key == key })
                    try await MessageDelivery.deliver(mine, app: world.app, db: world.app.db)
                    let after = try #require(try await Messages.newest(limit: 50, on: world.app.db).first { $0.dedupe_key == key })
                    #expect(after.status == status && after.last_error?.contains(problem) == true, "\(path): \(after)")
                    if status == "queued" { #expect(after.next_at == world.clock.now.timeIntervalSince1970 + 60) }
                    #expect(ContinuousClock.now - started < .seconds(4), "the timeout holds")
                }
            }
        } catch {
            try await receiver.stop()
            throw error
        }
        try await receiver.stop()
    }
}
