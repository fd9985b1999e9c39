import FlipsideCore
import FlipsideCoreTestSupport
import Foundation
import Testing

@Suite struct OpenIDSignInTests {
    let now = Fixtures.date("2026-12-05T10:00:00Z")
    let settings = OpenIDSettings(issuer: "https://id.example.com", clientID: "flipside", coordinatorGroup: "flipside-coordinators")

    func claims(_ change: (inout OpenIDClaims) -> Void = { _ in }) -> OpenIDClaims {
        var c = OpenIDClaims(issuer: "https://id.example.com", audience: ["flipside"], expires: now.addingTimeInterval(300), issuedAt: now.addingTimeInterval(-5),
                             nonce: "n-123", subject: "abc", email: "Ana@Example.com", emailVerified: true, groups: ["staff"])
        change(&c)
        return c
    }

    @Test func aGoodTokenNamesThePersonByTheirVerifiedEmail() throws {
        let id = try OpenIDSignIn.identity(claims(), settings: settings, nonce: "n-123", now: now).get()
        #expect(id == OpenIDIdentity(key: "ana@example.com", byEmail: true, coordinator: false))
        let coordinator = try OpenIDSignIn.identity(claims { $0.groups = ["flipside-coordinators"] }, settings: settings, nonce: "n-123", now: now).get()
        #expect(coordinator.coordinator == true)
        var noGroup = settings
        noGroup.coordinatorGroup = nil
        #expect(try OpenIDSignIn.identity(claims(), settings: noGroup, nonce: "n-123", now: now).get().coordinator == nil)
    }

    @Test func everyCheckRefusesWhatItShould() {
        let cases: [(OpenIDClaims, OpenIDRefusal)] = [
            (claims { $0.issuer = "https://evil.example.com" }, .wrongIssuer("https://evil.example.com")),
            (claims { $0.audience = ["someone-else"] }, .wrongAudience),
            (claims { $0.audience = ["flipside", "other"] }, .wrongAuthorizedParty("(none, with several audiences)")),
            (claims { $0.authorizedParty = "other" }, .wrongAuthorizedParty("other")),
            (claims { $0.expires = now.addingTimeInterval(-61) }, .expired),
            (claims { $0.issuedAt = now.addingTimeInterval(120) }, .issuedInTheFuture),
            (claims { $0.nonce = "replayed" }, .wrongNonce),
            (claims { $0.nonce = nil }, .wrongNonce),
            (claims { $0.emailVerified = false }, .emailNotVerified),
            (claims { $0.emailVerified = nil }, .emailNotVerified),
            (claims { $0.email = nil }, .missingClaim("email")),
        ]
        for (c, refusal) in cases {
            #expect(OpenIDSignIn.identity(c, settings: settings, nonce: "n-123", now: now) == .failure(refusal), "\(refusal)")
            #expect(!refusal.reason.contains("n-123") && !refusal.message.isEmpty)
        }
        // Within the leeway an expiry a little past still passes.
        #expect((try? OpenIDSignIn.identity(claims { $0.expires = now.addingTimeInterval(-30) }, settings: settings, nonce: "n-123", now: now).get()) != nil)
    }

    @Test func anEmployeeIdClaimAndProvidersWithoutEmailVerified() throws {
        var byID = settings
        byID.personClaim = "employee_id"
        #expect(try OpenIDSignIn.identity(claims { $0.strings = ["employee_id": "P00042"]; $0.emailVerified = nil }, settings: byID, nonce: "n-123", now: now).get().key == "P00042")
        #expect(OpenIDSignIn.identity(claims(), settings: byID, nonce: "n-123", now: now) == .failure(.missingClaim("employee_id")))
        var lax = settings
        lax.requireVerifiedEmail = false
        #expect(try OpenIDSignIn.identity(claims { $0.emailVerified = nil }, settings: lax, nonce: "n-123", now: now).get().key == "ana@example.com")
    }

    @Test func nobodyUnknownOrGoneIsLetIn() {
        #expect(OpenIDSignIn.admit(nil) == .failure(.unknownPerson))
        #expect(OpenIDSignIn.admit(Fixtures.person("X", level: 1, exit: "2026-01-01")) == .failure(.personLeft))
        #expect((try? OpenIDSignIn.admit(Fixtures.person("Y", level: 1)).get())?.employeeID == "Y")
    }
}
