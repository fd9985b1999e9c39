import FlipsideCore
@testable import FlipsideServer
import Foundation
import JWTKit
import Testing

/// The ID token's signature and claims as read (jwt-kit), the keys refreshed on rotation; the claim
/// rules themselves are Core's (OpenIDSignInTests) and the whole flow runs against a real provider in
/// scripts/oidc-check.sh.
@Suite struct OpenIDTokenTests {
    let now = Date(timeIntervalSince1970: 1_796_400_000)

    /// A provider's key: signs tokens; its public half as a JWKS entry.
    struct ProviderKey {
        let kid: String
        let key = ES256PrivateKey()
        var jwk: String {
            let p = key.publicKey.parameters!
            return #"{"kty":"EC","crv":"P-256","x":"\#(p.x)","y":"\#(p.y)","kid":"\#(kid)","alg":"ES256","use":"sig"}"#
        }
        func sign(_ claims: [String: any Sendable]) async throws -> String {
            struct Raw: JWTPayload {
                var json: Data
                func encode(to encoder: any Encoder) throws {
                    var c = encoder.singleValueContainer()
                    try c.encode(try JSONDecoder().decode([String: AnyCodable].self, from: json))
                }
                init(json: Data) { self.json = json }
                init(from decoder: any Decoder) throws { json = Data() }
                func verify(using algorithm: some JWTAlgorithm) async throws {}
            }
            let keys = JWTKeyCollection()
            await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
            return try await keys.sign(Raw(json: try JSONSerialization.data(withJSONObject: claims)), kid: JWKIdentifier(string: kid))
        }
    }

    /// Any JSON value, to sign arbitrary claims.
    struct AnyCodable: Codable {
        let value: any Sendable
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { value = b } else if let d = try? c.decode(Double.self) { value = d }
            else if let s = try? c.decode(String.self) { value = s } else { value = try c.decode([String].self) }
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            switch value {
            case let b as Bool: try c.encode(b)
            case let d as Double: try c.encode(d)
            case let s as String: try c.encode(s)
            case let a as [String]: try c.encode(a)
            default: try c.encodeNil()
            }
        }
    }

    func claims(_ extra: [String: any Sendable] = [:]) -> [String: any Sendable] {
        var c: [String: any Sendable] = ["iss": "https://id.example.com", "aud": "flipside", "sub": "s1", "nonce": "n1", "email": "jo@example.com",
                                         "email_verified": true, "exp": now.timeIntervalSince1970 + 300, "iat": now.timeIntervalSince1970, "groups": ["a", "b"]]
        for (k, v) in extra { c[k] = v }
        return c
    }

    actor Served {
        var jwks: String
        var fetches = 0
        init(_ jwks: String) { self.jwks = jwks }
        func set(_ j: String) { jwks = j }
        func take() -> String { fetches += 1; return jwks }
    }

    final class Clock: @unchecked Sendable { var now: Date; init(_ d: Date) { now = d } }

    @Test func theSignatureIsCheckedAndTheClaimsReadAsTheyAre() async throws {
        let a = ProviderKey(kid: "a")
        let served = Served(#"{"keys":[\#(a.jwk)]}"#)
        let keys = OpenIDKeys(fetch: { await served.take() }, now: { self.now })
        let payload = try await keys.verify(try await a.sign(claims(["email_verified": "true"])))
        #expect(payload.claims.email == "jo@example.com" && payload.claims.emailVerified == true && payload.claims.nonce == "n1")
        #expect(payload.claims.audience == ["flipside"] && payload.arrays["groups"] == ["a", "b"] && payload.claims.expires == now.addingTimeInterval(300))
        // Core then checks them on the clock's now: an expired token read fine here is refused there.
        let expired = try await keys.verify(try await a.sign(claims(["exp": now.timeIntervalSince1970 - 3_600])))
        #expect(OpenIDSignIn.identity(expired.claims, settings: OpenIDSettings(issuer: "https://id.example.com", clientID: "flipside"), nonce: "n1", now: now)
                == .failure(.expired))
        // A tampered payload, a token signed by a key the provider never published, and no signature: refused.
        let token = try await a.sign(claims())
        let parts = token.split(separator: ".").map(String.init)
        let other = Data(#"{"iss":"https://id.example.com","aud":"flipside","sub":"s1","nonce":"n1","email":"boss@example.com","email_verified":true,"exp":9999999999,"iat":0}"#.utf8)
            .base64EncodedString().replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        await #expect(throws: (any Error).self) { _ = try await keys.verify(parts[0] + "." + other + "." + parts[2]) }
        await #expect(throws: (any Error).self) { _ = try await keys.verify(parts[0] + "." + parts[1] + ".") }
        let stranger = ProviderKey(kid: "a")
        await #expect(throws: (any Error).self) { _ = try await keys.verify(try await stranger.sign(claims())) }
    }

    @Test func aRotatedKeyIsFetchedOnceAndOnlyOnceAMinute() async throws {
        let a = ProviderKey(kid: "a"), b = ProviderKey(kid: "b")
        let served = Served(#"{"keys":[\#(a.jwk)]}"#)
        let clock = Clock(now)
        let keys = OpenIDKeys(fetch: { await served.take() }, now: { clock.now })
        _ = try await keys.verify(try await a.sign(claims()))
        #expect(await served.fetches == 1)
        // The provider rotates to b. Within the minute a token with the unknown kid does not fetch again.
        await served.set(#"{"keys":[\#(b.jwk)]}"#)
        let rotated = try await b.sign(claims())
        await #expect(throws: (any Error).self) { _ = try await keys.verify(rotated) }
        #expect(await served.fetches == 1)
        // A minute on, it fetches once and the new key verifies — no restart.
        clock.now = now.addingTimeInterval(61)
        #expect(try await keys.verify(rotated).claims.subject == "s1")
        #expect(await served.fetches == 2)
    }
}
