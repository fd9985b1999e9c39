import FlipsideCore
@testable import FlipsideServer
import Foundation
import SQLKit
import Testing
import VaporTesting

/// The HR history in the database: an import and a SCIM change record who moved, in their own
/// transaction and effective on the clock's day; erasure takes it with the person; the demo's history
/// drives the promotion figures, the same in the API, on the page and in the CSV.
@Suite(.serialized) struct EmploymentHistoryServerTests {
    struct Recorded: Decodable, Equatable {
        var employee_id: String
        var effective_date: String
        var source: String
        var level_before: Int
        var level_after: Int
        var department_before: String
        var department_after: String
    }

    static func recorded(_ world: TestWorld) async throws -> [Recorded] {
        try await (world.app.db as! any SQLDatabase).select().columns("employee_id", "effective_date", "source", "level_before", "level_after", "department_before", "department_after")
            .from(EmploymentHistoryRows.table).orderBy("recorded_at").all(decoding: Recorded.self)
    }

    @Test func importsAndProvisioningRecordMovesAndErasureTakesThem() async throws {
        try await TestWorld.run { world in
            #expect(try await Self.recorded(world).isEmpty) // the first import knew nobody before
            // Jo is promoted and Kai moves to Sales, from the clock's day (16 November 2026).
            let csv = TestWorld.peopleCSV.replacingOccurrences(of: "Analyst,2,2024-09-01", with: "Analyst,3,2024-09-01")
                .replacingOccurrences(of: "Associate,1,2025-01-15,Marketing", with: "Associate,1,2025-01-15,Sales")
            let (status, body) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: csv)
            #expect(status == .ok, "\(body)")
            #expect(try await Self.recorded(world) == [
                Recorded(employee_id: "J1", effective_date: "2026-11-16", source: "import", level_before: 2, level_after: 3, department_before: "Engineering", department_after: "Engineering"),
                Recorded(employee_id: "J2", effective_date: "2026-11-16", source: "import", level_before: 1, level_after: 1, department_before: "Marketing", department_after: "Sales"),
            ])
            // Jo's page shows it to the program team and to Jo, not to a colleague; Jo's data export holds it.
            let coordinator = try await WebClient.signedIn(world, as: "coord@example.com")
            let page = try await coordinator.get("/people/J1").body.string
            #expect(page.contains("id=\"hr-history\"") && page.contains("level 2 → 3") && page.contains("2026-11-16"))
            let jo = try await WebClient.signedIn(world, as: "jo@example.com")
            let own = try await jo.get("/people/J1")
            #expect(own.status != .ok || own.body.string.contains("level 2 → 3"))
            let colleague = try await jo.get("/people/J2")
            #expect(colleague.status != .ok || !colleague.body.string.contains("hr-history"))
            #expect(try await coordinator.get("/people/J2").body.string.contains("Marketing → Sales"))
            let (exported, export) = try await world.api(.GET, "/api/v1/people/J1/data", as: .coordinator)
            #expect(exported == .ok && export.contains(#""employment_history":[{"#) && export.contains(#""effective":"2026-11-16""#), "\(export.prefix(400))")
            #expect(try OpenAPIDocument().check("GET", "/api/v1/people/{employeeID}/data", status: 200, body: export).isEmpty)
            // The same file again records nothing more.
            #expect(try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: csv).status == .ok)
            #expect(try await Self.recorded(world).count == 2)

            // An identity provider moves Sara to Finance a day later.
            world.clock.advance(by: 86_400)
            let idp = try await SCIMTests.Provider.make(world)
            let patch = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"\#(SCIMTests.enterprise):department","value":"Finance"}]}"#
            let (patched, _, answer) = try await idp.send(.PATCH, "/Users/S1", patch)
            #expect(patched == .ok, "\(answer)")
            let last = try #require(try await Self.recorded(world).last)
            #expect(last == Recorded(employee_id: "S1", effective_date: "2026-11-17", source: "provisioning", level_before: 6, level_after: 6,
                                     department_before: "Sales", department_after: "Finance"))

            // Erasure: Jo's history goes with Jo; the others' stays.
            let (erased, _) = try await world.api(.POST, "/api/v1/people/J1/erase", as: .coordinator, json: #"{"confirm": "J1"}"#)
            #expect(erased == .ok)
            #expect(try await Self.recorded(world).map(\.employee_id) == ["J2", "S1"])
        }
    }

    @Test func theDemosMentorsPromotionIsShownLikeRetention() async throws {
        try await TestWorld.run { world in
            _ = try await DemoLoader.load(into: world.app)
            // Loaded twice, the history is recorded once.
            let count = try await Self.recorded(world).count
            #expect(count > 20)
            _ = try await DemoLoader.load(into: world.app)
            #expect(try await Self.recorded(world).count == count)

            let path = "/api/v1/programs/\(pathID(DemoLoader.lastYearID))/outcomes/promotion"
            let (status, body) = try await world.api(.GET, path + "?censor=2026-11-01", as: .coordinator)
            #expect(status == .ok, "\(body.prefix(300))")
            #expect(try OpenAPIDocument().check("GET", "/api/v1/programs/{programID}/outcomes/promotion", status: 200, body: body).isEmpty)
            let answer = try #require(try json(body) as? [String: Any])
            let groups = try #require(answer["groups"] as? [[String: Any]])
            #expect(groups.map { $0["name"] as? String } == ["Mentors (junior side)", "Comparison group"])
            #expect(groups[0]["people"] as? Int == 20 && (groups[1]["people"] as? Int ?? 0) >= 20)
            // Every count is either shown or hidden with its reason, never both, and a shown curve means shown promotions.
            for g in groups where g["exits"] == nil { #expect(g["exits_hidden"] is String && ((g["steps"] as? [Any]) ?? []).isEmpty) }
            #expect((answer["comparison_group"] as? [String: Any])?["description"] as? String ?? "" != "")
            #expect(try await world.api(.GET, path, as: .participant).status == .forbidden)

            // The page shows the same numbers, with its own chart; the CSV is the page's table.
            let coordinator = WebClient(app: world.app)
            _ = try await coordinator.get("/login")
            #expect(try await coordinator.post("/login", form: ["email": DemoOrganisation.coordinatorEmail, "password": DemoOrganisation.coordinatorPassword]).status == .seeOther)
            let html = try await coordinator.get("/programs/\(pathID(DemoLoader.lastYearID))/outcomes?censor=2026-11-01").body.string
            #expect(html.contains("id=\"promotion-table\"") && html.contains("aria-labelledby=\"promotion-chart-title promotion-chart-desc\"")
                    && html.contains("aria-labelledby=\"retention-svg-title retention-svg-desc\""))
            #expect(html.contains("<td>\(groups[0]["exits"] as? Int ?? -1)</td>") || groups[0]["exits"] == nil)
            let csv = try await coordinator.get("/programs/\(pathID(DemoLoader.lastYearID))/outcomes.csv?table=promotion&censor=2026-11-01").body.string
            #expect(csv.hasPrefix(#""group","people","promoted","promoted_6_months","promoted_12_months""#) && csv.contains(#""Mentors (junior side)","20","#), "\(csv)")
        }
    }
}
