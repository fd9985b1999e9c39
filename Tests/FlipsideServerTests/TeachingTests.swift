import Fluent
import FlipsideCore
@testable import FlipsideServer
import Foundation
import Testing
import VaporTesting

/// "Who could teach me?" and teaching profiles through the API and the pages.
@Suite(.serialized) struct TeachingTests {
    static let peopleHeader = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id"

    /// Ana (J3, open) and Quinn Canary (J4, not open) both list figma; Jo (J1) keeps an open profile
    /// through the API.
    func juniors(_ world: TestWorld) async throws {
        let (imported, body) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: """
            \(Self.peopleHeader)
            J3,Ana Fresh,ana@example.com,Analyst,1,2025-02-01,Marketing,Lisbon,Europe/Lisbon,M1
            J4,Quinn Canary,quinn@example.com,Analyst,1,2025-02-01,Marketing,Lisbon,Europe/Lisbon,M1

            """)
        #expect(imported == .ok, "\(body)")
        let figma = [TopicOffer(topic: Topic("figma")!, proficiency: 5)]
        try await TeachingProfileRows.save(TeachingProfile(employeeID: "J3", offers: figma, openToRequests: true), on: world.app.db)
        try await TeachingProfileRows.save(TeachingProfile(employeeID: "J4", offers: figma, openToRequests: false), on: world.app.db)
        let (saved, profile) = try await world.api(.PUT, "/api/v1/me/teaching-profile", as: .participant,
                                                   json: #"{"offers":[{"topic":"Figma","proficiency":3}],"languages":["Portuguese"],"open_to_requests":true}"#)
        #expect(saved == .ok, "\(profile)")
    }

    @Test func peopleWhoAreNotOpenAreCountedButNeverNamedOnAnyRoute() async throws {
        try await TestWorld.run { world in
            try await juniors(world)
            // A coordinator asks on Sara's behalf (S1, level 6); Kai (J2) reports to her: never.
            let (status, body) = try await world.api(.GET, "/api/v1/who-could-teach?topics=figma&for=S1", as: .coordinator)
            #expect(status == .ok, "\(body)")
            let answer = try #require(try json(body) as? [String: Any])
            let names = (answer["candidates"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names == ["Ana Fresh", "Jo Junior"], "\(body)")   // 5/5 before 3/5
            #expect(answer["not_open_count"] as? Int == 1 && answer["open_count"] as? Int == 2)
            let coordinatorPage = try await WebClient.signedIn(world, as: "coord@example.com").get("/who-could-teach?topics=figma&for=S1")
            #expect(coordinatorPage.status == .ok)
            let html = coordinatorPage.body.string
            // Page and API: the same people in the same order, and the same count of the others.
            let anaAt = try #require(html.range(of: "Ana Fresh")), joAt = try #require(html.range(of: "Jo Junior"))
            #expect(anaAt.lowerBound < joAt.lowerBound)
            #expect(html.contains("1 more person lists this but is not open to being asked."))
            // Jo asks for herself (level 2): Ana (level 1, not in her chain) is named; Quinn is counted.
            let (mine, mineBody) = try await world.api(.GET, "/api/v1/who-could-teach?topics=figma", as: .participant)
            #expect(mine == .ok && mineBody.contains("Ana Fresh") && !mineBody.contains("Jo Junior"), "\(mineBody)")
            let participantPage = try await WebClient.signedIn(world, as: "jo@example.com").get("/who-could-teach?topics=figma")
            // The canary, anywhere: API and page, participant, coordinator and nobody.
            let anonymous = try await world.api(.GET, "/api/v1/who-could-teach?topics=figma&for=S1", as: .anonymous)
            let anonymousPage = try await WebClient(app: world.app).get("/who-could-teach?topics=figma")
            #expect(anonymous.status == .unauthorized && anonymousPage.status == .seeOther)
            for text in [body, html, mineBody, participantPage.body.string, anonymous.body, anonymousPage.body.string] {
                #expect(!text.contains("Quinn") && !text.mentions(id: "J4") && !text.contains("Canary"))
            }
            // A participant does not ask on someone else's behalf.
            #expect(try await world.api(.GET, "/api/v1/who-could-teach?topics=figma&for=S1", as: .participant).status == .forbidden)
            // Once Quinn opens up, the next answer names her (the directory follows every change).
            try await TeachingProfileRows.save(TeachingProfile(employeeID: "J4", offers: [TopicOffer(topic: Topic("figma")!, proficiency: 5)], openToRequests: true),
                                               on: world.app.db)
            let (_, after) = try await world.api(.GET, "/api/v1/who-could-teach?topics=figma&for=S1", as: .coordinator)
            #expect(after.contains("Quinn Canary") && after.contains(#""not_open_count":0"#), "\(after)")
            // Someone who left is never named.
            _ = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: """
                \(Self.peopleHeader),status,exit_date
                J3,Ana Fresh,ana@example.com,Analyst,1,2025-02-01,Marketing,Lisbon,Europe/Lisbon,M1,exited,2026-11-01

                """)
            let (_, left) = try await world.api(.GET, "/api/v1/who-could-teach?topics=figma&for=S1", as: .coordinator)
            #expect(!left.contains("Ana Fresh") && left.contains("Quinn Canary"), "\(left)")
        }
    }

    @Test func aQuestionThatCannotBeReadIsA422OnBothRoutes() async throws {
        try await TestWorld.run { world in
            for query in ["topics=", "topics=figma&perspective=astrology", "topics=figma&limit=0", "topics=figma&limit=many"] {
                let (status, body) = try await world.api(.GET, "/api/v1/who-could-teach?\(query)", as: .participant)
                #expect(status == .unprocessableEntity, "\(query): \(body)")
            }
            // A form sends its empty fields: they are "not given".
            let form = try await WebClient.signedIn(world, as: "jo@example.com").get("/who-could-teach?topics=figma&industry=&perspective=&language=&program_id=")
            #expect(form.status == .ok && form.body.string.contains("answer-heading"))
            #expect(try await world.api(.GET, "/api/v1/who-could-teach?topics=figma&program_id=nope", as: .participant).status == .unprocessableEntity)
            let page = try await WebClient.signedIn(world, as: "jo@example.com").get("/who-could-teach?topics=figma&perspective=astrology")
            #expect(page.status == .unprocessableEntity && page.body.string.contains("must be one of department"))
            // A coordinator who is not a person names whom they ask for; nobody is found for an unknown id.
            #expect(try await world.api(.GET, "/api/v1/who-could-teach?topics=figma", as: .coordinator).status == .unprocessableEntity)
            #expect(try await world.api(.GET, "/api/v1/who-could-teach?topics=figma&for=NOBODY", as: .coordinator).status == .notFound)
            #expect(try await world.api(.GET, "/api/v1/who-could-teach?topics=figma&for=S1&program_id=\(pathID(UUID()))", as: .coordinator).status == .notFound)
        }
    }

    @Test func theProfileIsThePersonsToKeepAndGoesWithTheirData() async throws {
        try await TestWorld.run { world in
            // Empty and closed until filled in.
            let (_, empty) = try await world.api(.GET, "/api/v1/me/teaching-profile", as: .participant)
            #expect(empty.contains(#""open_to_requests":false"#) && empty.contains(#""offers":[]"#))
            let (bad, problems) = try await world.api(.PUT, "/api/v1/me/teaching-profile", as: .participant, json: #"{"open_to_requests":true}"#)
            #expect(bad == .unprocessableEntity && problems.contains("open_to_requests"))
            #expect(try await world.api(.PUT, "/api/v1/me/teaching-profile", as: .coordinator, json: #"{"open_to_requests":false}"#).status == .forbidden)
            // The page saves what the form says, catalogue picks and typed topics alike.
            let web = try await WebClient.signedIn(world, as: "jo@example.com")
            #expect(try await web.get("/me/teaching").status == .ok)
            let saved = try await web.post("/me/teaching", form: ["offers": "sql:4", "industries": "Retail", "languages": "Portuguese; English",
                                                                  "channels[]": "video", "availability": "9-12", "open_to_requests": "on"])
            #expect(saved.status == .seeOther)
            let (_, profile) = try await world.api(.GET, "/api/v1/me/teaching-profile", as: .participant)
            #expect(profile.contains(#""topic":"sql""#) && profile.contains(#""open_to_requests":true"#) && profile.contains("Portuguese"), "\(profile)")
            let refused = try await web.post("/me/teaching", form: ["offers": "sql", "channels[]": "video"])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("needs a proficiency"))
            // Enrolling starts from it when asked, and gives back to it only when asked.
            let form = try await web.get("/programs/\(pathID(world.program.id))/enrol?from=profile")
            #expect(form.body.string.contains(#"value="mentor" checked"#) && form.body.string.contains("sql:4"))
            let enrolled = try await web.post("/programs/\(pathID(world.program.id))/enrol",
                                              form: ["role": "mentor", "offers": "figma:5", "channels[]": "chat", "cadence": "weekly", "capacity": "1",
                                                     "keep_on_profile": "on"])
            #expect(enrolled.status == .seeOther, "\(enrolled.body.string)")
            let (_, kept) = try await world.api(.GET, "/api/v1/me/teaching-profile", as: .participant)
            #expect(kept.contains(#""topic":"figma""#) && kept.contains(#""channels":["chat"]"#) && kept.contains(#""open_to_requests":true"#), "\(kept)")
            // The export holds it; erasure removes it.
            let (_, export) = try await world.api(.GET, "/api/v1/people/J1/data", as: .participant)
            #expect(export.contains(#""teaching_profile""#))
            let (erased, _) = try await world.api(.POST, "/api/v1/people/J1/erase", as: .coordinator, json: #"{"confirm": "J1"}"#)
            #expect(erased == .ok)
            #expect(try await TeachingProfileRows.all(on: world.app.db).isEmpty)
        }
    }
}
