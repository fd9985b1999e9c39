import Fluent
import FlipsideCore
@testable import FlipsideServer
import Foundation
import NIOCore
import SQLKit
import NIOConcurrencyHelpers
import Testing
import VaporTesting

/// What an attacker and a flaky environment tried (issue [3]), each as a test that failed before the
/// fix. The concurrent ones fire their requests at once, and run on SQLite and, in CI, on PostgreSQL.
@Suite(.serialized) struct HardeningTests {
    /// Runs `count` copies of `body` at the same moment and returns their results.
    static func concurrently<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) async throws -> T) async throws -> [T] {
        try await withThrowingTaskGroup(of: T.self) { group in
            for i in 0..<count { group.addTask { try await body(i) } }
            var results: [T] = []
            for try await result in group { results.append(result) }
            return results
        }
    }

    // MARK: 1. Numbers from requests

    @Test func pageNumbersThatWouldOverflowAreA400() async throws {
        try await TestWorld.run { world in
            for query in ["page=9223372036854775807", "page=100001", "page=0", "page=-1", "per=201", "per=0", "page=1e3"] {
                let (status, body) = try await world.api(.GET, "/api/v1/people?\(query)", as: .coordinator)
                #expect(status == .badRequest && body.contains("from 1 to"), "\(query): \(status)")
            }
            #expect(try await world.api(.GET, "/api/v1/people?page=100000&per=200", as: .coordinator).status == .ok)
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            #expect(try await web.get("/people?page=9223372036854775807").status == .badRequest)
            #expect(try await web.get("/people?page=2").status == .ok)
        }
    }

    // MARK: 2. The sign-in limit under concurrency

    /// 40 guesses at once for one email, the right password among them: at most five passwords are
    /// ever checked; the rest are refused with a 429 (before: 39 × 401 and the right one let in).
    @Test func theSignInLimitHoldsUnderConcurrency() async throws {
        try await TestWorld.run { world in
            let results = try await Self.concurrently(40) { i in
                let password = i == 17 ? TestWorld.password : "guess number \(i)"
                return try await world.api(.POST, "/api/v1/auth/token", as: .anonymous,
                                           json: #"{"email":"jo@example.com","password":"\#(password)"}"#).status
            }
            let checked = results.filter { $0 == .unauthorized || $0 == .created }.count
            #expect(checked <= world.app.appConfig.loginAttemptLimit, "\(results)")
            #expect(results.filter { $0 == .tooManyRequests }.count >= 40 - world.app.appConfig.loginAttemptLimit)
            #expect(results.allSatisfy { [.unauthorized, .created, .tooManyRequests].contains($0) })
            // All wrong: exactly five are checked.
            let wrong = try await Self.concurrently(40) { i in
                try await world.api(.POST, "/api/v1/auth/token", as: .anonymous,
                                    json: #"{"email":"coord@example.com","password":"wrong \#(i)"}"#).status
            }
            #expect(wrong.filter { $0 == .unauthorized }.count == world.app.appConfig.loginAttemptLimit)
            #expect(wrong.filter { $0 == .tooManyRequests }.count == 40 - world.app.appConfig.loginAttemptLimit)
        }
    }

    /// Two instances on one database share the limit: five failures through either lock the email on both.
    @Test func theSignInLimitHoldsAcrossInstances() async throws {
        try await TestWorld.withTwoInstances { world, second in
            let results = try await Self.concurrently(30) { i in
                let app = i % 2 == 0 ? world.app : second
                var headers = HTTPHeaders()
                headers.contentType = .json
                return try await app.testing().sendRequest(.POST, "/api/v1/auth/token", headers: headers,
                                                            body: ByteBuffer(string: #"{"email":"jo@example.com","password":"wrong \#(i)"}"#)).status
            }
            #expect(results.filter { $0 == .unauthorized }.count == world.app.appConfig.loginAttemptLimit, "\(results)")
            #expect(results.filter { $0 == .tooManyRequests }.count == 30 - world.app.appConfig.loginAttemptLimit)
        }
    }

    /// Sign-ins with ever new emails from one address are refused past the address's limit, before any
    /// password is hashed; other addresses are not affected.
    @Test func oneClientAddressIsLimitedWhateverTheEmails() async throws {
        try await TestWorld.run(adjust: { $0.loginAddressLimit = 8 }) { world in
            @Sendable func attempt(from address: String, email: String, password: String = "wrong password") async throws -> HTTPStatus {
                let req = Request(application: world.app, method: .POST, url: "/api/v1/auth/token",
                                  remoteAddress: try SocketAddress(ipAddress: address, port: 40000), on: world.app.eventLoopGroup.next())
                do {
                    _ = try await req.flipside.accounts.verify(email: email, password: password)
                    return .created
                } catch let refusal as SignInError {
                    let error = APIError.from(refusal)
                    #expect(error.status != .tooManyRequests || error.message.contains("your network"))
                    return error.status
                }
            }
            let results = try await Self.concurrently(20) { i in try await attempt(from: "203.0.113.7", email: "random\(i)@example.com") }
            #expect(results.filter { $0 == .unauthorized }.count == 8)
            #expect(results.filter { $0 == .tooManyRequests }.count == 12)
            #expect(try await attempt(from: "198.51.100.1", email: "jo@example.com", password: TestWorld.password) == .created)
            #expect(try await attempt(from: "203.0.113.7", email: "jo@example.com", password: TestWorld.password) == .tooManyRequests)
        }
    }

    /// Every address of one IPv6 /64 is one client for the per-address limit (a subscriber holds all
    /// 2^64 of them); the next /64 is another client.
    @Test func oneIPv6SlashSixtyFourIsOneClient() async throws {
        try await TestWorld.run(adjust: { $0.loginAddressLimit = 8 }) { world in
            @Sendable func attempt(from address: String, _ i: Int) async throws -> HTTPStatus {
                let req = Request(application: world.app, method: .POST, url: "/api/v1/auth/token",
                                  remoteAddress: try SocketAddress(ipAddress: address, port: 40000), on: world.app.eventLoopGroup.next())
                do {
                    _ = try await req.flipside.accounts.verify(email: "random\(i)@example.com", password: "wrong password")
                    return .created
                } catch let error as SignInError { return APIError.from(error).status }
            }
            var seen: [HTTPStatus] = []
            for i in 1...12 { seen.append(try await attempt(from: "2001:db8:1:2::\(String(i, radix: 16))", i)) }
            #expect(seen.filter { $0 == .unauthorized }.count == 8 && seen.filter { $0 == .tooManyRequests }.count == 4, "\(seen)")
            #expect(try await attempt(from: "2001:db8:1:3::1", 99) == .unauthorized)
            #expect(ClientAddress.limitKey("2001:db8:1:2:ffff:ffff:ffff:ffff") == ClientAddress.limitKey("2001:0db8:0001:0002::1"))
            #expect(ClientAddress.limitKey("2001:db8:1:3::1") != ClientAddress.limitKey("2001:db8:1:2::1"))
        }
    }

    /// Anonymous concerns are read with their code alone: wrong codes from one address are limited like
    /// sign-ins (they were never limited: 5,304 guesses a second); a right code hands its attempt back.
    @Test func concernCodeGuessesAreLimitedPerAddress() async throws {
        try await TestWorld.run(adjust: { $0.concernCodeLimit = 6 }) { world in
            let p = try await PartnershipTests.acceptedPair(world)
            let (_, raised) = try await PartnershipTests.call(world, .POST, "/api/v1/programs/\(p.program)/concerns", token: p.kai,
                                                             json: #"{"body":"My mentee dismisses every idea I bring"}"#)
            let code = try #require(try MatchingWorkflowTests.object(raised)["code"] as? String)
            @Sendable func read(_ code: String, from address: String) async throws -> HTTPStatus {
                let req = Request(application: world.app, method: .POST, url: "/api/v1/concerns/read", headers: ["content-type": "application/json"],
                                  collectedBody: ByteBuffer(string: #"{"code":"\#(code)"}"#),
                                  remoteAddress: try SocketAddress(ipAddress: address, port: 40000), on: world.app.eventLoopGroup.next())
                do {
                    _ = try await ConcernsAPIController().readConcern(req: req)
                    return .ok
                } catch let error as APIError { return error.status
                } catch let error as ConcernError { return APIError.from(error).status }
            }
            #expect(try await read(code, from: "203.0.113.9") == .ok)
            let guesses = try await Self.concurrently(10) { i in try await read("AAAA-AAAA-AAAA-AAAA-AAA\(i)", from: "203.0.113.9") }
            #expect(guesses.filter { $0 == .notFound }.count == 6 && guesses.filter { $0 == .tooManyRequests }.count == 4, "\(guesses)")
            #expect(try await read(code, from: "203.0.113.9") == .tooManyRequests)
            #expect(try await read(code, from: "198.51.100.20") == .ok)
        }
    }

    /// A request still being worked on at its deadline is answered 503 with its request id and
    /// Retry-After (it was cut at 30 s without any answer), and its work is cancelled.
    @Test func aRequestPastItsDeadlineIsA503AndItsWorkIsCancelled() async throws {
        try await TestWorld.run(adjust: { $0.requestDeadline = 0.5 }) { world in
            let cancelled = NIOLockedValueBox(false)
            world.app.get("api", "v1", "test-slow") { _ async throws -> String in
                // A long loop that checks its deadline between steps, as imports and outcomes do.
                for _ in 0..<2_000 {
                    do { try WorkDeadline.check() } catch { cancelled.withLockedValue { $0 = true }; throw error }
                    try await Task.sleep(for: .milliseconds(10))
                }
                return "finished"
            }
            let started = ContinuousClock.now
            let response = try await world.app.testing().sendRequest(.GET, "/api/v1/test-slow")
            #expect(response.status == .serviceUnavailable && response.headers.first(name: .retryAfter) == "30")
            #expect(response.body.string.contains("deadline_exceeded") && response.body.string.contains("request_id"))
            #expect(ContinuousClock.now - started < .seconds(10))
            for _ in 0..<100 where !cancelled.withLockedValue({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
            #expect(cancelled.withLockedValue { $0 }, "the request's work went on after its answer")
            // A quick request is answered as always.
            #expect(try await world.app.testing().sendRequest(.GET, "/healthz").status == .ok)
        }
    }

    /// An HR import that passes the request's deadline is cancelled and changes nothing.
    @Test func anImportPastTheDeadlineChangesNothing() async throws {
        try await TestWorld.run(adjust: { $0.requestDeadline = 0.3 }) { world in
            let rows = (0..<30_000).map { "Z\($0),Person \($0),z\($0)@example.com,T,3,2020-01-01,D,L,Europe/London," }
            let csv = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id\n" + rows.joined(separator: "\n")
            let (status, body) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: csv)
            #expect(status == .serviceUnavailable && body.contains("deadline_exceeded"), "\(status) \(body.prefix(200))")
            // Whatever the cancelled import had reached, it rolls back.
            try await Task.sleep(for: .seconds(3))
            #expect(try await PersonModel.query(on: world.app.db).count() == 5)
        }
    }

    /// A write that waits for its turn behind a long write past its bounded time is a 503 with
    /// Retry-After and changes nothing (it was a 500 "connectionRequestTimeout").
    @Test func aWriteWaitingBehindALongWriteIsA503() async throws {
        try await TestWorld.run(adjust: { $0.requestDeadline = 6 }) { world in
            let (released, release) = AsyncStream.makeStream(of: Void.self)
            let (enteredStream, entered) = AsyncStream.makeStream(of: Void.self)
            let holder = Task {
                try await world.app.db.writeTransaction { tx in
                    try await (tx as! any SQLDatabase).raw("UPDATE people SET title = 'held' WHERE employee_id = 'C1'").run()
                    entered.yield()
                    for await _ in released { break }
                }
            }
            for await _ in enteredStream { break }
            let (status, body) = try await world.api(.POST, "/api/v1/programs", as: .coordinator, json: #"{"name":"Waiting","purpose":"p"}"#)
            let postgres = (world.app.db as! any SQLDatabase).dialect.name != "sqlite"
            if postgres {
                // PostgreSQL writes do not queue behind another row's lock: it simply goes through.
                #expect(status == .created, "\(body)")
            } else {
                // Busy once its bounded wait is over (or, on a loaded machine, past the request's deadline first).
                #expect(status == .serviceUnavailable && (body.contains("\"busy\"") || body.contains("\"deadline_exceeded\"")), "\(status) \(body)")
            }
            release.yield()
            try await holder.value
            #expect(try await ProgramModel.query(on: world.app.db).filter(\.$name == "Waiting").count() == (postgres ? 1 : 0))
        }
    }

    /// The writer queue's bounded wait: a writer that waits past it gets `Busy` (a 503 "busy"), and the
    /// queue goes on in order for the others.
    @Test func theWriterQueueWaitsABoundedTime() async throws {
        let queue = SQLiteWriters()
        try await queue.enter()
        await #expect(throws: SQLiteWriters.Busy.self) { try await queue.enter(timeout: .milliseconds(100)) }
        let next = Task { try await queue.enter(timeout: .seconds(30)) }
        try await Task.sleep(for: .milliseconds(50))
        await queue.leave()
        try await next.value   // the waiting writer got its turn
        await queue.leave()
        try await queue.enter(timeout: .milliseconds(10))   // free again: no wait at all
        await queue.leave()
        #expect(APIError.from(SQLiteWriters.Busy()).status == .serviceUnavailable && APIError.from(SQLiteWriters.Busy()).retryAfter == 5)
    }

    // MARK: 3. People who have left

    /// A re-import that marks someone `exited` ends their token, session and sign-in link at once;
    /// sign-in is refused with a clear message; `on_leave` keeps access; coordinators are unaffected.
    @Test func someoneWhoHasLeftLosesEveryWayIn() async throws {
        try await TestWorld.run { world in
            let jo = try await WebClient.signedIn(world, as: "jo@example.com")
            #expect(try await jo.get("/me").status == .ok)
            let link = try await world.signInLinks.issue("J1")
            let header = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id,status"
            func reimport(_ status: String) async throws {
                let csv = "\(header)\nJ1,Jo Junior,jo@example.com,Analyst,2,2024-09-01,Engineering,Berlin,Europe/Berlin,M1,\(status)\n"
                #expect(try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: csv).status == .ok)
            }
            // On leave: everything still works.
            try await reimport("on_leave")
            #expect(try await world.api(.GET, "/api/v1/me", as: .participant).status == .ok)
            #expect(try await jo.get("/me").status == .ok)

            try await reimport("exited")
            #expect(try await world.api(.GET, "/api/v1/me", as: .participant).status == .unauthorized)
            let enrolment = pathID(world.otherEnrolment.id)
            #expect(try await world.api(.PATCH, "/api/v1/programs/\(pathID(world.program.id))/enrolments/\(enrolment)", as: .participant, json: "{}").status == .unauthorized)
            let page = try await jo.get("/me")
            #expect(page.status == .seeOther && page.headers.first(name: .location)?.hasPrefix("/login") == true)
            #expect(try await UserTokenModel.query(on: world.app.db).join(UserModel.self, on: \UserTokenModel.$user.$id == \UserModel.$id)
                .filter(UserModel.self, \.$email == "jo@example.com").count() == 0)
            let (status, body) = try await world.api(.POST, "/api/v1/auth/token", as: .anonymous,
                                                     json: #"{"email":"jo@example.com","password":"\#(TestWorld.password)"}"#)
            #expect(status == .forbidden && body.contains("access_ended") && body.contains("left the organisation"))
            let again = WebClient(app: world.app)
            _ = try await again.get("/login")
            let refused = try await again.post("/login", form: ["email": "jo@example.com", "password": TestWorld.password])
            #expect(refused.status == .forbidden && refused.body.string.contains("left the organisation")
                    && refused.body.string.contains(#"name="password""#))   // shown on the sign-in form
            #expect(try await WebClient(app: world.app).get(SiteURL.invitation(token: link.token).path).status == .notFound)
            #expect(try await world.api(.POST, "/api/v1/people/J1/invitation", as: .coordinator).status == .conflict)
            // The coordinator's own login matches no person and keeps working.
            #expect(try await world.api(.GET, "/api/v1/people", as: .coordinator).status == .ok)
            // Back from the dead (a corrected HR record): signing in works again.
            try await reimport("active")
            #expect(try await world.api(.POST, "/api/v1/auth/token", as: .anonymous,
                                        json: #"{"email":"jo@example.com","password":"\#(TestWorld.password)"}"#).status == .created)
        }
    }

    // MARK: 4. Open redirect

    @Test func signInFollowsOnlyPathsOnThisSite() async throws {
        for bad in ["/\t/evil.example", "/\n/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "/ /evil.example",
                    "evil.example", "", "/\u{0}x", "/a\tb", "/\u{2028}/evil.example"] {
            #expect(SiteURL.localPath(bad) == nil, "\(bad.debugDescription)")
        }
        for good in ["/", "/programs", "/people?q=a%20b&page=2", "/people/P%2F1"] {
            #expect(SiteURL.localPath(good) == good)
        }
        try await TestWorld.run { world in
            let web = WebClient(app: world.app)
            let form = try await web.get("/login?next=/%09/evil.example")
            #expect(!form.body.string.contains("evil.example"))
            let res = try await web.post("/login", form: ["email": "coord@example.com", "password": TestWorld.password, "next": "/\t/evil.example"])
            #expect(res.status == .seeOther && res.headers.first(name: .location) == "/programs")
        }
    }

    // MARK: 5. Concurrent imports

    static let peopleHeader = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id"

    /// Two imports at once whose files share 500 emails: one is imported, the other refused; no email is
    /// stored twice (before: both succeeded).
    @Test func concurrentImportsCannotStoreOneEmailTwice() async throws {
        try await TestWorld.run { world in
            func file(_ prefix: String) -> String {
                Self.peopleHeader + "\n" + (1...500).map { "\(prefix)\($0),Person \($0),shared\($0)@example.com,Analyst,2,2024-01-01,Sales,Paris,Europe/Paris,C1" }
                    .joined(separator: "\n")
            }
            let files = [file("A"), file("B")]
            let results = try await Self.concurrently(2) { i in
                try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: files[i]).status
            }
            #expect(results.filter { $0 == .ok }.count == 1 && results.contains(.unprocessableEntity), "\(results)")
            let emails = try await PersonModel.query(on: world.app.db).all().map { $0.email.lowercased() }
            #expect(Set(emails).count == emails.count)
            #expect(emails.filter { $0.hasPrefix("shared") }.count == 500)
        }
    }

    /// Two imports at once, each fine alone, that together would close a reporting cycle: one is refused.
    @Test func concurrentImportsCannotStoreAReportingCycle() async throws {
        try await TestWorld.run { world in
            let row = { (id: String, manager: String) in "\(id),Name \(id),\(id.lowercased())@example.com,Lead,5,2020-01-01,Ops,Rome,Europe/Rome,\(manager)" }
            let base = (1...300).map { row("X\($0)", "C1") }
            #expect(try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: Self.peopleHeader + "\n" + base.joined(separator: "\n")).status == .ok)
            // File A: X1 reports to X2; file B: X2 reports to X1 (each leaves the other's row out, and
            // restates X3…X300 unchanged, so that planning takes a moment).
            var a = base, b = base
            a[0] = row("X1", "X2")
            a.remove(at: 1)
            b[1] = row("X2", "X1")
            b.remove(at: 0)
            let files = [a, b].map { Self.peopleHeader + "\n" + $0.joined(separator: "\n") }
            let results = try await Self.concurrently(2) { i in
                try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: files[i])
            }
            #expect(results.filter { $0.status == .ok }.count == 1, "\(results.map(\.status))")
            #expect(results.contains { $0.status == .unprocessableEntity && $0.body.contains("cycle") })
            let stored = try await PeopleService(db: world.app.db).allByEmployeeID()
            #expect(ReportingTree(people: stored.values).cycles().isEmpty)
        }
    }

    /// The database itself refuses a second person with the same email (in any case), and a file that
    /// moves an email from one person to another in one go still imports.
    @Test func oneEmailPerPersonIsEnforcedByTheDatabase() async throws {
        try await TestWorld.run { world in
            let copy = PersonRow(Person(employeeID: "Z9", name: "Copy", email: "JO@example.com", title: "", level: 1,
                                        hireDate: CalendarDate(iso: "2024-01-01")!, department: "X", location: "Y", timeZone: "UTC", managerID: nil))
            await #expect(throws: (any Error).self) {
                try await (world.app.db as! any SQLDatabase).insert(into: PersonModel.schema).model(copy, nilEncodingStrategy: .asNil).run()
            }
            let swap = Self.peopleHeader + """

            J1,Jo Junior,kai@example.com,Analyst,2,2024-09-01,Engineering,Berlin,Europe/Berlin,M1
            J2,Kai Newcomer,jo@example.com,Associate,1,2025-01-15,Marketing,Lisbon,Europe/Lisbon,S1
            """
            #expect(try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: swap).status == .ok)
            let people = try await PeopleService(db: world.app.db).allByEmployeeID()
            #expect(people["J1"]?.email == "kai@example.com" && people["J2"]?.email == "jo@example.com")
        }
    }

    // MARK: 7. Constraint violations are a 409

    @Test func concurrentDuplicatesAreA409NotA500() async throws {
        try await TestWorld.run { world in
            let program = pathID(world.program.id)
            let enrolments = try await Self.concurrently(20) { _ in
                try await world.api(.POST, "/api/v1/programs/\(program)/enrolments", as: .coordinator,
                                    json: #"{"employee_id":"M1","role":"mentee","wants":[{"topic":"python","priority":2}],"channels":["video"]}"#)
            }
            #expect(enrolments.filter { $0.status == .created }.count == 1, "\(enrolments.map(\.status))")
            #expect(enrolments.filter { $0.status != .created }.allSatisfy { $0.status == .conflict && $0.body.contains("already enrolled") },
                    "\(enrolments.filter { $0.status != .created && $0.status != .conflict })")
            let programs = try await Self.concurrently(6) { _ in
                try await world.api(.POST, "/api/v1/programs", as: .coordinator, json: #"{"name":"Same name"}"#)
            }
            #expect(programs.filter { $0.status == .created }.count == 1, "\(programs.map(\.status))")
            #expect(programs.allSatisfy { [.created, .conflict, .unprocessableEntity].contains($0.status) })
            #expect(try await ProgramModel.query(on: world.app.db).filter(\.$name == "Same name").count() == 1)
        }
    }

    // MARK: 8. Smaller ones

    /// Two requests redeeming one sign-in link at the same moment: exactly one sets the password.
    @Test func aSignInLinkWorksOnceEvenWhenUsedTwiceAtOnce() async throws {
        try await TestWorld.run { world in
            let link = try await world.signInLinks.issue("J2")
            let results = try await Self.concurrently(6) { i in
                let client = WebClient(app: world.app)
                _ = try await client.get(SiteURL.invitation(token: link.token).path)
                let password = "password number \(i)"
                return try await client.post(SiteURL.invitation(token: link.token).path, form: ["password": password, "confirm": password]).status
            }
            #expect(results.filter { $0 == .seeOther }.count == 1, "\(results)")
            #expect(results.filter { $0 != .seeOther }.allSatisfy { $0 == .notFound })
            #expect(try await UserModel.query(on: world.app.db).filter(\.$email == "kai@example.com").count() == 1)
        }
    }

    /// Ten links made for one person at the same moment: one link stays, never two.
    @Test func oneSignInLinkPerPersonEvenWhenMadeAtOnce() async throws {
        try await TestWorld.run { world in
            let results = try await Self.concurrently(10) { _ in
                try await world.api(.POST, "/api/v1/people/J2/invitation", as: .coordinator).status
            }
            #expect(results.contains(.created) && results.allSatisfy { $0 == .created || $0 == .conflict }, "\(results)")
            #expect(try await InvitationModel.query(on: world.app.db).filter(\.$employeeID == "J2").count() == 1)
        }
    }

    /// Links come from BASE_URL, never from the request's Host header; in production without BASE_URL
    /// no link is made.
    @Test func signInLinksUseTheConfiguredAddress() async throws {
        try await TestWorld.run(adjust: { $0.baseURL = "https://mentoring.example.com" }) { world in
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            _ = try await web.get("/people/J2")
            let page = try await web.post("/people/J2/invite", form: [:], headers: ["Host": "evil.example"])
            #expect(page.body.string.contains("https://mentoring.example.com/invite/") && !page.body.string.contains("evil.example"))
            let (_, body) = try await world.api(.POST, "/api/v1/people/J2/invitation", as: .coordinator)
            #expect(body.contains(#""url":"https:\/\/mentoring.example.com\/invite\/"#) || body.contains(#""url":"https://mentoring.example.com/invite/"#))
        }
        try await TestWorld.run(adjust: { $0.isProduction = true }) { world in
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            _ = try await web.get("/people/J2")
            let page = try await web.post("/people/J2/invite", form: [:])
            #expect(page.status == .serviceUnavailable && page.body.string.contains("BASE_URL"))
            #expect(try await InvitationModel.query(on: world.app.db).count() == 0)
        }
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["BASE_URL": "javascript:alert(1)"]) }
        let config = try AppConfig.fromEnvironment(["BASE_URL": "https://m.example.com/"])
        #expect(config.baseURL == "https://m.example.com")
    }

    @Test func textIsBoundedAndFreeOfControlCharacters() async throws {
        try await TestWorld.run { world in
            let nul = Self.peopleHeader + "\nN1,Nul\u{0}Name,nul@example.com,Analyst,2,2024-01-01,Sales,Paris,Europe/Paris,C1\n"
            let (status, body) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: nul)
            #expect(status == .unprocessableEntity && body.contains("control characters") && !body.contains("\u{0}") && !body.contains("\\u0000"))
            let huge = Self.peopleHeader + "\nN2,\(String(repeating: "x", count: 1_000_000)),big@example.com,Analyst,2,2024-01-01,Sales,Paris,Europe/Paris,C1\n"
            let (hugeStatus, hugeBody) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: huge)
            #expect(hugeStatus == .unprocessableEntity && hugeBody.contains("at most 200 characters") && hugeBody.utf8.count < 2_000)
            let topics = (1...10_000).map { #"{"topic":"topic \#($0)","priority":1}"# }.joined(separator: ",")
            let (enrol, enrolBody) = try await world.api(.POST, "/api/v1/programs/\(pathID(world.program.id))/enrolments", as: .coordinator,
                                                         json: #"{"employee_id":"M1","role":"mentee","wants":[\#(topics)],"channels":["video"]}"#)
            #expect(enrol == .unprocessableEntity && enrolBody.contains("at most 50"))
            let (named, namedBody) = try await world.api(.POST, "/api/v1/programs", as: .coordinator, json: #"{"name":"Bad\u0000name"}"#)
            #expect(named == .unprocessableEntity && namedBody.contains("control characters"))
            #expect(try await PersonModel.query(on: world.app.db).count() == 5)
        }
    }

    @Test func strictTransportSecurityBehindHTTPS() async throws {
        try await TestWorld.run(adjust: { $0.secureCookies = true }) { world in
            let res = try await world.app.testing().sendRequest(.GET, "/login")
            #expect(res.headers.first(name: "Strict-Transport-Security")?.hasPrefix("max-age=") == true)
            let missing = try await world.app.testing().sendRequest(.GET, "/no-such-page")
            #expect(missing.headers.first(name: "Strict-Transport-Security") != nil)
        }
        try await TestWorld.run { world in
            let plain = try await world.app.testing().sendRequest(.GET, "/login")
            #expect(plain.headers.first(name: "Strict-Transport-Security") == nil)
        }
    }

    /// A plain page view does not rewrite the session row (every view used to).
    @Test func readingAPageWritesNoSession() async throws {
        try await TestWorld.run { world in
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            _ = try await web.get("/programs")
            let sql = world.app.db as! any SQLDatabase
            try await sql.raw("UPDATE web_sessions SET data = data || ' '").run()   // a marker any rewrite would drop
            _ = try await web.get("/programs")
            _ = try await web.get("/people")
            let rows = try await WebSessionModel.query(on: world.app.db).all()
            #expect(!rows.isEmpty && rows.allSatisfy { $0.data.hasSuffix(" ") })
        }
    }

    /// The match preview is computed once per input and never served stale: a new enrolment is in the
    /// very next answer.
    @Test func theMatchPreviewIsCachedPerInputAndNeverStale() async throws {
        try await TestWorld.run { world in
            let path = "/api/v1/programs/\(pathID(world.program.id))/matches"
            let first = try await world.api(.GET, path, as: .coordinator)
            let second = try await world.api(.GET, path, as: .coordinator)
            #expect(first.status == .ok && first.body == second.body)
            #expect(try await world.enrol("M1,mentee,,figma:3,,video,,") == .ok)
            let third = try await world.api(.GET, path, as: .coordinator)
            #expect(third.status == .ok && third.body != first.body && third.body.contains("M1"))
            let fair = try await world.api(.GET, path + "?algorithm=fair", as: .coordinator)
            #expect(fair.body.contains(#""algorithm":"fair""#))
        }
    }

    /// A kept page body (the program team's program and matching pages) carries each reader's own form
    /// token in its forms, shows no one's email, and follows the data: an enrolment is on both very next
    /// pages.
    @Test func keptPagesCarryEachReadersOwnTokenAndFollowChanges() async throws {
        try await TestWorld.run { world in
            _ = try await AccountService(app: world.app).upsertUser(email: "coord2@example.com", password: TestWorld.password, role: .coordinator)
            let path = "/programs/\(pathID(world.program.id))"
            func tokens(_ body: String) -> Set<String> {
                Set(body.components(separatedBy: #"name="_csrf" value=""#).dropFirst().map { String($0.prefix { $0 != "\"" }) })
            }
            let first = try await WebClient.signedIn(world, as: "coord@example.com"), second = try await WebClient.signedIn(world, as: "coord2@example.com")
            let a = try await first.get(path).body.string, b = try await second.get(path).body.string
            #expect(tokens(a).count == 1 && tokens(b).count == 1 && tokens(a) != tokens(b), "\(tokens(a)) \(tokens(b))")
            #expect(a.components(separatedBy: #"name="_csrf""#).count > 2, "the page's own forms carry the token too")
            #expect(!a.contains(KeptBody.formTokenHole) && !b.contains("coord@example.com") && b.contains("coord2@example.com"))
            #expect(!a.contains(KeptBody.emailHole) && !b.contains(KeptBody.emailHole))
            // The kept page (the chrome around the body) shows each reader's own email, escaped as Leaf
            // escapes it.
            let odd = "o'hara&co@example.com"
            _ = try await AccountService(app: world.app).upsertUser(email: odd, password: TestWorld.password, role: .coordinator)
            let c = try await WebClient.signedIn(world, as: odd).get(path).body.string
            #expect(c.contains(#"<span class="who">o&#39;hara&amp;co@example.com</span>"#) && !c.contains(odd) && !c.contains("coord2@example.com"))
            #expect(c.contains(#"href="/audit""#) && tokens(c).count == 1 && tokens(c) != tokens(a))
            #expect(!a.mentions(id: "M1"))
            // The matching page likewise, whose rule form offers the enrolled.
            let before = try await first.get(path + "/matching").body.string
            #expect(tokens(before) == tokens(a) && !before.contains("(M1)"))
            #expect(try await world.enrol("M1,mentee,,figma:3,,video,,") == .ok)
            #expect(try await second.get(path).body.string.contains("/people/M1"))
            let after = try await second.get(path + "/matching").body.string
            #expect(after.contains("(M1)") && tokens(after) == tokens(b))
        }
    }

    /// Searches are kept by the people table's version, which the database bumps on any write: an
    /// import and a participant's own edit are both in the next answer.
    @Test func keptSearchesFollowEveryChange() async throws {
        try await TestWorld.run { world in
            let before = try await world.api(.GET, "/api/v1/people?q=jo", as: .coordinator)
            #expect(before.body.contains(#"Europe\/Berlin"#) && before.body.contains(#""total":1"#))
            #expect(try await world.api(.PATCH, "/api/v1/me", as: .participant, json: #"{"time_zone":"Asia/Tokyo"}"#).status == .ok)
            let edited = try await world.api(.GET, "/api/v1/people?q=jo", as: .coordinator)
            #expect(edited.body.contains(#"Asia\/Tokyo"#) && !edited.body.contains(#"Europe\/Berlin"#))
            let csv = Self.peopleHeader + "\nJ9,Jolene New,jolene@example.com,Analyst,2,2024-01-01,Sales,Paris,Europe/Paris,C1\n"
            #expect(try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: csv).status == .ok)
            let imported = try await world.api(.GET, "/api/v1/people?q=jo", as: .coordinator)
            #expect(imported.body.contains("Jolene New") && imported.body.contains(#""total":2"#))
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            #expect(try await web.get("/people?q=jolene").body.string.contains("Jolene New"))
        }
    }

    /// Enrolments arriving while the program moves on to matching: each is either stored (201) or told
    /// the program is closed (409) — the status is checked inside the enrolment's transaction with the
    /// program's row held, so none is written after the move.
    @Test func enrolmentsRacingTheMoveToMatching() async throws {
        try await TestWorld.run { world in
            let rows = (1...30).map { "R\($0),Racer \($0),racer\($0)@example.com,Analyst,1,2024-01-01,Sales,Paris,Europe/Paris,C1" }
            #expect(try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: Self.peopleHeader + "\n" + rows.joined(separator: "\n")).status == .ok)
            let program = pathID(world.program.id)
            let results = try await Self.concurrently(31) { i -> (HTTPStatus, String) in
                if i == 15 {
                    let (status, _) = try await world.api(.POST, "/api/v1/programs/\(program)/status", as: .coordinator, json: #"{"status":"matching"}"#)
                    return (status, "transition")
                }
                // R1…R30: the 30 tasks other than the transition (task 15) each enrol one of the 30 people.
                let racer = i < 15 ? i + 1 : i
                let (status, body) = try await world.api(.POST, "/api/v1/programs/\(program)/enrolments", as: .coordinator,
                                                         json: #"{"employee_id":"R\#(racer)","role":"mentor","offers":[{"topic":"figma","proficiency":3}],"channels":["video"]}"#)
                return (status, body)
            }
            #expect(results.contains { $0.0 == .ok && $0.1 == "transition" })
            let enrolments = results.filter { $0.1 != "transition" }
            #expect(enrolments.allSatisfy { $0.0 == .created || ($0.0 == .conflict && $0.1.contains("closed_for_enrolment")) },
                    "\(enrolments.map(\.0)) \(enrolments.filter { $0.0 != .created && $0.0 != .conflict }.map(\.1))")
            let stored = try await EnrolmentModel.query(on: world.app.db).filter(\.$program.$id == world.program.id).filter(\.$employeeID ~~ (1...30).map { "R\($0)" }).count()
            #expect(stored == enrolments.filter { $0.0 == .created }.count)
            let late = try await world.api(.POST, "/api/v1/programs/\(program)/enrolments", as: .coordinator,
                                           json: #"{"employee_id":"M1","role":"mentee","wants":[{"topic":"figma","priority":1}],"channels":["video"]}"#)
            #expect(late.status == .conflict)
        }
    }
}

/// A kept page's holes filled in per reader: the same text as if the token and the escaped email had
/// been there when Leaf rendered it, wherever the holes fall (first, last, side by side, none).
@Suite struct KeptBodyTests {
    @Test func holesAreFilledInAsLeafWouldHaveRenderedThem() {
        let t = KeptBody.formTokenHole, e = KeptBody.emailHole
        let token = "tok-123", email = "a<b>&'c\"@example.com"
        for html in ["", "plain", "\(t)", "\(e)", "\(t)\(e)\(t)", "<p>\(e)</p><input value=\"\(t)\"><form>\(t)</form>", "x\(e)\(e)y\(t)"] {
            let filled = KeptBody(html, status: .ok).html(formToken: token, email: email)
            let expected = html.replacingOccurrences(of: t, with: token).replacingOccurrences(of: e, with: "a&lt;b&gt;&amp;&#39;c&quot;@example.com")
            #expect(filled == expected, "\(html)")
            #expect(KeptBody(html, status: .ok).html(formToken: token, email: nil) == html.replacingOccurrences(of: t, with: token).replacingOccurrences(of: e, with: ""))
        }
    }
}
