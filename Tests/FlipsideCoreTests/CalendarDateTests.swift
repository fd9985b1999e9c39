import FlipsideCore
import Foundation
import Testing

@Suite struct CalendarDateTests {
    @Test func parsesValidDates() {
        #expect(CalendarDate(iso: "2024-02-29")?.description == "2024-02-29")
        #expect(CalendarDate(iso: "1999-12-31") == CalendarDate(year: 1999, month: 12, day: 31))
    }

    /// Dates written in place read as the same `YYYY-MM-DD` as numbers padded with zeros, and back.
    @Test func writesFourTwoAndTwoDigits() throws {
        var random = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            let year = Int.random(in: 0...9999, using: &random), month = Int.random(in: 1...12, using: &random)
            let date = try #require(CalendarDate(year: year, month: month, day: Int.random(in: 1...28, using: &random)))
            func padded(_ value: Int, _ width: Int) -> String { String(repeating: "0", count: width - String(value).count) + String(value) }
            #expect(date.description == padded(date.year, 4) + "-" + padded(date.month, 2) + "-" + padded(date.day, 2))
            #expect(CalendarDate(iso: date.description) == date)
        }
    }

    @Test(arguments: ["2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "24-01-01", "2024/01/01", "2024-1-1", "", "abcd-ef-gh", "1900-02-29"])
    func rejectsImpossibleOrMalformedDates(_ text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }

    /// The byte-wise reading of `YYYY-MM-DD` agrees with reading the three parts as numbers, on texts
    /// of digits, dashes, signs and letters (of ten characters and others).
    @Test func readsAsThePartsReadAsNumbers() {
        func byParts(_ text: String) -> CalendarDate? {
            let parts = text.split(separator: "-", omittingEmptySubsequences: false)
            guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
                  let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
            return CalendarDate(year: y, month: m, day: d)
        }
        let pool: [Character] = ["0", "1", "2", "3", "9", "-", "+", "a", " ", "٣"]
        var random = SeededGenerator(seed: 11)
        var valid = 0
        for round in 0..<50_000 {
            var text = String((0..<(round % 5 == 0 ? Int.random(in: 8...12, using: &random) : 10)).map { _ in pool.randomElement(using: &random)! })
            if round % 3 == 0 {
                text = String(format: "%04d-%02d-%02d", Int.random(in: 0...9999, using: &random), Int.random(in: 0...13, using: &random), Int.random(in: 0...32, using: &random))
            }
            let date = CalendarDate(iso: text)
            #expect(date == byParts(text), "\(text)")
            if date != nil { valid += 1 }
        }
        #expect(valid > 1_000)
    }

    @Test func noASCIICharacterIsHiddenInAnIdentifier() {
        for value in UInt32(0)..<0x80 { #expect(!UnicodeSafety.isHiddenInIdentifier(Unicode.Scalar(value)!)) }
        #expect(UnicodeSafety.hiddenInIdentifier("E\u{200B}1") == "U+200B")
    }

    @Test func ordersChronologically() {
        #expect(CalendarDate(iso: "2024-01-31")! < CalendarDate(iso: "2024-02-01")!)
        #expect(!(CalendarDate(iso: "2024-02-01")! < CalendarDate(iso: "2024-02-01")!))
    }

    /// The integer day count agrees with Foundation's Gregorian calendar on every day from 1600 to 2400
    /// (leap centuries included).
    @Test func dayNumbersAgreeWithFoundation() {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let epoch = utc.date(from: DateComponents(year: 1970, month: 1, day: 1))!
        var day = utc.date(from: DateComponents(year: 1600, month: 1, day: 1))!
        var previous: CalendarDate?
        while utc.component(.year, from: day) < 2400 {
            let c = utc.dateComponents([.year, .month, .day], from: day)
            let date = CalendarDate(year: c.year!, month: c.month!, day: c.day!)!
            let expected = Int((day.timeIntervalSince(epoch) / 86_400).rounded())
            if date.dayNumber != expected { Issue.record("\(date): \(date.dayNumber) ≠ \(expected)"); return }
            if let previous { #expect(date.daysSince(previous) == 17) }
            if CalendarDate(dayNumber: expected) != date { Issue.record("day \(expected) → \(CalendarDate(dayNumber: expected)) ≠ \(date)"); return }
            if CalendarDate(utcDayOf: day.addingTimeInterval(86_399)) != date { Issue.record("the UTC day of \(day) is not \(date)"); return }
            previous = date
            day = day.addingTimeInterval(86_400 * 17)
        }
        #expect(CalendarDate(year: 2025, month: 3, day: 1)!.daysSince(CalendarDate(year: 2024, month: 2, day: 28)!) == 367)
        #expect(CalendarDate(year: 2000, month: 1, day: 1)!.daysSince(CalendarDate(year: 2000, month: 3, day: 1)!) == -60)
    }
}

@Suite struct TopicTests {
    @Test func normalisesCaseSpacesAndSeparators() {
        #expect(Topic("Gen AI") == Topic("gen-ai"))
        #expect(Topic("  GEN__AI ")?.key == "gen-ai")
        #expect(Topic("Generative   AI")?.key == "generative-ai")
        #expect(Topic("Figma") != Topic("Figjam"))
    }

    @Test func refusesEmptyTopics() {
        #expect(Topic("") == nil)
        #expect(Topic(" - _ ") == nil)
    }
}

@Suite struct ReportingTreeTests {
    let tree = ReportingTree(managerOf: ["b": "a", "c": "b", "d": "c", "e": "a"])

    @Test func walksTheManagementChainNearestFirst() {
        #expect(tree.managementChain(of: "d") == ["c", "b", "a"])
        #expect(tree.managementChain(of: "a") == [])
    }

    @Test func knowsWhoIsInTheSameChain() {
        #expect(tree.inSameChain("d", "a"))
        #expect(tree.inSameChain("a", "d"))
        #expect(!tree.inSameChain("d", "e"))
    }

    @Test func findsEveryCycleOnce() {
        let cyclic = ReportingTree(managerOf: ["a": "b", "b": "c", "c": "a", "d": "a", "x": "y", "y": "x", "z": "z2"])
        #expect(cyclic.cycles() == [["a", "b", "c"], ["x", "y"]])
        #expect(cyclic.managementChain(of: "d") == ["a", "b", "c"])
    }

    /// Against the plain definition: someone is on a cycle when following their managers leads back to
    /// them; a cycle is the set of such people that reach each other.
    @Test func findsTheCyclesThePlainDefinitionFinds() {
        for seed in 0..<200 {
            var random = SeededGenerator(seed: UInt64(seed))
            let size = Int.random(in: 1...30, using: &random)
            let names = (0..<size + 5).map { "p\($0)" }
            var managerOf: [String: String] = [:]
            for name in names.prefix(size) where Int.random(in: 0..<5, using: &random) > 0 {
                managerOf[name] = names.randomElement(using: &random)!
            }
            let tree = ReportingTree(managerOf: managerOf)
            var expected: Set<[String]> = []
            for name in managerOf.keys {
                let chain = tree.managementChain(of: name)
                guard chain.last.map({ managerOf[$0] == name }) ?? false || managerOf[name] == name else { continue }
                expected.insert(([name] + chain.filter { $0 != name }).sorted())
            }
            let found = tree.cycles()
            #expect(Set(found.map { $0.sorted() }) == expected, "seed \(seed)")
            #expect(found == found.sorted { $0.lexicographicallyPrecedes($1) }, "seed \(seed)")
            for cycle in found { #expect(cycle.first == cycle.min(), "seed \(seed)") }
            #expect(found.count == expected.count, "seed \(seed)")
        }
    }
}
