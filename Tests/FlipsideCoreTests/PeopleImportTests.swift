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
