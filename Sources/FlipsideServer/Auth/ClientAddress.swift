import Foundation
import Vapor

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

    static func looksLikeIP(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 45 else { return false }
        return s.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" }
    }
}

extension Request {
    /// The client's address as the sign-in limits and logs see it (see `ClientAddress`).
    var clientAddress: String? {
        ClientAddress.resolve(peer: remoteAddress?.ipAddress, forwardedFor: headers[.xForwardedFor], trusted: application.appConfig.trustedProxies)
    }
}
