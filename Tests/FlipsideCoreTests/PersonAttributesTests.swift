import Foundation
import Testing
import FlipsideCore

@Suite struct PersonAttributesTests {
    /// Attributes written by hand read back as they were, keys sorted, for awkward keys and values.
    @Test func attributesRoundTripThroughJSON() throws {
        let pool = ["a", "Z", "\"", "\\", "/", "\n", "\r", "\t", "\u{01}", "\u{1F}", "é", "名", "🙂", " ", "{", "}", ":", ","]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            var attributes: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...5, using: &generator) {
                func word() -> String { (0..<Int.random(in: 0...5, using: &generator)).map { _ in pool.randomElement(using: &generator)! }.joined() }
                attributes[word()] = word()
            }
            let text = PersonAttributes.json(attributes)
            let decoded = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
            #expect(decoded == attributes, "\(text)")
            #expect(PersonAttributes.read(text) == attributes)
            // Keys in order: the text is the same whichever order the dictionary holds them in.
            #expect(text == PersonAttributes.json(Dictionary(uniqueKeysWithValues: attributes.reversed())))
        }
        #expect(PersonAttributes.json(["b": "2", "a": "x\"y"]) == #"{"a":"x\"y","b":"2"}"#)
    }

    /// The direct reader of plain objects never disagrees with `JSONDecoder`: on any text of JSON-ish
    /// pieces it gives the same object, or declines (and `JSONDecoder` reads it).
    @Test func plainAttributesReadAsJSONDecoderDoes() {
        let pieces = ["{", "}", "\"", "\"a\"", "\"b\"", "\"é\"", ":", ",", " ", "\\", "\"x\\\"y\"", "1", "null", "[]", "\"\""]
        var generator = SystemRandomNumberGenerator()
        var read = 0
        for _ in 0..<20_000 {
            let text = "{" + (0..<Int.random(in: 0...9, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined() + "}"
            guard let plain = PersonAttributes.plain(text) else { continue }
            read += 1
            #expect((try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))) == plain, "\(text)")
        }
        #expect(read > 100)
        #expect(PersonAttributes.plain(#"{"a":"1","b":"2"}"#) == ["a": "1", "b": "2"])
        #expect(PersonAttributes.plain(#"{"a":"1","a":"2"}"#) == nil)
        #expect(PersonAttributes.plain(#"{"a":"1",}"#) == nil)
    }
}
