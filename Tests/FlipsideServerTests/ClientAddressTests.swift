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
}
