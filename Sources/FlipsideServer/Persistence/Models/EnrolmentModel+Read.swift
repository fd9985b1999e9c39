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
