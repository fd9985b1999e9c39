import Fluent
import FlipsideCore
@testable import FlipsideServer
import SQLKit
import Testing
import VaporTesting

@Suite(.serialized) struct AuthTests {
    @Test func issuesTokensForGoodCredentialsOnly() async throws {
        try await TestWorld.run { world in
            let good = #"{"email":"COORD@example.com","password":"\#(TestWorld.password)"}"#
            let (ok, body) = try await world.api(.POST, "/api/v1/auth/token", as: .anonymous, json: good)
            #expect(ok == .created)
            let token = try #require((try json(body) as? [String: Any])?["token"] as? String)
            #expect(token.count >= 40)
            // Only a hash of the token is stored.
            let stored = try await UserTokenModel.query(on: world.app.db).all().map(\.tokenHash)
            #expect(!stored.contains(token) && stored.contains(TokenHash.of(token)))
            let (bad, badBody) = try await world.api(.POST, "/api/v1/auth/token", as: .anonymous, json: #"{"email":"coord@example.com","password":"wrong password"}"#)
            #expect(bad == .unauthorized)
            #expect(badBody.contains("invalid_credentials"))
            let (missing, _) = try await world.api(.POST, "/api/v1/auth/token", as: .anonymous, json: #"{"email":"coord@example.com"}"#)
            #expect(missing == .badRequest)
        }
    }

    /// A session ends on the server when its lifetime is over, whatever the browser still holds; expired
    /// sessions and tokens are deleted as new ones start; only hashes of session keys are stored.
    @Test func sessionsAndTokensExpireOnTheServer() async throws {
        try await TestWorld.run { world in
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            let cookie = try #require(web.cookie)
            let stored = try await WebSessionModel.query(on: world.app.db).all()
            #expect(stored.contains { $0.keyHash == TokenHash.of(cookie) } && !stored.contains { $0.keyHash == cookie })
            #expect(try await web.get("/programs").status == .ok)
            // Eight hours later, the same cookie is no session.
            world.clock.advance(by: ExpiringSessions.lifetime + 1)
            let after = try await web.get("/programs")
            #expect(after.status == .seeOther && after.headers.first(name: .location)?.hasPrefix("/login") == true)
            // The next session to start asks for the clean-up; the outbox worker deletes the expired rows.
            _ = try await WebClient.signedIn(world, as: "coord@example.com")
            #expect(try await OutboxWorker(app: world.app).drain() == 1)
            let live = try await WebSessionModel.query(on: world.app.db).all()
            #expect(!live.isEmpty && live.allSatisfy { $0.expiresAt > world.clock.now })
            // Tokens: an expired one is refused, and deleted when the next is issued.
            let good = #"{"email":"coord@example.com","password":"\#(TestWorld.password)"}"#
            let token = try #require((try json(try await world.api(.POST, "/api/v1/auth/token", as: .anonymous, json: good).body) as? [String: Any])?["token"] as? String)
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: token)
            #expect(try await world.app.testing().sendRequest(.GET, "/api/v1/people", headers: headers).status == .ok)
            // Thirty days and a second later it is refused.
            world.clock.advance(by: 30 * 24 * 3600 + 1)
            headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: token)
            let refused = try await world.app.testing().sendRequest(.GET, "/api/v1/people", headers: headers)
            #expect(refused.status == .unauthorized)
            _ = try await world.api(.POST, "/api/v1/auth/token", as: .anonymous, json: good)
            try await OutboxWorker(app: world.app).drain()
            let expired = try await UserTokenModel.query(on: world.app.db).filter(\.$tokenHash == TokenHash.of(token)).count()
            #expect(expired == 0)
        }
    }

    @Test func rateLimitsFailedSignIns() async throws {
        try await TestWorld.run { world in
            let wrong = #"{"email":"jo@example.com","password":"not the password"}"#
            for _ in 0..<5 {
                let value1 = try await world.api(.POST, "/api/v1/auth/token", as: .anonymous, json: wrong).status
                #expect(value1 == .unauthorized)
            }
            let right = #"{"email":"jo@example.com","password":"\#(TestWorld.password)"}"#
            let (limited, body) = try await world.api(.POST, "/api/v1/auth/token", as: .anonymous, json: right)
            #expect(limited == .tooManyRequests)
            #expect(body.contains("too_many_attempts"))
            // Other accounts are not affected.
            let other = #"{"email":"coord@example.com","password":"\#(TestWorld.password)"}"#
            let value2 = try await world.api(.POST, "/api/v1/auth/token", as: .anonymous, json: other).status
            #expect(value2 == .created)
        }
    }

    @Test func oldFailuresExpireAndAreRemoved() async throws {
        try await TestWorld.run { world in
            let limiter = LoginLimiter(db: world.app.db, window: world.app.appConfig.loginWindow)
            let old = world.clock.now.addingTimeInterval(-3600)
            for _ in 0..<10 { _ = try await limiter.reserve(LoginLimiter.emailKey("jo@example.com"), now: old) }
            for _ in 0..<3 { _ = try await limiter.reserve(LoginLimiter.emailKey("coord@example.com"), now: old) }
            // Ten failures an hour ago do not lock the account; a sign-in asks for the clean-up of expired counters.
            let right = #"{"email":"jo@example.com","password":"\#(TestWorld.password)"}"#
            #expect(try await world.api(.POST, "/api/v1/auth/token", as: .anonymous, json: right).status == .created)
            let wrong = #"{"email":"jo@example.com","password":"not the password"}"#
            _ = try await world.api(.POST, "/api/v1/auth/token", as: .anonymous, json: wrong)
            try await OutboxWorker(app: world.app).drain()
            let rows = try await (world.app.db as! any SQLDatabase).raw("SELECT attempt_key, attempts FROM login_attempts").all()
            let counters = try rows.map { (try $0.decode(column: "attempt_key", as: String.self), try $0.decode(column: "attempts", as: Int.self)) }
            #expect(counters.count == 1 && counters.first?.0 == "email:jo@example.com" && counters.first?.1 == 1)
        }
    }

    @Test func passwordsAreStoredAsBcryptHashes() async throws {
        try await TestWorld.run { world in
            let users = try await UserModel.query(on: world.app.db).all()
            #expect(users.count == 2)
            for user in users { #expect(user.passwordHash.hasPrefix("$2b$") && !user.passwordHash.contains(TestWorld.password)) }
            #expect(users.first { $0.email == "jo@example.com" }?.employeeID == "J1")
        }
    }

    @Test func aParticipantLoginNeedsAPerson() async throws {
        try await TestWorld.run { world in
            await #expect(throws: SignInError.self) {
                try await AccountService(app: world.app).upsertUser(email: "nobody@example.com", password: TestWorld.password, role: .participant)
            }
        }
    }
}

@Suite(.serialized) struct MigrationTests {
    @Test func migratesDownAndUpAgain() async throws {
        try await TestWorld.run { world in
            try await world.app.autoRevert()
            await #expect(throws: (any Error).self) { try await PersonModel.query(on: world.app.db).count() }
            try await world.app.autoMigrate()
            let value3 = try await world.count(PersonModel.self)
            #expect(value3 == 0)
            let again = try await TestWorld.seed(world.app)
            let value4 = try await world.count(PersonModel.self)
            #expect(value4 == 5)
            let value5 = try await world.count(EnrolmentModel.self)
            #expect(value5 == 2)
            let value6 = try await again.api(.GET, "/api/v1/people", as: .coordinator).status
            #expect(value6 == .ok)
        }
    }

    @Test func demoDataLoadsTwiceWithoutDuplicates() async throws {
        try await TestWorld.run { world in
            let first = try await DemoLoader.load(into: world.app)
            #expect(first.people.created >= 280)
            let peopleAfterFirst = try await world.count(PersonModel.self)
            let second = try await DemoLoader.load(into: world.app)
            #expect(second.people.created == 0 && second.people.updated == 0)
            let value7 = try await world.count(PersonModel.self)
            #expect(value7 == peopleAfterFirst)
            let value8 = try await world.count(EnrolmentModel.self)
            #expect(value8 == 2 + 80 + 28 + 11 + 40)   // … and last year's 20 pairs
            let value9 = try await ProgramModel.query(on: world.app.db).count()
            #expect(value9 == 6)
            // The pilot was matched and published once: its pairs are not made again.
            let pilotPairs = try await MatchingReads(db: world.app.db).pairs(in: DemoOrganisation().pilot.id)
            // Its accepted pairs agreed goals and rhythm (active), once: one agreement per pair, not two.
            #expect(pilotPairs.count >= 12 && pilotPairs.contains { $0.status == .active } && pilotPairs.contains { $0.status == .declined }
                    && pilotPairs.contains { $0.status == .proposed })
            let active = pilotPairs.filter { $0.status == .active }
            var agreements = 0
            for pair in active {
                agreements += try await PartnershipReading.view(pair.id, actor: .system, now: Date(), store: PartnershipReads(db: world.app.db)).partnership.agreements.count
            }
            #expect(!active.isEmpty && agreements == active.count)
            // Last year's program is closed, its 20 partnerships completed, once.
            let lastYear = try await MatchingReads(db: world.app.db).pairs(in: DemoLoader.lastYearID)
            #expect(lastYear.count == 20 && lastYear.allSatisfy { $0.status == .completed })
            let value10 = try await UserModel.query(on: world.app.db).count()
            #expect(value10 == 5)
        }
    }
}
