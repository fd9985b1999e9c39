import AsyncHTTPClient
import Fluent
import FlipsideCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import SQLKit
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Programs' chat webhooks: stored per program, and the one place a message is posted to one. Before
/// each post the host is resolved and every address checked (`ChatWebhook.mayCall`); the client then
/// connects to the address that was checked (a DNS override, so a second lookup cannot swap in another
/// one), follows no redirect, and gives up after its timeout.
enum ChatWebhooks {
    static let table = "program_webhooks"

    static func url(of programID: UUID, on db: any Database) async throws -> String? {
        try await (db as! any SQLDatabase).select().column("url").from(table).where("program_id", .equal, programID).first()?
            .decode(column: "url", as: String.self)
    }

    static func set(_ url: URL?, of programID: UUID, now: Date, on db: any Database) async throws {
        let sql = db as! any SQLDatabase
        guard let url else {
            try await sql.delete(from: table).where("program_id", .equal, programID).run()
            return
        }
        try await sql.raw("""
            INSERT INTO \(ident: table) (program_id, url, changed_at) VALUES (\(bind: programID), \(bind: url.absoluteString), \(bind: now.timeIntervalSince1970))
            ON CONFLICT (program_id) DO UPDATE SET url = excluded.url, changed_at = excluded.changed_at
            """).run()
    }

    /// A coordinator sets (or, with nothing, removes) a program's webhook: checked by Core's rule, with an
    /// audit line naming the host only (the path of a webhook URL is its secret).
    static func change(_ programID: UUID, to raw: String?, actor: Actor, reach: WebhookReach, now: Date, db: any Database,
                       audit: AuditTrail) async throws -> URL? {
        try AccessPolicy.require(actor, .change, .programs)
        let text = raw?.trimmingCharacters(in: .whitespaces) ?? ""
        let url: URL? = text.isEmpty ? nil : try ChatWebhook.check(text, reach: reach).get()
        try await db.writeTransaction { tx in
            guard try await ProgramModel.find(programID, on: tx) != nil else { throw ProgramError.notFound }
            try await set(url, of: programID, now: now, on: tx)
            try await audit.record(.programChanged, "program", programID.uuidString.lowercased(),
                                   url.map { "chat webhook set (\($0.host ?? ""))" } ?? "chat webhook removed", on: tx)
        }
        return url
    }

    /// What coordinators see of a webhook: its host, never its path.
    static func shown(_ raw: String?) -> String? {
        raw.flatMap { URL(string: $0)?.host }
    }

    /// Why a post did not go: `permanent` for a 4xx or an address that may not be called, else try again.
    struct Failure: Error, CustomStringConvertible {
        var permanent: Bool
        var description: String
    }

    /// Posts Slack-compatible JSON to `raw`, as allowed by `reach`.
    static func post(_ body: [String: String], to raw: String, reach: WebhookReach, timeout seconds: TimeInterval, group: any EventLoopGroup) async throws {
        let timeout = TimeAmount.milliseconds(Int64(seconds * 1000))
        guard case let .success(url) = ChatWebhook.check(raw, reach: reach), let host = url.host else {
            throw Failure(permanent: true, description: "the webhook address may not be called")
        }
        let port = url.port ?? (url.scheme == "https" ? 443 : 80)
        let addresses = try await resolve(host, port: port)
        guard ChatWebhook.mayCall(addresses, reach: reach), let address = addresses.first else {
            throw Failure(permanent: true, description: "the webhook's host resolves to an address the server may not call")
        }
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: timeout, read: timeout))
        configuration.dnsOverride = [host: address]
        let client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
        do {
            var request = HTTPClientRequest(url: url.absoluteString)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.headers.add(name: "User-Agent", value: "Flipside")
            request.body = .bytes(ByteBuffer(data: try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])))
            let response = try await client.execute(request, timeout: timeout)
            _ = try? await response.body.collect(upTo: 64 * 1024)
            try await client.shutdown()
            switch response.status.code {
            case 200..<300: return
            case 400..<500 where response.status != .tooManyRequests && response.status != .requestTimeout:
                throw Failure(permanent: true, description: "the webhook answered \(response.status.code)")
            default:
                throw Failure(permanent: false, description: "the webhook answered \(response.status.code)")
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            try? await client.shutdown()
            throw Failure(permanent: false, description: "the webhook could not be reached (\(type(of: error)))")
        }
    }

    /// Every address `host` resolves to (a literal address is itself).
    static func resolve(_ host: String, port: Int) async throws -> [String] {
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        if NetworkAddress.kind(of: bare) != nil { return [bare] }
        do {
            return try await NIOThreadPool.singleton.runIfActive { try lookUp(bare, port: port) }
        } catch {
            throw Failure(permanent: false, description: "the webhook's host could not be resolved")
        }
    }

    /// The system's resolver (blocking: run on a thread pool).
    static func lookUp(_ host: String, port: Int) throws -> [String] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var result: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { throw Failure(permanent: false, description: "no address") }
        defer { freeaddrinfo(first) }
        var out: [String] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = info.pointee.ai_addr {
                var socket: SocketAddress?
                switch Int32(address.pointee.sa_family) {
                case AF_INET: socket = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee) }
                case AF_INET6: socket = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee) }
                default: socket = nil
                }
                if let ip = socket?.ipAddress, !out.contains(ip) { out.append(ip) }
            }
            cursor = info.pointee.ai_next
        }
        return out
    }
}
