import Foundation
import Testing
@testable import FlipsideCore

@Suite struct TrimmingTests {
    /// The same answers as Foundation's trimming, on strings built from ASCII, Unicode spaces, line
    /// breaks, combining marks and letters from several scripts.
    @Test func trimsExactlyAsFoundationDoes() {
        let pool: [String] = [" ", "\t", "\n", "\r\n", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{2003}", "\u{2028}", "\u{3000}", "\u{200B}",
                              "a", "Z", "é", "e\u{301}", "ß", "名", "🙂", ",", "\u{FEFF}"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let text = (0..<Int.random(in: 0...8, using: &generator)).map { _ in pool.randomElement(using: &generator)! }.joined()
            let expected = text.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(text.trimmed == expected, "\(Array(text.unicodeScalars))")
            #expect(text.isBlank == expected.isEmpty)
            #expect(text[...].trimmed == expected)
        }
    }
}
