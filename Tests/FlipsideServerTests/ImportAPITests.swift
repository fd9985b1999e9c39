import Fluent
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

    @Test func importsTwoThousandPeopleInOneRequest() async throws {
        try await TestWorld.run { world in
            var lines = [Self.header]
            for i in 0..<2000 {
                let manager = i == 0 ? "C1" : "B\((i - 1) / 4)"
                lines.append("B\(i),Bulk Person \(i),bulk\(i)@example.com,\"Role, \(i % 7)\",\(1 + i % 8),2023-0\(1 + i % 9)-1\(i % 9),Dept \(i % 6),Site \(i % 4),Europe/Berlin,\(manager)")
            }
            let (status, body) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: lines.joined(separator: "\n"))
            #expect(status == .ok, "\(body)")
            let value21 = try await world.count(PersonModel.self)
            #expect(value21 == 2005)
            let page = try await PeopleService(db: world.app.db).search(query: "bulk person 1999", department: nil, page: 1, per: 10)
            #expect(page.items.first?.title == "Role, 4")
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
