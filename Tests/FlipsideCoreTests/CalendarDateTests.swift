import FlipsideCore
import Foundation
import Testing

@Suite struct CalendarDateTests {
    @Test func parsesValidDates() {
        #expect(CalendarDate(iso: "2024-02-29")?.description == "2024-02-29")
        #expect(CalendarDate(iso: "1999-12-31") == CalendarDate(year: 1999, month: 12, day: 31))
    }

    @Test(arguments: ["2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31", "24-01-01", "2024/01/01", "2024-1-1", "", "abcd-ef-gh", "1900-02-29"])
    func rejectsImpossibleOrMalformedDates(_ text: String) {
        #expect(CalendarDate(iso: text) == nil)
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
}
