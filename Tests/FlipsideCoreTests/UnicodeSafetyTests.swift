import FlipsideCore
import Testing

/// Names and identifiers cannot hide invisible or text-direction characters, and an email that only
/// looks like a colleague's is refused (Unicode TS #39 skeletons, from ICU).
@Suite struct UnicodeSafetyTests {
    static let header = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id"

    func problems(_ rows: [String], existing: [String: Person] = [:]) -> [ImportProblem] {
        do {
            _ = try PeopleImport.plan(csv: Self.header + "\n" + rows.joined(separator: "\n"), existing: existing)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func skeletonsFindLookAlikes() throws {
        #expect(UnicodeSafety.skeleton("paypal.com") == UnicodeSafety.skeleton("p\u{0430}ypal.com"))
        #expect(UnicodeSafety.skeleton("ana@example.com") != UnicodeSafety.skeleton("ann@example.com"))
        let found = UnicodeSafety.lookAlikes(candidates: ["kofi@ex\u{0430}mple.com"], others: ["kofi@example.com", "ama@example.com"])
        #expect(found.count == 1 && found.first?.lookAlike == "kofi@example.com")
        // Plain ASCII addresses are not compared by look ("clara" and "dara" are two people).
        #expect(UnicodeSafety.lookAlikes(candidates: ["dara@example.com"], others: ["clara@example.com"]).isEmpty)
        // The same address in another case is the same address, not a look-alike.
        #expect(UnicodeSafety.lookAlikes(candidates: ["Zoë@Example.com"], others: ["zoë@example.com"]).isEmpty)
    }

    @Test func hiddenCharactersAreRefusedInNamesAndIdentifiers() {
        let ok = "E1,Ada Boss,ada@example.com,CEO,9,2010-01-04,Executive,London,Europe/London,"
        #expect(problems([ok]).isEmpty)
        // Zero-width space inside the email, a right-to-left override in the name, a bidi isolate in the id.
        let cases: [(String, String)] = [
            ("E1,Ada Boss,ad\u{200B}a@example.com,CEO,9,2010-01-04,Executive,London,Europe/London,", "email"),
            ("E1,Ada \u{202E}ssoB,ada@example.com,CEO,9,2010-01-04,Executive,London,Europe/London,", "name"),
            ("E\u{2066}1,Ada Boss,ada@example.com,CEO,9,2010-01-04,Executive,London,Europe/London,", "employee_id"),
            ("E1,Ada Boss,ada@example.com,C\u{FEFF}EO,9,2010-01-04,Executive,London,Europe/London,", "title"),
            ("E\u{200D}1,Ada Boss,ada@example.com,CEO,9,2010-01-04,Executive,London,Europe/London,", "employee_id"),
        ]
        for (row, column) in cases {
            let found = problems([row])
            #expect(found.contains { $0.column == column }, "\(column): \(found)")
            #expect(!found.contains { ($0.value ?? "").unicodeScalars.contains { UnicodeSafety.isHiddenInName($0) } }, "the problem echoes the hidden character")
        }
        // A Persian name with a zero-width non-joiner is a name.
        #expect(problems(["E2,\u{0645}\u{06CC}\u{200C}\u{0631}\u{0648}\u{062F},mr@example.com,CEO,9,2010-01-04,Executive,Tehran,Asia/Tehran,"]).isEmpty)
        // Program names and other single-line values go through the same limit; free text may hold them.
        #expect(TextLimits.problem("Pilot \u{202E}2027", most: 200)?.contains("U+202E") == true)
        #expect(TextLimits.problem("\u{200F}\u{05E9}\u{05DC}\u{05D5}\u{05DD} and notes", most: 2_000, multiline: true) == nil)
    }

    @Test func aLookAlikeOfAStoredEmailIsRefused() {
        let stored = Person(employeeID: "K1", name: "Kofi Mensah", email: "kofi@example.com", title: "", level: 3,
                            hireDate: CalendarDate(year: 2020, month: 1, day: 1)!, department: "Sales", location: "Accra", timeZone: "Africa/Accra", managerID: nil)
        // A Cyrillic "а" in the domain.
        let found = problems(["K2,Kofi Impostor,kofi@ex\u{0430}mple.com,,3,2024-01-01,Sales,Accra,Africa/Accra,"], existing: ["K1": stored])
        #expect(found.contains { $0.column == "email" && $0.reason.contains("looks like kofi@example.com") }, "\(found)")
        // Two rows of one file that look alike.
        let twice = problems(["A1,One,\u{0430}na@example.com,,3,2024-01-01,Sales,Accra,Africa/Accra,", "A2,Two,ana@example.com,,3,2024-01-01,Sales,Accra,Africa/Accra,"])
        #expect(twice.contains { $0.reason.contains("looks like ana@example.com") }, "\(twice)")
        // The stored person themselves, re-imported, is not a look-alike of themselves.
        #expect(problems(["K1,Kofi Mensah,kofi@example.com,,3,2020-01-01,Sales,Accra,Africa/Accra,"], existing: ["K1": stored]).isEmpty)
    }
}
