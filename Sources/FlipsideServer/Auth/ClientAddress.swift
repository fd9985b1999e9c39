import Foundation
import Vapor
#if canImport(Glibc)
import Glibc
#endif

/// The client's address: the connection's peer, or — when that peer is a configured reverse proxy —
/// the nearest address in `X-Forwarded-For` that is not itself a trusted proxy. A client cannot
/// choose its address by sending the header itself.
enum ClientAddress {
    static func resolve(peer: String?, forwardedFor: [String], trusted: Set<String>) -> String? {
        guard let peer, trusted.contains(peer) else { return peer }
        let hops = forwardedFor.flatMap { $0.split(separator: ",") }.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        // Right to left: the proxies appended what they saw; the first untrusted address is the client.
        for hop in hops.reversed() where !trusted.contains(hop) {
            return looksLikeIP(hop) ? hop : peer
        }
        return peer
    }

    /// Whether `s` is an IPv4 or IPv6 address as the system parses them (not merely hex words and dots).
    static func looksLikeIP(_ s: String) -> Bool { bytes(s) != nil }

    /// The address's bytes: 4 for IPv4, 16 for IPv6; nil for anything else (a zone `%eth0` is dropped).
    static func bytes(_ s: String) -> [UInt8]? {
        guard !s.isEmpty, s.count <= 64 else { return nil }
        let plain = s.split(separator: "%", maxSplits: 1).first.map(String.init) ?? s
        var v4 = in_addr()
        if plain.contains("."), !plain.contains(":"), inet_pton(AF_INET, plain, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if plain.contains(":"), inet_pton(AF_INET6, plain, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }

    /// The key a per-address limit counts under: an IPv4 address as it is; an IPv6 address by its /64
    /// (one subscriber holds a whole /64, 2^64 addresses); an IPv4-mapped IPv6 address as its IPv4.
    /// Anything that does not parse counts as one client, "unparsed".
    static func limitKey(_ address: String) -> String {
        guard let bytes = bytes(address) else { return "unparsed" }
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }

    /// Whether a request came straight from this machine: a loopback peer and no proxy header at all
    /// (any `Forwarded`, `X-Forwarded-*` or `X-Real-IP` means a proxy passed it on, from anywhere).
    static func isLocal(peer: String?, headers: HTTPHeaders) -> Bool {
        guard let peer, let bytes = bytes(peer) else { return false }
        let loopback = bytes.count == 4 ? bytes[0] == 127 : (bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1)
        let proxied = headers.contains { header in
            let name = header.name.lowercased()
            return name == "forwarded" || name.hasPrefix("x-forwarded-") || name == "x-real-ip" || name == "x-client-ip" || name == "true-client-ip"
        }
        return loopback && !proxied
    }
}

extension Request {
    /// The client's address as the sign-in limits and logs see it (see `ClientAddress`).
    var clientAddress: String? {
        ClientAddress.resolve(peer: remoteAddress?.ipAddress, forwardedFor: headers[.xForwardedFor], trusted: application.appConfig.trustedProxies)
    }
}
