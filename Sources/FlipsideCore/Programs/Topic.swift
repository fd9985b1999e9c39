/// A free-form tag for a skill or learning goal, normalised so that "Gen AI", "gen-ai" and
/// "GEN_AI" are one topic: lower case, with runs of spaces, hyphens, underscores and dots made one hyphen.
public struct Topic: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    public let key: String

    /// `nil` when nothing but separators is left.
    public init?(_ raw: String) {
        var out = ""
        var pendingSeparator = false
        for ch in raw.lowercased() {
            if ch == " " || ch == "-" || ch == "_" || ch == "." || ch == "\t" || ch.isNewline {
                pendingSeparator = !out.isEmpty
            } else {
                if pendingSeparator { out.append("-") }
                pendingSeparator = false
                out.append(ch)
            }
        }
        guard !out.isEmpty else { return nil }
        key = out
    }

    public var description: String { key }
    public static func < (a: Topic, b: Topic) -> Bool { a.key < b.key }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let raw = try container.decode(String.self)
        guard let topic = Topic(raw) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "a topic must not be empty")
        }
        self = topic
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(key)
    }
}
