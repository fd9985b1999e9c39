import FlipsideCore
import Foundation
@testable import FlipsideServer
import Testing
import VaporTesting

/// Every API route, called by every role: anonymous, participant (J1) and coordinator.
@Suite(.serialized) struct APIAccessTests {
    typealias Role = TestWorld.Role

    struct Call: Sendable {
        var method: HTTPMethod
        var path: @Sendable (TestWorld) -> String
        var json: String?
        var csv: String?
        var expect: [Role: HTTPStatus]
    }

    /// Ordered so that destructive calls come last.
    static let calls: [Call] = [
        Call(method: .GET, path: { _ in "/api/v1/me" }, expect: [.anonymous: .unauthorized, .participant: .ok, .coordinator: .ok]),
        Call(method: .GET, path: { _ in "/api/v1/people?q=jo" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .GET, path: { _ in "/api/v1/people/J1" }, expect: [.anonymous: .unauthorized, .participant: .ok, .coordinator: .ok]),
        Call(method: .GET, path: { _ in "/api/v1/people/C1" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .GET, path: { _ in "/api/v1/programs" }, expect: [.anonymous: .unauthorized, .participant: .ok, .coordinator: .ok]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))" }, expect: [.anonymous: .unauthorized, .participant: .ok, .coordinator: .ok]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.draft.id))" }, expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .ok]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/enrolments" }, expect: [.anonymous: .unauthorized, .participant: .ok, .coordinator: .ok]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/matches" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/matches?algorithm=fair" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/matches?algorithm=greedy" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .badRequest]),
        // The matching workflow, on a program still enrolling (the workflow's own tests run it through).
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/runs" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .POST, path: { "/api/v1/programs/\(pathID($0.program.id))/runs" }, json: #"{"algorithm":"fair"}"#,
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .conflict]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/runs/\(pathID(UUID()))" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .notFound]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/runs/\(pathID(UUID()))/compare/\(pathID(UUID()))" },
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .notFound]),
        Call(method: .POST, path: { "/api/v1/programs/\(pathID($0.program.id))/runs/\(pathID(UUID()))/publish" },
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .conflict]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/rules" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .POST, path: { "/api/v1/programs/\(pathID($0.program.id))/rules" }, json: #"{"kind":"exclusion","mentee_id":"S1","mentor_id":"J2"}"#,
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .conflict]),
        Call(method: .DELETE, path: { "/api/v1/programs/\(pathID($0.program.id))/rules/\(pathID(UUID()))" },
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .conflict]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/pairs" }, expect: [.anonymous: .unauthorized, .participant: .ok, .coordinator: .ok]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/suggestions" }, expect: [.anonymous: .unauthorized, .participant: .conflict, .coordinator: .forbidden]),
        Call(method: .POST, path: { "/api/v1/programs/\(pathID($0.program.id))/requests" }, json: #"{"mentor_id":"J2"}"#,
             expect: [.anonymous: .unauthorized, .participant: .conflict, .coordinator: .forbidden]),
        Call(method: .GET, path: { _ in "/api/v1/pairs/\(pathID(UUID()))" }, expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/pairs/\(pathID(UUID()))/response" }, json: #"{"accept":true}"#,
             expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        // Partnerships: a pair that does not exist is a 404 to whoever is signed in (the partnership tests
        // walk real pairs for the pair's two people, another participant, a coordinator and nobody).
        Call(method: .GET, path: { _ in "/api/v1/pairs/\(pathID(UUID()))/partnership" }, expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/pairs/\(pathID(UUID()))/agreements" },
             json: #"{"goals":[{"title":"Figma","kind":"new_tech_or_apps"}],"rhythm":{"cadence":"weekly","minutes":60,"first_meeting":"2027-01-05T10:00","time_zone":"Europe/Berlin","end_date":null,"channel":"video"},"pledge_accepted":true}"#,
             expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/pairs/\(pathID(UUID()))/agreements/1/accept" }, json: #"{"pledge_accepted":true}"#,
             expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/pairs/\(pathID(UUID()))/meetings" }, json: #"{"occurrence":"2027-01-05T09:00:00Z","status":"held"}"#,
             expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/pairs/\(pathID(UUID()))/check-ins" }, json: #"{"satisfaction":4,"direction":"yes"}"#,
             expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/pairs/\(pathID(UUID()))/closing-check-in" }, json: #"{"overall_value":4,"would_again":true}"#,
             expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/pairs/\(pathID(UUID()))/texts" }, json: #"{"kind":"note","body":"private words"}"#,
             expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/pairs/\(pathID(UUID()))/actions" }, json: #"{"kind":"shape_product","what":"x"}"#,
             expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .PATCH, path: { _ in "/api/v1/pairs/\(pathID(UUID()))/actions/\(pathID(UUID()))" }, json: #"{"status":"done"}"#,
             expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/pairs/\(pathID(UUID()))/end" }, json: "{}", expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .GET, path: { _ in "/api/v1/pairs/\(pathID(UUID()))/calendar.ics" }, expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .GET, path: { _ in "/api/v1/me/impact" }, expect: [.anonymous: .unauthorized, .participant: .ok, .coordinator: .ok]),
        Call(method: .POST, path: { _ in "/api/v1/me/calendar-feed" }, expect: [.anonymous: .unauthorized, .participant: .created, .coordinator: .forbidden]),
        Call(method: .DELETE, path: { _ in "/api/v1/me/calendar-feed" }, expect: [.anonymous: .unauthorized, .participant: .noContent, .coordinator: .forbidden]),
        Call(method: .GET, path: { _ in "/api/v1/me/message-preferences" }, expect: [.anonymous: .unauthorized, .participant: .ok, .coordinator: .ok]),
        Call(method: .PUT, path: { _ in "/api/v1/me/message-preferences" }, json: #"{"meeting_reminder":"none"}"#,
             expect: [.anonymous: .unauthorized, .participant: .ok, .coordinator: .ok]),
        Call(method: .PUT, path: { _ in "/api/v1/me/message-preferences" }, json: #"{"digest":"none"}"#,
             expect: [.anonymous: .unauthorized, .participant: .unprocessableEntity, .coordinator: .ok]),
        Call(method: .PUT, path: { _ in "/api/v1/me/message-preferences" }, json: #"{"invitation":"none"}"#,
             expect: [.anonymous: .unauthorized, .participant: .unprocessableEntity, .coordinator: .unprocessableEntity]),
        Call(method: .GET, path: { _ in "/api/v1/me/teaching-profile" }, expect: [.anonymous: .unauthorized, .participant: .ok, .coordinator: .forbidden]),
        Call(method: .PUT, path: { _ in "/api/v1/me/teaching-profile" }, json: #"{"offers":[{"topic":"sql","proficiency":4}],"open_to_requests":true}"#,
             expect: [.anonymous: .unauthorized, .participant: .ok, .coordinator: .forbidden]),
        Call(method: .GET, path: { _ in "/api/v1/who-could-teach?topics=figma" }, expect: [.anonymous: .unauthorized, .participant: .ok, .coordinator: .unprocessableEntity]),
        Call(method: .GET, path: { _ in "/api/v1/who-could-teach?topics=figma&for=S1" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .GET, path: { _ in "/api/v1/me/asks" }, expect: [.anonymous: .unauthorized, .participant: .ok, .coordinator: .ok]),
        Call(method: .POST, path: { _ in "/api/v1/asks" }, json: #"{"kind":"request","to":"S1","topics":["figma"]}"#,
             expect: [.anonymous: .unauthorized, .participant: .unprocessableEntity, .coordinator: .forbidden]),
        Call(method: .GET, path: { _ in "/api/v1/asks/\(pathID(UUID()))" }, expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/asks/\(pathID(UUID()))/accept" }, expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/asks/\(pathID(UUID()))/decline" }, expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/asks/\(pathID(UUID()))/withdraw" }, expect: [.anonymous: .unauthorized, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/gaps" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/funnel" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .POST, path: { "/api/v1/programs/\(pathID($0.program.id))/invitations-to-enrol" }, json: #"{"employee_ids":["J2"],"message":"Join us"}"#,
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/health" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/outcomes/diversity" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .conflict]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/outcomes/engagement" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .conflict]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/outcomes/retention" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .conflict]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/outcomes/promotion" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .conflict]),
        Call(method: .GET, path: { _ in "/api/v1/outcomes" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .GET, path: { _ in "/api/v1/audit" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .POST, path: { _ in "/api/v1/auth/invitation" }, json: #"{"token":"not-a-link","password":"a long password 1"}"#,
             expect: [.anonymous: .notFound, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .GET, path: { _ in "/api/v1/provisioning-tokens" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .POST, path: { _ in "/api/v1/provisioning-tokens" }, json: #"{"name":"Entra ID"}"#,
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .created]),
        Call(method: .DELETE, path: { _ in "/api/v1/provisioning-tokens/\(pathID(UUID()))" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .notFound]),
        Call(method: .GET, path: { _ in "/api/v1/people/J1/data" }, expect: [.anonymous: .unauthorized, .participant: .ok, .coordinator: .ok]),
        Call(method: .GET, path: { _ in "/api/v1/people/C1/data" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .GET, path: { _ in "/api/v1/people/NOBODY/data" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/people/C1/erase" }, json: #"{"confirm": "J1"}"#,
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .unprocessableEntity]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/guidance" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .POST, path: { "/api/v1/programs/\(pathID($0.program.id))/invitations" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .accepted]),
        Call(method: .PUT, path: { "/api/v1/programs/\(pathID($0.program.id))/chat-webhook" }, json: #"{"url":"https://hooks.example.com/T000/B000/xyz"}"#,
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .PUT, path: { "/api/v1/programs/\(pathID($0.program.id))/chat-webhook" }, json: #"{"url":"http://169.254.169.254/latest/meta-data"}"#,
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .unprocessableEntity]),
        Call(method: .DELETE, path: { "/api/v1/programs/\(pathID($0.program.id))/chat-webhook" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .noContent]),
        Call(method: .PUT, path: { "/api/v1/programs/\(pathID($0.program.id))/guidance" }, json: #"{"senior":"Listen first.","junior":"Say what you think."}"#,
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .POST, path: { "/api/v1/programs/\(pathID($0.program.id))/concerns" }, json: #"{"body":"Something is wrong"}"#,
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .forbidden]),
        Call(method: .GET, path: { "/api/v1/programs/\(pathID($0.program.id))/concerns" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .POST, path: { "/api/v1/programs/\(pathID($0.program.id))/concerns/\(pathID(UUID()))/replies" }, json: #"{"body":"Thanks"}"#,
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/concerns/read" }, json: #"{"code":"NOPE"}"#, expect: [.anonymous: .notFound, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/concerns/follow-up" }, json: #"{"code":"NOPE","body":"Hello"}"#,
             expect: [.anonymous: .notFound, .participant: .notFound, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/programs" }, json: #"{"name":"Spring cohort","purpose":"AI for leaders","start_date":"2027-03-01","end_date":"2027-06-30","settings":{"min_level_gap":2}}"#,
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .created]),
        Call(method: .PATCH, path: { "/api/v1/programs/\(pathID($0.program.id))" }, json: #"{"purpose":"Updated purpose"}"#,
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .POST, path: { "/api/v1/programs/\(pathID($0.program.id))/enrolments" },
             json: #"{"employee_id":"J1","role":"mentor","offers":[{"topic":"Gen AI","proficiency":4}],"channels":["video","chat"],"cadence":"weekly","availability":[{"start":9,"end":12}]}"#,
             expect: [.anonymous: .unauthorized, .participant: .created, .coordinator: .created]),
        Call(method: .PATCH, path: { "/api/v1/programs/\(pathID($0.program.id))/enrolments/\(pathID($0.otherEnrolment.id))" }, json: #"{"capacity":2}"#,
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .POST, path: { "/api/v1/programs/\(pathID($0.program.id))/enrolments/import" },
             csv: "employee_id,role,offers,wants,industries,channels,cadence,capacity\nM1,mentee,,figma:2,,video,monthly,\n",
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .POST, path: { _ in "/api/v1/people/J2/invitation" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .created]),
        Call(method: .POST, path: { _ in "/api/v1/people/NOBODY/invitation" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .notFound]),
        Call(method: .POST, path: { _ in "/api/v1/people/import" }, csv: TestWorld.peopleCSV,
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .PATCH, path: { _ in "/api/v1/me" }, json: #"{"attributes":{"pronouns":"they/them"}}"#,
             expect: [.anonymous: .unauthorized, .participant: .ok, .coordinator: .forbidden]),
        Call(method: .DELETE, path: { "/api/v1/programs/\(pathID($0.program.id))/enrolments/\(pathID($0.otherEnrolment.id))" },
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .noContent]),
        Call(method: .POST, path: { "/api/v1/programs/\(pathID($0.program.id))/status" }, json: #"{"status":"matching"}"#,
             expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .ok]),
        Call(method: .DELETE, path: { "/api/v1/programs/\(pathID($0.draft.id))" }, expect: [.anonymous: .unauthorized, .participant: .forbidden, .coordinator: .noContent]),
        Call(method: .DELETE, path: { _ in "/api/v1/auth/token" }, expect: [.anonymous: .unauthorized, .participant: .noContent, .coordinator: .noContent]),
        Call(method: .GET, path: { _ in "/api/v1/me" }, expect: [.anonymous: .unauthorized, .participant: .unauthorized, .coordinator: .unauthorized]),
    ]

    @Test(arguments: Role.allCases)
    func everyRouteAnswersEachRoleAsDesigned(role: Role) async throws {
        try await TestWorld.run { world in
            for call in Self.calls {
                let path = call.path(world)
                let (status, body) = try await world.api(call.method, path, as: role, json: call.json, csv: call.csv)
                #expect(status == call.expect[role], "\(role) \(call.method) \(path): \(body)")
                if status.code >= 400 {
                    let error = try json(body) as? [String: Any]
                    let inner = error?["error"] as? [String: Any]
                    #expect(inner?["code"] is String && inner?["message"] is String && inner?["details"] is [Any], "error shape for \(path): \(body)")
                }
            }
        }
    }

    /// A draft hidden from a participant and a program that does not exist answer alike (status, code and
    /// words), through the API and the pages, so nobody learns which drafts exist.
    /// One form of id everywhere: lower case in every JSON answer (as in page links and calendar UIDs), and
    /// either case accepted in a path.
    @Test func idsAreLowerCaseOutAndEitherCaseIn() async throws {
        try await TestWorld.run { world in
            let upper = world.program.id.uuidString, lower = upper.lowercased()
            let (status, body) = try await world.api(.GET, "/api/v1/programs/\(upper)", as: .coordinator)
            #expect(status == .ok && body.contains("\"\(lower)\"") && !body.contains(upper), "\(body)")
            let again = try await world.api(.GET, "/api/v1/programs/\(lower)", as: .coordinator).body
            #expect(try json(again) as? NSDictionary == json(body) as? NSDictionary, "\(again) against \(body)")
            let (_, list) = try await world.api(.GET, "/api/v1/programs", as: .coordinator)
            #expect(list.range(of: "\"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\"", options: .regularExpression) == nil, "\(list)")
        }
        // Only a string that is exactly an id is lowered, never one inside other words or behind an escaped quote.
        var bytes = Array(#"{"a":"8FBA616C-21B0-4E12-9000-000000002025","b":"see 8FBA616C-21B0-4E12-9000-000000002025","c":"\"8FBA616C-21B0-4E12-9000-000000002025\""}"#.utf8)
        LowercaseUUIDEncoder.lowerUUIDs(&bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"a":"8fba616c-21b0-4e12-9000-000000002025","b":"see 8FBA616C-21B0-4E12-9000-000000002025","c":"\"8FBA616C-21B0-4E12-9000-000000002025\""}"#)
    }

    @Test func aHiddenDraftAndAMissingProgramAnswerAlike() async throws {
        try await TestWorld.run { world in
            let missing = UUID().uuidString.lowercased()
            let hidden = try await world.api(.GET, "/api/v1/programs/\(world.draft.id.uuidString.lowercased())", as: .participant)
            let absent = try await world.api(.GET, "/api/v1/programs/\(missing)", as: .participant)
            #expect(hidden.status == .notFound && absent.status == .notFound)
            func error(_ body: String) throws -> [String?] {
                let e = (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["error"] as? [String: Any]
                return [e?["code"] as? String, e?["message"] as? String]
            }
            #expect(try error(hidden.body) == error(absent.body) && error(absent.body) == ["not_found", "Program was not found."], "\(hidden.body) vs \(absent.body)")
            #expect(!absent.body.contains(missing))
        }
    }

    @Test func participantSeesOnlyTheirOwnEnrolments() async throws {
        try await TestWorld.run { world in
            let path = "/api/v1/programs/\(pathID(world.program.id))/enrolments"
            let (_, before) = try await world.api(.GET, path, as: .participant)
            #expect(((try json(before) as? [String: Any])?["items"] as? [Any])?.count == 0)
            _ = try await world.api(.POST, path, as: .participant, json: #"{"role":"mentor","offers":[{"topic":"figma","proficiency":3}]}"#)
            let (_, after) = try await world.api(.GET, path, as: .participant)
            let items = (try json(after) as? [String: Any])?["items"] as? [[String: Any]] ?? []
            #expect(items.count == 1)
            #expect((items.first?["enrolment"] as? [String: Any])?["employee_id"] as? String == "J1")
            let (coordinatorStatus, all) = try await world.api(.GET, path, as: .coordinator)
            #expect(coordinatorStatus == .ok)
            #expect(((try json(all) as? [String: Any])?["items"] as? [Any])?.count == 3)
        }
    }

    @Test func participantCannotEnrolSomeoneElse() async throws {
        try await TestWorld.run { world in
            let (status, body) = try await world.api(.POST, "/api/v1/programs/\(pathID(world.program.id))/enrolments", as: .participant,
                                                     json: #"{"employee_id":"C1","role":"mentee","wants":[{"topic":"figma","priority":1}]}"#)
            #expect(status == .forbidden, "\(body)")
        }
    }
}
