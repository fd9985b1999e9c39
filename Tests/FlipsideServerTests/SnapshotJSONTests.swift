import FlipsideCore
import Foundation
import Testing
@testable import FlipsideServer

@Suite struct SnapshotJSONTests {
    static let words = ["ai", "Gen AI", "sql", "é-x", "名", "a\"b", "back\\slash", "tab\there", "🙂", "x.y_z", "a/b", "nul\u{0}x",
                        "line\u{2028}sep", "del\u{7F}", "bell\u{7}", "<script>", "", " lead"]

    static func randomSnapshot(_ generator: inout some RandomNumberGenerator) -> RunSnapshot {
        func word() -> String { words.randomElement(using: &generator)! }
        func topic() -> Topic { Topic(word()) ?? Topic("t")! }
        func hours() -> HourRange {
            let start = Int.random(in: 0...23, using: &generator)
            return HourRange(start: start, end: Int.random(in: (start + 1)...24, using: &generator))!
        }
        let program = UUID()
        let enrolments = (0..<Int.random(in: 0...6, using: &generator)).map { k in
            Enrolment(programID: program, employeeID: "\(word())\(k)", role: EnrolmentRole.allCases.randomElement(using: &generator)!,
                      offers: (0..<Int.random(in: 0...4, using: &generator)).map { _ in TopicOffer(topic: topic(), proficiency: Int.random(in: -3...120, using: &generator)) },
                      wants: (0..<Int.random(in: 0...4, using: &generator)).map { _ in TopicWant(topic: topic(), priority: Int.random(in: 0...5, using: &generator)) },
                      industries: (0..<Int.random(in: 0...3, using: &generator)).map { _ in word() },
                      channels: (0..<Int.random(in: 0...3, using: &generator)).map { _ in FlipsideCore.Channel.allCases.randomElement(using: &generator)! },
                      cadence: Cadence.allCases.randomElement(using: &generator)!, capacity: Int.random(in: -1...9, using: &generator),
                      availability: (0..<Int.random(in: 0...3, using: &generator)).map { _ in hours() })
        }
        let rules = (0..<Int.random(in: 0...2, using: &generator)).map { _ in
            PairRule(programID: program, kind: PairRule.Kind.allCases.randomElement(using: &generator)!, menteeID: word(), mentorID: word(),
                     overriddenRule: Bool.random(using: &generator) ? word() : nil, reason: Bool.random(using: &generator) ? word() : nil,
                     createdAt: Date(timeIntervalSince1970: Double(Int.random(in: 0...2_000_000_000, using: &generator))))
        }
        return RunSnapshot(settings: MatchingSettings(minLevelGap: Int.random(in: 0...3, using: &generator)), enrolments: enrolments, rules: rules,
                           referenceDay: CalendarDate(year: 2026, month: Int.random(in: 1...12, using: &generator), day: 1)!,
                           pastPairs: Bool.random(using: &generator) ? [[word(), word()]] : [])
    }

    /// The direct writer writes what JSONEncoder writes, byte for byte, and the text reads back as the snapshot.
    @Test func theDirectWriterWritesWhatJSONEncoderWrites() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<3_000 {
            let snapshot = Self.randomSnapshot(&generator)
            let direct = try SnapshotJSON.encode(snapshot)
            #expect(direct == (try StoredJSON.encode(snapshot)))
            #expect(try StoredJSON.decode(RunSnapshot.self, direct) == snapshot)
        }
    }
}
