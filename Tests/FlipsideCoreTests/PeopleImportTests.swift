import FlipsideCore
import Testing

@Suite struct PeopleImportTests {
    static let header = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id"
    static let good = """
    \(header),pronouns
    E1,Ada Boss,ada@example.com,CEO,9,2010-01-04,Executive,London,Europe/London,,she/her
    E2,"Okafor, Ben",ben@example.com,VP,8,2012-05-01,Engineering,Berlin,Europe/Berlin,E1,
    E3,Cleo Junior,cleo@example.com,"Analyst, \"\"Data\"\"\",2,2024-09-01,Engineering,Berlin,Europe/Berlin,E2,they/them
    """

    func problems(_ csv: String, existing: [String: Person] = [:]) -> [ImportProblem] {
        do {
            _ = try PeopleImport.plan(csv: csv, existing: existing)
            return []
        } catch {
            return error.problems
        }
    }

    @Test func importsAGoodFileWithQuotesAndAttributes() throws {
        let plan = try PeopleImport.plan(csv: Self.good, existing: [:])
        #expect(plan.counts == ImportCounts(created: 3, updated: 0, unchanged: 0))
        let ben = try #require(plan.created.first { $0.employeeID == "E2" })
        #expect(ben.name == "Okafor, Ben")
        #expect(ben.managerID == "E1")
        #expect(ben.attributes.isEmpty)
        let cleo = try #require(plan.created.first { $0.employeeID == "E3" })
        #expect(cleo.title == "Analyst, \"Data\"")
        #expect(cleo.attributes == ["pronouns": "they/them"])
        #expect(cleo.hireDate == CalendarDate(iso: "2024-09-01"))
    }

    @Test func acceptsAByteOrderMarkCRLFAndLineBreaksInQuotedFields() throws {
        let csv = "\u{FEFF}\(Self.header)\r\nE1,\"Ada\nBoss\",ada@example.com,CEO,9,2010-01-04,Executive,London,Europe/London,\r\n"
        let plan = try PeopleImport.plan(csv: csv, existing: [:])
        #expect(plan.created.map(\.name) == ["Ada\nBoss"])
    }

    @Test func reportsEveryProblemAtOnceWithRowAndColumn() {
        let csv = """
        \(Self.header)
        E1,Ada,ada@example.com,CEO,nine,2010-02-30,Exec,London,Mars/Olympus,
        E2,Ben,ada@example.com,VP,8,2012-05-01,Eng,Berlin,Europe/Berlin,E404
        E2,Ben Again,ben2@example.com,VP,8,2012-05-01,Eng,Berlin,Europe/Berlin,
        E4,,not-an-email,VP,8,2012-05-01,Eng,Berlin,Europe/Berlin,E5
        E5,Eve,eve@example.com,VP,8,2012-05-01,Eng,Berlin,Europe/Berlin,E6
        E6,Fay,fay@example.com,VP,8,2012-05-01,Eng,Berlin,Europe/Berlin,E5
        E7,Gus,gus@example.com,VP,8,2012-05-01,Eng,Berlin,Europe/Berlin,E7
        E8,Hal,hal@example.com,VP,8
        """
        let found = problems(csv)
        func has(_ row: Int, _ column: String?, _ fragment: String) -> Bool {
            found.contains { $0.row == row && $0.column == column && $0.reason.contains(fragment) }
        }
        #expect(has(2, "level", "not a level number"))
        #expect(has(2, "hire_date", "not a date"))
        #expect(has(2, "time_zone", "IANA"))
        #expect(has(3, "manager_id", "unknown manager"))
        #expect(has(3, "email", "duplicate email"))
        #expect(has(4, "employee_id", "duplicate employee id (first seen in row 3)"))
        #expect(has(5, "name", "must not be empty"))
        #expect(has(5, "email", "not an email"))
        #expect(has(6, "manager_id", "cycle in the reporting chain: E5 → E6 → E5"))
        #expect(has(7, "manager_id", "cycle"))
        #expect(has(8, "manager_id", "own manager"))
        #expect(has(9, nil, "5 fields but the header has 10"))
        #expect(found == found.sorted { ($0.row, $0.column ?? "") < ($1.row, $1.column ?? "") })
    }

    @Test func reportsMissingAndRepeatedColumns() {
        let found = problems("employee_id,name,name,email\nE1,a,b,c@d.com\n")
        #expect(found.contains { $0.row == 1 && $0.column == "name" && $0.reason.contains("more than once") })
        #expect(found.contains { $0.row == 1 && $0.column == "time_zone" && $0.reason.contains("required column is missing") })
    }

    @Test func refusesAnEmptyFile() {
        #expect(problems("") .first?.reason.contains("empty") == true)
        #expect(problems("\u{FEFF}\n  \n").first?.reason.contains("empty") == true)
    }

    @Test func reimportUpsertsByEmployeeIDAndCountsChanges() throws {
        let first = try PeopleImport.plan(csv: Self.good, existing: [:])
        var stored: [String: Person] = [:]
        for p in first.created { stored[p.employeeID] = p }
        let same = try PeopleImport.plan(csv: Self.good, existing: stored)
        #expect(same.counts == ImportCounts(created: 0, updated: 0, unchanged: 3))

        let changed = Self.good.replacingOccurrences(of: "Cleo Junior", with: "Cleo Newname")
            + "\nE4,Dan,dan@example.com,Intern,1,2025-06-01,Engineering,Berlin,Europe/Berlin,E3,he/him"
        let plan = try PeopleImport.plan(csv: changed, existing: stored)
        #expect(plan.counts == ImportCounts(created: 1, updated: 1, unchanged: 2))
        #expect(plan.updated.first?.name == "Cleo Newname")
    }

    @Test func checksManagersAndEmailsAgainstStoredPeople() throws {
        var stored: [String: Person] = [:]
        for p in try PeopleImport.plan(csv: Self.good, existing: [:]).created { stored[p.employeeID] = p }
        let csv = """
        \(Self.header)
        E9,Ivy,IVY@example.com,Analyst,2,2024-01-02,Sales,Lisbon,Europe/Lisbon,E2
        E10,Jon,ben@example.com,Analyst,2,2024-01-02,Sales,Lisbon,Europe/Lisbon,E1
        """
        let found = problems(csv, existing: stored)
        #expect(found.count == 1)
        #expect(found.first?.row == 3 && found.first?.column == "email" && found.first?.reason.contains("E2") == true)
        // Changing a stored manager line so that it loops back is a cycle across file and database.
        let loop = "\(Self.header)\nE1,Ada Boss,ada@example.com,CEO,9,2010-01-04,Executive,London,Europe/London,E3\n"
        #expect(problems(loop, existing: stored).contains { $0.row == 2 && $0.reason.contains("cycle") })
    }

    @Test func keepsAttributesThatTheFileDoesNotMention() throws {
        var stored: [String: Person] = [:]
        for var p in try PeopleImport.plan(csv: Self.good, existing: [:]).created {
            p.attributes["career_path"] = "bootcamp"
            stored[p.employeeID] = p
        }
        let plan = try PeopleImport.plan(csv: Self.good, existing: stored)
        #expect(plan.counts.unchanged == 3)
        let emptied = Self.good.replacingOccurrences(of: ",they/them", with: ",")
        let updated = try PeopleImport.plan(csv: emptied, existing: stored)
        #expect(updated.updated.first?.attributes == ["career_path": "bootcamp"])
    }

    @Test func rendersPeopleThatImportBackUnchanged() throws {
        let demo = DemoOrganisation()
        let csv = PeopleCSV.render(demo.people)
        let plan = try PeopleImport.plan(csv: csv, existing: [:])
        #expect(plan.created == demo.people)
        var stored: [String: Person] = [:]
        for p in demo.people { stored[p.employeeID] = p }
        #expect(try PeopleImport.plan(csv: csv, existing: stored).counts.unchanged == demo.people.count)
    }
}

@Suite struct ReportingLinesTests {
    /// Of a large file, matching reads only the people it needs: the enrolled and everyone above them.
    @Test func keepsTheGivenPeopleAndTheirManagersInFileOrder() throws {
        let table = try CSVTable(text: """
        employee_id,name,manager_id
        C1,Cora,
        M1,Milo,C1
        M2,Mia,C1
        J1,Jo,M1
        J2,Kai,M2
        X1,Loop,X2
        X2,Loop back,X1
        """)
        #expect(table.reportingLines(of: ["J1"]).records.map(\.fields.first) == ["C1", "M1", "J1"])
        #expect(table.reportingLines(of: ["J2", "J1", "NOBODY"]).records.map(\.row) == [2, 3, 4, 5, 6])
        // A cycle ends the walk instead of looping.
        #expect(table.reportingLines(of: ["X1"]).records.map(\.fields.first) == ["X1", "X2"])
    }
}

/// The plan against stored entries (texts, not whole people) gives what comparing whole people gives.
@Suite struct StoredPeopleTests {
    /// Random stored people, then a file of them where each field may change (or an attribute column
    /// come or go): the counts and the people to write are those of comparing whole people, with
    /// attributes the file has no column for kept as stored. Unsettled: stored texts as Flipside writes
    /// them need no settling.
    @Test func theEntriesPlanAsWholePeopleDo() throws {
        var random = SystemRandomNumberGenerator()
        let words = ["Ada", "Ben", "a'b", "x:1", "2:ab", "-", "", "é", "名前", "  "].map { $0.trimmingCharacters(in: .whitespaces) }
        for round in 0..<60 {
            let count = Int.random(in: 1...25, using: &random)
            var stored: [String: Person] = [:]
            for index in 0..<count {
                let id = "E\(index)"
                var attributes: [String: String] = [:]
                for key in ["pronouns", "career_path", "kept"] where Bool.random(using: &random) {
                    attributes[key] = words.filter { !$0.isEmpty }.randomElement(using: &random)!
                }
                stored[id] = Person(employeeID: id, name: "Name \(index)", email: "p\(index)@example.com", title: words.randomElement(using: &random)!,
                                    level: Int.random(in: 1...3, using: &random), hireDate: CalendarDate(year: 2020, month: 1, day: Int.random(in: 1...3, using: &random))!,
                                    department: "Dept", location: "Here", timeZone: "UTC",
                                    managerID: index == 0 ? nil : "E\(Int.random(in: 0..<index, using: &random))",
                                    status: Bool.random(using: &random) ? .active : .onLeave,
                                    exitDate: Bool.random(using: &random) ? nil : CalendarDate(year: 2030, month: 1, day: 1))
            }
            // The file: each stored person, each field kept or changed; some new people; some attribute columns.
            let attributeColumns = ["pronouns", "career_path"].filter { _ in Bool.random(using: &random) }
            var lines = [PeopleImportTests.header + ",status,exit_date" + attributeColumns.map { "," + $0 }.joined()]
            var expected = ImportCounts(created: 0, updated: 0, unchanged: 0)
            var expectedWritten: [String: Person] = [:]
            func change(_ odds: Int) -> Bool { Int.random(in: 0..<odds, using: &random) == 0 }
            for index in 0..<(count + Int.random(in: 0...2, using: &random)) {
                let id = "E\(index)"
                var person = stored[id] ?? Person(employeeID: id, name: "New \(index)", email: "new\(index)@example.com", title: "",
                                                  level: 1, hireDate: CalendarDate(year: 2024, month: 1, day: 1)!, department: "D",
                                                  location: "L", timeZone: "UTC", managerID: "E0")
                if change(12) { person.name += " Renamed" }
                if change(12) { person.email = "moved\(index)@example.com" }
                if change(12) { person.title = words.randomElement(using: &random)! }
                if change(12) { person.level = Int.random(in: 1...3, using: &random) }
                if change(12) { person.hireDate = CalendarDate(year: 2020, month: 1, day: Int.random(in: 1...3, using: &random))! }
                if change(12) { person.department += "x" }
                if change(12) { person.location += "x" }
                if change(12) { person.timeZone = "Europe/Berlin" }
                if change(12), index > 0 { person.managerID = index == 1 ? "E0" : "E\(Int.random(in: 0..<index, using: &random))" }
                if change(12) { person.status = person.status == .active ? .onLeave : .active }
                if change(12) { person.exitDate = person.exitDate == nil ? CalendarDate(year: 2031, month: 2, day: 3) : nil }
                var fileAttributes: [String: String] = [:]
                for key in attributeColumns {
                    let value = change(4) ? words.randomElement(using: &random)! : person.attributes[key] ?? ""
                    if !value.isEmpty { fileAttributes[key] = value }
                }
                // What comparing whole people expects: the file's columns replace those attributes only.
                var merged = stored[id]?.attributes ?? [:]
                for key in attributeColumns { merged[key] = fileAttributes[key] }
                person.attributes = merged
                switch stored[id] {
                case nil: expected.created += 1; expectedWritten[id] = person
                case let old? where old == person: expected.unchanged += 1
                default: expected.updated += 1; expectedWritten[id] = person
                }
                func cell(_ text: String) -> String { text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text }
                let fields = [person.employeeID, person.name, person.email, person.title, String(person.level), person.hireDate.description,
                              person.department, person.location, person.timeZone, person.managerID ?? "", person.status.rawValue,
                              person.exitDate?.description ?? ""] + attributeColumns.map { fileAttributes[$0] ?? "" }
                lines.append(fields.map(cell).joined(separator: ","))
            }
            let table = try CSVTable(text: lines.joined(separator: "\n"))
            let plan = try PeopleImport.plan(table: table, stored: StoredPeople(stored))
            #expect(plan.counts == expected, "round \(round)")
            let written = Dictionary(uniqueKeysWithValues: (plan.created + plan.updated).map { ($0.employeeID, $0) })
            #expect(written == expectedWritten, "round \(round)")
            #expect(try PeopleImport.plan(table: table, existing: stored).counts == expected)
        }
    }

    /// The fields text says which values it was made of: texts of different values differ, whatever
    /// the values hold (digits, colons, dashes), and a missing value is not an empty one.
    @Test func theFieldsTextIsOneToOne() {
        let pieces = ["", "-", ":", "1", "1:", "2:ab", "a", "ab", "é"]
        var random = SystemRandomNumberGenerator()
        var seen: [String: [String?]] = [:]
        for _ in 0..<20_000 {
            func piece() -> String { (0..<Int.random(in: 0...2, using: &random)).map { _ in pieces.randomElement(using: &random)! }.joined() }
            func maybe() -> String? { Bool.random(using: &random) ? nil : piece() }
            let values: [String?] = [piece(), piece(), String(Int.random(in: -2...12, using: &random)), piece(), piece(), piece(), piece(), maybe(), piece(), maybe()]
            let text = StoredPeople.fields(name: values[0]!, title: values[1]!, level: Int(values[2]!)!, hireDate: values[3]!,
                                           department: values[4]!, location: values[5]!, timeZone: values[6]!, managerID: values[7],
                                           status: values[8]!, exitDate: values[9])
            if let before = seen.updateValue(values, forKey: text) { #expect(before == values, "\(text)") }
        }
        #expect(seen.count > 10_000)
    }

    /// A plan settled against people read whole counts as unchanged those whose stored text only
    /// looked different.
    @Test func settlingCountsEqualPeopleUnchanged() {
        let ada = Person(employeeID: "E1", name: "Ada", email: "ada@example.com", title: "", level: 2,
                         hireDate: CalendarDate(year: 2020, month: 1, day: 1)!, department: "D", location: "L", timeZone: "UTC", managerID: nil)
        var renamed = ada
        renamed.employeeID = "E2"
        let plan = PeopleImportPlan(created: [], updated: [ada, renamed], unchanged: 3)
        var stored = renamed
        stored.name = "Before"
        let settled = plan.settled(against: ["E1": ada, "E2": stored])
        #expect(settled.counts == ImportCounts(created: 0, updated: 1, unchanged: 4))
        #expect(settled.updated == [renamed])
    }
}
