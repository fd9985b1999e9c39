import Fluent
import FlipsideCore
@testable import FlipsideServer
import Foundation
import Testing
import VaporTesting

/// A program's topic catalogue: seeded from what enrolled people name, edited by the coordinator, and
/// picked from on the enrolment form with labelled levels (the API keeps its JSON shape).
@Suite(.serialized) struct TopicCatalogueTests {
    @Test func peoplePickTopicsFromTheCatalogueWithLabelledLevels() async throws {
        try await TestWorld.run { world in
            let program = pathID(world.program.id)
            let coordinator = try await WebClient.signedIn(world, as: "coord@example.com")
            let edit = try await coordinator.get("/programs/\(program)/edit").body.string
            #expect(edit.contains(">figma</textarea>") && edit.contains("Seeded from what the enrolled people offer and want"))
            let saved = try await coordinator.post("/programs/\(program)", form: ["name": world.program.name, "topic_catalogue": "figma\nGenerative AI\nsql\nfigma"])
            #expect(saved.status == .seeOther)
            let (_, api) = try await world.api(.GET, "/api/v1/programs/\(program)", as: .coordinator)
            #expect(api.contains(#""topic_catalogue":["figma","generative-ai","sql"]"#), "\(api)")
            let tooLong = try await coordinator.post("/programs/\(program)", form: ["name": world.program.name, "topic_catalogue": String(repeating: "x", count: 81)])
            #expect(tooLong.status == .unprocessableEntity && tooLong.body.string.contains("topic_catalogue"))

            let jo = try await WebClient.signedIn(world, as: "jo@example.com")
            let form = try await jo.get("/programs/\(program)/enrol").body.string
            #expect(form.contains(#"name="offer[1]""#) && form.contains("5 — I could teach it") && form.contains("3 — the reason I am here"))
            let enrolled = try await jo.post("/programs/\(program)/enrol", form: [
                "role": "mentor", "topic[0]": "figma", "offer[0]": "4", "topic[1]": "generative-ai", "offer[1]": "5", "topic[2]": "sql", "offer[2]": "",
                "offers": "notion:3", "channels[]": "video", "cadence": "biweekly"])
            #expect(enrolled.status == .seeOther, "\(enrolled.body.string.suffix(800))")
            let stored = try #require(try await EnrolmentService(db: world.app.db).enrolment(of: "J1", in: world.program.id))
            #expect(stored.offers.map { "\($0.topic.key):\($0.proficiency)" } == ["figma:4", "generative-ai:5", "notion:3"])
            // Shown again: the picks selected, the typed topic in the free field.
            let again = try await jo.get("/programs/\(program)/enrol").body.string
            #expect(again.contains(#"<option value="4" selected>4 — I know it well</option>"#) && again.contains(#"value="notion:3""#))
            // A level out of range: the same problem the API gives for the same list.
            let bad = try await jo.post("/programs/\(program)/enrol", form: [
                "role": "mentor", "topic[0]": "figma", "offer[0]": "9", "channels[]": "video", "cadence": "biweekly"])
            #expect(bad.status == .unprocessableEntity && bad.body.string.contains("<strong>offers</strong>"))
            let (apiStatus, apiBody) = try await world.api(.PATCH, "/api/v1/programs/\(program)/enrolments/\(pathID(stored.id))", as: .participant,
                                                           json: #"{"offers":[{"topic":"figma","proficiency":9}]}"#)
            #expect(apiStatus == .unprocessableEntity && apiBody.contains(#""field":"offers"#), "\(apiBody)")
        }
    }
}
