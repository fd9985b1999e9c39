import Fluent
import SQLKit
import FlipsideCore
@testable import FlipsideServer
import Testing
import VaporTesting

@Suite(.serialized) struct ImportAPITests {
    static let header = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id"

    @Test func aBadFileChangesNothingAndListsEveryProblem() async throws {
        try await TestWorld.run { world in
            let before = try await world.app.db.query(PersonModel.self).all().map(\.person)
            // One good new row, one good update, and rows with problems: nothing may land.
            let csv = """
            \(Self.header)
            N1,New Person,new@example.com,Analyst,2,2024-01-01,Sales,Lisbon,Europe/Lisbon,S1
            J1,Jo Renamed,jo@example.com,Analyst,2,2024-09-01,Engineering,Berlin,Europe/Berlin,M1
            N2,Bad Level,n2@example.com,Analyst,two,2024-01-01,Sales,Lisbon,Europe/Lisbon,S1
            N3,Bad Manager,n3@example.com,Analyst,2,2024-01-01,Sales,Lisbon,Europe/Lisbon,GHOST
            N4,Dup Email,kai@example.com,Analyst,2,2024-01-01,Sales,Lisbon,Europe/Lisbon,S1
            """
            let (status, body) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: csv)
            #expect(status == .unprocessableEntity)
            let error = try #require((try json(body) as? [String: Any])?["error"] as? [String: Any])
            #expect(error["code"] as? String == "import_rejected")
            let details = try #require(error["details"] as? [[String: Any]])
            #expect(details.count == 3)
            #expect(details.contains { $0["row"] as? Int == 4 && $0["column"] as? String == "level" })
            #expect(details.contains { $0["row"] as? Int == 5 && $0["column"] as? String == "manager_id" })
            #expect(details.contains { $0["row"] as? Int == 6 && $0["column"] as? String == "email" })
            let after = try await world.app.db.query(PersonModel.self).all().map(\.person)
            #expect(Set(after) == Set(before))
        }
    }

    /// Values that bulk statements must carry as they are (quotes, backslashes, braces and commas, the
    /// word NULL, other scripts, an empty optional cell) come back exactly, by the bulk reader and by
    /// Fluent, on SQLite and on PostgreSQL; and a second import of the same file changes nothing. With a
    /// thousand more people in the file, PostgreSQL copies the new people in (COPY's text format).
    @Test(arguments: [0, 1_000]) func awkwardValuesRoundTripThroughTheBulkWriteAndRead(filler: Int) async throws {
        try await TestWorld.run { world in
            let csv = #"""
            employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id,exit_date,team
            Q1,"O""Brien \ {a,b}",q1@example.com,NULL,3,2020-02-29,"R&D, {core}",Zürich,Europe/Zurich,S1,,"say ""hi"" \N"
            Q2,NULL,q2@example.com,"back\slash",4,2021-01-01,名前,São Paulo,America/Sao_Paulo,Q1,2026-01-31,NULL
            Q3,"{""x"":1}",q3@example.com,"",5,2022-03-04,Ops,Kyiv,Europe/Kyiv,,,

            """# + (0..<filler).map { "F\($0),Filler \($0),f\($0)@example.com,Analyst,2,2024-01-01,Ops,Kyiv,Europe/Kyiv,Q3,,\n" }.joined()
            let (status, body) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: csv)
            #expect(status == .ok, "\(body)")
            let stored = try await PeopleService(db: world.app.db).allByEmployeeID()
            let byFluent = Dictionary(uniqueKeysWithValues: try await world.app.db.query(PersonModel.self).all().map { ($0.person.employeeID, $0.person) })
            let q1 = try #require(stored["Q1"]), q2 = try #require(stored["Q2"]), q3 = try #require(stored["Q3"])
            #expect(q1.name == #"O"Brien \ {a,b}"# && q1.title == "NULL" && q1.department == "R&D, {core}" && q1.location == "Zürich")
            #expect(q1.attributes["team"] == #"say "hi" \N"# && q1.exitDate == nil && q1.managerID == "S1")
            #expect(q2.name == "NULL" && q2.title == #"back\slash"# && q2.department == "名前" && q2.attributes["team"] == "NULL")
            #expect(q2.exitDate == CalendarDate(iso: "2026-01-31") && q2.managerID == "Q1")
            #expect(q3.name == #"{"x":1}"# && q3.title == "" && q3.managerID == nil && q3.attributes["team"] == nil)
            for id in ["Q1", "Q2", "Q3"] { #expect(stored[id] == byFluent[id], "\(id)") }
            #expect(stored.count == byFluent.count && stored == byFluent)
            let (again, againBody) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: csv)
            #expect(again == .ok && againBody.contains(#""updated":0"#), "\(againBody)")
        }
    }

    /// A re-import compares stored texts first. A person stored in another spelling than Flipside writes
    /// (a status in capitals; attributes in another order, with spaces) is read whole before counting as
    /// changed, so the same person counts as unchanged; a changed one keeps the attributes the file has
    /// no column for.
    @Test func reimportReadsPeopleStoredInAnotherSpellingWhole() async throws {
        try await TestWorld.run { world in
            let csv = """
            \(Self.header),pronouns
            A1,Ana One,a1@example.com,Analyst,2,2024-01-01,Sales,Lisbon,Europe/Lisbon,S1,she/her
            A2,Abe Two,a2@example.com,Analyst,2,2024-01-01,Sales,Lisbon,Europe/Lisbon,S1,he/him
            """
            #expect(try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: csv).status == .ok)
            let sql = try #require(world.app.db as? any SQLDatabase)
            try await sql.raw("UPDATE people SET status = 'ACTIVE', attributes = '{ \"team\" : \"x\", \"pronouns\": \"she/her\" }' WHERE employee_id = 'A1'").run()
            try await sql.raw("UPDATE people SET attributes = '{\"team\": \"y\",  \"pronouns\": \"he/him\"}' WHERE employee_id = 'A2'").run()
            let changed = csv.replacingOccurrences(of: "Abe Two", with: "Abe Renamed")
            let (status, body) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: changed)
            #expect(status == .ok, "\(body)")
            let counts = try #require(try json(body) as? [String: Any])
            #expect(counts["created"] as? Int == 0 && counts["updated"] as? Int == 1 && counts["unchanged"] as? Int == 1, "\(body)")
            let stored = try await PeopleService(db: world.app.db).find(["A1", "A2"])
            #expect(stored["A2"]?.name == "Abe Renamed" && stored["A2"]?.attributes == ["team": "y", "pronouns": "he/him"])
            #expect(stored["A1"]?.attributes == ["team": "x", "pronouns": "she/her"])
        }
    }

    /// A re-import reads each stored person's text (`PeopleService.stored`: made from the row's values on
    /// SQLite, written by PostgreSQL's SQL there); were it other text than Core's for the same person,
    /// everyone would count as changed and be read whole.
    @Test func storedPeoplesTextIsCoresForTheSamePeople() async throws {
        try await TestWorld.run { world in
            let csv = """
            \(Self.header),status,exit_date,pronouns
            A1,Zoë Ünal 🌍,a1@example.com,"Analyst, ""data"" lead",2,2024-01-01,Ventes & Marketing,São Paulo,America/Sao_Paulo,,active,,she/her
            A2,李 雷,a2@example.com,,10,1999-12-31,研究,東京,Asia/Tokyo,A1,exited,2026-02-28,
            A3,A,a3@example.com,1:2-3,1,2024-02-29,-,x,UTC,A2,on_leave,,
            """
            let (status, body) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: csv)
            #expect(status == .ok, "\(body)")
            let service = PeopleService(db: world.app.db)
            let stored = try await service.stored().entries.sorted { $0.employeeID < $1.employeeID }
            let whole = StoredPeople(try await service.allByEmployeeID()).entries
            #expect(Set(["A1", "A2", "A3"]).isSubset(of: stored.map(\.employeeID)))
            #expect(stored == whole)
        }
    }

    @Test func reimportUpsertsAndCounts() async throws {
        try await TestWorld.run { world in
            let (s1, b1) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: TestWorld.peopleCSV)
            #expect(s1 == .ok)
            #expect(b1.contains("\"unchanged\":5"))
            let changed = TestWorld.peopleCSV.replacingOccurrences(of: "Jo Junior", with: "Jo Promoted")
                + "\nN1,New Person,new@example.com,Analyst,2,2024-01-01,Sales,Lisbon,Europe/Lisbon,S1,"
            let (s2, b2) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: changed)
            #expect(s2 == .ok, "\(b2)")
            let counts = try #require(try json(b2) as? [String: Any])
            #expect(counts["created"] as? Int == 1 && counts["updated"] as? Int == 1 && counts["unchanged"] as? Int == 4)
            let value19 = try await PeopleService(db: world.app.db).find("J1")?.name
            #expect(value19 == "Jo Promoted")
            let value20 = try await world.count(PersonModel.self)
            #expect(value20 == 6)
        }
    }

    @Test func refusesBodiesThatAreNotCSVText() async throws {
        try await TestWorld.run { world in
            let (json, _) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, json: "{}")
            #expect(json == .unsupportedMediaType)
            let (empty, _) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: "")
            #expect(empty == .badRequest)
            var headers = world.headers(.coordinator, json: false)
            headers.contentType = HTTPMediaType(type: "text", subType: "csv")
            var bytes = ByteBuffer()
            bytes.writeBytes([0x65, 0x6D, 0xFF, 0xFE, 0x0A])
            let res = try await world.app.testing().sendRequest(.POST, "/api/v1/people/import", headers: headers, body: bytes)
            #expect(res.status == .badRequest)
            #expect(res.body.string.contains("UTF-8"))
        }
    }

    /// An HR export as it comes: its own column names, `;`-separated, a mapping sent once with the file
    /// (multipart), then the next file with the same columns as plain text/csv and no mapping; UTF-16.
    @Test func anHRExportIsMappedOnceThenRecognised() async throws {
        try await TestWorld.run { world in
            let export = """
            Worker ID;First Name;Last Name;Email - Work;Business Title;Grade;Original Hire Date;Supervisory Organization;Work Location;Reports To (ID);Worker Status;Termination Date
            W1;Ada;Lovelace;ada.l@example.com;Director;M3;03/15/2015;Engineering;London;C1;Active;
            W2;Grace;Hopper;grace.h@example.com;Engineer;IC2;11/02/2021;Engineering;Berlin;W1;Terminated;06/30/2026
            """
            // Without a mapping: the problems name the file's columns and say what to answer.
            let (s0, b0) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: export)
            #expect(s0 == .unprocessableEntity && b0.contains("time_zone") && !b0.contains("Grade"), "\(b0)")
            let (s1, b1) = try await Self.multipart(world, export, mapping: #"{"time_zone": "Europe/London"}"#)
            #expect(s1 == .unprocessableEntity && b1.contains("\"column\":\"Grade\"") && b1.contains("\"column\":\"Original Hire Date\""), "\(b1)")
            let (bad, badBody) = try await Self.multipart(world, export, mapping: #"{"columns": {"Grade": "salary"}}"#)
            #expect(bad == .unprocessableEntity && badBody.contains("mapping.columns.Grade"), "\(badBody)")
            let (worse, worseBody) = try await Self.multipart(world, export, mapping: #"{"levels": "L5"}"#)
            #expect(worse == .unprocessableEntity && worseBody.contains("\"field\":\"mapping\""), "\(worseBody)")
            let mapping = #"{"levels": {"M3": 7, "IC2": 2}, "date_format": "MM/DD/YYYY", "time_zone": "Europe/London"}"#
            let (s2, b2) = try await Self.multipart(world, export, mapping: mapping)
            #expect(s2 == .ok && b2.contains("\"created\":2"), "\(b2)")
            let grace = try #require(try await PeopleService(db: world.app.db).find("W2"))
            #expect(grace.name == "Grace Hopper" && grace.level == 2 && grace.status == .exited && grace.exitDate == CalendarDate(year: 2026, month: 6, day: 30)
                    && grace.managerID == "W1" && grace.timeZone == "Europe/London" && grace.hireDate == CalendarDate(year: 2021, month: 11, day: 2))
            // The next export with the same columns: no mapping sent, the kept one applies — here in UTF-16.
            let next = export.replacingOccurrences(of: ";Director;", with: ";VP Engineering;")
            var headers = world.headers(.coordinator, json: false)
            headers.contentType = HTTPMediaType(type: "text", subType: "csv")
            let utf16 = [UInt8]([0xFF, 0xFE]) + [UInt8](next.data(using: .utf16LittleEndian)!)
            let res = try await world.app.testing().sendRequest(.POST, "/api/v1/people/import", headers: headers, body: ByteBuffer(bytes: utf16))
            #expect(res.status == .ok && res.body.string.contains("\"updated\":1"), "\(res.body.string)")
            #expect(try await PeopleService(db: world.app.db).find("W1")?.title == "VP Engineering")
        }
    }

    static func multipart(_ world: TestWorld, _ csv: String, mapping: String) async throws -> (HTTPStatus, String) {
        let boundary = "----flipside-api-boundary"
        var body = "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"export.csv\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n"
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"mapping\"\r\n\r\n\(mapping)\r\n--\(boundary)--\r\n"
        var headers = world.headers(.coordinator, json: false)
        headers.replaceOrAdd(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
        let res = try await world.app.testing().sendRequest(.POST, "/api/v1/people/import", headers: headers, body: ByteBuffer(string: body))
        return (res.status, res.body.string)
    }

    /// A person the plan took for new but who is stored (written by something that bypassed the import's
    /// lock): PostgreSQL's copy of the new people fails on the unique employee id, is undone to its
    /// savepoint, and every row is upserted instead; the import's transaction goes on.
    @Test func aNewPersonWhoIsStoredAfterAllIsUpserted() async throws {
        try await TestWorld.run { world in
            let stored = try #require(try await PeopleService(db: world.app.db).allByEmployeeID().values.first)
            var renamed = stored
            renamed.name = "Renamed After All"
            let fresh = (0..<1_200).map { i in
                Person(employeeID: "X\(i)", name: "Extra \(i)", email: "x\(i)@example.com", title: "Analyst", level: 2,
                       hireDate: CalendarDate(iso: "2024-01-01")!, department: "Ops", location: "Kyiv", timeZone: "Europe/Kyiv",
                       managerID: nil, status: .active, exitDate: nil, attributes: [:])
            }
            let plan = PeopleImportPlan(created: fresh + [renamed], updated: [], unchanged: 0)
            try await world.app.db.transaction { tx in
                try await FluentPeopleImportStore.Work.writeRows(plan, at: world.clock.now, on: tx)
            }
            let after = try await PeopleService(db: world.app.db).allByEmployeeID()
            #expect(after[stored.employeeID]?.name == "Renamed After All")
            #expect(after["X1199"]?.name == "Extra 1199")
            let ids = try await world.app.db.query(PersonModel.self).filter(\.$employeeID == stored.employeeID).all().compactMap(\.id)
            #expect(ids.count == 1)
        }
    }

    /// Every value a bulk write carries comes back as it was, on both databases: each control character
    /// but NUL (PostgreSQL refuses it in a text, SQLiteNIO ends a text there; imports refuse every
    /// control character anyway), quotes, backslashes, JSON's and COPY's own syntax, other scripts,
    /// emoji, the extreme integers, uuids and NULL. On SQLite the rows travel as
    /// one JSON text; on PostgreSQL as arrays (`write`) or COPY's text (`copy`).
    @Test(arguments: [false, true]) func bulkWritesCarryEveryValueAsItIs(copying: Bool) async throws {
        try await TestWorld.run { world in
            let sql = try #require(world.app.db as? any SQLDatabase)
            try await sql.raw("CREATE TABLE bulk_probe (k BIGINT PRIMARY KEY, t TEXT, n BIGINT, u TEXT)").run()
            var texts = (1..<32).map { String(UnicodeScalar(UInt8($0))) }
            texts += [#"""#, #"\"#, #"\u0041"#, #"\N"#, "\t", "[1,2]", "{\"a\":null}", "null", "", " spaced ", "名前",
                      "e\u{301}", "👩🏽‍💻", "\u{FEFF}bom", "\u{7F}\u{80}\u{9F}", "a\u{2028}b", String(repeating: "x", count: 5_000)]
            let rows: [[BulkUpsert.Cell]] = texts.enumerated().map { index, text in
                [.integer(index), .text(text), .integer([Int.min, Int.max, 0, -1][index % 4]), index % 3 == 0 ? .null : .uuid(UUID())]
            }
            let probe = BulkUpsert(table: "bulk_probe", columns: ["k", "t", "n", "u"])
            let copied = copying ? try await probe.copy(count: rows.count, at: world.clock.now, on: world.app.db) { i, _ in rows[i] } : false
            if !copied { try await probe.write(count: rows.count, at: world.clock.now, on: world.app.db) { i, _ in rows[i] } }
            let back = try await sql.raw("SELECT k, t, n, u FROM bulk_probe ORDER BY k").all()
            #expect(back.count == rows.count)
            for (row, stored) in zip(rows, back) {
                guard case .integer(let k) = row[0], case .text(let t) = row[1], case .integer(let n) = row[2] else { continue }
                #expect(try stored.decode(column: "k", as: Int.self) == k)
                #expect(try stored.decode(column: "t", as: String.self) == t, "row \(k)")
                #expect(try stored.decode(column: "n", as: Int.self) == n)
                let u = try stored.decode(column: "u", as: String?.self)
                if case .uuid(let id) = row[3] { #expect(u?.uppercased() == id.uuidString) } else { #expect(u == nil) }
            }
            try await sql.raw("DROP TABLE bulk_probe").run()
        }
    }

    /// COPY's text format: backslash, tab, newline and carriage return escaped, NULL as `\N`, the rest as it is.
    @Test func copyFieldsEscapeWhatCopyReads() {
        var text = ""
        for cell: BulkUpsert.Cell in [.text(#"a\b"#), .text("t\tn\nr\r"), .null, .text(#"\N"#), .integer(-7), .text("名前 \"q\"")] {
            BulkUpsert.appendCopyField(cell, to: &text)
            text += "|"
        }
        #expect(text == #"a\\b|t\tn\nr\r|\N|\\N|-7|名前 "q"|"#)
    }

    @Test func importsTwoThousandPeopleInOneRequest() async throws {
        try await TestWorld.run { world in
            var lines = [Self.header]
            for i in 0..<2000 {
                let manager = i == 0 ? "C1" : "B\((i - 1) / 4)"
                lines.append("B\(i),Bulk Person \(i),bulk\(i)@example.com,\"Role, \(i % 7)\",\(1 + i % 8),2023-0\(1 + i % 9)-1\(i % 9),Dept \(i % 6),Site \(i % 4),Europe/Berlin,\(manager)")
            }
            let versionBefore = try await DataVersions.read(on: world.app.db).people
            let (status, body) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: lines.joined(separator: "\n"))
            #expect(status == .ok, "\(body)")
            let value21 = try await world.count(PersonModel.self)
            #expect(value21 == 2005)
            let page = try await PeopleService(db: world.app.db).search(query: "bulk person 1999", department: nil, page: 1, per: 10)
            #expect(page.items.first?.title == "Role, 4")
            // The people's number moved with the import (on SQLite bumped once for the whole write, its
            // per-row triggers set aside inside the transaction), and the triggers are back after it:
            // one more change moves it again.
            let versionAfter = try await DataVersions.read(on: world.app.db).people
            #expect(versionAfter > versionBefore)
            let sql = try #require(world.app.db as? any SQLDatabase)
            try await sql.raw("UPDATE people SET title = 'Changed' WHERE employee_id = 'B7'").run()
            let versionChanged = try await DataVersions.read(on: world.app.db).people
            #expect(versionChanged > versionAfter)
            // New people's ids increase in the order of the file.
            let stored = try await world.app.db.query(PersonModel.self).filter(\.$employeeID ~~ "B").all()
            let idOf = Dictionary(uniqueKeysWithValues: stored.map { ($0.employeeID, try! $0.requireID()) })
            let ids = (0..<2000).map { idOf["B\($0)"]! }
            #expect(zip(ids, ids.dropFirst()).allSatisfy { $0.uuidString < $1.uuidString })
        }
    }

    @Test func enrolmentImportRejectsWholeFileAndWarns() async throws {
        try await TestWorld.run { world in
            let path = "/api/v1/programs/\(pathID(world.program.id))/enrolments/import"
            let header = "employee_id,role,offers,wants,industries,channels,cadence,capacity"
            let bad = "\(header)\nM1,mentee,,figma:3,,video,weekly,\nGHOST,mentor,figma:3,,,video,weekly,1\n"
            let (s1, b1) = try await world.api(.POST, path, as: .coordinator, csv: bad)
            #expect(s1 == .unprocessableEntity, "\(b1)")
            let value22 = try await world.count(EnrolmentModel.self)
            #expect(value22 == 2)
            // J1 (level 2) as a mentee cannot be served: the lowest mentor is level 1 and the gap is 2.
            let good = "\(header)\nM1,mentee,,figma:3,,video,weekly,\nJ1,mentee,,figma:1,,chat,monthly,\n"
            let (s2, b2) = try await world.api(.POST, path, as: .coordinator, csv: good)
            #expect(s2 == .ok, "\(b2)")
            #expect(b2.contains("\"created\":2"))
            #expect(b2.contains("No mentor can serve J1"))
            let value23 = try await world.count(EnrolmentModel.self)
            #expect(value23 == 4)
        }
    }
}
