import Fluent
import FlipsideCore
import MatchingEngine
@testable import FlipsideServer
import Testing
import VaporTesting

@Suite(.serialized) struct ProgramAPITests {
    @Test func walksTheLifeCycleAndRefusesIllegalMoves() async throws {
        try await TestWorld.run { world in
            let path = "/api/v1/programs/\(pathID(world.draft.id))/status"
            let (skip, skipBody) = try await world.api(.POST, path, as: .coordinator, json: #"{"status":"active"}"#)
            #expect(skip == .conflict)
            #expect(skipBody.contains("illegal_transition"))
            for next in ["enrolling", "matching", "enrolling", "matching", "active", "closed"] {
                let (status, body) = try await world.api(.POST, path, as: .coordinator, json: "{\"status\":\"\(next)\"}")
                #expect(status == .ok, "→ \(next): \(body)")
            }
            let (reopen, _) = try await world.api(.POST, path, as: .coordinator, json: #"{"status":"enrolling"}"#)
            #expect(reopen == .conflict)
            let (unknown, _) = try await world.api(.POST, path, as: .coordinator, json: #"{"status":"paused"}"#)
            #expect(unknown == .badRequest)
        }
    }

    @Test func validatesProgramsWithFieldDetails() async throws {
        try await TestWorld.run { world in
            let (s1, b1) = try await world.api(.POST, "/api/v1/programs", as: .coordinator,
                                               json: #"{"name":" ","start_date":"2027-05-01","end_date":"2027-01-01","settings":{"default_capacity":0}}"#)
            #expect(s1 == .unprocessableEntity)
            #expect(b1.contains("\"field\":\"name\"") && b1.contains("end_date") && b1.contains("settings.default_capacity"))
            let (s2, b2) = try await world.api(.POST, "/api/v1/programs", as: .coordinator, json: #"{"name":"Pilot"}"#)
            #expect(s2 == .unprocessableEntity)
            #expect(b2.contains("already used"))
            let (s3, _) = try await world.api(.POST, "/api/v1/programs", as: .coordinator, json: #"{"name":"X","start_date":"2027-02-30"}"#)
            #expect(s3 == .badRequest)
            let (s4, _) = try await world.api(.POST, "/api/v1/programs", as: .coordinator, json: "{not json")
            #expect(s4 == .badRequest)
        }
    }

    /// The full matching rule set is part of a program: set through the API, read back, and used by the
    /// preview; bad values are a 422 naming the field, and the form reports the same problems.
    @Test func matchingSettingsAreStoredEditedAndValidatedTheSameOnBothPaths() async throws {
        try await TestWorld.run { world in
            let path = "/api/v1/programs/\(pathID(world.program.id))"
            let patch = #"{"settings":{"forbid_shared_manager":true,"require_common_channel":false,"perspective_attributes":["Career_Path"],"weights":{"goal_coverage":1,"cadence_fit":3},"mode":"self","pairs_need_acceptance":false,"request_days":14,"allow_repeat_pairs":true}}"#
            let (status, body) = try await world.api(.PATCH, path, as: .coordinator, json: patch)
            #expect(status == .ok, "\(body)")
            let (_, read) = try await world.api(.GET, path, as: .coordinator)
            for fragment in [#""forbid_shared_manager":true"#, #""require_common_channel":false"#, #""perspective_attributes":["career_path"]"#,
                             #""mode":"self""#, #""pairs_need_acceptance":false"#, #""request_days":14"#, #""allow_repeat_pairs":true"#,
                             #""cadence_fit":3"#, #""min_level_gap":2"#] {
                #expect(read.contains(fragment), "\(fragment) in \(read)")
            }
            let stored = try await ProgramService(db: world.app.db).find(world.program.id).settings
            #expect(stored.weights == ["goal_coverage": 1, "cadence_fit": 3] && stored.rules.forbidSharedManager && !stored.rules.requireCommonChannel)
            // Bad values: every one named, nothing stored.
            let bad = #"{"settings":{"weights":{"goal_coverage":-1,"charm":2},"request_days":0,"perspective_attributes":["no spaces"]}}"#
            let (s2, b2) = try await world.api(.PATCH, path, as: .coordinator, json: bad)
            #expect(s2 == .unprocessableEntity)
            for field in ["settings.weights.goal_coverage", "settings.weights.charm", "settings.request_days", "settings.perspective_attributes"] {
                #expect(b2.contains("\"field\":\"\(field)\""), "\(field) in \(b2)")
            }
            let (s3, b3) = try await world.api(.PATCH, path, as: .coordinator, json: #"{"settings":{"mode":"lottery"}}"#)
            #expect(s3 == .badRequest && b3.contains("mode"))
            #expect(try await ProgramService(db: world.app.db).find(world.program.id).settings == stored)
            // The form: the same bad request days and weights give the same fields.
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            _ = try await web.get("/programs/\(pathID(world.program.id))/edit")
            let form = try await web.post("/programs/\(pathID(world.program.id))", form: [
                "name": world.program.name, "settings_shown": "yes", "request_days": "0", "weight_goal_coverage": "-1", "weight_channel_fit": "lots"])
            #expect(form.status == .unprocessableEntity)
            for field in ["settings.request_days", "settings.weights.goal_coverage", "settings.weights.channel_fit"] {
                #expect(form.body.string.contains(field), "\(field)")
            }
            // A good form post sets the checkboxes it shows (an unticked box is off).
            _ = try await web.get("/programs/\(pathID(world.program.id))/edit")
            let good = try await web.post("/programs/\(pathID(world.program.id))", form: [
                "name": world.program.name, "settings_shown": "yes", "require_common_channel": "yes", "mode": "coordinator",
                "weight_goal_coverage": "50", "weight_different_perspective": "20", "weight_channel_fit": "10", "weight_cadence_fit": "10",
                "weight_availability_overlap": "10", "perspective_attributes": "career_path, previous_industry", "request_days": "7"])
            #expect(good.status == .seeOther)
            let reset = try await ProgramService(db: world.app.db).find(world.program.id).settings
            #expect(reset.mode == .coordinator && reset.requireCommonChannel && !reset.forbidSharedManager && !reset.pairsNeedAcceptance
                    && !reset.allowRepeatPairs && reset.weights == MatchRules.defaultWeights && reset.perspectiveAttributes == ["career_path", "previous_industry"])
            let page = try await web.get("/programs/\(pathID(world.program.id))/edit").body.string
            #expect(page.contains("id=\"require_common_channel\" name=\"require_common_channel\" value=\"yes\" style=\"width:auto\" checked"))
        }
    }

    @Test func badIdentifiersAndParametersAreClientErrors() async throws {
        try await TestWorld.run { world in
            let value11 = try await world.api(.GET, "/api/v1/programs/not-a-uuid", as: .coordinator).status
            #expect(value11 == .notFound)
            let value12 = try await world.api(.GET, "/api/v1/programs/\(pathID(UUID()))", as: .coordinator).status
            #expect(value12 == .notFound)
            let value13 = try await world.api(.GET, "/api/v1/people?page=0", as: .coordinator).status
            #expect(value13 == .badRequest)
            let value14 = try await world.api(.GET, "/api/v1/people?per=abc", as: .coordinator).status
            #expect(value14 == .badRequest)
            let value15 = try await world.api(.GET, "/api/v1/people/NOPE", as: .coordinator).status
            #expect(value15 == .notFound)
            let value16 = try await world.api(.GET, "/api/v1/nothing-here", as: .coordinator).status
            #expect(value16 == .notFound)
        }
    }

    @Test func searchesAndPaginatesPeopleWithTotals() async throws {
        try await TestWorld.run { world in
            let (_, body) = try await world.api(.GET, "/api/v1/people?per=2&page=2", as: .coordinator)
            let page = try #require(try json(body) as? [String: Any])
            #expect(page["total"] as? Int == 5 && page["page"] as? Int == 2 && (page["items"] as? [Any])?.count == 2)
            let (_, byDept) = try await world.api(.GET, "/api/v1/people?department=Engineering&q=JUNIOR", as: .coordinator)
            let found = try #require(try json(byDept) as? [String: Any])
            #expect(found["total"] as? Int == 1)
            // LIKE's wildcards in a query match only themselves: nobody's name has % or _ in it.
            for wildcard in ["%25", "_", "j_", "%25o"] {
                let (_, none) = try await world.api(.GET, "/api/v1/people?q=\(wildcard)", as: .coordinator)
                #expect((try json(none) as? [String: Any])?["total"] as? Int == 0, "q=\(wildcard)")
            }
            for bad in ["per=201", "per=0", "page=-1", "per=ten"] {
                let (status, body) = try await world.api(.GET, "/api/v1/people?\(bad)", as: .coordinator)
                #expect(status == .badRequest && body.contains(bad.split(separator: "=")[0]), "\(bad)")
            }
            let (_, email) = try await world.api(.GET, "/api/v1/people?q=jo%40example.com", as: .coordinator)
            #expect((try json(email) as? [String: Any])?["total"] as? Int == 1)
        }
    }

    /// The match preview through the API: the pair, the unmatched mentee's rule counts and the
    /// alternatives' exact switching costs, in the documented shape.
    @Test func previewsAProgramsMatches() async throws {
        try await TestWorld.run { world in
            let program = pathID(world.program.id)
            let enrolled = try await world.addAnaAndEnrol("J1,mentor,Figma:5,,,video,weekly,1\nJ3,mentor,Figma:2,,,video,weekly,1\nC1,mentee,,Figma:3,,video,weekly,\n")
            #expect(enrolled == .ok)
            let path = "/api/v1/programs/\(program)/matches"
            let (status, body) = try await world.api(.GET, path, as: .coordinator)
            #expect(status == .ok)
            #expect(try OpenAPIDocument().check("GET", path, status: 200, body: body).isEmpty)
            let preview = try #require(try json(body) as? [String: Any])
            #expect(preview["algorithm"] as? String == "optimal" && preview["pairs"] as? Int == 1 && preview["mentees"] as? Int == 2)
            let explanation = try #require(preview["explanation"] as? [String: Any])
            let pair = try #require((explanation["pairs"] as? [[String: Any]])?.first)
            #expect(pair["mentee_id"] as? String == "S1" && pair["mentor_id"] as? String == "J1")
            let unmatched = try #require((explanation["unmatched_mentees"] as? [[String: Any]])?.first)
            #expect(unmatched["id"] as? String == "C1" && (unmatched["excluded_by"] as? [String: Int])?["same_reporting_chain"] == 3)
            let sara = try #require((explanation["alternatives"] as? [[String: Any]])?.first { $0["mentee_id"] as? String == "S1" })
            let option = try #require((sara["next_best"] as? [[String: Any]])?.first)
            #expect(option["mentor_id"] as? String == "J3" && (option["program_total_change"] as? Double ?? 0) < 0)
        }
    }

    /// A path the server has, asked with a method it does not: 405 with the methods it has; an unknown
    /// path stays 404.
    @Test func answersAWrongMethodWith405() async throws {
        try await TestWorld.run { world in
            let put = try await world.app.testing().sendRequest(.PUT, "/api/v1/me")
            #expect(put.status == .methodNotAllowed && put.headers.first(name: .allow) == "GET, PATCH")
            #expect(put.body.string.contains("method_not_allowed"))
            let program = try await world.app.testing().sendRequest(.PUT, "/api/v1/programs/\(pathID(world.program.id))")
            #expect(program.headers.first(name: .allow) == "DELETE, GET, PATCH")
            let page = try await world.app.testing().sendRequest(.DELETE, "/people")
            #expect(page.status == .methodNotAllowed && page.headers.first(name: .allow) == "GET")
            #expect(try await world.app.testing().sendRequest(.GET, "/api/v1/nothing-here").status == .notFound)
            // A handler's own 404 is not mistaken for a wrong method.
            let (missing, _) = try await world.api(.GET, "/api/v1/people/NOBODY", as: .coordinator)
            #expect(missing == .notFound)
        }
    }

    @Test func enrolmentRulesHoldThroughTheAPI() async throws {
        try await TestWorld.run { world in
            let path = "/api/v1/programs/\(pathID(world.program.id))/enrolments"
            let (dup, _) = try await world.api(.POST, path, as: .coordinator, json: #"{"employee_id":"J2","role":"mentor","offers":[{"topic":"x","proficiency":2}]}"#)
            #expect(dup == .conflict)
            let (bad, badBody) = try await world.api(.POST, path, as: .coordinator, json: #"{"employee_id":"M1","role":"mentee","offers":[{"topic":"x","proficiency":2}]}"#)
            #expect(bad == .unprocessableEntity)
            #expect(badBody.contains("\"field\":\"offers\"") && badBody.contains("\"field\":\"wants\""))
            let (range, _) = try await world.api(.POST, path, as: .coordinator, json: #"{"employee_id":"M1","role":"mentee","wants":[{"topic":"x","priority":2}],"availability":[{"start":20,"end":9}]}"#)
            #expect(range == .badRequest)
            let (warned, warnedBody) = try await world.api(.POST, path, as: .coordinator, json: #"{"employee_id":"J1","role":"mentee","wants":[{"topic":"figma","priority":2}]}"#)
            #expect(warned == .created)
            #expect(warnedBody.contains("No mentor can serve J1"))
            _ = try await world.api(.POST, "/api/v1/programs/\(pathID(world.program.id))/status", as: .coordinator, json: #"{"status":"matching"}"#)
            let (closed, closedBody) = try await world.api(.POST, path, as: .coordinator, json: #"{"employee_id":"M1","role":"mentee","wants":[{"topic":"x","priority":2}]}"#)
            #expect(closed == .conflict)
            #expect(closedBody.contains("closed_for_enrolment"))
        }
    }

    @Test func anActiveProgramCannotBeDeleted() async throws {
        try await TestWorld.run { world in
            let id = pathID(world.program.id)
            for next in ["matching", "active"] {
                _ = try await world.api(.POST, "/api/v1/programs/\(id)/status", as: .coordinator, json: "{\"status\":\"\(next)\"}")
            }
            let value17 = try await world.api(.DELETE, "/api/v1/programs/\(id)", as: .coordinator).status
            #expect(value17 == .conflict)
            let value18 = try await world.count(EnrolmentModel.self)
            #expect(value18 == 2)
        }
    }
}
