import FlipsideCore
import Foundation

/// An email address with an optional display name, as a header writes it.
struct MailAddress: Sendable, Hashable {
    var name: String?
    var address: String

    init(_ address: String, name: String? = nil) {
        self.address = address
        self.name = name
    }

    /// `Jo Junior <jo@example.com>`, `"Müller, Jo" <jo@example.com>` (non-ASCII names as encoded words).
    var header: String {
        guard let name, !name.isEmpty else { return "<\(address)>" }
        return "\(MIME.phrase(name)) <\(address)>"
    }

    /// `Name <address>` or a bare address, as `MAIL_FROM` gives it; `nil` when there is no plausible address.
    static func parse(_ text: String) -> MailAddress? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let open = trimmed.lastIndex(of: "<"), trimmed.hasSuffix(">") {
            let address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
            var name = trimmed[..<open].trimmingCharacters(in: .whitespaces)
            if name.hasPrefix("\""), name.hasSuffix("\""), name.count >= 2 { name = String(name.dropFirst().dropLast()) }
            return plausible(address) ? MailAddress(address, name: name.isEmpty ? nil : name) : nil
        }
        return plausible(trimmed) ? MailAddress(trimmed) : nil
    }

    /// An address the import would take (`EmailAddress.isPlausible`: one `@`, a dotted domain, no white
    /// space, line break or hidden character) that also cannot close the envelope's `<…>`.
    static func plausible(_ address: String) -> Bool {
        EmailAddress.isPlausible(address) && !address.contains(where: { $0 == "<" || $0 == ">" })
    }
}

/// One message: a plain-text part, optionally an HTML alternative and a calendar invitation (iTIP over
/// email, RFC 6047), and extra headers (such as `List-Unsubscribe`).
struct MailMessage: Sendable {
    var from: MailAddress
    var to: [MailAddress]
    var subject: String
    var text: String
    var html: String?
    /// A `text/calendar` part with its iTIP method (`REQUEST`, `CANCEL`).
    var calendar: (method: String, ics: String)?
    var headers: [(name: String, value: String)] = []
    var messageID: String
    var date: Date

    init(from: MailAddress, to: [MailAddress], subject: String, text: String, html: String? = nil,
         calendar: (method: String, ics: String)? = nil, headers: [(name: String, value: String)] = [], messageID: String, date: Date) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.calendar = calendar
        self.headers = headers
        self.messageID = messageID
        self.date = date
    }

    /// The message as it goes after DATA: CRLF line endings, every line under 78 characters, headers
    /// in ASCII (RFC 2047 encoded words for anything else), each part's UTF-8 body in base64.
    func rendered(boundary: String = "=_flipside_" + UUID().uuidString) -> String {
        var lines: [String] = []
        lines.append("Date: \(MIME.date(date))")
        lines.append(MIME.header("From", from.header))
        lines += MIME.foldedAddresses("To", to.map(\.header))
        lines.append(MIME.header("Subject", subject))
        lines.append("Message-ID: <\(messageID)>")
        for (name, value) in headers { lines.append(MIME.header(name, value)) }
        lines.append("MIME-Version: 1.0")
        var parts: [(type: String, body: String)] = [("text/plain; charset=UTF-8", text)]
        if let html { parts.append(("text/html; charset=UTF-8", html)) }
        if let calendar { parts.append(("text/calendar; charset=UTF-8; method=\(calendar.method)", calendar.ics)) }
        if parts.count == 1 {
            lines.append("Content-Type: \(parts[0].type)")
            lines.append("Content-Transfer-Encoding: base64")
            lines.append("")
            lines += MIME.base64Lines(parts[0].body)
        } else {
            lines.append("Content-Type: multipart/alternative;\r\n boundary=\"\(boundary)\"")
            lines.append("")
            for part in parts {
                lines.append("--\(boundary)")
                lines.append("Content-Type: \(part.type)")
                lines.append("Content-Transfer-Encoding: base64")
                lines.append("")
                lines += MIME.base64Lines(part.body)
            }
            lines.append("--\(boundary)--")
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

/// The few pieces of MIME (RFC 2045–2047, 5322) the messages need.
enum MIME {
    /// A header line, folded: ASCII values at spaces, anything else as UTF-8 encoded words.
    static func header(_ name: String, _ value: String) -> String {
        let clean = value.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        if clean.allSatisfy({ $0.isASCII }) { return fold("\(name): \(clean)") }
        return "\(name): " + encodedWords(clean, lead: name.count + 2).joined(separator: "\r\n ")
    }

    /// Several addresses, one per folded line.
    static func foldedAddresses(_ name: String, _ addresses: [String]) -> [String] {
        [("\(name): " + addresses.joined(separator: ",\r\n "))]
    }

    /// A display name: as it is when plain ASCII words, quoted when it holds specials, encoded words otherwise.
    static func phrase(_ name: String) -> String {
        let clean = name.replacingOccurrences(of: "\r", with: " ").replacingOccurrences(of: "\n", with: " ")
        guard clean.allSatisfy({ $0.isASCII }) else { return encodedWords(clean).joined(separator: " ") }
        let specials = Set("()<>[]:;@\\,.\"")
        if clean.contains(where: { specials.contains($0) }) {
            return "\"" + clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        }
        return clean
    }

    /// `=?UTF-8?B?…?=` words, never splitting a character, each on a line of at most 76 characters
    /// (RFC 2047 §2): the first after `lead` characters already on its line, the others after the fold's space.
    static func encodedWords(_ text: String, lead: Int = 1) -> [String] {
        func budget(_ used: Int) -> Int { max(3, (76 - used - 12) / 4 * 3) }   // 12 = len("=?UTF-8?B??=")
        var words: [String] = [], chunk = Data(), limit = budget(lead)
        for character in text {
            let bytes = Data(String(character).utf8)
            if !chunk.isEmpty, chunk.count + bytes.count > limit {
                words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=")
                chunk = Data()
                limit = budget(1)
            }
            chunk.append(bytes)
        }
        if !chunk.isEmpty || words.isEmpty { words.append("=?UTF-8?B?\(chunk.base64EncodedString())?=") }
        return words
    }

    /// An ASCII header line folded at spaces so that no line passes 78 characters where it can be helped.
    static func fold(_ line: String) -> String {
        guard line.count > 78 else { return line }
        var out: [String] = [], current: String?
        for word in line.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            guard let line = current else { current = word; continue }
            if line.count + 1 + word.count > 78, !line.isEmpty {
                out.append(line)
                current = word
            } else {
                current = line + " " + word
            }
        }
        if let current { out.append(current) }
        return out.joined(separator: "\r\n ")
    }

    /// A body in base64, 76 characters a line.
    static func base64Lines(_ body: String) -> [String] {
        let encoded = Data(body.utf8).base64EncodedString()
        guard !encoded.isEmpty else { return [""] }
        return stride(from: 0, to: encoded.count, by: 76).map { start in
            let from = encoded.index(encoded.startIndex, offsetBy: start)
            return String(encoded[from..<(encoded.index(from, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex)])
        }
    }

    /// `Sat, 05 Dec 2026 07:12:00 +0000`.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
