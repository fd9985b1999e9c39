import FlipsideCore
import Foundation
import Testing
import ZIPFoundation

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

    /// 2,000 rows of unknown grades against 10,000 answers: each miss is one dictionary probe (it scanned
    /// every answer, 270 s of CPU at 20,000); more answers than a mapping may hold are refused first.
    @Test func aLargeMappingIsLookedUpNotScanned() throws {
        var levels: [String: Int] = [:]
        for i in 0..<ImportMapping.answerLimit { levels["Grade \(i)"] = i % 100 }
        let mapping = ImportMapping(levels: levels)
        #expect(mapping.level(for: "grade 7") == 7 && mapping.level(for: "GRADE-9999") == 99 && mapping.level(for: "Grade X") == nil)
        let rows = (0..<2_000).map { "E\($0),P \($0),p\($0)@example.com,T,Unknown \($0),2020-01-01,D,L,Europe/London,," }
        let csv = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id,status\n" + rows.joined(separator: "\n")
        #expect(problems(csv, mapping: mapping).count == 2_000)
        levels["one more"] = 1
        #expect(ImportMapping(levels: levels).problems.map(\.field) == ["levels"])
        // The reduced keys are derived again when the answers change.
        var changed = ImportMapping(levels: ["IC 3": 3])
        changed.levels = ["M 2": 7]
        #expect(changed.level(for: "m2") == 7 && changed.level(for: "ic3") == nil && changed == ImportMapping(levels: ["M 2": 7]))
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

/// `.xlsx` uploads: a workbook built here with ZIPFoundation, as Excel lays one out.
@Suite struct SpreadsheetTests {
    static func workbook(_ parts: [String: String]) throws -> Data {
        let archive = try Archive(accessMode: .create)
        for (path, text) in parts.sorted(by: { $0.key < $1.key }) {
            let data = Data(text.utf8)
            try archive.addEntry(with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
        return try #require(archive.data)
    }

    static let header = ["Employee ID", "Name", "Work Email", "Job Title", "Job Level", "Original Hire Date", "Department", "Location",
                         "Time Zone", "Manager ID", "Worker Status"]

    static func people() throws -> Data {
        let shared = header + ["Ada Boss", "Okafor, \"Ben\"", "Engineering"]
        let sst = "<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
            + shared.map { "<si><t xml:space=\"preserve\">\($0.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;"))</t></si>" }.joined()
            + "<si><r><t>Rich</t></r><r><t> Text</t></r><rPh><t>ハ</t></rPh></si></sst>"
        let headerRow = "<row r=\"1\">" + header.indices.map { "<c r=\"\(Character(UnicodeScalar(65 + $0)!))1\" t=\"s\"><v>\($0)</v></c>" }.joined() + "</row>"
        // Row 2: a date as a day number with a date style, an inline string, a number. Row 4 (row 3 is blank): a
        // missing middle cell, a text date, the last cells left out.
        let rows = headerRow
            + "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>E1</t></is></c><c r=\"B2\" t=\"s\"><v>11</v></c><c r=\"C2\" t=\"inlineStr\"><is><t>ada@example.com</t></is></c>"
            + "<c r=\"D2\" t=\"s\"><v>14</v></c><c r=\"E2\"><v>9</v></c><c r=\"F2\" s=\"1\"><v>40182</v></c><c r=\"G2\" t=\"s\"><v>13</v></c>"
            + "<c r=\"H2\" t=\"inlineStr\"><is><t>London</t></is></c><c r=\"I2\" t=\"inlineStr\"><is><t>Europe/London</t></is></c><c r=\"K2\" t=\"inlineStr\"><is><t>Active</t></is></c></row>"
            + "<row r=\"4\"><c r=\"A4\" t=\"inlineStr\"><is><t>E2</t></is></c><c r=\"B4\" t=\"s\"><v>12</v></c><c r=\"C4\" t=\"inlineStr\"><is><t>ben@example.com</t></is></c>"
            + "<c r=\"E4\"><v>8.0</v></c><c r=\"F4\" t=\"inlineStr\"><is><t>2012-05-01</t></is></c><c r=\"G4\" t=\"s\"><v>13</v></c>"
            + "<c r=\"H4\" t=\"inlineStr\"><is><t>Berlin</t></is></c><c r=\"I4\" t=\"inlineStr\"><is><t>Europe/Berlin</t></is></c><c r=\"J4\" t=\"inlineStr\"><is><t>E1</t></is></c></row>"
        return try workbook([
            "xl/workbook.xml": "<workbook xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheets><sheet name=\"People\" sheetId=\"1\" r:id=\"rId3\"/></sheets></workbook>",
            "xl/_rels/workbook.xml.rels": "<Relationships><Relationship Id=\"rId1\" Target=\"styles.xml\"/><Relationship Id=\"rId3\" Target=\"worksheets/people.xml\"/></Relationships>",
            "xl/worksheets/people.xml": "<worksheet><sheetData>\(rows)</sheetData></worksheet>",
            "xl/sharedStrings.xml": sst,
            "xl/styles.xml": "<styleSheet><numFmts><numFmt numFmtId=\"164\" formatCode=\"&quot;Grade &quot;0\"/></numFmts><cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"14\"/><xf numFmtId=\"164\"/></cellXfs></styleSheet>",
        ])
    }

    @Test func theFirstSheetReadsAsRows() throws {
        let rows = try Spreadsheet.rows(try Self.people())
        #expect(rows.count == 4 && rows[0] == Self.header && rows[2].isEmpty)
        #expect(rows[1] == ["E1", "Ada Boss", "ada@example.com", "Rich Text", "9", "2010-01-04", "Engineering", "London", "Europe/London", "", "Active"])
        #expect(rows[3] == ["E2", "Okafor, \"Ben\"", "ben@example.com", "", "8", "2012-05-01", "Engineering", "Berlin", "Europe/Berlin", "E1", ""])
        #expect(Spreadsheet.column("A1") == 0 && Spreadsheet.column("AB7") == 27 && Spreadsheet.column("7") == nil)
        #expect(Spreadsheet.date(serial: 45_658)?.description == "2025-01-01" && Spreadsheet.date(serial: 0) == nil)
    }

    @Test func aWorkbookImportsLikeItsCSV() throws {
        let data = try Self.people()
        let text = try #require(try UploadedText.read([UInt8](data)))
        let plan = try PeopleImport.plan(csv: text, existing: [:])
        #expect(plan.created.count == 2)
        let ben = try #require(plan.created.first { $0.employeeID == "E2" })
        #expect(ben.name == "Okafor, \"Ben\"" && ben.level == 8 && ben.title == "" && ben.managerID == "E1")
        #expect(plan.created.first { $0.employeeID == "E1" }?.hireDate == CalendarDate(year: 2010, month: 1, day: 4))
    }

    @Test func brokenWorkbooksAreProblemsNotCrashes() throws {
        #expect(throws: ImportFailure.self) { _ = try Spreadsheet.rows(Data([0x50, 0x4B, 0x03, 0x04, 1, 2, 3])) }
        #expect(throws: ImportFailure.self) { _ = try Spreadsheet.rows(try SpreadsheetTests.workbook(["xl/workbook.xml": "<workbook/>"])) }
        // Not XML where XML should be: refused, no crash.
        let garbage = try SpreadsheetTests.workbook(["xl/worksheets/sheet1.xml": "<<<not xml"])
        #expect(throws: ImportFailure.self) { _ = try Spreadsheet.rows(garbage) }
    }

    /// The reason a workbook with this sheet is refused for (nil when it reads).
    static func refusal(sheet: String) throws -> String? {
        let data = try workbook(["xl/worksheets/sheet1.xml": "<worksheet><sheetData>\(sheet)</sheetData></worksheet>"])
        do {
            _ = try Spreadsheet.rows(data)
            return nil
        } catch {
            return error.problems.first?.reason
        }
    }

    static func cells(_ row: Int, _ values: [String]) -> String {
        "<row r=\"\(row)\">" + values.enumerated().map { "<c r=\"\(Character(UnicodeScalar(65 + $0.offset)!))\(row)\" t=\"inlineStr\"><is><t>\($0.element)</t></is></c>" }.joined() + "</row>"
    }

    @Test func rowNumbersAndColumnsBeyondASpreadsheetsLimitsAreRefusedAtOnce() throws {
        let header = Self.cells(1, ["employee_id", "name"])
        // Each of these crashed the process or took gigabytes before.
        for r in ["9223372036854775807", "2000000000", "1048577"] {
            #expect(try Self.refusal(sheet: header + "<row r=\"\(r)\"><c r=\"A\(r)\"><v>1</v></c></row>")?.contains("beyond a spreadsheet's 1048576 rows") == true)
        }
        #expect(try Self.refusal(sheet: header + "<row r=\"2\"><c r=\"ZZZ2\"><v>1</v></c></row>")?.contains("ZZZ2, beyond a spreadsheet's last column XFD") == true)
        #expect(try Self.refusal(sheet: header + "<row r=\"-3\"><c><v>1</v></c></row>")?.contains("not a row after row 1") == true)
        // A stray cell at XFD1 (Excel's last column) is within Excel's limits but not an HR export's width.
        let stray = "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>id</t></is></c><c r=\"XFD1\"><v>1</v></c></row>"
        #expect(try Self.refusal(sheet: stray + Self.cells(2, ["E1"]))?.contains("at most 1024 columns") == true)
        // The last row Excel has is fine (the rows between are blank rows, as the file says).
        let last = try Spreadsheet.rows(try Self.workbook(["xl/worksheets/sheet1.xml": "<worksheet><sheetData>\(header)<row r=\"1048576\"><c r=\"A1048576\"><v>7</v></c></row></sheetData></worksheet>"]))
        #expect(last.count == 1_048_576 && last.last == ["7", ""] && last[1].isEmpty)
    }

    @Test func aSheetSpanningTooManyCellsIsRefusedWhileItIsRead() throws {
        // 1,000 columns wide (within the width limit) and 10,001 rows: 10,001,000 cells once padded.
        let wide = "<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"ALL1\"><v>1</v></c></row>"
        let rows = (2...10_001).map { "<row r=\"\($0)\"><c r=\"A\($0)\"><v>\($0)</v></c></row>" }.joined()
        let reason = try Self.refusal(sheet: wide + rows)
        #expect(reason?.contains("more than 10000000 cells") == true, "\(reason ?? "read")")
    }

    @Test func aDTDIsRefusedBeforeAnyEntityIsExpanded() throws {
        let bomb = "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY a \"\(String(repeating: "x", count: 200_000))\">]>"
            + "<worksheet><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>\(String(repeating: "&a;", count: 400_000))</t></is></c></row></sheetData></worksheet>"
        let data = try Self.workbook(["xl/worksheets/sheet1.xml": bomb])
        do {
            _ = try Spreadsheet.rows(data)
            Issue.record("a workbook with a DTD was read")
        } catch {
            #expect(error.problems.first?.reason.contains("declares a DTD") == true)
        }
        // In any part, not only the sheet.
        let styles = try Self.workbook(["xl/worksheets/sheet1.xml": "<worksheet><sheetData>\(Self.cells(1, ["a"]))</sheetData></worksheet>",
                                        "xl/styles.xml": "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><styleSheet>&e;</styleSheet>"])
        #expect(throws: ImportFailure.self) { _ = try Spreadsheet.rows(styles) }
    }

    @Test func aDamagedSheetImportsNothing() throws {
        let header = Self.cells(1, ["employee_id", "name", "email"])
        let rows = (2...50).map { Self.cells($0, ["E\($0)", "Person \($0)", "p\($0)@example.com"]) }.joined()
        let whole = "<worksheet><sheetData>\(header)\(rows)</sheetData></worksheet>"
        #expect(try Spreadsheet.rows(try Self.workbook(["xl/worksheets/sheet1.xml": whole])).count == 50)
        // Cut inside row 40, and broken after row 11: both refused whole, not 38 or 10 people.
        let cut = String(whole.prefix(upTo: whole.range(of: "Person 40")!.upperBound))
        let broken = whole.replacingOccurrences(of: "<row r=\"12\">", with: "<row r=\"12\"><oops>")
        for sheet in [cut, broken] {
            let data = try Self.workbook(["xl/worksheets/sheet1.xml": sheet])
            do {
                let read = try Spreadsheet.rows(data)
                Issue.record("a damaged sheet read as \(read.count) rows")
            } catch {
                #expect(error.problems.first?.reason.contains("is damaged") == true)
            }
        }
    }
}
