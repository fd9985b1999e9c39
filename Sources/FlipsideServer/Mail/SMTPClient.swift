import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL

/// Where and how mail leaves: the organisation's relay from `SMTP_URL`, the sender from `MAIL_FROM`.
///
/// - `smtp://host:587` — STARTTLS when the server offers it, plain otherwise;
/// - `smtp://host:587?starttls=required` — STARTTLS or nothing is sent;
/// - `smtps://host:465` — TLS from the first byte;
/// - `smtp://user:password@host` — AUTH PLAIN (or LOGIN), only over TLS or to a loopback relay.
///
/// `SMTP_CA_FILE` adds a PEM certificate (an internal relay's own CA) to the trusted roots;
/// `SMTP_TIMEOUT_SECONDS` bounds every step (connect, each reply, the upload).
struct SMTPSettings: Sendable, Equatable {
    enum Security: String, Sendable, Equatable {
        /// TLS from the first byte (`smtps://`).
        case implicitTLS = "tls"
        /// STARTTLS, refusing to go on without it.
        case startTLSRequired = "starttls"
        /// STARTTLS when offered (the default for `smtp://`).
        case startTLSIfOffered = "starttls if offered"
    }

    var host: String
    var port: Int
    var security: Security
    var user: String?
    var password: String?
    var from: MailAddress
    var caFile: String?
    var timeout: TimeInterval
    /// The name this client gives in EHLO.
    var heloName: String

    /// The settings from the environment's values, or `nil` without `SMTP_URL` (mail is kept, not sent).
    static func from(url raw: String?, from sender: String?, caFile: String?, timeout: String?, heloName: String) throws -> SMTPSettings? {
        guard let raw, !raw.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        guard let components = URLComponents(string: raw), let scheme = components.scheme?.lowercased(), let host = components.host, !host.isEmpty else {
            throw ConfigError("SMTP_URL must look like smtp://host:587 or smtps://host:465, not '\(raw)'")
        }
        var security: Security
        switch scheme {
        case "smtp": security = .startTLSIfOffered
        case "smtps": security = .implicitTLS
        default: throw ConfigError("SMTP_URL must start with smtp:// or smtps://, not '\(scheme)://'")
        }
        for item in components.queryItems ?? [] {
            switch (item.name, item.value ?? "") {
            case ("starttls", "required") where scheme == "smtp": security = .startTLSRequired
            case ("starttls", "optional") where scheme == "smtp": security = .startTLSIfOffered
            default: throw ConfigError("SMTP_URL: unknown setting '\(item.name)=\(item.value ?? "")' (known: starttls=required or starttls=optional for smtp://)")
            }
        }
        let port = components.port ?? (scheme == "smtps" ? 465 : 587)
        guard (1...65_535).contains(port) else { throw ConfigError("SMTP_URL: the port must be from 1 to 65535") }
        guard let sender, let address = MailAddress.parse(sender) else {
            throw ConfigError("MAIL_FROM must be the sender's address, such as 'Flipside <mentoring@example.com>', when SMTP_URL is set")
        }
        var seconds: TimeInterval = 30
        if let timeout {
            guard let value = TimeInterval(timeout), value > 0, value <= 600 else { throw ConfigError("SMTP_TIMEOUT_SECONDS must be from 0 to 600 seconds, not '\(timeout)'") }
            seconds = value
        }
        if let caFile, !FileManager.default.isReadableFile(atPath: caFile) { throw ConfigError("SMTP_CA_FILE '\(caFile)' cannot be read") }
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding }
        let password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
        if user != nil, password == nil { throw ConfigError("SMTP_URL names a user but no password (smtp://user:password@host)") }
        return SMTPSettings(host: host, port: port, security: security, user: user, password: password, from: address,
                            caFile: caFile, timeout: seconds, heloName: heloName)
    }

    /// Whether the relay is on this machine (credentials may then go without TLS).
    var isLoopback: Bool { host == "localhost" || host == "::1" || host.hasPrefix("127.") }
}

/// Why a message was not handed over, in the terms that decide what happens next.
struct SMTPFailure: Error, Sendable, CustomStringConvertible {
    enum Kind: Sendable, Equatable {
        /// A 5xx reply: this message will not go to this recipient as it is; do not retry.
        case permanent
        /// A 4xx reply, a dropped connection or a step past its time: try again later.
        case transient
        /// The settings cannot work (no STARTTLS where required, credentials without TLS): fix them.
        case configuration
    }
    var kind: Kind
    /// The step that failed (`RCPT`, `DATA`, `connect`…).
    var step: String
    /// The server's reply code, when it sent one.
    var code: Int?
    var reason: String

    var description: String { "\(step): \(code.map { "\($0) " } ?? "")\(reason)" }
}

/// A small, strict SMTP client (RFC 5321) on SwiftNIO: one connection per hand-over, every step
/// bounded in time, STARTTLS (RFC 3207) and implicit TLS through NIOSSL, AUTH PLAIN/LOGIN (RFC 4954)
/// only over TLS (or to a loopback relay), dot-stuffing, and replies classified into permanent,
/// transient and configuration failures.
struct SMTPClient: Sendable {
    let settings: SMTPSettings
    let group: any EventLoopGroup

    /// What the server accepted: the recipients it took, and those it refused for good (5xx), with why.
    struct Delivery: Sendable {
        var accepted: [String]
        var refused: [(address: String, failure: SMTPFailure)]
        /// The server's final reply to the message.
        var reply: String
    }

    /// Hands `message` to the relay for every recipient in `to` (the envelope; headers may differ).
    /// Throws `SMTPFailure` when nothing was accepted; a recipient refused with 5xx while others were
    /// taken is listed in the delivery.
    func send(_ message: MailMessage, to recipients: [String]? = nil) async throws -> Delivery {
        let envelope = recipients ?? message.to.map(\.address)
        guard !envelope.isEmpty, envelope.allSatisfy(MailAddress.plausible) else {
            throw SMTPFailure(kind: .permanent, step: "RCPT", code: nil, reason: "no usable recipient address")
        }
        let channel = try await SMTPConnection.open(settings, group: group)
        let settings = self.settings
        return try await channel.executeThenClose { inbound, outbound in
            var dialogue = SMTPDialogue(channel: channel.channel, replies: inbound.makeAsyncIterator(), outbound: outbound, settings: settings)
            let delivery = try await dialogue.deliver(message.rendered(), from: settings.from.address, to: envelope)
            await dialogue.quit()
            return delivery
        }
    }
}

extension SMTPClient {
    /// Hands over many messages on one connection (one transaction each, `RSET` after one that was
    /// refused), calling `done` with each outcome as it is known, so that it can be recorded at once.
    /// When the connection itself fails, the messages not yet handed over get that failure.
    func sendAll(_ messages: [MailMessage], done: (Int, Result<Delivery, SMTPFailure>) async throws -> Void) async throws {
        guard !messages.isEmpty else { return }
        let channel: NIOAsyncChannel<String, ByteBuffer>
        do { channel = try await SMTPConnection.open(settings, group: group) } catch let failure as SMTPFailure {
            for i in messages.indices { try await done(i, .failure(failure)) }
            return
        }
        let settings = self.settings
        var next = 0
        do {
            try await channel.executeThenClose { inbound, outbound in
                var dialogue = SMTPDialogue(channel: channel.channel, replies: inbound.makeAsyncIterator(), outbound: outbound, settings: settings)
                try await dialogue.begin()
                while next < messages.count {
                    let message = messages[next]
                    let envelope = message.to.map(\.address)
                    do {
                        guard !envelope.isEmpty, envelope.allSatisfy(MailAddress.plausible) else {
                            throw SMTPFailure(kind: .permanent, step: "RCPT", code: nil, reason: "no usable recipient address")
                        }
                        let delivery = try await dialogue.transaction(message.rendered(), from: settings.from.address, to: envelope)
                        next += 1
                        try await done(next - 1, .success(delivery))
                    } catch let failure as SMTPFailure where failure.step == "MAIL" || failure.step == "RCPT" || failure.step == "end of DATA" {
                        next += 1
                        try await done(next - 1, .failure(failure))
                        try await dialogue.reset()
                    }
                }
                await dialogue.quit()
            }
        } catch let failure as SMTPFailure {
            while next < messages.count { try await done(next, .failure(failure)); next += 1 }
        } catch {
            let failure = SMTPFailure(kind: .transient, step: "connection", code: nil, reason: "the connection failed (\(type(of: error)))")
            while next < messages.count { try await done(next, .failure(failure)); next += 1 }
        }
    }
}

/// Opening the connection: TCP, TLS from the start for `smtps://`, replies read line by line.
enum SMTPConnection {
    static func open(_ settings: SMTPSettings, group: any EventLoopGroup) async throws -> NIOAsyncChannel<String, ByteBuffer> {
        let tls = try tlsContext(settings)
        let host = settings.host, implicit = settings.security == .implicitTLS
        do {
            return try await ClientBootstrap(group: group)
                .connectTimeout(.milliseconds(Int64(settings.timeout * 1_000)))
                .connect(host: host, port: settings.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if implicit { try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: sniName(host))) }
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPLineDecoder()))
                        return try NIOAsyncChannel<String, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw SMTPFailure(kind: .transient, step: "connect", code: nil, reason: "cannot reach \(host):\(settings.port) (\(error))")
        }
    }

    static func tlsContext(_ settings: SMTPSettings) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        if let caFile = settings.caFile { configuration.additionalTrustRoots = [.file(caFile)] }
        do { return try NIOSSLContext(configuration: configuration) } catch {
            throw SMTPFailure(kind: .configuration, step: "TLS", code: nil, reason: "cannot set up TLS (\(error))")
        }
    }

    /// The name sent for SNI and checked against the certificate; none for an IP address (RFC 6066).
    static func sniName(_ host: String) -> String? {
        host.contains(":") || host.allSatisfy({ $0.isNumber || $0 == "." }) ? nil : host
    }
}

/// One connection's conversation, step by step, each bounded by the settings' timeout: when a step
/// runs out of time the connection is closed, which ends the wait.
struct SMTPDialogue {
    let channel: any Channel
    var replies: NIOAsyncChannelInboundStream<String>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let settings: SMTPSettings
    private var secure: Bool
    private var capabilities: [String] = []

    init(channel: any Channel, replies: NIOAsyncChannelInboundStream<String>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
         settings: SMTPSettings) {
        self.channel = channel
        self.replies = replies
        self.outbound = outbound
        self.settings = settings
        secure = settings.security == .implicitTLS
    }

    struct Reply: Sendable {
        var code: Int
        var lines: [String]
        var text: String { lines.joined(separator: " ") }
    }

    /// Greeting, EHLO, STARTTLS, AUTH, then the envelope and the message.
    mutating func deliver(_ data: String, from sender: String, to recipients: [String]) async throws -> SMTPClient.Delivery {
        try await begin()
        return try await transaction(data, from: sender, to: recipients)
    }

    /// Greeting, EHLO, STARTTLS, AUTH: the connection ready for messages.
    mutating func begin() async throws {
        try expect(try await reply(step: "greeting"), 220, step: "greeting")
        try await hello()
        if !secure {
            let offered = capabilities.contains { $0.uppercased() == "STARTTLS" }
            if offered {
                try expect(try await command("STARTTLS", step: "STARTTLS"), 220, step: "STARTTLS")
                try await startTLS()
                try await hello()
            } else if settings.security == .startTLSRequired {
                throw SMTPFailure(kind: .configuration, step: "STARTTLS", code: nil,
                                  reason: "\(settings.host) does not offer STARTTLS, and SMTP_URL requires it: nothing was sent")
            }
        }
        if let user = settings.user, let password = settings.password { try await authenticate(user: user, password: password) }
    }

    /// One message on a ready connection: the envelope, then the data.
    mutating func transaction(_ data: String, from sender: String, to recipients: [String]) async throws -> SMTPClient.Delivery {
        // The message is 7-bit (base64 bodies, encoded-word headers): no BODY=8BITMIME or SMTPUTF8 is needed.
        try expect(try await command("MAIL FROM:<\(sender)>", step: "MAIL"), 250, step: "MAIL")
        var accepted: [String] = [], refused: [(String, SMTPFailure)] = []
        for recipient in recipients {
            let answer = try await command("RCPT TO:<\(recipient)>", step: "RCPT")
            switch answer.code {
            case 250, 251: accepted.append(recipient)
            case 500...599: refused.append((recipient, SMTPFailure(kind: .permanent, step: "RCPT", code: answer.code, reason: answer.text)))
            default: throw SMTPFailure(kind: .transient, step: "RCPT", code: answer.code, reason: answer.text)
            }
        }
        guard !accepted.isEmpty else {
            throw refused.first?.1 ?? SMTPFailure(kind: .permanent, step: "RCPT", code: nil, reason: "no recipient was accepted")
        }
        try expect(try await command("DATA", step: "DATA"), 354, step: "DATA")
        try await write(Self.dotStuffed(data) + ".\r\n")
        let final = try await reply(step: "DATA")
        try expect(final, 250, step: "end of DATA")
        return SMTPClient.Delivery(accepted: accepted, refused: refused, reply: final.text)
    }

    /// Ends a transaction that failed part-way, so the next one starts clean.
    mutating func reset() async throws {
        try expect(try await command("RSET", step: "RSET"), 250, step: "RSET")
    }

    /// Says goodbye; a server that does not answer is left (the message was already accepted).
    mutating func quit() async {
        _ = try? await command("QUIT", step: "QUIT")
    }

    private mutating func hello() async throws {
        let answer = try await command("EHLO \(settings.heloName)", step: "EHLO")
        try expect(answer, 250, step: "EHLO")
        capabilities = answer.lines.dropFirst().map { $0.trimmingCharacters(in: .whitespaces) }
    }

    private mutating func startTLS() async throws {
        let context = try SMTPConnection.tlsContext(settings)
        let host = settings.host
        let channel = self.channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: context, serverHostname: SMTPConnection.sniName(host)), position: .first)
        }.get()
        secure = true
    }

    private mutating func authenticate(user: String, password: String) async throws {
        guard secure || settings.isLoopback else {
            throw SMTPFailure(kind: .configuration, step: "AUTH", code: nil,
                              reason: "the connection to \(settings.host) is not encrypted, so the password is not sent (use STARTTLS or smtps://)")
        }
        let mechanisms = Set(capabilities.filter { $0.uppercased().hasPrefix("AUTH") }
            .flatMap { $0.uppercased().replacingOccurrences(of: "AUTH=", with: "AUTH ").split(separator: " ").dropFirst().map(String.init) })
        let answer: Reply
        if mechanisms.contains("PLAIN") {
            let token = Data("\u{0}\(user)\u{0}\(password)".utf8).base64EncodedString()
            answer = try await command("AUTH PLAIN \(token)", step: "AUTH")
        } else if mechanisms.contains("LOGIN") {
            try expect(try await command("AUTH LOGIN", step: "AUTH"), 334, step: "AUTH")
            try expect(try await command(Data(user.utf8).base64EncodedString(), step: "AUTH"), 334, step: "AUTH")
            answer = try await command(Data(password.utf8).base64EncodedString(), step: "AUTH")
        } else {
            throw SMTPFailure(kind: .configuration, step: "AUTH", code: nil, reason: "\(settings.host) offers neither AUTH PLAIN nor AUTH LOGIN")
        }
        guard answer.code == 235 else {
            throw SMTPFailure(kind: answer.code >= 500 ? .configuration : .transient, step: "AUTH", code: answer.code,
                              reason: "the relay refused the user and password: \(answer.text)")
        }
    }

    private func expect(_ reply: Reply, _ code: Int, step: String) throws {
        guard reply.code != code else { return }
        throw SMTPFailure(kind: (500...599).contains(reply.code) ? .permanent : .transient, step: step, code: reply.code, reason: reply.text)
    }

    /// Sends one command line and reads its reply. A failure quotes the server's reply, never the command
    /// (so credentials are never echoed).
    private mutating func command(_ line: String, step: String) async throws -> Reply {
        precondition(!line.contains("\r") && !line.contains("\n"), "an SMTP command is one line")
        try await write(line + "\r\n")
        return try await reply(step: step)
    }

    private func write(_ text: String) async throws {
        let deadline = watchdog()
        defer { deadline.cancel() }
        do { try await outbound.write(ByteBuffer(string: text)) } catch {
            throw SMTPFailure(kind: .transient, step: "write", code: nil, reason: "the connection was lost (\(error))")
        }
    }

    /// Reads one reply: lines `ddd-text` then `ddd text`.
    private mutating func reply(step: String) async throws -> Reply {
        let deadline = watchdog()
        defer { deadline.cancel() }
        var lines: [String] = []
        while true {
            let next: String?
            do { next = try await replies.next() } catch {
                throw SMTPFailure(kind: .transient, step: step, code: nil, reason: "the connection failed (\(error))")
            }
            guard let line = next else {
                throw SMTPFailure(kind: .transient, step: step, code: nil,
                                  reason: deadline.fired ? "no answer within \(Int(settings.timeout)) s" : "the server closed the connection")
            }
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)), (200...599).contains(code) else {
                throw SMTPFailure(kind: .transient, step: step, code: nil, reason: "not an SMTP reply: \(line.prefix(80))")
            }
            lines.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
            if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") { return Reply(code: code, lines: lines) }
            guard bytes[3] == UInt8(ascii: "-"), lines.count < 100 else {
                throw SMTPFailure(kind: .transient, step: step, code: code, reason: "a malformed reply line: \(line.prefix(80))")
            }
        }
    }

    /// Closes the connection if the current step outlives the timeout.
    private func watchdog() -> Watchdog {
        let fired = NIOLockedValueBox(false)
        let channel = self.channel
        let task = channel.eventLoop.scheduleTask(in: .milliseconds(Int64(settings.timeout * 1_000))) {
            fired.withLockedValue { $0 = true }
            channel.close(promise: nil)
        }
        return Watchdog(task: task, flag: fired)
    }

    struct Watchdog {
        let task: Scheduled<Void>
        let flag: NIOLockedValueBox<Bool>
        var fired: Bool { flag.withLockedValue { $0 } }
        func cancel() { task.cancel() }
    }

    /// A line of the message that starts with "." gets another in front (RFC 5321 §4.5.2); the text
    /// ends with CRLF.
    static func dotStuffed(_ data: String) -> String {
        var text = data.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
        if !text.hasSuffix("\r\n") { text += "\r\n" }
        return text
    }
}

/// Splits the server's bytes into lines (CRLF or LF), refusing a line longer than any reply may be.
struct SMTPLineDecoder: ByteToMessageDecoder {
    typealias InboundOut = String
    static let longest = 4_096

    struct LineTooLong: Error {}

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) else {
            if buffer.readableBytes > Self.longest { throw LineTooLong() }
            return .needMoreData
        }
        let length = newline - buffer.readerIndex
        var line = buffer.readString(length: length) ?? ""
        buffer.moveReaderIndex(forwardBy: 1)
        if line.hasSuffix("\r") { line.removeLast() }
        context.fireChannelRead(wrapInboundOut(line))
        return .continue
    }
}
