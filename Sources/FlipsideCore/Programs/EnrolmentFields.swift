import Foundation

/// Parses the text forms of enrolment fields, as they appear in CSV cells and web forms:
/// lists separated by `;`, pairs as `topic:number`, e.g. `generative ai:5;figma:3`.
public enum EnrolmentFields {
    /// `generative ai:5;figma:3` → offers with proficiency 1–5.
    public static func offers(_ text: String) -> Result<[TopicOffer], FieldReason> {
        topicPairs(text, range: 1...5, what: "proficiency").map { $0.map { TopicOffer(topic: $0.0, proficiency: $0.1) } }
    }

    /// `python:3;tiktok:1` → wants with priority 1–3.
    public static func wants(_ text: String) -> Result<[TopicWant], FieldReason> {
        topicPairs(text, range: 1...3, what: "priority").map { $0.map { TopicWant(topic: $0.0, priority: $0.1) } }
    }

    /// `retail;gaming` → industries, trimmed, duplicates (case-insensitive) dropped.
    public static func industries(_ text: String) -> [String] {
        var seen: Set<String> = []
        return items(text).filter { seen.insert($0.lowercased()).inserted }
    }

    /// `video;chat` → channels; empty means every channel. Accepts `in person` and `in-person` too.
    public static func channels(_ text: String) -> Result<[Channel], FieldReason> {
        let raw = items(text)
        if raw.isEmpty { return .success(Channel.allCases) }
        var result: Set<Channel> = []
        for item in raw {
            let key = String(item.lowercased().map { $0 == " " || $0 == "-" ? "_" : $0 })
            guard let channel = Channel(rawValue: key) else {
                return .failure(FieldReason("'\(item)' is not a channel (use in_person, video or chat)"))
            }
            result.insert(channel)
        }
        return .success(result.sorted())
    }

    /// `weekly`, `biweekly` or `monthly`; empty means biweekly.
    public static func cadence(_ text: String) -> Result<Cadence, FieldReason> {
        let key = text.trimmed.lowercased()
        if key.isEmpty { return .success(.biweekly) }
        guard let cadence = Cadence(rawValue: key.filter { $0 != "-" }) else {
            return .failure(FieldReason("'\(text)' is not a cadence (use weekly, biweekly or monthly)"))
        }
        return .success(cadence)
    }

    /// `9-12;14-17` → hour ranges in the person's own time zone.
    public static func availability(_ text: String) -> Result<[HourRange], FieldReason> {
        var ranges: [HourRange] = []
        for item in items(text) {
            let parts = item.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 2,
                  let s = Int(parts[0].trimmed),
                  let e = Int(parts[1].trimmed),
                  let range = HourRange(start: s, end: e)
            else { return .failure(FieldReason("'\(item)' is not an hour range such as 9-12 (hours 0–24, start before end)")) }
            ranges.append(range)
        }
        return .success(ranges.sorted { $0.start < $1.start })
    }

    /// The text form of offers, for forms and exports.
    public static func text(_ offers: [TopicOffer]) -> String { offers.map { "\($0.topic):\($0.proficiency)" }.joined(separator: ";") }
    /// The text form of wants, for forms and exports.
    public static func text(_ wants: [TopicWant]) -> String { wants.map { "\($0.topic):\($0.priority)" }.joined(separator: ";") }

    static func items(_ text: String) -> [String] {
        text.split(separator: ";").map(\.trimmed).filter { !$0.isEmpty }
    }

    static func topicPairs(_ text: String, range: ClosedRange<Int>, what: String) -> Result<[(Topic, Int)], FieldReason> {
        var pairs: [(Topic, Int)] = []
        var seen: Set<Topic> = []
        for item in items(text) {
            guard let colon = item.lastIndex(of: ":") else {
                return .failure(FieldReason("'\(item)' needs a \(what) as topic:number"))
            }
            let name = String(item[..<colon])
            let numberText = item[item.index(after: colon)...].trimmed
            guard let topic = Topic(name) else { return .failure(FieldReason("'\(item)' has no topic before the colon")) }
            guard let number = Int(numberText), range.contains(number) else {
                return .failure(FieldReason("'\(item)': \(what) must be a whole number from \(range.lowerBound) to \(range.upperBound)"))
            }
            guard seen.insert(topic).inserted else { return .failure(FieldReason("topic '\(topic)' is listed twice")) }
            pairs.append((topic, number))
        }
        return .success(pairs)
    }
}

/// Why a field's text was refused.
public struct FieldReason: Error, Hashable, Sendable {
    public var text: String
    public init(_ text: String) { self.text = text }
}
