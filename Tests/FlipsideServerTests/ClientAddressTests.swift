@testable import FlipsideServer
import Testing

/// `X-Forwarded-For` counts only from a configured proxy, and then the nearest untrusted hop is the client.
@Suite struct ClientAddressTests {
    @Test func forwardedAddressesAreBelievedOnlyFromTrustedProxies() throws {
        let proxies: Set<String> = ["127.0.0.1", "10.0.0.2"]
        #expect(ClientAddress.resolve(peer: "203.0.113.7", forwardedFor: ["1.2.3.4"], trusted: proxies) == "203.0.113.7")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["198.51.100.9"], trusted: proxies) == "198.51.100.9")
        // A client that sends its own header before the proxy appends: the proxy's view wins.
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["6.6.6.6, 198.51.100.9"], trusted: proxies) == "198.51.100.9")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["198.51.100.9, 10.0.0.2"], trusted: proxies) == "198.51.100.9")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: [], trusted: proxies) == "127.0.0.1")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["<script>"], trusted: proxies) == "127.0.0.1")
        #expect(ClientAddress.resolve(peer: nil, forwardedFor: ["1.2.3.4"], trusted: proxies) == nil)
        #expect(throws: ConfigError.self) { _ = try AppConfig.fromEnvironment(["TRUSTED_PROXIES": "localhost"]) }
        #expect(try AppConfig.fromEnvironment(["TRUSTED_PROXIES": "127.0.0.1, ::1"]).trustedProxies == ["127.0.0.1", "::1"])
    }

    /// Addresses are parsed as addresses (any hex word passed before); IPv6 counts by its /64.
    @Test func addressesAreParsedStrictly() {
        for good in ["203.0.113.7", "::1", "2001:db8::1", "fe80::1%eth0", "::ffff:192.0.2.1"] { #expect(ClientAddress.looksLikeIP(good), "\(good)") }
        for bad in ["abc", "dead", "beef:cafe", "1.2.3.999", "1.2.3", "::g", "", "1.2.3.4.5", "<script>", String(repeating: "a", count: 70)] {
            #expect(!ClientAddress.looksLikeIP(bad), "\(bad)")
        }
        #expect(ClientAddress.limitKey("203.0.113.7") == "203.0.113.7")
        #expect(ClientAddress.limitKey("::ffff:192.0.2.1") == "192.0.2.1")
        #expect(ClientAddress.limitKey("2001:db8:aa:bb:1:2:3:4") == "2001:db8:aa:bb::/64")
        #expect(ClientAddress.limitKey("nonsense") == "unparsed")
        #expect(ClientAddress.resolve(peer: "127.0.0.1", forwardedFor: ["beef"], trusted: ["127.0.0.1"]) == "127.0.0.1")
    }

    /// `/metrics` without a token is for local scrapers only: any proxy header means the request came
    /// from elsewhere, whatever the peer.
    @Test func anyProxyHeaderMeansNotLocal() {
        #expect(ClientAddress.isLocal(peer: "127.0.0.1", headers: [:]))
        #expect(ClientAddress.isLocal(peer: "::1", headers: [:]))
        #expect(ClientAddress.isLocal(peer: "127.0.0.2", headers: [:]))
        #expect(!ClientAddress.isLocal(peer: "203.0.113.7", headers: [:]))
        #expect(!ClientAddress.isLocal(peer: nil, headers: [:]))
        for header in ["Forwarded", "X-Forwarded-For", "X-Real-IP", "X-Forwarded-Host", "x-forwarded-proto", "True-Client-IP"] {
            #expect(!ClientAddress.isLocal(peer: "127.0.0.1", headers: [header: "for=203.0.113.7"]), "\(header)")
        }
    }

    /// The new settings are read with their bounds; a value out of them stops the start with its name.
    @Test func limitsAreReadWithTheirBounds() throws {
        let config = try AppConfig.fromEnvironment(["REQUEST_DEADLINE_SECONDS": "12.5", "OUTBOX_LEASE_SECONDS": "60", "CONCERN_CODE_LIMIT": "7", "PORT": "9000"])
        #expect(config.requestDeadline == 12.5 && config.outboxLease == 60 && config.concernCodeLimit == 7 && config.port == 9000)
        for (name, value) in [("REQUEST_DEADLINE_SECONDS", "60"), ("OUTBOX_LEASE_SECONDS", "1"), ("CONCERN_CODE_LIMIT", "0"), ("PORT", "x"), ("BCRYPT_COST", "3")] {
            #expect(throws: ConfigError.self) { _ = try AppConfig.fromEnvironment([name: value]) }
        }
    }
}
