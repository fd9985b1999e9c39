import FlipsideCore
import Foundation
import Testing

import VaporTesting
@testable import FlipsideServer

/// The web form and the API read the same input into the same Core draft and answer with the same
/// problems (issue [10], item 3).
@Suite(.serialized) struct OneParserTests {
    /// The `field` of every problem in an API error body.
    static func fields(_ body: String) throws -> Set<String> {
        let error = try #require(try MatchingWorkflowTests.object(body)["error"] as? [String: Any])
        let details = try #require(error["details"] as? [[String: Any]])
        return Set(details.compactMap { $0["field"] as? String })
    }

    @Test func aProgramsProblemsAreTheSameThroughTheFormAndTheAPI() async throws {
        try await TestWorld.run { world in
            let long = String(repeating: "x", count: 200)
            let (status, body) = try await world.api(.POST, "/api/v1/programs", as: .coordinator, json: """
                {"name":"","start_date":"2026-05-01","end_date":"2026-04-01","settings":{"min_level_gap":99,"request_days":0},"topic_catalogue":["figma","\(long)"]}
                """)
            #expect(status == .unprocessableEntity)
            let apiFields = try Self.fields(body)
            #expect(apiFields == ["name", "end_date", "settings.min_level_gap", "settings.request_days", "topic_catalogue"], "\(apiFields)")
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            _ = try await web.get("/programs/new")
            let form = try await web.post("/programs", form: [
                "name": "", "start_date": "2026-05-01", "end_date": "2026-04-01", "min_level_gap": "99", "request_days": "0",
                "topic_catalogue": "figma\n\(long)"])
            #expect(form.status == .unprocessableEntity)
            let page = form.body.string
            for field in apiFields { #expect(page.contains(field), "\(field) on the form") }
            #expect(page.contains("must not be before start_date") && page.contains("must be between 0 and 50"))
        }
    }

    @Test func anEnrolmentIsReadAlikeThroughTheFormAndTheAPI() async throws {
        try await TestWorld.run { world in
            let path = "/programs/\(pathID(world.program.id))/enrol"
            let web = try await WebClient.signedIn(world, as: "jo@example.com")
            _ = try await web.get(path)
            // A mentee's industries are kept (the form dropped them), and no capacity field is read for a mentee.
            let mentee = try await web.post(path, form: ["role": "mentee", "wants": "python:2", "industries": "retail; gaming",
                                                         "channels[]": "chat", "cadence": "monthly", "capacity": "4"])
            #expect(mentee.status == .seeOther)
            let stored = try #require(try await EnrolmentService(db: world.app.db).enrolment(of: "J1", in: world.program.id))
            #expect(stored.role == .mentee && stored.industries == ["retail", "gaming"] && stored.capacity == 1)
            // Becoming a mentor without a capacity: the program's default, through the form as through the API.
            _ = try await web.get(path)
            let mentor = try await web.post(path, form: ["role": "mentor", "offers": "figma:4", "industries": "retail; gaming", "channels[]": "chat", "cadence": "monthly"])
            #expect(mentor.status == .seeOther)
            let asMentor = try #require(try await EnrolmentService(db: world.app.db).enrolment(of: "J1", in: world.program.id))
            #expect(asMentor.role == .mentor && asMentor.capacity == world.program.settings.defaultCapacity && asMentor.industries == ["retail", "gaming"])
            let (s, b) = try await world.api(.PATCH, "/api/v1/programs/\(pathID(world.program.id))/enrolments/\(pathID(asMentor.id))", as: .participant,
                                             json: #"{"role":"mentee","offers":[],"wants":[{"topic":"figma","priority":1}]}"#)
            #expect(s == .ok, "\(b)")
            let back = try #require(try await EnrolmentService(db: world.app.db).enrolment(of: "J1", in: world.program.id))
            #expect(back.role == .mentee && back.capacity == 1)
            // No channel: the same problem, in the same words, from both.
            let (api, apiBody) = try await world.api(.PATCH, "/api/v1/programs/\(pathID(world.program.id))/enrolments/\(pathID(asMentor.id))",
                                                     as: .participant, json: #"{"channels":[]}"#)
            #expect(api == .unprocessableEntity && apiBody.contains("at least one channel is needed"))
            _ = try await web.get(path)
            let none = try await web.post(path, form: ["role": "mentee", "wants": "figma:1", "cadence": "monthly"])
            #expect(none.status == .unprocessableEntity && none.body.string.contains("at least one channel is needed"))
        }
    }
}
