import FlipsideCore
@testable import FlipsideServer
import Foundation
import SQLKit
import Testing
import VaporTesting

/// SCIM 2.0 provisioning: the life cycle an identity provider drives (create, change the manager,
/// deactivate → sign-in refused at once, reactivate, delete), the request shapes Entra ID and Okta
/// send, the HR import's rules as SCIM errors, tokens, and a race for one user name. On SQLite and, in
/// CI, on PostgreSQL. The third-party checker scim2-tester runs in `scripts/scim-check.sh`.
@Suite(.serialized) struct SCIMTests {
    static let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    static let flipside = "urn:flipside:params:scim:schemas:extension:flipside:2.0:User"

    struct Provider {
        let world: TestWorld
        let token: String

        static func make(_ world: TestWorld, name: String = "Entra ID") async throws -> Provider {
            Provider(world: world, token: try await ProvisioningActions.make(name: name, app: world.app).token)
        }

        /// Sends a SCIM request; returns status, headers and the body as JSON (or nil).
        @discardableResult
        func send(_ method: HTTPMethod, _ path: String, _ body: String? = nil, headers extra: [(String, String)] = [],
                  token: String? = nil) async throws -> (status: HTTPStatus, headers: HTTPHeaders, json: [String: Any]) {
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: token ?? self.token)
            headers.replaceOrAdd(name: .contentType, value: "application/scim+json")
            for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
            let response = try await world.app.testing().sendRequest(method, "/scim/v2" + path, headers: headers, body: body.map { ByteBuffer(string: $0) })
            let object = (try? JSONSerialization.jsonObject(with: Data(response.body.string.utf8))) as? [String: Any] ?? [:]
            return (response.status, response.headers, object)
        }

        func person(_ id: String) async throws -> Person? { try await PeopleService(db: world.app.db).find(id) }
    }

    static func user(_ userName: String, number: String? = nil, email: String? = nil, manager: String? = nil, extra: String = "") -> String {
        var enterprise: [String] = []
        if let number { enterprise.append(#""employeeNumber":"\#(number)""#) }
        if let manager { enterprise.append(#""manager":{"value":"\#(manager)"}"#) }
        return """
        {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User","\(Self.enterprise)"],"userName":"\(userName)",
         "name":{"givenName":"Ada","familyName":"Nguyen"},"emails":[{"value":"\(email ?? userName)","type":"work","primary":true}],
         "active":true,"title":"Engineer","\(Self.enterprise)":{\(enterprise.joined(separator: ","))}\(extra)}
        """
    }

    @Test func lifeCycleFromCreateToDelete() async throws {
        try await TestWorld.run { world in
            let idp = try await Provider.make(world)
            // Discovery.
            let (configStatus, configHeaders, config) = try await idp.send(.GET, "/ServiceProviderConfig")
            #expect(configStatus == .ok && configHeaders.contentType?.subType == "scim+json")
            #expect((config["patch"] as? [String: Any])?["supported"] as? Bool == true && (config["etag"] as? [String: Any])?["supported"] as? Bool == true)
            let (_, _, schemas) = try await idp.send(.GET, "/Schemas")
            #expect((schemas["Resources"] as? [[String: Any]])?.compactMap { $0["id"] as? String }.contains(Self.flipside) == true)

            // Create: a new joiner, with the enterprise extension and Flipside's own.
            let body = Self.user("ada@example.com", number: "E77", manager: "M1",
                                 extra: #", "\#(Self.flipside)":{"level":"3","hireDate":"2026-11-02T00:00:00Z","location":"Berlin"}, "timezone":"Europe/Berlin""#)
            let (created, createdHeaders, ada) = try await idp.send(.POST, "/Users", body)
            #expect(created == .created, "\(ada)")
            #expect(ada["id"] as? String == "E77" && createdHeaders.first(name: .location)?.hasSuffix("/scim/v2/Users/E77") == true)
            #expect(createdHeaders.first(name: .eTag)?.hasPrefix("W/\"") == true)
            let person = try #require(try await idp.person("E77"))
            #expect(person.name == "Ada Nguyen" && person.email == "ada@example.com" && person.managerID == "M1" && person.level == 3)
            #expect(person.hireDate.description == "2026-11-02" && person.timeZone == "Europe/Berlin" && person.location == "Berlin" && person.status == .active)

            // Found the way providers look: by user name (case aside), by external id, by work email.
            let (_, _, found) = try await idp.send(.GET, "/Users?filter=" + "userName eq \"ADA@example.com\"".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            #expect(found["totalResults"] as? Int == 1 && ((found["Resources"] as? [[String: Any]])?.first?["id"] as? String) == "E77")
            // An HR-imported person is found by their email as user name, with their employee id as number.
            let (_, _, jo) = try await idp.send(.GET, "/Users?filter=" + "emails[type eq \"work\"].value eq \"jo@example.com\"".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)
            let joUser = try #require((jo["Resources"] as? [[String: Any]])?.first)
            #expect(joUser["id"] as? String == "J1" && joUser["userName"] as? String == "jo@example.com")
            #expect((joUser[Self.enterprise] as? [String: Any])?["employeeNumber"] as? String == "J1")

            // Change the manager (Entra's shape: a bare value at the manager's path).
            let (moved, _, _) = try await idp.send(.PATCH, "/Users/E77", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"\(Self.enterprise):manager","value":"S1"}]}
                """)
            #expect(moved == .ok)
            #expect(try await idp.person("E77")?.managerID == "S1")

            // Deactivate (Entra sends "False" as a string): J1 has left at once — their API token is refused.
            let (before, _) = try await world.api(.GET, "/api/v1/me", as: .participant)
            #expect(before == .ok)
            let (deactivated, _, gone) = try await idp.send(.PATCH, "/Users/J1", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","path":"active","value":"False"}]}
                """)
            #expect(deactivated == .ok && gone["active"] as? Bool == false)
            let left = try #require(try await idp.person("J1"))
            #expect(left.status == .exited && left.exitDate == CalendarDate.today(now: world.clock.now))
            let (after, _) = try await world.api(.GET, "/api/v1/me", as: .participant)
            #expect(after == .unauthorized)
            let signIn = try await world.app.testing().sendRequest(.POST, "/api/v1/auth/token", headers: ["Content-Type": "application/json"],
                                                                   body: ByteBuffer(string: #"{"email":"jo@example.com","password":"\#(TestWorld.password)"}"#))
            #expect(signIn.status != .ok, "someone who left signed in: \(signIn.body.string)")

            // Reactivate (Okta's shape: a value object without a path): restored, and may sign in again.
            let (back, _, returned) = try await idp.send(.PATCH, "/Users/J1", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":true}}]}
                """)
            #expect(back == .ok && returned["active"] as? Bool == true)
            let restored = try #require(try await idp.person("J1"))
            #expect(restored.status == .active && restored.exitDate == nil)
            let again = try await world.app.testing().sendRequest(.POST, "/api/v1/auth/token", headers: ["Content-Type": "application/json"],
                                                                  body: ByteBuffer(string: #"{"email":"jo@example.com","password":"\#(TestWorld.password)"}"#))
            #expect((200..<300).contains(again.status.code), "\(again.body.string)")

            // DELETE: the person has left and the provider no longer sees them; a new POST brings them back.
            let (deleted, _, _) = try await idp.send(.DELETE, "/Users/E77")
            #expect(deleted == .noContent)
            #expect(try await idp.send(.GET, "/Users/E77").status == .notFound)
            #expect(try await idp.person("E77")?.status == .exited)
            let (revived, _, _) = try await idp.send(.POST, "/Users", Self.user("ada@example.com", number: "E77"))
            #expect(revived == .created)
            #expect(try await idp.person("E77")?.status == .active)

            // The audit trail names the token.
            let events = try await AuditTrail.events(.init(action: .personProvisioned), limit: 50, on: world.app.db).events
            #expect(events.contains { $0.actor == "SCIM token “Entra ID”" && $0.objectID == "E77" && $0.detail == "created" })
            #expect(events.contains { $0.objectID == "J1" && $0.detail.hasPrefix("deactivated") })
            #expect(events.contains { $0.objectID == "J1" && $0.detail == "reactivated" })
        }
    }

    /// What Entra ID sends: PascalCase ops, a filtered email path, URN-qualified keys in a value object,
    /// removing the manager; and Okta's PUT of the whole user (attributes it does not manage are kept).
    @Test func entraAndOktaRequestShapes() async throws {
        try await TestWorld.run { world in
            let idp = try await Provider.make(world)
            #expect(try await idp.send(.POST, "/Users", Self.user("bo@example.com", number: "E1", manager: "M1",
                                                                   extra: #", "\#(Self.flipside)":{"level":4}"#)).status == .created)
            let (patched, _, user) = try await idp.send(.PATCH, "/Users/E1", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[
                  {"op":"Add","path":"emails[type eq \\"work\\"].value","value":"bo.new@example.com"},
                  {"op":"Replace","path":"name.givenName","value":"Bo"},
                  {"op":"Replace","path":"name.formatted","value":"Bo Nguyen"},
                  {"op":"Add","value":{"\(Self.enterprise):department":"Research","displayName":"Bo N.","title":"Staff Engineer"}},
                  {"op":"Replace","path":"addresses[type eq \\"work\\"].locality","value":"Lisbon"},
                  {"op":"Add","path":"phoneNumbers[type eq \\"work\\"].value","value":"+351 555 0100"},
                  {"op":"Remove","path":"\(Self.enterprise):manager"}]}
                """)
            #expect(patched == .ok, "\(user)")
            let bo = try #require(try await idp.person("E1"))
            #expect(bo.email == "bo.new@example.com" && bo.name == "Bo Nguyen" && bo.department == "Research" && bo.title == "Staff Engineer")
            #expect(bo.location == "Lisbon" && bo.managerID == nil && bo.level == 4)
            // Phone numbers are not kept (Flipside stores what it uses).
            #expect(user["phoneNumbers"] == nil && !String(describing: user).contains("555 0100"))

            // Okta's PUT: the whole user as Okta knows it; the level it does not send stays.
            let (put, _, _) = try await idp.send(.PUT, "/Users/E1", """
                {"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"E1","userName":"bo@example.com",
                 "name":{"givenName":"Bo","familyName":"Nguyen"},"emails":[{"primary":true,"value":"bo.new@example.com","type":"work"}],
                 "active":true,"title":"Principal Engineer","externalId":"00u1okta"}
                """)
            #expect(put == .ok)
            let afterPut = try #require(try await idp.person("E1"))
            #expect(afterPut.title == "Principal Engineer" && afterPut.level == 4 && afterPut.department == "Research")
            // Okta finds users by user name with paging.
            let query = "userName eq \"bo@example.com\"".addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let (_, _, list) = try await idp.send(.GET, "/Users?filter=\(query)&startIndex=1&count=100")
            #expect(list["totalResults"] as? Int == 1 && list["itemsPerPage"] as? Int == 1)
            let (_, _, byExternal) = try await idp.send(.GET, "/Users?filter=externalId%20eq%20%2200u1okta%22")
            #expect(byExternal["totalResults"] as? Int == 1)
            // Okta deactivates with a PATCH of active false.
            #expect(try await idp.send(.PATCH, "/Users/E1", #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}"#).status == .ok)
            #expect(try await idp.person("E1")?.status == .exited)
        }
    }

    /// The HR import's rules, as SCIM errors that change nothing.
    @Test func badRequestsAreSCIMErrorsAndChangeNothing() async throws {
        try await TestWorld.run { world in
            let idp = try await Provider.make(world)
            func expectError(_ result: (status: HTTPStatus, headers: HTTPHeaders, json: [String: Any]), _ status: HTTPStatus, _ type: String?,
                             _ words: String, sourceLocation: SourceLocation = #_sourceLocation) {
                #expect(result.status == status, "\(result.json)", sourceLocation: sourceLocation)
                #expect((result.json["schemas"] as? [String]) == ["urn:ietf:params:scim:api:messages:2.0:Error"], sourceLocation: sourceLocation)
                #expect(result.json["scimType"] as? String == type && (result.json["detail"] as? String)?.contains(words) == true,
                        "\(result.json)", sourceLocation: sourceLocation)
            }
            expectError(try await idp.send(.POST, "/Users", Self.user("jo@example.com", number: "X1")), .conflict, "uniqueness", "userName")
            expectError(try await idp.send(.POST, "/Users", Self.user("new@example.com", number: "X1", email: "cora@example.com")), .conflict, "uniqueness", "emails")
            // An HR-imported person the provider names by their employee number is adopted (one person, one
            // record); naming them again is a conflict.
            #expect(try await idp.send(.POST, "/Users", Self.user("milo@example.com", number: "M1")).status == .created)
            #expect(try await PeopleService(db: world.app.db).allByEmployeeID().count == 5)
            expectError(try await idp.send(.POST, "/Users", Self.user("milo2@example.com", number: "M1")), .conflict, "uniqueness", "employee number")
            expectError(try await idp.send(.POST, "/Users", Self.user("tz@example.com", number: "X2", extra: #", "timezone":"Mars/Olympus""#)),
                        .badRequest, "invalidValue", "IANA")
            expectError(try await idp.send(.POST, "/Users", Self.user("lvl@example.com", number: "X3", extra: #", "\#(Self.flipside)":{"level":"500"}"#)),
                        .badRequest, "invalidValue", "level")
            expectError(try await idp.send(.POST, "/Users", Self.user("self@example.com", number: "X4", manager: "X4")), .badRequest, "invalidValue", "own manager")
            expectError(try await idp.send(.POST, "/Users", Self.user("ctl@example.com", number: "X5\\u0007")), .badRequest, "invalidValue", "control")
            expectError(try await idp.send(.POST, "/Users", #"{"userName":"noemail"}"#), .badRequest, "invalidValue", "work email")
            expectError(try await idp.send(.POST, "/Users", "{not json"), .badRequest, "invalidSyntax", "JSON")
            expectError(try await idp.send(.POST, "/Users", #"{"userName":"a@example.com","active":"maybe"}"#), .badRequest, "invalidValue", "active")
            // A cycle: Cora (the top) cannot report to Jo, who reports to Milo, who reports to Cora.
            expectError(try await idp.send(.PATCH, "/Users/C1", """
                {"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","path":"\(Self.enterprise):manager","value":{"value":"J1"}}]}
                """), .badRequest, "invalidValue", "cycle")
            #expect(try await idp.person("C1")?.managerID == nil)
            expectError(try await idp.send(.PATCH, "/Users/J1", #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove"}]}"#),
                        .badRequest, "noTarget", "path")
            expectError(try await idp.send(.PATCH, "/Users/J1", #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"remove","path":"urn:flipside:params:scim:schemas:extension:flipside:2.0:User:level"}]}"#),
                        .badRequest, "mutability", "level")
            expectError(try await idp.send(.GET, "/Users?filter=userName%20co%20%22a%22"), .badRequest, "invalidFilter", "eq")
            expectError(try await idp.send(.GET, "/Users?filter=title%20eq%20%22CEO%22"), .badRequest, "invalidFilter", "userName")
            expectError(try await idp.send(.GET, "/Users/NOBODY"), .notFound, nil, "No such user")
            // A stale version is refused (412); the current one goes through.
            let (_, headers, _) = try await idp.send(.GET, "/Users/J1")
            let etag = try #require(headers.first(name: .eTag))
            let titled = #"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","path":"title","value":"Lead"}]}"#
            expectError(try await idp.send(.PATCH, "/Users/J1", titled, headers: [("If-Match", #"W/"0000000000000000""#)]), .preconditionFailed, nil, "If-Match")
            #expect(try await idp.send(.PATCH, "/Users/J1", titled, headers: [("If-Match", etag)]).status == .ok)
            #expect(try await idp.send(.GET, "/Users/J1", headers: [("If-None-Match", etag)]).status == .ok)
            // Nothing of the refused requests was stored.
            for id in ["X1", "X2", "X3", "X4", "X5\u{0007}"] { #expect(try await idp.person(id) == nil) }
            let lead = try await idp.person("J1")
            #expect(lead?.title == "Lead" && lead?.status == .active)
        }
    }

    /// Providers send people in any order: a manager not there yet is kept waiting and set when they
    /// arrive — unless that would close a cycle, which is never stored.
    @Test func managersMayArriveLaterButNeverIntoACycle() async throws {
        try await TestWorld.run { world in
            let idp = try await Provider.make(world)
            let (first, _, report) = try await idp.send(.POST, "/Users", Self.user("r@example.com", number: "R1", manager: "B1"))
            #expect(first == .created && ((report[Self.enterprise] as? [String: Any])?["manager"] as? [String: Any])?["value"] as? String == "B1")
            #expect(try await idp.person("R1")?.managerID == nil)
            #expect(try await idp.send(.POST, "/Users", Self.user("b@example.com", number: "B1", manager: "C1")).status == .created)
            #expect(try await idp.person("R1")?.managerID == "B1")
            // P1 waits for Q1; Q1 arrives naming P1 as their manager: P1 keeps waiting (P1 → Q1 → P1 would be a cycle).
            #expect(try await idp.send(.POST, "/Users", Self.user("p@example.com", number: "P1", manager: "Q1")).status == .created)
            #expect(try await idp.send(.POST, "/Users", Self.user("q@example.com", number: "Q1", manager: "P1")).status == .created)
            let p = try #require(try await idp.person("P1")), q = try #require(try await idp.person("Q1"))
            #expect(q.managerID == "P1" && p.managerID == nil)
            let everyone = try await PeopleService(db: world.app.db).allByEmployeeID()
            #expect(ReportingTree(people: everyone.values).cycles().isEmpty)
        }
    }

    /// Only a live provisioning token opens SCIM, and it opens nothing else.
    @Test func tokensAreMadeRevokedAndConfined() async throws {
        try await TestWorld.run { world in
            let idp = try await Provider.make(world)
            #expect(try await idp.send(.GET, "/Users", token: "not-a-token").status == .unauthorized)
            #expect(try await idp.send(.GET, "/Users", token: world.coordinatorToken).status == .unauthorized)
            let (ok, _, list) = try await idp.send(.GET, "/Users?count=2&startIndex=2")
            #expect(ok == .ok && list["totalResults"] as? Int == 5 && list["startIndex"] as? Int == 2 && (list["Resources"] as? [Any])?.count == 2)
            let (projected, _, one) = try await idp.send(.GET, "/Users?attributes=userName&count=1")
            let item = try #require((one["Resources"] as? [[String: Any]])?.first)
            #expect(projected == .ok && item["userName"] != nil && item["id"] != nil && item["emails"] == nil)
            let (_, _, without) = try await idp.send(.GET, "/Users/J1?excludedAttributes=emails,\(Self.enterprise):employeeNumber")
            #expect(without["emails"] == nil && without["userName"] != nil && (without[Self.enterprise] as? [String: Any])?["employeeNumber"] == nil)
            // The SCIM token is no API token.
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: idp.token)
            #expect(try await world.app.testing().sendRequest(.GET, "/api/v1/people", headers: headers).status == .unauthorized)
            // Coordinators make, list and revoke through the API; a revoked token is refused at once.
            let (made, body) = try await world.api(.POST, "/api/v1/provisioning-tokens", as: .coordinator, json: #"{"name":"Okta"}"#)
            #expect(made == .created, "\(body)")
            let madeJSON = try #require(try json(body) as? [String: Any])
            let okta = try #require(madeJSON["token"] as? String), id = try #require(madeJSON["id"] as? String)
            #expect(try await idp.send(.GET, "/Users?count=1", token: okta).status == .ok)
            let (listed, listBody) = try await world.api(.GET, "/api/v1/provisioning-tokens", as: .coordinator)
            #expect(listed == .ok && listBody.contains("Okta") && !listBody.contains(okta))
            #expect(try await world.api(.DELETE, "/api/v1/provisioning-tokens/\(id)", as: .coordinator).status == .ok)
            #expect(try await idp.send(.GET, "/Users?count=1", token: okta).status == .unauthorized)
            #expect(try await world.api(.POST, "/api/v1/provisioning-tokens", as: .participant, json: #"{"name":"mine"}"#).status == .forbidden)
            #expect(try await world.api(.POST, "/api/v1/provisioning-tokens", as: .coordinator, json: #"{"name":"  "}"#).status == .unprocessableEntity)
            let stored = try await (world.app.db as! any SQLDatabase).raw("SELECT token_hash FROM scim_tokens").all()
                .map { try $0.decode(column: "token_hash", as: String.self) }
            #expect(!stored.contains(okta) && stored.contains(TokenHash.of(okta)))
            let audit = try await AuditTrail.events(.init(), limit: 100, on: world.app.db).events
            #expect(audit.contains { $0.action == .provisioningTokenCreated && $0.detail == "Okta" && $0.actor == "coord@example.com" })
            #expect(audit.contains { $0.action == .provisioningTokenRevoked && $0.detail == "Okta" })
        }
    }

    /// Eight providers' retries creating the same user at once: one user, seven 409s.
    @Test func concurrentCreatesOfOneUserNameMakeOneUser() async throws {
        try await TestWorld.run { world in
            let idp = try await Provider.make(world)
            let statuses = try await HardeningTests.concurrently(8) { i in
                try await idp.send(.POST, "/Users", Self.user("race@example.com", number: "RACE\(i)")).status
            }
            #expect(statuses.filter { $0 == .created }.count == 1 && statuses.filter { $0 == .conflict }.count == 7, "\(statuses)")
            let count = try await (world.app.db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM people WHERE email = 'race@example.com'").first()?
                .decode(column: "n", as: Int.self)
            #expect(count == 1)
        }
    }
}
