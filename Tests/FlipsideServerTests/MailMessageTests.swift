import Foundation
import Testing
@testable import FlipsideServer

/// The message format and the mail settings, without a server (`scripts/mail-check.sh` sends through a real one).
@Suite struct MailMessageTests {
    static let date = Date(timeIntervalSince1970: 1_794_816_000)   // 2026-11-16 08:00 UTC

    static func message(subject: String = "Your pairing", name: String? = "Jo Junior") -> MailMessage {
        MailMessage(from: MailAddress("mentoring@example.com", name: "Flipside Mentoring"), to: [MailAddress("jo@example.com", name: name)],
                    subject: subject, text: "Hello Jo,\n.\nA line with a dot alone, and ü.", html: "<p>Hello Jo</p>",
                    calendar: (method: "REQUEST", ics: "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"),
                    headers: [(name: "List-Unsubscribe", value: "<https://mentoring.example.com/unsubscribe/abc>")],
                    messageID: "m1@mentoring.example.com", date: Self.date)
    }

    @Test func aMessageIsSevenBitWithShortLinesAndEveryPart() throws {
        let rendered = Self.message(subject: "Ihr Tandem mit Jürgen Müller-Lüdenscheidt beginnt am Montag – bitte bestätigen Sie die Vereinbarung").rendered(boundary: "B")
        let ascii = rendered.allSatisfy { $0.isASCII }
        #expect(ascii)
        let lines = rendered.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.count <= 78 }, "\(lines.filter { $0.count > 78 })")
        #expect(!rendered.replacingOccurrences(of: "\r\n", with: "").contains("\n"), "only CRLF line ends")
        #expect(rendered.hasPrefix("Date: Mon, 16 Nov 2026 08:00:00 +0000\r\n"))
        #expect(rendered.contains("From: Flipside Mentoring <mentoring@example.com>\r\n"))
        #expect(rendered.contains("Message-ID: <m1@mentoring.example.com>\r\n"))
        #expect(rendered.contains("List-Unsubscribe: <https://mentoring.example.com/unsubscribe/abc>\r\n"))
        #expect(rendered.contains("Content-Type: text/plain; charset=UTF-8") && rendered.contains("Content-Type: text/html; charset=UTF-8"))
        #expect(rendered.contains("Content-Type: text/calendar; charset=UTF-8; method=REQUEST"))
        #expect(rendered.hasSuffix("--B--\r\n"))
        // The subject comes back whole from its encoded words.
        let subjectLines = lines.drop { !$0.hasPrefix("Subject: ") }.prefix { $0.hasPrefix("Subject: ") || $0.hasPrefix(" ") }
        let decoded = subjectLines.map { $0.replacingOccurrences(of: "Subject: ", with: "").trimmingCharacters(in: .whitespaces) }
            .map { word -> String in
                let inner = word.dropFirst("=?UTF-8?B?".count).dropLast(2)
                return String(decoding: Data(base64Encoded: String(inner)) ?? Data(), as: UTF8.self)
            }.joined()
        #expect(decoded == "Ihr Tandem mit Jürgen Müller-Lüdenscheidt beginnt am Montag – bitte bestätigen Sie die Vereinbarung")
    }

    @Test func namesAreQuotedOrEncodedAndHeadersCannotBeInjected() {
        #expect(MailAddress("a@example.com", name: "Müller, Jo").header.hasPrefix("=?UTF-8?B?"))
        #expect(MailAddress("a@example.com", name: "Jo, Junior").header == "\"Jo, Junior\" <a@example.com>")
        #expect(MailAddress("a@example.com").header == "<a@example.com>")
        let injected = MIME.header("Subject", "Hello\r\nBcc: everyone@example.com")
        #expect(!injected.contains("\r\nBcc"))
        #expect(MailAddress.parse("Flipside <mentoring@example.com>") == MailAddress("mentoring@example.com", name: "Flipside"))
        #expect(MailAddress.parse("\"Flipside, HR\" <hr@example.com>")?.name == "Flipside, HR")
        #expect(MailAddress.parse("not an address") == nil && MailAddress.parse("a@b") == nil && MailAddress.parse("a@example.com>\r\nRCPT") == nil)
    }

    @Test func aLineStartingWithADotIsStuffed() {
        #expect(SMTPDialogue.dotStuffed("one\r\n.\r\n..two\nthree") == "one\r\n..\r\n...two\r\nthree\r\n")
        #expect(SMTPDialogue.dotStuffed("end\r\n") == "end\r\n")
    }

    @Test func theMailSettingsAreReadStrictly() throws {
        #expect(try SMTPSettings.from(url: nil, from: nil, caFile: nil, timeout: nil, heloName: "h") == nil)
        let plain = try #require(try SMTPSettings.from(url: "smtp://relay.example.com", from: "Flipside <m@example.com>", caFile: nil, timeout: nil, heloName: "h"))
        #expect(plain.port == 587 && plain.security == .startTLSIfOffered && plain.user == nil && plain.timeout == 30)
        let tls = try #require(try SMTPSettings.from(url: "smtps://u%40corp:p%3Ass@relay.example.com", from: "m@example.com", caFile: nil, timeout: "5", heloName: "h"))
        #expect(tls.port == 465 && tls.security == .implicitTLS && tls.user == "u@corp" && tls.password == "p:ss" && tls.timeout == 5)
        let required = try #require(try SMTPSettings.from(url: "smtp://relay:2525?starttls=required", from: "m@example.com", caFile: nil, timeout: nil, heloName: "h"))
        #expect(required.security == .startTLSRequired && required.port == 2525)
        for (url, from, timeout) in [("http://relay", "m@example.com", nil), ("smtp://", "m@example.com", nil), ("smtp://relay?tls=maybe", "m@example.com", nil),
                                     ("smtp://relay", "nobody", nil), ("smtp://relay", "m@example.com", "0"), ("smtp://user@relay", "m@example.com", nil),
                                     ("smtps://relay?starttls=required", "m@example.com", nil)] as [(String, String, String?)] {
            #expect(throws: ConfigError.self, "\(url) \(from)") { _ = try SMTPSettings.from(url: url, from: from, caFile: nil, timeout: timeout, heloName: "h") }
        }
        #expect(throws: ConfigError.self) { _ = try SMTPSettings.from(url: "smtp://relay", from: "m@example.com", caFile: "/no/such/ca.pem", timeout: nil, heloName: "h") }
    }
}
