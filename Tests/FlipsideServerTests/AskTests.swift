import Fluent
import FlipsideCore
@testable import FlipsideServer
import Foundation
import SQLKit
import Testing
import VaporTesting

/// Requests, nominations, invitations to enrol, a program's gaps and funnel, through the API and pages,
/// on SQLite and (in CI's second pass) PostgreSQL.
@Suite(.serialized) struct AskTests {
    typealias P = MatchingWorkflowTests
    static let canary = "PRIVATE-WORDS-7f3a"

    /// Ana (J3, open) and Quinn (J4, not open) list figma; both report to Milo.
    func juniors(_ world: TestWorld) async throws {
        let (imported, body) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: """
            \(TeachingTests.peopleHeader)
            J3,Ana Fresh,ana@example.com,Analyst,1,2025-02-01,Marketing,Lisbon,Europe/Lisbon,M1
            J4,Quinn Canary,quinn@example.com,Analyst,1,2025-02-01,Marketing,Lisbon,Europe/Lisbon,M1

            """)
        #expect(imported == .ok, "\(body)")
        let figma = [TopicOffer(topic: Topic("figma")!, proficiency: 5)]
        try await TeachingProfileRows.save(TeachingProfile(employeeID: "J3", offers: figma, openToRequests: true), on: world.app.db)
        try await TeachingProfileRows.save(TeachingProfile(employeeID: "J4", offers: figma, openToRequests: false), on: world.app.db)
    }

    @Test func aRequestIsSentOnceAnsweredByItsPersonAndItsWordsStayBetweenThem() async throws {
        try await TestWorld.run { world in
            try await juniors(world)
            let sara = try await P.token(world, "sara@example.com"), ana = try await P.token(world, "ana@example.com")
            let request = #"{"kind":"request","to":"J3","topics":["figma"],"message":"\#(Self.canary)"}"#
            // Sent twice at the same moment: one request.
            let twice = try await HardeningTests.concurrently(2) { _ in try await P.call(world, .POST, "/api/v1/asks", token: sara, json: request) }
            #expect(twice.map(\.status).sorted { $0.code < $1.code } == [.created, .conflict], "\(twice)")
            let created = try #require(twice.first { $0.status == .created })
            let id = try #require(try P.object(created.body)["id"] as? String)
            // Ana heard of it (the message row names nobody's words), and reads the note; the program team never does.
            let queued = try await (world.app.db as! any SQLDatabase).select().column("kind").column("employee_id").from(Messages.table)
                .where("kind", .equal, "teaching_ask").all()
            let queuedTo = try queued.map { try $0.decode(column: "employee_id", as: String.self) }
            #expect(queuedTo == ["J3"])
            let (_, inbox) = try await P.call(world, .GET, "/api/v1/me/asks", token: ana)
            #expect(inbox.contains(Self.canary) && inbox.contains("Sara Senior"))
            for (status, body) in [try await world.api(.GET, "/api/v1/asks/\(id)", as: .coordinator), try await world.api(.GET, "/api/v1/me/asks", as: .coordinator),
                                   try await world.api(.GET, "/api/v1/people/J3/data", as: .coordinator), try await world.api(.GET, "/api/v1/people/S1/data", as: .coordinator)] {
                #expect(!body.contains(Self.canary), "\(status)")
            }
            #expect(try await world.api(.GET, "/api/v1/asks/\(id)", as: .coordinator).status == .notFound)
            #expect(try await world.api(.GET, "/api/v1/asks/\(id)", as: .participant).status == .notFound)   // Jo: neither side
            let coordinatorPage = try await WebClient.signedIn(world, as: "coord@example.com").get("/asks/\(id)")
            #expect(coordinatorPage.status == .notFound && !coordinatorPage.body.string.contains(Self.canary))
            // Only Ana answers; Sara cannot answer her own request.
            #expect(try await P.call(world, .POST, "/api/v1/asks/\(id)/decline", token: sara).status == .forbidden)
            #expect(try await P.call(world, .POST, "/api/v1/asks/\(id)/accept", token: ana, json: "{}").status == .unprocessableEntity)
            // Yes, twice at the same moment: one answer counts, and Ana is enrolled as a reverse mentor once.
            let program = pathID(world.program.id)
            let yes = try await HardeningTests.concurrently(2) { _ in
                try await P.call(world, .POST, "/api/v1/asks/\(id)/accept", token: ana, json: #"{"program_id":"\#(program)"}"#)
            }
            #expect(yes.map(\.status).sorted { $0.code < $1.code } == [.ok, .conflict], "\(yes)")
            let enrolled = try await EnrolmentService(db: world.app.db).enrolment(of: "J3", in: world.program.id)
            #expect(enrolled?.role == .mentor && enrolled?.offers.map(\.topic.key) == ["figma"])
            let (_, sent) = try await P.call(world, .GET, "/api/v1/me/asks", token: sara)
            #expect(sent.contains(#""outcome":"yes, in Pilot""#), "\(sent)")
            #expect(try await (world.app.db as! any SQLDatabase).select().column("id").from(Messages.table).where("kind", .equal, "teaching_answer").all().count == 1)
            // Asked again and declined: Sara reads "not this time", nothing more.
            let (again, second) = try await P.call(world, .POST, "/api/v1/asks", token: sara, json: #"{"kind":"request","to":"J3","topics":["figma"]}"#)
            #expect(again == .created)
            let secondID = try #require(try P.object(second)["id"] as? String)
            let web = try await WebClient.signedIn(world, as: "ana@example.com")
            _ = try await web.get("/asks/\(secondID)")
            #expect(try await web.post("/asks/\(secondID)/decline", form: [:]).status == .seeOther)
            let (_, after) = try await P.call(world, .GET, "/api/v1/me/asks", token: sara)
            #expect(after.contains(#""outcome":"not this time""#))
            // Not open, in her reporting line, oneself: refused alike.
            for to in ["J4", "J2", "S1"] {
                let (status, body) = try await P.call(world, .POST, "/api/v1/asks", token: sara, json: #"{"kind":"request","to":"\#(to)","topics":["figma"]}"#)
                #expect(status == .unprocessableEntity && !body.contains("Quinn"), "\(to): \(body)")
            }
        }
    }

    /// In an open circle where both already are, yes is the senior's request there, answered: they are a pair.
    @Test func yesInAnOpenCircleWhereBothAreMakesThemAPair() async throws {
        try await TestWorld.run { world in
            try await juniors(world)
            let (created, body) = try await world.api(.POST, "/api/v1/programs", as: .coordinator,
                                                      json: #"{"name":"Circle","purpose":"Ask anyone","settings":{"mode":"self","min_level_gap":1}}"#)
            #expect(created == .created, "\(body)")
            let circle = try #require(try P.object(body)["id"] as? String)
            #expect(try await world.api(.POST, "/api/v1/programs/\(circle)/status", as: .coordinator, json: #"{"status":"enrolling"}"#).status == .ok)
            let header = "employee_id,role,offers,wants,industries,channels,cadence,capacity"
            let (imported, importBody) = try await world.api(.POST, "/api/v1/programs/\(circle)/enrolments/import", as: .coordinator,
                                                             csv: "\(header)\nJ3,mentor,figma:5,,,video,biweekly,1\nS1,mentee,,figma:3,,video,biweekly,\n")
            #expect(imported == .ok, "\(importBody)")
            #expect(try await world.api(.POST, "/api/v1/programs/\(circle)/status", as: .coordinator, json: #"{"status":"matching"}"#).status == .ok)
            let sara = try await P.token(world, "sara@example.com"), ana = try await P.token(world, "ana@example.com")
            let (_, sent) = try await P.call(world, .POST, "/api/v1/asks", token: sara, json: #"{"kind":"request","to":"J3","topics":["figma"]}"#)
            let id = try #require(try P.object(sent)["id"] as? String)
            // The accept page offers the circle (and the enrolling pilot).
            let page = try await WebClient.signedIn(world, as: "ana@example.com").get("/asks/\(id)")
            #expect(page.body.string.contains(">Circle<") && page.body.string.contains(">Pilot<"))
            let (yes, next) = try await P.call(world, .POST, "/api/v1/asks/\(id)/accept", token: ana, json: #"{"program_id":"\#(circle)"}"#)
            #expect(yes == .ok, "\(next)")
            let pairs = try await MatchingReads(db: world.app.db).pairs(in: try #require(UUID(uuidString: circle)))
            #expect(pairs.count == 1 && pairs[0].menteeID == "S1" && pairs[0].mentorID == "J3" && pairs[0].status == .accepted, "\(pairs)")
        }
    }

    @Test func aNominatorLearnsOnlyWhetherTheNomineeEnrolled() async throws {
        try await TestWorld.run { world in
            try await juniors(world)
            let web = try await WebClient.signedIn(world, as: "jo@example.com")
            _ = try await web.get("/nominate")
            let sent = try await web.post("/nominate", form: ["colleague": "Quinn@Example.com", "topics": "figma", "program_id": pathID(world.program.id),
                                                             "message": "You explain things so well"])
            #expect(sent.status == .seeOther, "\(sent.body.string)")
            let unknown = try await web.post("/nominate", form: ["colleague": "nobody@example.com", "topics": "figma"])
            #expect(unknown.status == .unprocessableEntity && unknown.body.string.contains("no colleague has this work email"))
            let quinn = try await P.token(world, "quinn@example.com")
            let (_, inbox) = try await P.call(world, .GET, "/api/v1/me/asks", token: quinn)
            let id = try #require((try P.object(inbox)["received"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(try await P.call(world, .POST, "/api/v1/asks/\(id)/decline", token: quinn).status == .ok)
            let (_, mine) = try await world.api(.GET, "/api/v1/me/asks", as: .participant)
            let nomination = try #require((try P.object(mine)["sent"] as? [[String: Any]])?.first)
            // Declined or not answered read the same to the nominator.
            #expect(nomination["outcome"] as? String == "not enrolled (yet)" && nomination["status"] as? String == "answered", "\(mine)")
        }
    }

    @Test func theProgramTeamSeesGapsInvitesAndFollowsTheFunnel() async throws {
        try await TestWorld.run { world in
            try await juniors(world)
            let program = pathID(world.program.id)
            // Sara (S1) wants figma; the only mentor, Kai (J2), reports to her.
            let (status, body) = try await world.api(.GET, "/api/v1/programs/\(program)/gaps", as: .coordinator)
            #expect(status == .ok, "\(body)")
            let gaps = try P.object(body)
            let unserved = try #require(gaps["unserved"] as? [[String: Any]])
            #expect(unserved.first?["employee_id"] as? String == "S1" && (unserved.first?["reason"] as? String)?.contains("in their reporting line") == true)
            let figma = try #require((gaps["topics"] as? [[String: Any]])?.first { $0["topic"] as? String == "figma" })
            #expect((figma["open"] as? [[String: Any]])?.compactMap { $0["employee_id"] as? String }.contains("J3") == true)
            #expect(figma["not_open_count"] as? Int == 1 && !body.contains("Quinn") && !body.contains("J4"))
            let page = try await WebClient.signedIn(world, as: "coord@example.com")
            let gapsPage = try await page.get("/programs/\(program)/gaps")
            #expect(gapsPage.status == .ok && gapsPage.body.string.contains("Ana Fresh") && !gapsPage.body.string.contains("Quinn"))
            // Invite a selection with an edited message.
            let invited = try await page.post("/programs/\(program)/invitations-to-enrol", form: ["employee_ids[]": "J3", "message": "Would you join Pilot?"])
            #expect(invited.status == .ok && invited.body.string.contains("1 invited"), "\(invited.body.string)")
            let (_, again) = try await world.api(.POST, "/api/v1/programs/\(program)/invitations-to-enrol", as: .coordinator, json: #"{"employee_ids":["J3","J2","NOBODY"]}"#)
            let outcome = try P.object(again)
            #expect(outcome["already_invited"] as? [String] == ["J3"] && outcome["already_enrolled"] as? [String] == ["J2"] && outcome["not_found"] as? [String] == ["NOBODY"])
            // Ana opens it and goes on to the enrolment form.
            let ana = try await P.token(world, "ana@example.com")
            let (_, inbox) = try await P.call(world, .GET, "/api/v1/me/asks", token: ana)
            let id = try #require((try P.object(inbox)["received"] as? [[String: Any]])?.first?["id"] as? String)
            #expect(inbox.contains("Would you join Pilot?"))
            let (accepted, next) = try await P.call(world, .POST, "/api/v1/asks/\(id)/accept", token: ana)
            #expect(accepted == .ok && next.contains("enrol?from=profile"), "\(next)")
            let (fs, funnel) = try await world.api(.GET, "/api/v1/programs/\(program)/funnel", as: .coordinator)
            #expect(fs == .ok, "\(funnel)")
            let f = try P.object(funnel)
            // Three people reached: every count of them is small, so hidden.
            #expect((f["totals"] as? [Any])?.count == 6 && (f["invitations"] as? [[String: Any]])?.first?["opened"] as? Bool == true)
            for table in f["tables"] as? [[String: Any]] ?? [] {
                for row in table["counts"] as? [[Any]] ?? [] { for cell in row { if let n = cell as? Int { #expect(n == 0 || n >= 5) } } }
            }
            #expect(try await page.get("/programs/\(program)/funnel").status == .ok)
            // The program team's pages only.
            for path in ["/api/v1/programs/\(program)/gaps", "/api/v1/programs/\(program)/funnel"] {
                #expect(try await world.api(.GET, path, as: .participant).status == .forbidden)
            }
        }
    }
}
