import Foundation

/// Which networks a program's chat webhook may reach: by default only public addresses over https, so
/// that the webhook field cannot be used to make the server call into its own network (server-side
/// request forgery). An admin may allow loopback (a receiver on the same machine, for tests) or private
/// networks too (`WEBHOOK_ALLOW=loopback|private`).
public enum WebhookReach: String, Sendable, CaseIterable {
    case publicOnly = "public"
    case loopback
    case `private`

    func allows(_ kind: NetworkAddress.Kind) -> Bool {
        switch kind {
        case .public: return true
        case .loopback: return self != .publicOnly
        case .private: return self == .private
        case .forbidden: return false
        }
    }
}

/// An IP address, classified for outbound calls.
public enum NetworkAddress {
    public enum Kind: Sendable, Equatable {
        case `public`, loopback, `private`
        /// Never reached: unspecified, link-local (cloud metadata lives there), multicast, reserved.
        case forbidden
    }

    /// The kind of a textual IPv4 or IPv6 address; `nil` when it is not one.
    public static func kind(of text: String) -> Kind? {
        let host = text.hasPrefix("[") && text.hasSuffix("]") ? String(text.dropFirst().dropLast()) : text
        if let v4 = ipv4(host) { return kind(v4: v4) }
        if let v6 = ipv6(host) { return kind(v6: v6) }
        return nil
    }

    static func kind(v4 b: [UInt8]) -> Kind {
        switch (b[0], b[1]) {
        case (127, _): return .loopback
        case (10, _), (172, 16...31), (192, 168), (100, 64...127), (198, 18...19): return .private
        case (0, _), (169, 254), (224...255, _), (192, 0), (192, 88), (198, 51), (203, 0): return .forbidden
        default: return .public
        }
    }

    static func kind(v6 b: [UInt8]) -> Kind {
        if b[0..<15].allSatisfy({ $0 == 0 }) { return b[15] == 1 ? .loopback : .forbidden }
        // IPv4-mapped (::ffff:a.b.c.d) and the NAT64 prefix: judged by the IPv4 address inside.
        if b[0..<10].allSatisfy({ $0 == 0 }) && b[10] == 0xff && b[11] == 0xff { return kind(v4: Array(b[12..<16])) }
        if b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b { return kind(v4: Array(b[12..<16])) }
        if b[0] & 0xfe == 0xfc { return .private }                   // fc00::/7 unique local
        if b[0] == 0xfe && b[1] & 0xc0 == 0x80 { return .forbidden }  // fe80::/10 link-local
        if b[0] == 0xff { return .forbidden }                         // multicast
        if b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8 { return .forbidden }  // documentation
        return .public
    }

    static func ipv4(_ s: String) -> [UInt8]? {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for p in parts {
            guard !p.isEmpty, p.count <= 3, p.allSatisfy(\.isASCII), let n = UInt8(p), String(n) == p else { return nil }
            out.append(n)
        }
        return out
    }

    static func ipv6(_ s: String) -> [UInt8]? {
        var text = Substring(s)
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }   // a zone: fe80::1%eth0
        guard text.contains(":") else { return nil }
        var tail: [UInt8] = []
        if let lastColon = text.lastIndex(of: ":"), text[text.index(after: lastColon)...].contains(".") {
            guard let v4 = ipv4(String(text[text.index(after: lastColon)...])) else { return nil }
            tail = v4
            text = text[...lastColon]
            if text.hasSuffix(":") && !text.hasSuffix("::") { text = text.dropLast() }
        }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ h: String) -> [UInt16]? {
            if h.isEmpty { return [] }
            var out: [UInt16] = []
            for g in h.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(g.count), let n = UInt16(g, radix: 16) else { return nil }
                out.append(n)
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        let rest = halves.count == 2 ? groups(halves[1]) : []
        guard let rest else { return nil }
        let wanted = 8 - tail.count / 2
        var all: [UInt16]
        if halves.count == 2 {
            guard head.count + rest.count < wanted else { return nil }
            all = head + Array(repeating: 0, count: wanted - head.count - rest.count) + rest
        } else {
            guard head.count == wanted else { return nil }
            all = head
        }
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xff)] } + tail
    }
}

/// A program's chat webhook (Slack-compatible JSON, which Mattermost, Rocket.Chat and Teams workflows
/// accept): checked when it is set, and every address its host resolves to checked again when a
/// message goes (`NetworkAddress`, `WebhookReach`).
public enum ChatWebhook {
    /// The URL as given, or why it cannot be a webhook: https only (http only to loopback, when loopback
    /// is allowed), no user or password in it, a host that is no forbidden address.
    public struct Refused: Error, Sendable, Equatable { public var problem: FieldProblem }

    public static func check(_ raw: String, reach: WebhookReach) -> Result<URL, Refused> {
        func problem(_ reason: String) -> Result<URL, Refused> { .failure(Refused(problem: FieldProblem(field: "url", reason: reason))) }
        let text = raw.trimmingCharacters(in: .whitespaces)
        guard text.count <= 2_000, let components = URLComponents(string: text), let url = components.url,
              let scheme = components.scheme?.lowercased(), let host = components.host, !host.isEmpty else {
            return problem("must be a whole URL such as https://hooks.example.com/…")
        }
        guard components.user == nil, components.password == nil else { return problem("must not hold a user name or password") }
        let literal = NetworkAddress.kind(of: host)
        let isLocalName = ["localhost", "localhost."].contains(host.lowercased()) || host.lowercased().hasSuffix(".localhost")
        switch scheme {
        case "https": break
        case "http":
            guard literal == .loopback || isLocalName, reach != .publicOnly else { return problem("must use https (http only to this machine, when allowed)") }
        default:
            return problem("must use https")
        }
        if let literal, !reach.allows(literal) { return problem("points to an address the server may not call (\(literal))") }
        if isLocalName, !reach.allows(.loopback) { return problem("points to this machine, which the server may not call") }
        return .success(url)
    }

    /// Whether every address the host resolved to may be called.
    public static func mayCall(_ addresses: [String], reach: WebhookReach) -> Bool {
        !addresses.isEmpty && addresses.allSatisfy { reach.allows(NetworkAddress.kind(of: $0) ?? .forbidden) }
    }

    /// The Slack-compatible body of a message: its text with the link.
    public static func body(_ content: NoticeContent, link: String?) -> [String: String] {
        var lines = ["*\(content.subject)*"] + content.paragraphs
        if let action = content.action, let link { lines.append("<\(link)|\(action.label)>") }
        return ["text": lines.joined(separator: "\n")]
    }
}
