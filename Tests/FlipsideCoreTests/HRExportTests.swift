import FlipsideCore
import Foundation
import Testing

/// HR exports as they come: header names and status words of the usual systems, a coordinator's
/// mapping for the rest, `;`-separated and UTF-16 files.
@Suite struct HRExportTests {
    func problems(_ csv: String, mapping: ImportMapping = .none) -> [ImportProblem] {
        do {
            _ = try PeopleImport.plan(csv: csv, existing: [:], mapping: mapping)
            return []
        } catch {
            return error.problems
        }
    }

    /// A Workday-style export: its own names, first and last name instead of a full name, a status
    /// column that says `Terminated`, US dates — read without configuration but for the date format
    /// and the time zone the file does not have.
    @Test func aWorkdayStyleExportReadsWithItsOwnHeaders() throws {
        let csv = """
        Worker ID,First Name,Last Name,Email - Work,Business Title,Job Level,Original Hire Date,Supervisory Organization,Work Location,Manager ID,Worker Status,Termination Date,Cost Center
        W1,Ada,Boss,ada@example.com,CEO,9,01/04/2010,Executive,London,,Active,,CC-1
        W2,Ben,Okafor,ben@example.com,VP,8,05/01/2012,Engineering,Berlin,W1,Leave of Absence,,CC-2
        W3,Cleo,Junior,cleo@example.com,Analyst,2,09/01/2024,Engineering,Berlin,W2,Terminated,03/31/2026,CC-2
        """
        let mapping = ImportMapping(dateFormat: .us, timeZone: "Europe/London")
        let plan = try PeopleImport.plan(csv: csv, existing: [:], mapping: mapping)
        #expect(plan.created.count == 3)
        let cleo = try #require(plan.created.first { $0.employeeID == "W3" })
        #expect(cleo.name == "Cleo Junior" && cleo.email == "cleo@example.com" && cleo.title == "Analyst" && cleo.level == 2)
        #expect(cleo.hireDate == CalendarDate(year: 2024, month: 9, day: 1) && cleo.exitDate == CalendarDate(year: 2026, month: 3, day: 31))
        #expect(cleo.status == .exited && cleo.department == "Engineering" && cleo.managerID == "W2" && cleo.timeZone == "Europe/London")
        #expect(cleo.attributes == ["cost center": "CC-2"])
        #expect(plan.created.first { $0.employeeID == "W2" }?.status == .onLeave)
        // Without the mapping, the file says exactly what to answer: the time zone and the dates (by the file's own column names).
        let found = problems(csv)
        #expect(found.contains { $0.row == 1 && $0.column == "time_zone" && $0.reason.contains("time zone") })
        let withZone = problems(csv, mapping: ImportMapping(timeZone: "Europe/London"))
        #expect(withZone.contains { $0.row == 3 && $0.column == "Original Hire Date" && $0.reason.contains("not a date") }, "\(withZone)")
    }

    @Test(arguments: [
        ("Employee ID", "employee_id"), ("Employee Number", "employee_id"), ("worker_id", "employee_id"), ("Work Email", "email"),
        ("Email - Work", "email"), ("Job Title", "title"), ("Business Title", "title"), ("Supervisor ID", "manager_id"),
        ("Manager ID", "manager_id"), ("Reports To (ID)", "manager_id"), ("Original Hire Date", "hire_date"), ("Worker Status", "status"),
        ("Employment Status", "status"), ("Termination Date", "exit_date"), ("Job Level", "level"), ("Grade", "level"),
        ("FIRST NAME", "first_name"), ("last-name", "last_name"), ("Time Zone", "time_zone"),
    ])
    func headerNamesAreRecognised(_ header: String, _ field: String) {
        let columns = HRExport.columns(["x", header], mapping: .none)
        #expect(columns.index[field] == 1 && columns.original[field] == header)
    }

    @Test(arguments: [("Active", EmploymentStatus.active), ("TERMINATED", .exited), ("Inactive", .exited), ("left", .exited),
                      ("Withdrawn", .exited), ("Leave of Absence", .onLeave), ("on_leave", .onLeave), ("exited", .exited)])
    func statusWordsAreRecognised(_ word: String, _ status: EmploymentStatus) {
        #expect(HRExport.status(word, mapping: .none) == status)
    }

    /// Unknown status words and text grades are problems naming the file's column, until the mapping says what they mean.
    @Test func unknownStatusesAndGradesAreMappedOnce() throws {
        let csv = """
        Employee ID,Name,Email,Title,Grade,Hire Date,Department,Location,Time Zone,Manager ID,Employment Status
        E1,Ada Boss,ada@example.com,CEO,M4,2010-01-04,Executive,London,Europe/London,,Gone fishing
        E2,Ben Okafor,ben@example.com,Engineer,IC3,2012-05-01,Engineering,Berlin,Europe/Berlin,E1,Active
        """
        let found = problems(csv)
        #expect(found.contains { $0.row == 2 && $0.column == "Employment Status" && $0.value == "Gone fishing" && $0.reason.contains("mapping") })
        #expect(found.contains { $0.row == 2 && $0.column == "Grade" && $0.value == "M4" && $0.reason.contains("level number") })
        #expect(found.contains { $0.row == 3 && $0.column == "Grade" && $0.value == "IC3" })
        let mapping = ImportMapping(levels: ["M4": 8, "ic3": 3], statuses: ["Gone Fishing": .exited])
        let plan = try PeopleImport.plan(csv: csv, existing: [:], mapping: mapping)
        #expect(plan.created.map(\.level).sorted() == [3, 8] && plan.created.first { $0.employeeID == "E1" }?.status == .exited)
    }

    /// The mapping names columns the file's way; `ignore` leaves one out; two columns that both read as
    /// one field are a problem unless one of them is a weaker synonym (it then stays an attribute).
    @Test func theMappingDecidesWhatIsAmbiguous() throws {
        let both = HRExport.columns(["Email", "EMAIL"], mapping: .none)
        #expect(both.problems.count == 1 && both.problems[0].column == "EMAIL" && both.problems[0].reason.contains("more than once"))
        let twice = HRExport.columns(["Work Email", "Worker ID"], mapping: ImportMapping(columns: ["Worker ID": "email"]))
        #expect(twice.index["email"] == 1 && twice.attributes.map(\.1) == ["work email"])
        let weaker = HRExport.columns(["Department", "Team", "Start Date", "Original Hire Date"], mapping: .none)
        #expect(weaker.index["department"] == 0 && weaker.index["hire_date"] == 3 && weaker.attributes.map(\.1) == ["team", "start date"])
        let mapped = HRExport.columns(["Person", "Mail", "Team", "Department"],
                                      mapping: ImportMapping(columns: ["person": "employee_id", "Mail": "email", "Team": "department", "Department": "ignore"]))
        #expect(mapped.index == ["employee_id": 0, "email": 1, "department": 2] && mapped.attributes.isEmpty && mapped.problems.isEmpty)
        #expect(ImportMapping(columns: ["X": "salary"], levels: ["L9": 900], timeZone: "CET").problems.map(\.field) == ["columns.X", "levels.L9", "time_zone"])
    }

    @Test(arguments: [(DateFormat.us, "12/31/2024", "2024-12-31"), (.dayMonthSlash, "31/12/2024", "2024-12-31"), (.dayMonthDot, "31.12.2024", "2024-12-31"),
                      (.us, "2024-12-31", "2024-12-31"), (.iso, "2024-12-31 00:00:00", "2024-12-31"), (.us, "2/3/2021 0:00", "2021-02-03")])
    func datesReadInTheirFormat(_ format: DateFormat, _ raw: String, _ iso: String) {
        #expect(format.date(raw)?.description == iso)
    }

    @Test(arguments: [(DateFormat.us, "31/12/2024"), (.dayMonthDot, "31/12/2024"), (.iso, "12/31/2024"), (.us, "1/1/24"), (.dayMonthSlash, "30/02/2024")])
    func wrongDatesAreRefused(_ format: DateFormat, _ raw: String) {
        #expect(format.date(raw) == nil)
    }

    /// Spreadsheets in much of Europe save `;`-separated CSV, some UTF-16 with a byte-order mark.
    @Test func semicolonsAndUTF16() throws {
        let csv = "Employee ID;Name;Email;Title;Level;Hire Date;Department;Location;Time Zone;Manager ID\n"
            + "E1;\"Boss; Ada\";ada@example.com;CEO;9;2010-01-04;Executive;London;Europe/London;\n"
        #expect(try PeopleImport.plan(csv: csv, existing: [:]).created.first?.name == "Boss; Ada")
        #expect(CSVTable.delimiter(of: "a,b;c,d") == "," && CSVTable.delimiter(of: "a\tb\tc") == "\t" && CSVTable.delimiter(of: "\"x;y\",z") == ",")
        for (bom, encoding) in [([UInt8]([0xFF, 0xFE]), String.Encoding.utf16LittleEndian), ([0xFE, 0xFF], .utf16BigEndian)] {
            let bytes = bom + [UInt8](csv.data(using: encoding)!)
            #expect(UploadedText.decode(bytes) == csv)
        }
        #expect(UploadedText.decode([UInt8]("plain".utf8)) == "plain" && UploadedText.decode([0xC3, 0x28]) == nil)
    }
}
