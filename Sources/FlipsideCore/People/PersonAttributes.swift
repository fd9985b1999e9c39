import Foundation

/// A person's attributes as stored: one JSON object of strings, keys sorted, so that the same
/// attributes are always the same text (an import compares stored attributes by their text first).
public enum PersonAttributes {
    /// Attributes as a JSON object, keys sorted: written by hand, as `JSONEncoder` took a tenth of a
    /// 100,000-person import for these small flat objects. `read` reads it back.
    public static func json(_ attributes: [String: String]) -> String {
        guard !attributes.isEmpty else { return "{}" }
        var out = "{"
        for (index, key) in attributes.keys.sorted().enumerated() {
            if index > 0 { out += "," }
            JSONText.appendString(key, to: &out)
            out += ":"
            JSONText.appendString(attributes[key]!, to: &out)
        }
        return out + "}"
    }

    /// Reads back what `json` wrote. Objects of plain strings (no escapes: nearly all of them) are read
    /// directly, as `JSONDecoder` took half of reading 100,000 stored people; anything else goes through
    /// `JSONDecoder`.
    public static func read(_ text: String) -> [String: String] {
        if text == "{}" { return [:] }
        if let plain = plain(text) { return plain }
        return (try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) ?? [:]
    }

    /// `{"key":"value",...}` of strings without escapes (`PlainJSON`), or nil for anything else.
    public static func plain(_ text: String) -> [String: String]? {
        var text = text
        return text.withUTF8 { bytes -> [String: String]? in
            var scan = PlainJSON(bytes: bytes)
            var result: [String: String] = [:]
            guard scan.take(UInt8(ascii: "{")) else { return nil }
            if !scan.take(UInt8(ascii: "}")) {
                repeat {
                    guard let key = scan.string(), scan.take(UInt8(ascii: ":")), let value = scan.string(),
                          result.updateValue(value, forKey: key) == nil else { return nil }
                } while scan.take(UInt8(ascii: ","))
                guard scan.take(UInt8(ascii: "}")) else { return nil }
            }
            return scan.atEnd ? result : nil
        }
    }
}

/// JSON text written by hand where `JSONEncoder` is too slow (bulk writes, attributes).
public enum JSONText {
    /// `value` as a JSON string literal: quotes, backslashes and control characters escaped (a text of
    /// a bulk write's rows, and of a person's attributes, `PersonAttributes.json`).
    public static func appendString(_ value: String, to out: inout String) {
        out += "\""
        if !value.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += value
            out += "\""
            return
        }
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }
}

/// A reader of the plain JSON Flipside writes: strings without escapes or control characters, whole
/// numbers of up to 15 digits; every method returns nil (or false) at anything else.
public struct PlainJSON {
    public let bytes: UnsafeBufferPointer<UInt8>
    public var index = 0

    public init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    public var atEnd: Bool {
        mutating get { skipSpace(); return index == bytes.count }
    }

    public mutating func skipSpace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09 { index += 1 }
    }

    /// Takes `byte` (after any white space) if it comes next.
    public mutating func take(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    public mutating func string() -> String? {
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

    public mutating func int() -> Int? {
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
    public mutating func array<T>(_ element: (inout PlainJSON) -> T?) -> [T]? {
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
    public mutating func object<A, B>(_ first: String, _ readFirst: (inout PlainJSON) -> A?,
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
    public mutating func pair(_ text: String, _ number: String) -> (String, Int)? {
        object(text, { $0.string() }, number, { $0.int() })
    }

    /// `{"start": int, "end": int}` in either order, a valid range.
    public mutating func hours() -> HourRange? {
        object("start", { $0.int() }, "end", { $0.int() }).flatMap { HourRange(start: $0.0, end: $0.1) }
    }
}
