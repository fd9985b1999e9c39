import FlipsideCore
@testable import FlipsideServer
import Foundation
import Testing
import VaporTesting

/// The audit trail: what coordinators and the system did, by whom, never with private words.
@Suite(.serialized) struct AuditTests {
    @Test func coordinatorActionsAreRecordedAndFiltered() async throws {
        try await TestWorld.run { world in
            // An import, a program created and moved on, a lock that overrides a rule with its reason
            // (a minute after the seed's own import, so the trail's newest-first order tells them apart).
            world.clock.advance(by: 60)
            let (imported, _) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator,
                                                   csv: TestWorld.peopleCSV + "\nN1,=HYPERLINK(\"x\"),n1@example.com,Analyst,2,2024-01-01,Sales,Lisbon,Europe/Lisbon,S1,")
            #expect(imported == .ok)
            let (created, body) = try await world.api(.POST, "/api/v1/programs", as: .coordinator, json: #"{"name": "=cmd|' /C calc'!A0"}"#)
            #expect(created == .created, "\(body)")
            let id = try #require((try json(body) as? [String: Any])?["id"] as? String)
            _ = try await world.api(.POST, "/api/v1/programs/\(id)/status", as: .coordinator, json: #"{"status": "enrolling"}"#)
            // Guidance is a program change like any other: written by Core's use case, with its line (never its words).
            let (guided, _) = try await world.api(.PUT, "/api/v1/programs/\(id)/guidance", as: .coordinator, json: #"{"senior":"Listen first.","junior":"Say it."}"#)
            #expect(guided == .ok)
            let (status, list) = try await world.api(.GET, "/api/v1/audit", as: .coordinator)
            let document = try OpenAPIDocument()
            #expect(status == .ok && document.check("GET", "/api/v1/audit", status: 200, body: list).isEmpty, "\(document.check("GET", "/api/v1/audit", status: 200, body: list))")
            let items = try #require((try json(list) as? [String: Any])?["items"] as? [[String: Any]])
            let actions = items.compactMap { $0["action"] as? String }
            #expect(!list.contains("Listen first"))
            for action in ["people.imported", "program.created", "program.status_changed", "program.guidance_changed"] {
                #expect(actions.contains(action), "\(action) missing from \(actions)")
            }
            let change = try #require(items.first { $0["action"] as? String == "program.status_changed" })
            #expect(change["actor"] as? String == "coord@example.com" && (change["detail"] as? String)?.contains("draft → enrolling") == true)
            #expect((items.first { $0["action"] as? String == "people.imported" }?["detail"] as? String)?.contains("1 created") == true)
            // Filters: by action, by who, by day; a bad filter names itself.
            let (_, filtered) = try await world.api(.GET, "/api/v1/audit?action=program.created&actor=COORD", as: .coordinator)
            #expect((try json(filtered) as? [String: Any])?["total"] as? Int == 1)
            let (_, none) = try await world.api(.GET, "/api/v1/audit?to=2001-01-01", as: .coordinator)
            #expect((try json(none) as? [String: Any])?["total"] as? Int == 0)
            let (bad, problem) = try await world.api(.GET, "/api/v1/audit?action=everything&from=yesterday", as: .coordinator)
            #expect(bad == .unprocessableEntity && problem.contains("action") && problem.contains("from"))
            // The page and its CSV (a program name that is a formula is defused).
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            let page = try await web.get("/audit?action=program.created")
            #expect(page.status == .ok && page.body.string.contains("id=\"audit-table\"") && page.body.string.contains("program created"))
            let csv = try await web.get("/audit.csv")
            #expect(csv.status == .ok && csv.body.string.contains("'=cmd") && !csv.body.string.contains(",=cmd"), "\(csv.body.string.prefix(600))")
            #expect(csv.body.string.contains("login.signed_in"))
            // Participants see none of it.
            let jo = try await WebClient.signedIn(world, as: "jo@example.com")
            #expect(try await jo.get("/audit").status == .forbidden)
            #expect(try await jo.get("/audit.csv").status == .forbidden)
        }
    }

    /// An override's reason is kept (it is the coordinator's, about a rule); a pair's private words
    /// never reach the trail.
    @Test func overridesAreRecordedWithTheirReasonAndPrivateWordsNever() async throws {
        try await TestWorld.run { world in
            _ = try await DemoLoader.load(into: world.app)
            let (_, list) = try await world.api(.GET, "/api/v1/audit?per=500", as: .coordinator)
            for words in ["answer them yourself", "Nervous before", "learn tools by doing", "My newest colleagues"] { #expect(!list.contains(words)) }
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            let csv = try await web.get("/audit.csv").body.string
            for words in ["answer them yourself", "Nervous before", "learn tools by doing"] { #expect(!csv.contains(words)) }
            #expect(csv.contains("run.published") && csv.contains("system"))
        }
    }
}
