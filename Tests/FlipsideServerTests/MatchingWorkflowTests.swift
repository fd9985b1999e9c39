import Fluent
import SQLKit
import FlipsideCore
@testable import FlipsideServer
import Foundation
import NIOHTTP1
import Testing
import VaporTesting

/// The matching workflow through the API, on SQLite and (in CI's second pass) PostgreSQL.
@Suite(.serialized) struct MatchingWorkflowTests {
    /// A bearer token for a participant's login (created for the person with this email).
    static func token(_ world: TestWorld, _ email: String) async throws -> String {
        let accounts = AccountService(app: world.app)
        let user = try await accounts.upsertUser(email: email, password: TestWorld.password, role: .participant)
        return try await accounts.issueToken(for: user).token
    }

    static func call(_ world: TestWorld, _ method: HTTPMethod, _ path: String, token: String, json: String? = nil) async throws -> (status: HTTPStatus, body: String) {
        var headers = HTTPHeaders()
        headers.contentType = .json
        headers.bearerAuthorization = BearerAuthorization(token: token)
        let res = try await world.app.testing().sendRequest(method, path, headers: headers, body: json.map { ByteBuffer(string: $0) })
        return (res.status, res.body.string)
    }

    static func object(_ body: String) throws -> [String: Any] { try #require(try json(body) as? [String: Any]) }

    /// Adds Lee (X1, level 1, in sales under Cora), enrols Jo (J1) and Lee as mentors and Milo (M1) as a
    /// second mentee, and opens matching. Kai (J2) reports to Sara (S1) and Jo to Milo, so Sara cannot
    /// have Kai and Milo cannot have Jo.
    static func matchingProgram(_ world: TestWorld) async throws -> String {
        let people = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id"
        #expect(try await world.api(.POST, "/api/v1/people/import", as: .coordinator,
                                    csv: "\(people)\nX1,Lee Fresh,lee@example.com,Associate,1,2025-05-01,Sales,Lisbon,Europe/Lisbon,C1\n").status == .ok)
        #expect(try await world.enrol("J1,mentor,figma:3,,,video,biweekly,1\nX1,mentor,figma:2,,,video,biweekly,1\nM1,mentee,,figma:2,,video,biweekly,") == .ok)
        let program = pathID(world.program.id)
        #expect(try await world.api(.POST, "/api/v1/programs/\(program)/status", as: .coordinator, json: #"{"status":"matching"}"#).status == .ok)
        return program
    }

    static func pairs(_ runBody: String) throws -> [String] {
        let pairs = try #require(try object(runBody)["pairs"] as? [[String: Any]])
        return pairs.map { "\($0["mentee_id"]!)-\($0["mentor_id"]!)" }.sorted()
    }

    @Test func aCoordinatorRunsAdjustsComparesAndPublishesAndEachSideAnswers() async throws {
        try await TestWorld.run { world in
            let program = try await Self.matchingProgram(world)
            let base = "/api/v1/programs/\(program)"
            let (s1, first) = try await world.api(.POST, "\(base)/runs", as: .coordinator, json: #"{"algorithm":"optimal"}"#)
            #expect(s1 == .created, "\(first)")
            // Milo cannot have Jo, Sara cannot have Kai: the optimum pairs Sara–Jo and Milo–Kai.
            #expect(try Self.pairs(first) == ["M1-J2", "S1-J1"])
            let firstID = try #require(try Self.object(first)["id"] as? String)
            // Lock Milo–Jo: refused with the rule named, then accepted with a reason.
            let (refused, refusedBody) = try await world.api(.POST, "\(base)/rules", as: .coordinator, json: #"{"kind":"lock","mentee_id":"M1","mentor_id":"J1"}"#)
            #expect(refused == .unprocessableEntity && refusedBody.contains("same_reporting_chain") && refusedBody.contains("rule_broken"))
            let (locked, lockBody) = try await world.api(.POST, "\(base)/rules", as: .coordinator,
                                                         json: #"{"kind":"lock","mentee_id":"M1","mentor_id":"J1","reason":"Jo asked to mentor her own director"}"#)
            #expect(locked == .created && lockBody.contains(#""overridden_rule":"same_reporting_chain""#))
            let (badRule, badBody) = try await world.api(.POST, "\(base)/rules", as: .coordinator, json: #"{"kind":"exclusion","mentee_id":"J1","mentor_id":"S1"}"#)
            #expect(badRule == .unprocessableEntity && badBody.contains(#""field":"mentee_id""#) && badBody.contains(#""field":"mentor_id""#))
            // The first run is now stale.
            let (stale, staleBody) = try await world.api(.POST, "\(base)/runs/\(firstID)/publish", as: .coordinator)
            #expect(stale == .conflict && staleBody.contains("stale_run"))
            let (_, list) = try await world.api(.GET, "\(base)/runs", as: .coordinator)
            #expect(list.contains(#""current":false"#))
            let (_, second) = try await world.api(.POST, "\(base)/runs", as: .coordinator, json: #"{"algorithm":"fair"}"#)
            #expect(try Self.pairs(second) == ["M1-J1", "S1-X1"])
            #expect(second.contains(#""override_reason":"Jo asked to mentor her own director""#) && second.contains(#""current":true"#))
            // Offered to publish exactly when publishing works: the current run yes, the stale one not.
            #expect(second.contains(#""can_publish":true"#))
            #expect(try await world.api(.GET, "\(base)/runs/\(firstID)", as: .coordinator).body.contains(#""can_publish":false"#))
            let secondID = try #require(try Self.object(second)["id"] as? String)
            // The answer to starting a run (built from the run in hand) is what reading it back answers.
            let readBack = try await world.api(.GET, "\(base)/runs/\(secondID)", as: .coordinator).body
            #expect(NSDictionary(dictionary: try Self.object(readBack)) == NSDictionary(dictionary: try Self.object(second)))
            let (cs, comparison) = try await world.api(.GET, "\(base)/runs/\(firstID)/compare/\(secondID)", as: .coordinator)
            #expect(cs == .ok && comparison.contains(#""pairs_change":0"#))
            #expect(try #require(try Self.object(comparison)["only_in_second"] as? [[String: String]]).count == 2)
            // Participants see none of this.
            #expect(try await world.api(.GET, "\(base)/runs", as: .participant).status == .forbidden)
            #expect(try await world.api(.POST, "\(base)/runs/\(secondID)/publish", as: .participant).status == .forbidden)
            // Publish: the program is active; publishing again is refused.
            let (ps, published) = try await world.api(.POST, "\(base)/runs/\(secondID)/publish", as: .coordinator)
            #expect(ps == .created && published.contains(#""published":2"#), "\(published)")
            let (_, programBody) = try await world.api(.GET, base, as: .coordinator)
            #expect(programBody.contains(#""status":"active""#))
            // A run with no body at all is a run with the defaults (every field is optional).
            let bare = try await world.app.testing().sendRequest(.POST, "\(base)/runs", headers: world.headers(.coordinator, json: false))
            #expect(bare.status == .created, "\(bare.body.string)")
            let republished = try await world.api(.POST, "\(base)/runs/\(secondID)/publish", as: .coordinator)
            #expect(republished.status == .conflict && republished.body.contains("already_published"), "\(republished.body)")
            // Where to read them: the pairs of this run, a page at a time, filtered.
            let pairsURL = try #require(try Self.object(published)["pairs_url"] as? String)
            #expect(pairsURL == "\(base)/pairs?run=\(secondID.lowercased())")
            let firstPage = try await world.app.testing().sendRequest(.GET, pairsURL + "&per=1", headers: world.headers(.coordinator))
            let firstItems = try json(firstPage.body.string) as? [Any]
            #expect(firstPage.status == .ok && firstPage.headers.first(name: "X-Total-Count") == "2"
                    && (firstPage.headers.first(name: "Link") ?? "").contains("page=2") && firstItems?.count == 1)
            let (_, proposedOnly) = try await world.api(.GET, "\(base)/pairs?status=proposed,accepted&person=J1", as: .coordinator)
            let listed = try #require(try json(proposedOnly) as? [[String: Any]])
            #expect(listed.count == 1 && listed.allSatisfy { ($0["mentor"] as? [String: Any])?["employee_id"] as? String == "J1" || ($0["mentee"] as? [String: Any])?["employee_id"] as? String == "J1" })
            #expect(try await world.api(.GET, "\(base)/pairs?status=ended", as: .coordinator).body == "[]")
            let badStatus = try await world.api(.GET, "\(base)/pairs?status=married", as: .coordinator)
            #expect(badStatus.status == .badRequest && badStatus.body.contains("not a pair status"))
            // The published run is still current, but nothing offers to publish it again (the page asked only "current" before).
            let (_, again) = try await world.api(.GET, "\(base)/runs/\(secondID)", as: .coordinator)
            #expect(again.contains(#""current":true"#) && again.contains(#""can_publish":false"#), "\(again)")
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            let runPage = try await web.get("/programs/\(program)/runs/\(secondID)")
            #expect(runPage.status == .ok && !runPage.body.string.contains("/publish"))
            // Jo (J1) sees only her own pair, with why, and not the override's reason.
            let (_, joPairs) = try await world.api(.GET, "\(base)/pairs", as: .participant)
            let visible = try #require(try json(joPairs) as? [[String: Any]])
            #expect(visible.count == 1)
            let joPairID = try #require(visible.first?["id"] as? String)
            let (_, coordinatorPairs) = try await world.api(.GET, "\(base)/pairs", as: .coordinator)
            let all = try #require(try json(coordinatorPairs) as? [[String: Any]])
            let saraPairID = try #require(all.first { ($0["mentee"] as? [String: Any])?["employee_id"] as? String == "S1" }?["id"] as? String)
            #expect(try await world.api(.GET, "/api/v1/pairs/\(saraPairID)", as: .participant).status == .forbidden)
            let (_, joPair) = try await world.api(.GET, "/api/v1/pairs/\(joPairID)", as: .participant)
            #expect(joPair.contains("Milo wants to learn figma") && joPair.contains(#""overridden":true"#) && !joPair.contains("her own director"))
            #expect(joPair.contains(#""can_answer":true"#))
            // Jo accepts, then Milo: accepted.
            let (a1, afterJo) = try await world.api(.POST, "/api/v1/pairs/\(joPairID)/response", as: .participant, json: #"{"accept":true}"#)
            #expect(a1 == .ok && afterJo.contains(#""status":"proposed""#) && afterJo.contains(#""mentor_accepted":true"#))
            let milo = try await Self.token(world, "milo@example.com")
            let (a2, afterMilo) = try await Self.call(world, .POST, "/api/v1/pairs/\(joPairID)/response", token: milo, json: #"{"accept":true}"#)
            #expect(a2 == .ok && afterMilo.contains(#""status":"accepted""#))
            // Sara declines with a reason: an exclusion; Lee (the other side) does not read her words.
            let sara = try await Self.token(world, "sara@example.com")
            let (d, declined) = try await Self.call(world, .POST, "/api/v1/pairs/\(saraPairID)/response", token: sara,
                                                    json: #"{"accept":false,"reason":"I would rather learn from someone in sales"}"#)
            #expect(d == .ok && declined.contains(#""status":"declined""#) && declined.contains("rather learn"))
            let lee = try await Self.token(world, "lee@example.com")
            let (_, leeView) = try await Self.call(world, .GET, "/api/v1/pairs/\(saraPairID)", token: lee)
            #expect(leeView.contains(#""status":"declined""#) && !leeView.contains("rather learn"))
            let (_, coordinatorView) = try await world.api(.GET, "/api/v1/pairs/\(saraPairID)", as: .coordinator)
            #expect(coordinatorView.contains("rather learn"))
            let (_, rules) = try await world.api(.GET, "\(base)/rules", as: .coordinator)
            #expect(rules.contains(#""kind":"exclusion""#) && rules.contains(#""mentor_id":"X1""#) && rules.contains("declined by the mentee"))
            // Re-run for the freed people: only Sara, around Jo's held place; nobody left for her.
            let (rs, rerun) = try await world.api(.POST, "\(base)/runs", as: .coordinator, json: "{}")
            let rerunPairs = try Self.pairs(rerun)
            #expect(rs == .created && rerun.contains(#""only_mentees":["S1"]"#) && rerunPairs.isEmpty)
        }
    }

    /// A self-matching program: a mentee sees suggestions and requests; the mentor answers. Two answers
    /// for the mentor's last place at the same moment: exactly one succeeds, the other is a 409.
    @Test func theLastPlaceIsTakenOnceUnderConcurrency() async throws {
        try await TestWorld.run { world in
            let base = "/api/v1/programs/\(pathID(world.program.id))"
            #expect(try await world.api(.PATCH, base, as: .coordinator, json: #"{"settings":{"mode":"self"}}"#).status == .ok)
            _ = try await Self.matchingProgram(world)
            let sara = try await Self.token(world, "sara@example.com")
            let milo = try await Self.token(world, "milo@example.com")
            let (ss, suggestions) = try await Self.call(world, .GET, "\(base)/suggestions", token: sara)
            #expect(ss == .ok && suggestions.contains(#""mentor_id":"J1""#) && suggestions.contains(#""mentor_id":"X1""#) && !suggestions.contains(#""mentor_id":"J2""#))
            // Milo cannot ask Jo (she reports to him).
            let (ne, notEligible) = try await Self.call(world, .POST, "\(base)/requests", token: milo, json: #"{"mentor_id":"J1"}"#)
            #expect(ne == .unprocessableEntity && notEligible.contains("management chain"))
            // Both ask Lee (X1, one place) — Milo twice at once: one request counts.
            let (r1, saraRequest) = try await Self.call(world, .POST, "\(base)/requests", token: sara, json: #"{"mentor_id":"X1"}"#)
            #expect(r1 == .created, "\(saraRequest)")
            let twice = try await HardeningTests.concurrently(2) { _ in
                try await Self.call(world, .POST, "\(base)/requests", token: milo, json: #"{"mentor_id":"X1"}"#).status
            }
            #expect(twice.sorted { $0.code < $1.code } == [.created, .conflict])
            let lee = try await Self.token(world, "lee@example.com")
            let (_, leePairs) = try await Self.call(world, .GET, "\(base)/pairs", token: lee)
            let requests = try #require(try json(leePairs) as? [[String: Any]]).compactMap { $0["id"] as? String }
            #expect(requests.count == 2)
            // Lee answers both at the same moment: exactly one gets the place.
            let answers = try await HardeningTests.concurrently(2) { i in
                try await Self.call(world, .POST, "/api/v1/pairs/\(requests[i])/response", token: lee, json: #"{"accept":true}"#)
            }
            #expect(answers.map(\.status).sorted { $0.code < $1.code } == [.ok, .conflict], "\(answers)")
            let refusal = try #require(answers.first { $0.status == .conflict })
            // The one who lost is told the place was just taken (not that the pair "is declined").
            #expect(refusal.body.contains("place_taken") && refusal.body.contains("taken a moment ago"), "\(refusal.body)")
            let reads = MatchingReads(db: world.app.db)
            let pairs = try await reads.pairs(in: world.program.id)
            #expect(pairs.filter { $0.status == .accepted }.count == 1 && pairs.filter { $0.status == .declined }.count == 1)
            // Lee is full: no longer suggested.
            let (_, after) = try await Self.call(world, .GET, "\(base)/suggestions", token: sara)
            #expect(!after.contains(#""mentor_id":"X1""#) && after.contains(#""mentor_id":"J1""#))
        }
    }

    /// A request nobody answers lapses after the program's days; a person who leaves has their open
    /// requests and pairs ended, with the reason, and nothing deleted.
    @Test func requestsExpireAndLeaversPairsEnd() async throws {
        try await TestWorld.run { world in
            let base = "/api/v1/programs/\(pathID(world.program.id))"
            #expect(try await world.api(.PATCH, base, as: .coordinator, json: #"{"settings":{"mode":"self","request_days":3}}"#).status == .ok)
            _ = try await Self.matchingProgram(world)
            let sara = try await Self.token(world, "sara@example.com")
            let (_, request) = try await Self.call(world, .POST, "\(base)/requests", token: sara, json: #"{"mentor_id":"X1"}"#)
            let requestID = try #require(try Self.object(request)["id"] as? String)
            world.clock.advance(by: 3 * 86_400 + 1)
            let lee = try await Self.token(world, "lee@example.com")
            let (expired, body) = try await Self.call(world, .POST, "/api/v1/pairs/\(requestID)/response", token: lee, json: #"{"accept":true}"#)
            #expect(expired == .conflict && body.contains("request_expired"))
            let (_, view) = try await Self.call(world, .GET, "/api/v1/pairs/\(requestID)", token: sara)
            #expect(view.contains(#""status":"expired""#))
            // Sara may ask again; then Lee leaves the organisation.
            let (again, second) = try await Self.call(world, .POST, "\(base)/requests", token: sara, json: #"{"mentor_id":"X1"}"#)
            #expect(again == .created)
            let secondID = try #require(try Self.object(second)["id"] as? String)
            let header = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id,status"
            let csv = "\(header)\nX1,Lee Fresh,lee@example.com,Associate,1,2025-05-01,Sales,Lisbon,Europe/Lisbon,C1,exited\n"
            #expect(try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: csv).status == .ok)
            let (_, ended) = try await world.api(.GET, "/api/v1/pairs/\(secondID)", as: .coordinator)
            #expect(ended.contains(#""status":"ended""#) && ended.contains("left the organisation"))
        }
    }

    /// The pages: a coordinator runs, locks (the form asks for a reason as the API does), compares and
    /// publishes; a participant reads why and answers; a mentee in a self-matching program asks a mentor.
    @Test func thePagesRunTheSameWorkflow() async throws {
        try await TestWorld.run { world in
            let program = try await Self.matchingProgram(world)
            let coordinator = try await WebClient.signedIn(world, as: "coord@example.com")
            let page = try await coordinator.get("/programs/\(program)/matching")
            #expect(page.status == .ok && page.body.string.contains("Run the matching"))
            let run = try await coordinator.post("/programs/\(program)/runs", form: ["algorithm": "optimal"])
            #expect(run.status == .seeOther)
            let runURL = try #require(run.headers.first(name: .location))
            let runPage = try await coordinator.get(runURL)
            #expect(runPage.body.string.contains("Publish these pairs") && runPage.body.string.contains("Lock Sara Senior with Jo Junior"), "\(runPage.status) \(runPage.body.string.suffix(1500))")
            // A lock that breaks a rule: the same refusal as the API, with the reason field asked for.
            let refused = try await coordinator.post("/programs/\(program)/rules", form: ["kind": "lock", "mentee_id": "M1", "mentor_id": "J1"])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("same_reporting_chain")
                    && refused.body.string.contains("needed to override the rule") && refused.body.string.contains("<option value=\"M1\" selected>"))
            let locked = try await coordinator.post("/programs/\(program)/rules", form: ["kind": "lock", "mentee_id": "M1", "mentor_id": "J1", "reason": "Agreed with both"])
            #expect(locked.status == .seeOther)
            #expect(try await coordinator.get(runURL).body.string.contains("id=\"stale-note\""))
            let stalePublish = try await coordinator.post(runURL + "/publish", form: [:])
            #expect(stalePublish.status == .conflict && stalePublish.body.string.contains("changed after this run"))
            let second = try await coordinator.post("/programs/\(program)/runs", form: ["algorithm": "stable"])
            let secondURL = try #require(second.headers.first(name: .location))
            let firstID = String(runURL.split(separator: "/").last!), secondID = String(secondURL.split(separator: "/").last!)
            let compared = try await coordinator.get("/programs/\(program)/runs/compare?first=\(firstID)&second=\(secondID)")
            #expect(compared.status == .ok && compared.body.string.contains("Only in the second run (2)"))
            _ = try await coordinator.get(secondURL)
            #expect(try await coordinator.post(secondURL + "/publish", form: [:]).status == .seeOther)
            let published = try await coordinator.get("/programs/\(program)/matching").body.string
            #expect(published.contains("id=\"published-pairs\"") && published.contains("proposed"))
            // Jo reads why and accepts; the other participant's pair is not hers to see.
            _ = try await Self.token(world, "jo@example.com")
            let jo = try await WebClient.signedIn(world, as: "jo@example.com")
            let me = try await jo.get("/me").body.string
            #expect(me.contains("My pairs") && me.contains("waiting for your answer"))
            let pairs = try await MatchingReads(db: world.app.db).pairs(in: world.program.id)
            let joPair = try #require(pairs.first { $0.mentorID == "J1" })
            let saraPair = try #require(pairs.first { $0.menteeID == "S1" })
            let joPage = try await jo.get("/pairs/\(pathID(joPair.id))").body.string
            #expect(joPage.contains("Why you two") && joPage.contains("Milo wants to learn figma") && joPage.contains("made this pairing by hand")
                    && !joPage.contains("Agreed with both"))
            #expect(try await jo.get("/pairs/\(pathID(saraPair.id))").status == .forbidden)
            let noAnswer = try await jo.post("/pairs/\(pathID(joPair.id))/response", form: [:])
            #expect(noAnswer.status == .unprocessableEntity && noAnswer.body.string.contains("choose accept or decline"))
            #expect(try await jo.post("/pairs/\(pathID(joPair.id))/response", form: ["answer": "accept"]).status == .seeOther)
            let answered = try await jo.get("/pairs/\(pathID(joPair.id))").body.string
            #expect(answered.contains("Jo Junior accepted.") && !answered.contains("id=\"response-form\""))
            #expect(try await MatchingReads(db: world.app.db).pair(joPair.id)?.mentorAccepted == true)
        }
    }

    @Test func aMenteeChoosesOnThePage() async throws {
        try await TestWorld.run { world in
            let base = "/api/v1/programs/\(pathID(world.program.id))"
            #expect(try await world.api(.PATCH, base, as: .coordinator, json: #"{"settings":{"mode":"self"}}"#).status == .ok)
            let program = try await Self.matchingProgram(world)
            _ = try await Self.token(world, "sara@example.com")
            let sara = try await WebClient.signedIn(world, as: "sara@example.com")
            let programPage = try await sara.get("/programs/\(program)").body.string
            #expect(programPage.contains("id=\"choose-link\""))
            let choose = try await sara.get("/programs/\(program)/choose")
            #expect(choose.status == .ok && choose.body.string.contains("Ask Jo Junior") && !choose.body.string.contains("Ask Kai"))
            let refused = try await sara.post("/programs/\(program)/requests", form: ["mentor_id": "J2"])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("management chain"))
            let asked = try await sara.post("/programs/\(program)/requests", form: ["mentor_id": "X1"])
            #expect(asked.status == .seeOther)
            let pairPage = try await sara.get(try #require(asked.headers.first(name: .location))).body.string
            #expect(pairPage.contains("Requested by Sara Senior") && pairPage.contains("Lee can teach you figma"))
            let after = try await sara.get("/programs/\(program)/choose").body.string
            #expect(after.contains("id=\"current-request\"") && !after.contains("aria-label=\"Ask"))
        }
    }

    /// A background run: the request returns at once with the queued run, the page reloads itself
    /// (no JavaScript) while it is queued, and a worker computes it to the same pairs as a run made at once.
    /// A run whose worker stopped mid-run is marked failed when the job comes round again.
    /// A run stored with the fingerprint taken over the snapshot's JSON (before migration 019) is
    /// current again after the migration, and the revert puts the old fingerprint back.
    @Test func storedRunsKeepTheirCurrencyAcrossTheFingerprintMigration() async throws {
        try await TestWorld.run { world in
            let program = try await Self.matchingProgram(world)
            let (_, body) = try await world.api(.POST, "/api/v1/programs/\(program)/runs", as: .coordinator, json: "{}")
            let idText = try #require(try Self.object(body)["id"] as? String)
            let id = try #require(UUID(uuidString: idText))
            #expect(body.contains(#""current":true"#))
            let sql = world.app.db as! any SQLDatabase
            struct Row: Decodable { var fingerprint: String; var snapshot: String }
            let stored = try #require(try await sql.select().columns("fingerprint", "snapshot").from(MatchingTables.runs)
                .where("id", .equal, id).first(decoding: Row.self))
            let snapshot = try StoredJSON.decode(RunSnapshot.self, stored.snapshot)
            let legacy = RecomputeRunFingerprints.jsonFingerprint(snapshot)
            #expect(stored.fingerprint == snapshot.fingerprint && legacy != stored.fingerprint)
            // As a database from before the migration holds it: the run looks stale.
            try await sql.update(MatchingTables.runs).set("fingerprint", to: legacy).where("id", .equal, id).run()
            let (_, before) = try await world.api(.GET, "/api/v1/programs/\(program)/runs/\(pathID(id))", as: .coordinator)
            #expect(before.contains(#""current":false"#))
            try await RecomputeRunFingerprints().prepare(on: world.app.db)
            let (_, after) = try await world.api(.GET, "/api/v1/programs/\(program)/runs/\(pathID(id))", as: .coordinator)
            #expect(after.contains(#""current":true"#))
            try await RecomputeRunFingerprints().revert(on: world.app.db)
            let reverted = try #require(try await sql.select().columns("fingerprint", "snapshot").from(MatchingTables.runs)
                .where("id", .equal, id).first(decoding: Row.self))
            #expect(reverted.fingerprint == legacy)
        }
    }

    @Test func aBackgroundRunIsComputedByTheWorker() async throws {
        try await TestWorld.run { world in try await Self.backgroundRun(world) }
    }

    /// On a SQLite file, background runs read and write through connections on an event loop of their
    /// own (SQLiteNIO hands each row to its connection's loop: a 40,000-row read must not hold up the
    /// requests served there); the run comes out the same.
    @Test func aBackgroundRunOnASQLiteFileUsesItsOwnEventLoop() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flipside-bg-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        try await TestWorld.run(storage: .sqliteFile(path)) { world in
            let background = BackgroundDatabase.handle(for: world.app)
            let servingLoops = Set(world.app.eventLoopGroup.makeIterator().map { ObjectIdentifier($0) })
            #expect(!servingLoops.contains(ObjectIdentifier(background.eventLoop)))
            try await Self.backgroundRun(world)
        }
    }

    /// A long write transaction (an HR import of 100,000 people, publishing 10,000 pairs) must not keep
    /// the requests served on its event loop waiting: another query on that loop answers while it is
    /// open. On a SQLite file writes go through a connection of their own (the driver keeps one per
    /// loop); on PostgreSQL (CI's second pass) a loop has several connections.
    @Test func aLongWriteLeavesTheLoopsConnectionForOthers() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("flipside-pool-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let storage = try testStorage() == .sqliteMemory ? .sqliteFile(path) : testStorage()
        try await TestWorld.run(storage: storage) { world in
            let app = world.app
            let loop = app.eventLoopGroup.next()
            let database: @Sendable () -> any Database = { app.databases.database(logger: app.logger, on: loop)! }
            let (held, holding) = AsyncStream<Void>.makeStream()
            let (release, releasing) = AsyncStream<Void>.makeStream()
            let writer = Task {
                try await database().writeTransaction { tx in
                    try await (tx as! any SQLDatabase).update("people").set("title", to: "Analyst").where("employee_id", .equal, "J1").run()
                    holding.yield()
                    for await _ in release { break }
                }
            }
            for await _ in held { break }
            // The read races a generous deadline: only a connection that never comes loses.
            let answered = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    _ = try await (database() as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM people").all()
                    return true
                }
                group.addTask {
                    try await Task.sleep(for: .seconds(5))
                    return false
                }
                let first = try await group.next() ?? false
                releasing.yield()
                group.cancelAll()
                return first
            }
            releasing.finish()
            try await writer.value
            #expect(answered, "a read waited for the connection a write transaction held on its event loop")
            // The write went through and later writes still queue and commit.
            try await app.db.writeTransaction { tx in
                try await (tx as! any SQLDatabase).update("people").set("title", to: "Senior analyst").where("employee_id", .equal, "J1").run()
            }
            #expect(try await PeopleService(db: app.db).find("J1")?.title == "Senior analyst")
        }
    }

    static func backgroundRun(_ world: TestWorld) async throws {
        do {
            let program = try await Self.matchingProgram(world)
            let base = "/api/v1/programs/\(program)"
            let (_, now) = try await world.api(.POST, "\(base)/runs", as: .coordinator, json: "{}")
            let (status, queued) = try await world.api(.POST, "\(base)/runs", as: .coordinator, json: #"{"background":true}"#)
            #expect(status == .created && queued.contains(#""status":"queued""#))
            let id = try #require(try Self.object(queued)["id"] as? String)
            let coordinator = try await WebClient.signedIn(world, as: "coord@example.com")
            let page = try await coordinator.get("/programs/\(program)/runs/\(id)").body.string
            #expect(page.contains(#"<meta http-equiv="refresh" content="2">"#) && page.contains("id=\"run-progress\""))
            #expect(try await OutboxWorker(app: world.app).drain() >= 1)
            let (_, done) = try await world.api(.GET, "\(base)/runs/\(id)", as: .coordinator)
            let (donePairs, nowPairs) = (try Self.pairs(done), try Self.pairs(now))
            #expect(done.contains(#""status":"done""#) && donePairs == nowPairs && !donePairs.isEmpty)
            let after = try await coordinator.get("/programs/\(program)/runs/\(id)").body.string
            #expect(!after.contains("http-equiv") && after.contains("Publish these pairs"))
            // A worker that stopped mid-run left it running: the next attempt marks it failed.
            let (_, second) = try await world.api(.POST, "\(base)/runs", as: .coordinator, json: #"{"background":true,"algorithm":"fair"}"#)
            let secondText = try #require(try Self.object(second)["id"] as? String)
            let secondID = try #require(UUID(uuidString: secondText))
            let sql = world.app.db as! any SQLDatabase
            try await sql.update(MatchingTables.runs).set("status", to: "running").where("id", .equal, secondID).run()
            #expect(try await OutboxWorker(app: world.app).drain() == 1)
            let (_, failed) = try await world.api(.GET, "\(base)/runs/\(pathID(secondID))", as: .coordinator)
            #expect(failed.contains(#""status":"failed""#) && failed.contains("stopped"))
        }
    }
}
