import FlipsideCore
import FlipsideCoreTestSupport
import Foundation
import Testing

/// Retention against a comparison group, and the suppression of small numbers.
@Suite struct OutcomesTests {
    static func person(_ id: String, level: Int, department: String, hired: String, exit: String? = nil) -> Person {
        Fixtures.person(id, level: level, department: department, hired: hired, exit: exit, title: "T", location: "Berlin", timeZone: "Europe/Berlin")
    }

    @Test func theComparisonGroupIsAlikeAtTheStart() {
        let start = CalendarDate(iso: "2026-01-01")!
        let people = [
            Self.person("M1", level: 1, department: "Sales", hired: "2025-06-01"),                    // mentor, under 1 year
            Self.person("E1", level: 6, department: "Sales", hired: "2015-01-01"),                    // mentee, 10+ years
            Self.person("C1", level: 2, department: "Sales", hired: "2025-03-01", exit: "2026-05-01"), // alike M1; leaves after 120 days
            Self.person("C2", level: 1, department: "Sales", hired: "2025-09-01"),                    // alike M1
            Self.person("X1", level: 1, department: "Finance", hired: "2025-06-01"),                  // another department
            Self.person("X2", level: 2, department: "Sales", hired: "2023-01-01"),                    // another tenure band
            Self.person("X3", level: 1, department: "Sales", hired: "2026-02-01"),                    // hired after the start
            Self.person("X4", level: 1, department: "Sales", hired: "2025-01-01", exit: "2025-12-01"), // gone before the start
        ]
        let analysis = RetentionAnalysis(people: people, mentorIDs: ["M1"], menteeIDs: ["E1"], start: start, censor: CalendarDate(iso: "2027-01-01")!)
        #expect(analysis.comparison.people == 2 && analysis.comparison.exits == 1)
        #expect(analysis.comparisonFormed.strata == 2 && analysis.comparisonFormed.strataMatched == 1 && analysis.comparisonFormed.participantsWithoutMatch == 1)
        #expect(analysis.comparison.curve.at(120)?.survival == 0.5 && analysis.comparison.twelveMonths?.survival == 0.5)
        #expect(analysis.mentors.sixMonths?.survival == 1)
        #expect(!analysis.conclusive && analysis.caveat?.contains("Too few people") == true && analysis.caveat?.contains("fewer than 5") == true)
    }
}

@Suite struct ProgramReportTests {
    @Test func diversityCountsCrossingsGapsAndTopicsWithSuppression() {
        let day = CalendarDate(iso: "2026-01-01")!
        func p(_ id: String, _ level: Int, _ dept: String, _ hired: String, path: String? = nil) -> Person {
            var person = OutcomesTests.person(id, level: level, department: dept, hired: hired)
            if let path { person.attributes["career_path"] = path }
            return person
        }
        let figma = Topic("figma")!, sql = Topic("sql")!
        // Six pairs: five cross departments, one does not; all with a level gap of 4 or more.
        let pairs: [(mentee: Person, mentor: Person, topics: [Topic])] = (0..<6).map { i in
            (p("E\(i)", 7, "Sales", "2010-01-01", path: "internal"), p("M\(i)", 2, i == 0 ? "Sales" : "Engineering", "2025-01-01", path: i < 3 ? "bootcamp" : "internal"),
             i < 5 ? [figma] : [sql])
        }
        let organisation = pairs.flatMap { [$0.mentee, $0.mentor] } + (0..<20).map { p("X\($0)", 3, "Finance", "2020-01-01") }
        let id = UUID()
        let tables = ParticipationTables(programs: [(id, pairs.flatMap { [$0.mentee, $0.mentor] }.map(Employment.init))], organisation: organisation.map(Employment.init))
        let r = DiversityReport(pairs: pairs, participation: tables.byProgram[id]!, attributes: ["career_path"], on: day)
        // Five of six cross departments: the one that does not would follow by subtraction, so neither is shown.
        #expect(r.crossings.first { $0.dimension == "department" }?.crossing == nil && r.crossings.first { $0.dimension == "department" }?.pairs == 6)
        #expect(r.crossings.first { $0.dimension == "location" }?.crossing == 0)
        // Three of six cross career paths: both sides under 5.
        #expect(r.crossings.first { $0.dimension == "career_path" }?.crossing == nil)
        // Every gap is 5 levels: empty bins are shown as 0 (they expose nobody).
        #expect(r.levelGaps.map(\.count) == [0, 0, 0, 0, 6])
        #expect(r.topics.map(\.topic) == ["figma", "sql"] && r.topics[0].byLevel.first?.count == 5 && r.topics[1].byLevel.first?.count == nil)
        let departments = r.participation.first { $0.dimension == "department" }!
        #expect(departments.rows.first { $0.value == "Finance" }?.participants == .value(0) && departments.rows.first { $0.value == "Finance" }?.organisation == .value(20))
        // Five Engineering mentors, six Sales mentees and one Sales mentor; with one program the overview adds up to the same.
        #expect(departments.rows.map(\.participants) == [.value(5), .value(0), .value(7)] && departments.total == .value(12))
        #expect(tables.overall[0].rows.map(\.participants) == departments.rows.map(\.participants))
    }
}

@Suite struct CSVExportTests {
    @Test func formulasAreDefusedAndNumbersKept() {
        let csv = CSVExport.table(header: ["a", "b"], rows: [["=HYPERLINK(\"x\")", "-3"], ["+1+1", "@SUM(A1)"], ["-x", "plain, with comma"]])
        #expect(csv == "\"a\",\"b\"\r\n\"'=HYPERLINK(\"\"x\"\")\",\"-3\"\r\n\"'+1+1\",\"'@SUM(A1)\"\r\n\"'-x\",\"plain, with comma\"\r\n")
    }

    /// Every cell is quoted (a `;` inside cannot start a new cell in a `;`-separated spreadsheet), and a
    /// formula hidden behind invisible or bidi characters, or written with a full-width `＝`, is defused.
    @Test func hiddenFormulasAreDefusedAndEveryCellQuoted() {
        #expect(CSVExport.cell("Spring x;=cmd|' /C calc'!A0") == "\"Spring x;=cmd|' /C calc'!A0\"")
        #expect(CSVExport.cell("\u{FF1D}cmd|' /C calc'!A0") == "\"'\u{FF1D}cmd|' /C calc'!A0\"")
        #expect(CSVExport.cell("\u{202E}=1+1") == "\"'=1+1\"")
        #expect(CSVExport.cell("\u{200B}\u{FEFF}@SUM(A1)") == "\"'@SUM(A1)\"")
        #expect(CSVExport.cell(" =1+1") == "\"' =1+1\"")
        #expect(CSVExport.cell("\nline") == "\"'\nline\"")
        #expect(CSVExport.cell("-3.5") == "\"-3.5\"" && CSVExport.cell("Ana") == "\"Ana\"")
    }
}

/// A test statistic is published only beside curves that are shown, and only as precise as a reader needs.
@Suite struct RetentionFiguresTests {
    /// `n` participants (mentors) and `n` alike who did not take part, with `exits` of each leaving in the first year.
    static func figures(mentors: Int, mentorExits: Int, others: Int, otherExits: Int) -> RetentionFigures {
        var people: [Person] = []
        for i in 0..<mentors {
            people.append(Fixtures.person("M\(i)", level: 2, department: "D", hired: "2020-01-01", exit: i < mentorExits ? "2026-0\(1 + i % 9)-15" : nil))
        }
        for i in 0..<others {
            people.append(Fixtures.person("O\(i)", level: 2, department: "D", hired: "2020-01-01", exit: i < otherExits ? "2026-0\(1 + i % 9)-10" : nil))
        }
        let start = Fixtures.day("2026-01-01"), censor = Fixtures.day("2026-12-31")
        let analysis = RetentionAnalysis(people: people, mentorIDs: Set((0..<mentors).map { "M\($0)" }), menteeIDs: [], start: start, censor: censor)
        return RetentionFigures(analysis, start: start, censor: censor)
    }

    @Test func aTestNeedsTwoShownCurvesAndAnExit() {
        // One exit among 12 mentors is hidden (it would show as a step), so no curve and no test.
        let hidden = Self.figures(mentors: 12, mentorExits: 1, others: 40, otherExits: 6)
        #expect(hidden.groups[0].exits == .suppressed && hidden.groups[0].steps.isEmpty && hidden.mentorsVsComparison == nil)
        // No exits on either side: nothing to compare (the test would read "no difference" from nothing).
        let none = Self.figures(mentors: 12, mentorExits: 0, others: 40, otherExits: 0)
        #expect(none.groups[0].exits == .value(0) && none.mentorsVsComparison == nil)
        // Both curves shown, with exits: a test, rounded.
        let shown = Self.figures(mentors: 30, mentorExits: 6, others: 40, otherExits: 12)
        let test = shown.mentorsVsComparison
        #expect(test != nil)
        #expect(test.map { $0.statistic == RetentionFigures.rounded($0.statistic, decimals: 1) } == true)
        #expect(test.map { $0.pValue == RetentionFigures.significant($0.pValue, digits: 2) && $0.pValue > 0 && $0.pValue <= 1 } == true)
        // Mentees: none here, so no curve and no test.
        #expect(shown.groups[1].people == .suppressed && shown.menteesVsComparison == nil)
    }

    @Test func roundingKeepsWhatAReaderNeeds() {
        #expect(RetentionFigures.rounded(0.33828930707339078, decimals: 1) == 0.3)
        #expect(RetentionFigures.significant(0.659123, digits: 2) == 0.66)
        #expect(RetentionFigures.significant(0.000123456, digits: 2) == 0.00012)
        #expect(RetentionFigures.significant(1, digits: 2) == 1)
        #expect(RetentionFigures.rounded(4.678571428571429, decimals: 1) == 4.7)
    }
}
