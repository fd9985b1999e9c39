import FlipsideCore
import Foundation
import Testing
@testable import FlipsideServer

@Suite struct EnrolmentDetailsReadTests {
    typealias Details = EnrolmentModel.Details

    static func randomDetails(_ generator: inout some RandomNumberGenerator) -> Details {
        let words = ["ai", "Gen AI", "sql", "é-x", "名", "a\"b", "back\\slash", "tab\there", "🙂", "x.y_z"]
        func topic() -> Topic { Topic(words.randomElement(using: &generator)!)! }
        func hours() -> HourRange {
            let start = Int.random(in: 0...23, using: &generator)
            return HourRange(start: start, end: Int.random(in: (start + 1)...24, using: &generator))!
        }
        return Details(offers: (0..<Int.random(in: 0...4, using: &generator)).map { _ in TopicOffer(topic: topic(), proficiency: Int.random(in: -3...120, using: &generator)) },
                       wants: (0..<Int.random(in: 0...4, using: &generator)).map { _ in TopicWant(topic: topic(), priority: Int.random(in: 0...5, using: &generator)) },
                       industries: (0..<Int.random(in: 0...3, using: &generator)).map { _ in words.randomElement(using: &generator)! },
                       channels: (0..<Int.random(in: 0...3, using: &generator)).map { _ in FlipsideCore.Channel.allCases.randomElement(using: &generator)! },
                       availability: (0..<Int.random(in: 0...3, using: &generator)).map { _ in hours() })
    }

    /// As stored: JSONEncoder's text (SQLite), keys in any order, or with PostgreSQL jsonb's spaces.
    @Test func storedDetailsReadAsJSONDecoderReadsThem() throws {
        var generator = SystemRandomNumberGenerator()
        var direct = 0
        for round in 0..<5_000 {
            let details = Self.randomDetails(&generator)
            let encoder = JSONEncoder()
            if round % 2 == 0 { encoder.outputFormatting = [.sortedKeys] }
            var text = String(decoding: try encoder.encode(details), as: UTF8.self)
            if round % 3 == 0 { text = text.replacingOccurrences(of: "\":", with: "\": ").replacingOccurrences(of: ",\"", with: ", \"").replacingOccurrences(of: "},{", with: "}, {") }
            let decoded = try JSONDecoder().decode(Details.self, from: Data(text.utf8))
            #expect(decoded == details)
            #expect(try Details.read(text) == decoded, "\(text)")
            if Details.direct(text) != nil { direct += 1 }
        }
        // Only texts with escapes (a quote or backslash in a word) go to JSONDecoder.
        #expect(direct > 1_000)
    }

    /// Numbers longer than 15 digits go to JSONDecoder (before: 20 digits overflowed the direct reader,
    /// found by the spliced texts below).
    @Test func longNumbersAreLeftToJSONDecoder() throws {
        for digits in [16, 19, 20, 40] {
            let number = String(repeating: "9", count: digits)
            let text = #"{"availability":[],"channels":[],"industries":[],"offers":[{"proficiency":"# + number + #","topic":"ai"}],"wants":[]}"#
            #expect(Details.direct(text) == nil)
            #expect((try? Details.read(text)) == (try? JSONDecoder().decode(Details.self, from: Data(text.utf8))))
        }
    }

    /// On texts spliced with awkward pieces, the direct reader gives what JSONDecoder gives, or declines;
    /// `read` then gives JSONDecoder's answer or its error.
    @Test func theDirectReaderNeverDisagreesWithJSONDecoder() throws {
        var generator = SystemRandomNumberGenerator()
        let pieces = ["1", "01", "1.0", "1e2", "-", "-0", "9999999999999999", "\"\\u0041\"", "\"x\"", "null", "[]", "{}", ",", ":", " ",
                      "\"offers\"", "\"start\"", "\"end\"", "\"topic\"", "\"video\"", "\"fax\"", "\"\"", "}", "]", "\"é\""]
        var direct = 0, compared = 0
        for _ in 0..<20_000 {
            var details = Self.randomDetails(&generator)
            details.offers = details.offers.map { TopicOffer(topic: Topic("t")!, proficiency: $0.proficiency) }
            details.wants = details.wants.map { TopicWant(topic: Topic("w")!, priority: $0.priority) }
            details.industries = details.industries.map { _ in "retail" }
            var bytes = Array(String(decoding: try JSONEncoder().encode(details), as: UTF8.self).utf8)
            for _ in 0..<Int.random(in: 0...2, using: &generator) {
                let at = Int.random(in: 0...bytes.count, using: &generator)
                let cut = Int.random(in: 0...min(3, bytes.count - at), using: &generator)
                bytes.replaceSubrange(at..<(at + cut), with: Array(pieces.randomElement(using: &generator)!.utf8))
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let expected = try? JSONDecoder().decode(Details.self, from: Data(text.utf8))
            if let read = Details.direct(text) {
                direct += 1
                #expect(read == expected, "\(text)")
            }
            #expect((try? Details.read(text)) == expected, "\(text)")
            compared += 1
        }
        #expect(direct > 2_000 && compared == 20_000)
        #expect(Details.direct(#"{"offers":[],"wants":[],"industries":[],"channels":[],"availability":[],"offers":[]}"#) == nil)
        #expect(Details.direct(#"{"offers":[],"wants":[],"industries":[],"channels":[]}"#) == nil)
        #expect(throws: (any Error).self) { try Details.read(#"{"offers":[],"wants":[],"industries":[],"channels":[],"availability":[{"start":9,"end":9}]}"#) }
    }
}
