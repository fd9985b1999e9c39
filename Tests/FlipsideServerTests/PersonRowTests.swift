import Foundation
import Testing
@testable import FlipsideServer

@Suite struct PersonRowTests {
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
            let text = PersonRow.encodeAttributes(attributes)
            let decoded = try JSONDecoder().decode([String: String].self, from: Data(text.utf8))
            #expect(decoded == attributes, "\(text)")
            #expect(PersonRow.decodeAttributes(text) == attributes)
            // Keys in order: the text is the same whichever order the dictionary holds them in.
            #expect(text == PersonRow.encodeAttributes(Dictionary(uniqueKeysWithValues: attributes.reversed())))
        }
        #expect(PersonRow.encodeAttributes(["b": "2", "a": "x\"y"]) == #"{"a":"x\"y","b":"2"}"#)
    }
}
