import Fluent
import FlipsideCore
import Foundation
import Testing
import VaporTesting
@testable import FlipsideServer

/// Inviting a program's people at once: queued once per person and day, rendered when they go, kept and
/// shown when no relay is set, and never about someone who has left (real SMTP: `scripts/mail-check.sh`).
@Suite(.serialized) struct MessagesTests {
    static func rows(_ world: TestWorld) async throws -> [Messages.Row] {
        try await Messages.newest(limit: 100, on: world.app.db).sorted { ($0.employee_id ?? "") < ($1.employee_id ?? "") }
    }

    @Test func aProgramIsInvitedOnceADayAndTheMessagesAreKeptWithoutARelay() async throws {
        try await TestWorld.run { world in
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            _ = try await web.get("/programs/\(pathID(world.program.id))")
            let invited = try await web.post("/programs/\(pathID(world.program.id))/invitations", form: [:])
            #expect(invited.status == .seeOther)
            // Sara (S1) and Kai (J2) are enrolled without a login; Jo has one and is not enrolled here.
            var rows = try await Self.rows(world)
            #expect(rows.map(\.employee_id) == ["J2", "S1"] && rows.allSatisfy { $0.status == "queued" && $0.kind == "invitation" })
            // Again the same day: nothing more is queued.
            _ = try await web.get("/programs/\(pathID(world.program.id))")
            _ = try await web.post("/programs/\(pathID(world.program.id))/invitations", form: [:])
            #expect(try await Self.rows(world).count == 2)
            let (api, apiBody) = try await world.api(.POST, "/api/v1/programs/\(pathID(world.program.id))/invitations", as: .coordinator)
            #expect(api == .accepted && apiBody.contains(#""queued":0"#) && apiBody.contains(#""already_queued":2"#), "\(apiBody)")
            let page = try await web.get("/messages?notice=Pilot%3A%200%20invitations%20queued%3B%202%20already%20invited%20today.")
            #expect(page.status == .ok && page.body.string.contains("2 already invited today") && page.body.string.contains("SMTP_URL is not set"))
            // Delivered without a relay: kept, with the subject rendered and no link made.
            try await OutboxWorker(app: world.app).drain()
            rows = try await Self.rows(world)
            #expect(rows.allSatisfy { $0.status == "kept" && $0.subject == "You are invited to Pilot" && $0.attempts == 1 }, "\(rows)")
            #expect(try await InvitationModel.query(on: world.app.db).count() == 0, "no sign-in link waits unsent")
            let shown = try await web.get("/messages").body.string
            #expect(shown.contains("Sara Senior &lt;sara@example.com&gt;") && shown.contains("kept") && shown.contains("You are invited to Pilot"))
            // Audit: one line per invitation queued, naming the person, never a message's words.
            let (_, audit) = try await world.api(.GET, "/api/v1/audit?action=login.invitation_queued", as: .coordinator)
            #expect((try json(audit) as? [String: Any])?["total"] as? Int == 2)
            // Participants see none of it and invite nobody.
            let jo = try await WebClient.signedIn(world, as: "jo@example.com")
            #expect(try await jo.get("/messages").status == .forbidden)
            _ = try await jo.get("/programs/\(pathID(world.program.id))")
            #expect(try await jo.post("/programs/\(pathID(world.program.id))/invitations", form: [:]).status == .forbidden)
        }
    }

    @Test func someoneWhoLeftBeforeTheMessageWentGetsNone() async throws {
        try await TestWorld.run { world in
            let (queued, _) = try await AccountActions.inviteProgram(world.program.name, app: world.app)
            #expect(queued == 2)
            // Kai leaves before the worker runs.
            try await world.app.db.transaction { tx in
                guard let kai = try await PersonModel.query(on: tx).filter(\.$employeeID == "J2").first() else { return }
                kai.status = EmploymentStatus.exited.rawValue
                try await kai.save(on: tx)
            }
            try await OutboxWorker(app: world.app).drain()
            let rows = try await Self.rows(world)
            #expect(rows.first { $0.employee_id == "J2" }?.status == "withdrawn" && rows.first { $0.employee_id == "J2" }?.last_error == "the person has left the organisation")
            #expect(rows.first { $0.employee_id == "S1" }?.status == "kept")
        }
    }

    /// Two deliveries at once (two workers) take disjoint messages: each goes once.
    @Test func twoDeliveriesAtOnceSendEachMessageOnce() async throws {
        try await TestWorld.run { world in
            let now = world.clock.now
            for i in 0..<120 {
                _ = try await Messages.insert([Messages.Pending(kind: .invitation, recipient: "S1", employeeID: "S1", email: "p\(i)@example.com",
                                                                programID: world.program.id, key: "race|\(i)", dueAt: now, madeAt: now)], on: world.app.db)
            }
            let handler = MessageDelivery.handler(app: world.app)
            let lease = OutboxLease(job: UUID(), claim: UUID())
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 { group.addTask { try await handler("{}", world.app.db, now, lease) } }
                try await group.waitForAll()
            }
            let rows = try await Messages.newest(limit: 500, on: world.app.db).filter { $0.dedupe_key.hasPrefix("race|") }
            #expect(rows.count == 120 && rows.allSatisfy { $0.status == "kept" && $0.attempts == 1 }, "\(rows.filter { $0.attempts != 1 }.count) taken twice")
        }
    }
}
