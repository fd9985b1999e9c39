import FlipsideCore
import Foundation

extension EnrolmentModel.Details {
    /// The details a stored text holds: read directly when it has the shape Flipside writes (the five
    /// keys once each, strings without escapes, whole numbers; white space as PostgreSQL's `jsonb` adds
    /// it), else by `JSONDecoder`, which gives the same answer or the error. `JSONDecoder` reads about
    /// 16 MB/s here; a program's 4,000 enrolments were 55 ms of every run, publish and run page.
    static func read(_ text: String) throws -> Self {
        if let direct = direct(text) { return direct }
        return try JSONDecoder().decode(Self.self, from: Data(text.utf8))
    }

    /// The details, or nil for any text not in the plain shape (see `read`).
    static func direct(_ text: String) -> Self? {
        var text = text
        return text.withUTF8 { bytes -> Self? in
            var scan = PlainJSON(bytes: bytes)
            var offers: [TopicOffer]?, wants: [TopicWant]?, industries: [String]?, channels: [FlipsideCore.Channel]?
            var availability: [HourRange]?
            guard scan.take(UInt8(ascii: "{")) else { return nil }
            repeat {
                guard let key = scan.string(), scan.take(UInt8(ascii: ":")) else { return nil }
                switch key {
                case "offers" where offers == nil:
                    offers = scan.array {
                        guard let (topic, level) = $0.pair("topic", "proficiency"), let topic = Topic(topic) else { return nil }
                        return TopicOffer(topic: topic, proficiency: level)
                    }
                case "wants" where wants == nil:
                    wants = scan.array {
                        guard let (topic, priority) = $0.pair("topic", "priority"), let topic = Topic(topic) else { return nil }
                        return TopicWant(topic: topic, priority: priority)
                    }
                case "industries" where industries == nil:
                    industries = scan.array { $0.string() }
                case "channels" where channels == nil:
                    channels = scan.array { $0.string().flatMap(FlipsideCore.Channel.init(rawValue:)) }
                case "availability" where availability == nil:
                    availability = scan.array { $0.hours() }
                default:
                    return nil
                }
            } while scan.take(UInt8(ascii: ","))
            guard scan.take(UInt8(ascii: "}")), scan.atEnd, let offers, let wants, let industries, let channels, let availability else { return nil }
            return Self(offers: offers, wants: wants, industries: industries, channels: channels, availability: availability)
        }
    }
}

/// A reader of the plain JSON Flipside writes: strings without escapes or control characters, whole
/// numbers of up to 15 digits; every method returns nil (or false) at anything else.
struct PlainJSON {
    let bytes: UnsafeBufferPointer<UInt8>
    var index = 0

    var atEnd: Bool {
        mutating get { skipSpace(); return index == bytes.count }
    }

    mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
    }

    /// Takes `byte` (after any white space) if it comes next.
    mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func string() -> String? {
        guard take(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\") || bytes[index] < 0x20 { return nil }
            index += 1
        }
        guard index < bytes.count else { return nil }
        index += 1
        let body = UnsafeBufferPointer(rebasing: bytes[start..<(index - 1)])
        // Invalid UTF-8 is left to JSONDecoder (String(decoding:) would repair it silently).
        guard String(validating: body, as: UTF8.self) != nil else { return nil }
        return String(decoding: body, as: UTF8.self)
    }

    mutating func int() -> Int? {
        skipSpace()
        var negative = false
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { negative = true; index += 1 }
        let start = index
        var value = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            // Past 15 digits the text goes to JSONDecoder (and the value would soon overflow).
            guard index - start < 15 else { return nil }
            value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
            index += 1
        }
        let digits = index - start
        // No leading zeros, no fraction or exponent (those go to JSONDecoder), at most 15 digits.
        guard digits > 0, digits <= 15, digits == 1 || bytes[start] != UInt8(ascii: "0") else { return nil }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") { return nil }
        return negative ? -value : value
    }

    /// `[element, ...]`, each read by `element`.
    mutating func array<T>(_ element: (inout PlainJSON) -> T?) -> [T]? {
        guard take(UInt8(ascii: "[")) else { return nil }
        var out: [T] = []
        if take(UInt8(ascii: "]")) { return out }
        repeat {
            guard let value = element(&self) else { return nil }
            out.append(value)
        } while take(UInt8(ascii: ","))
        return take(UInt8(ascii: "]")) ? out : nil
    }

    /// `{"<first>": value, "<second>": value}` in either order, those two keys once each, each value
    /// read by its own reader.
    mutating func object<A, B>(_ first: String, _ readFirst: (inout PlainJSON) -> A?,
                               _ second: String, _ readSecond: (inout PlainJSON) -> B?) -> (A, B)? {
        guard take(UInt8(ascii: "{")) else { return nil }
        var a: A?, b: B?
        repeat {
            guard let key = string(), take(UInt8(ascii: ":")) else { return nil }
            if key == first, a == nil, let value = readFirst(&self) { a = value } else if key == second, b == nil, let value = readSecond(&self) { b = value } else { return nil }
        } while take(UInt8(ascii: ","))
        guard take(UInt8(ascii: "}")), let a, let b else { return nil }
        return (a, b)
    }

    /// `{"<text>": string, "<number>": int}` in either order, those two keys only.
    mutating func pair(_ text: String, _ number: String) -> (String, Int)? {
        object(text, { $0.string() }, number, { $0.int() })
    }

    /// `{"start": int, "end": int}` in either order, a valid range.
    mutating func hours() -> HourRange? {
        object("start", { $0.int() }, "end", { $0.int() }).flatMap { HourRange(start: $0.0, end: $0.1) }
    }
}
