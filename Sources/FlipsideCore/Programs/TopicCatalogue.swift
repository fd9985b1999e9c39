import Foundation

/// A program's topic catalogue: the topics people pick from on the enrolment form (with a labelled
/// proficiency or priority) instead of typing them. Until a coordinator edits it, it is seeded from what
/// the enrolled people already offer and want, the most named first.
public enum TopicCatalogue {
    /// At most this many topics in a catalogue.
    public static let most = 100

    /// The catalogue the form shows: the program's own, or the seed.
    public static func effective(_ program: Program, enrolments: [Enrolment]) -> [Topic] {
        program.topicCatalogue.isEmpty ? seed(enrolments) : program.topicCatalogue
    }

    /// What enrolled people offer and want, most named first (ties by name), at most `most`.
    public static func seed(_ enrolments: [Enrolment]) -> [Topic] {
        var counts: [Topic: Int] = [:]
        for e in enrolments {
            for o in e.offers { counts[o.topic, default: 0] += 1 }
            for w in e.wants { counts[w.topic, default: 0] += 1 }
        }
        return Array(counts.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }.map(\.key).prefix(most))
    }

    /// Topics typed one per line (or separated by `;`): duplicates dropped, each within the limits.
    /// A text of topics, one per line (or separated by ';'), as the items `parse(items:)` reads.
    public static func lines(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "\n" || $0 == ";" || $0 == "\r" }).map { $0.trimmed }.filter { !$0.isEmpty }
    }

    public static func parse(_ text: String) -> (topics: [Topic], problems: [FieldProblem]) {
        var topics: [Topic] = []
        var problems: [FieldProblem] = []
        for raw in text.split(whereSeparator: { $0 == "\n" || $0 == ";" || $0 == "\r" }) {
            let line = raw.trimmed
            guard !line.isEmpty else { continue }
            if let reason = TextLimits.problem(line, most: TextLimits.topic) {
                problems.append(FieldProblem(field: "topic_catalogue", reason: "'\(TextLimits.preview(line))' \(reason)"))
            } else if let topic = Topic(line), !topics.contains(topic) {
                topics.append(topic)
            }
        }
        return (topics, problems)
    }

    /// Topics given one per item (the API's list): each item one topic within the limits (no empty item,
    /// no line break or ';' inside one), at most `most` items; duplicates dropped.
    public static func parse(items: [String]) -> (topics: [Topic], problems: [FieldProblem]) {
        var topics: [Topic] = []
        var problems: [FieldProblem] = []
        if items.count > most {
            problems.append(FieldProblem(field: "topic_catalogue", reason: "may hold at most \(most) topics (\(items.count) given)"))
        }
        for item in items {
            let parsed = parse(item)
            problems += parsed.problems
            if item.trimmed.isEmpty {
                problems.append(FieldProblem(field: "topic_catalogue", reason: "must not hold an empty topic"))
            } else if item.contains(where: { $0 == "\n" || $0 == "\r" || $0 == ";" }) {
                problems.append(FieldProblem(field: "topic_catalogue", reason: "'\(TextLimits.preview(item))' must be one topic (no line break or ';')"))
            }
            for topic in parsed.topics where !topics.contains(topic) { topics.append(topic) }
        }
        return (topics, problems)
    }

    /// Problems with a catalogue as stored.
    public static func problems(_ topics: [Topic]) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if topics.count > most { problems.append(FieldProblem(field: "topic_catalogue", reason: "may hold at most \(most) topics")) }
        for topic in topics where TextLimits.problem(topic.key, most: TextLimits.topic) != nil {
            problems.append(FieldProblem(field: "topic_catalogue", reason: "'\(TextLimits.preview(topic.key))' is longer than \(TextLimits.topic) characters"))
        }
        return problems
    }
}
