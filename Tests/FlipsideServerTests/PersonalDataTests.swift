import FlipsideCore
@testable import FlipsideServer
import Foundation
import SQLKit
import Testing
import VaporTesting

/// Access requests and erasure on the demo: the export is as the reader may see it; after erasure no
/// table holds the person's id, name or email, their words are gone, and the figures still count them.
@Suite(.serialized) struct PersonalDataTests {
    @Test func exportThenEraseAPersonWithAPartnership() async throws {
        try await TestWorld.run { world in
            _ = try await DemoLoader.load(into: world.app)
            let sql = world.app.db as! any SQLDatabase
            // A demo mentor whose partnership has a private journal entry ("only me") and shared words.
            let row = try #require(try await sql.raw("SELECT author_id, body FROM pair_texts WHERE visibility = 'only_me' LIMIT 1").first())
            let id = try row.decode(column: "author_id", as: String.self), secret = try row.decode(column: "body", as: String.self)
            let person = try #require(try await PeopleService(db: world.app.db).find(id))
            let lastYearPairs = try await Backup.count("pairs", on: sql)

            // The coordinator's export: everything the program team may read, not the journal.
            let (s1, coordinatorExport) = try await world.api(.GET, "/api/v1/people/\(id)/data", as: .coordinator)
            #expect(s1 == .ok && coordinatorExport.contains(person.email) && !coordinatorExport.contains(secret), "\(coordinatorExport.prefix(300))")
            #expect(try OpenAPIDocument().check("GET", "/api/v1/people/{employeeID}/data", status: 200, body: coordinatorExport).isEmpty)
            // Their own export (signed in as themselves) has it.
            _ = try await AccountService(app: world.app).upsertUser(email: person.email, password: TestWorld.password, role: .participant)
            let own = try await WebClient.signedIn(world, as: person.email)
            let mine = try await own.get("/me/data.json")
            #expect(mine.status == .ok && mine.body.string.contains(secret) && mine.headers.first(name: .contentDisposition)?.contains("attachment") == true)
            #expect(try await own.get("/people/C1/data.json").status == .forbidden)

            // Erasure needs the id typed again; then nothing names them.
            let (refused, _) = try await world.api(.POST, "/api/v1/people/\(id)/erase", as: .coordinator, json: #"{"confirm": "someone else"}"#)
            #expect(refused == .unprocessableEntity)
            let (s2, erased) = try await world.api(.POST, "/api/v1/people/\(id)/erase", as: .coordinator, json: #"{"confirm": "\#(id)"}"#)
            #expect(s2 == .ok, "\(erased)")
            let pseudonym = try #require((try json(erased) as? [String: Any])?["pseudonym"] as? String)
            for table in try await Backup.tables(sql) where table != AuditTrail.table {
                for line in try await Backup.dump(table, on: sql) {
                    #expect(!line.contains("'\(id)'") && !line.contains("\"\(id)\"") && !line.contains(person.name) && !line.lowercased().contains(person.email.lowercased()),
                            "\(table) still names them: \(line.prefix(200))")
                }
            }
            // Their words are gone (other mentors wrote the same demo sentence; theirs stay).
            let theirs = try await sql.raw("SELECT COUNT(*) AS n FROM pair_texts WHERE author_id IN (\(bind: id), \(bind: pseudonym))").first()?.decode(column: "n", as: Int.self)
            #expect(theirs == 0)
            // Their login is gone (the session signed in above no longer works), the figures still count their pairs.
            #expect(try await own.get("/me").status != .ok)
            #expect(try await Backup.count("pairs", on: sql) == lastYearPairs)
            let stillThere = try #require(try await PeopleService(db: world.app.db).find(pseudonym))
            #expect(stillThere.name == "Erased person" && stillThere.department == person.department && stillThere.level == person.level)
            // Recorded, by whom, under the pseudonym.
            let (_, audit) = try await world.api(.GET, "/api/v1/audit?action=person.erased", as: .coordinator)
            #expect(audit.contains(pseudonym) && audit.contains("coord@example.com") && !audit.contains(person.name))
            let (_, exported) = try await world.api(.GET, "/api/v1/audit?action=person.exported", as: .coordinator)
            #expect((try json(exported) as? [String: Any])?["total"] as? Int == 2)
            // Outcomes still compute.
            let (outcomes, _) = try await world.api(.GET, "/api/v1/outcomes", as: .coordinator)
            #expect(outcomes == .ok)
        }
    }

    /// Stored runs explain themselves in sentences ("The best, S1 (score 40.0 here), is with J1"):
    /// erasure replaces the id there too, as a whole word only.
    @Test func erasureReachesTheSentencesOfStoredRuns() async throws {
        try await TestWorld.run { world in
            let program = try await MatchingWorkflowTests.matchingProgram(world)
            let (status, body) = try await world.api(.POST, "/api/v1/programs/\(program)/runs", as: .coordinator, json: "{}")
            #expect(status == .created)
            let sql = world.app.db as! any SQLDatabase
            struct Texts: Decodable { var result: String }
            let stored = try #require(try await sql.select().column("result").from(MatchingTables.runs).first(decoding: Texts.self)).result
            // Someone the run names inside a sentence, not only as a JSON string.
            let named = try #require(["S1", "M1", "J1", "J2", "X1"].first { Self.wholeWord($0, in: stored.replacingOccurrences(of: "\"\($0)\"", with: "")) },
                                     "no sentence names anyone: \(body.prefix(400))")
            let (erased, _) = try await world.api(.POST, "/api/v1/people/\(named)/erase", as: .coordinator, json: #"{"confirm": "\#(named)"}"#)
            #expect(erased == .ok)
            for table in try await Backup.tables(sql) where table != AuditTrail.table {
                for line in try await Backup.dump(table, on: sql) {
                    #expect(!Self.wholeWord(named, in: line), "\(table) still names \(named): \(line.prefix(300))")
                }
            }
            // The run still reads and lists its pairs.
            let (again, _) = try await world.api(.GET, "/api/v1/programs/\(program)/runs/\(try #require(try MatchingWorkflowTests.object(body)["id"] as? String))", as: .coordinator)
            #expect(again == .ok)
        }
    }

    /// Every table, the audit trail, keys and the tables a backup leaves out included.
    static func allTables(_ sql: any SQLDatabase) async throws -> [String] {
        if sql.dialect.name == "sqlite" {
            return try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all().map { try $0.decode(column: "name", as: String.self) }
        }
        return try await sql.raw("SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()").all().map { try $0.decode(column: "name", as: String.self) }
    }

    /// Free text that names the person (a rule's reason, audit details and objects) and every key (the
    /// sign-in counter by email) is reached too; an id given to someone new later finds no old audit line.
    @Test func erasureReachesFreeTextAuditAndKeys() async throws {
        try await TestWorld.run { world in
            let base = "/api/v1/programs/\(try await MatchingWorkflowTests.matchingProgram(world))"
            let (added, rule) = try await world.api(.POST, "\(base)/rules", as: .coordinator,
                                                   json: #"{"kind":"exclusion","mentee_id":"S1","mentor_id":"J2","reason":"Kai Newcomer asked not to be paired with Sara (sara@example.com)"}"#)
            #expect(added == .created, "\(rule)")
            // A wrong password for her email: a sign-in counter keyed by it.
            _ = try await world.app.testing().sendRequest(.POST, "/api/v1/auth/token", headers: ["content-type": "application/json"],
                                                          body: ByteBuffer(string: #"{"email":"Sara@Example.com","password":"wrong one"}"#))
            let (_, exported) = try await world.api(.GET, "/api/v1/people/S1/data", as: .coordinator)
            #expect(exported.contains("sara@example.com"))
            let (erased, _) = try await world.api(.POST, "/api/v1/people/S1/erase", as: .coordinator, json: #"{"confirm": "S1"}"#)
            #expect(erased == .ok)
            let sql = world.app.db as! any SQLDatabase
            for table in try await Self.allTables(sql) where table != "_fluent_migrations" {
                for line in try await Backup.dump(table, on: sql) {
                    for word in ["S1", "Sara Senior", "sara@example.com", "Sara@Example.com"] {
                        #expect(!Self.wholeWord(word, in: line), "\(table) still names \(word): \(line.prefix(300))")
                    }
                    #expect(table != MatchingTables.rules || !line.contains("Sara"), "the rule's reason still names her: \(line)")
                }
            }
            let (_, rules) = try await world.api(.GET, "\(base)/rules", as: .coordinator)
            #expect(rules.contains("Kai Newcomer asked not to be paired with [erased]"), "\(rules)")
            // Someone new under her old id: no audit line from before is about them.
            _ = try await ImportActions.people(TestWorld.peopleCSV.replacingOccurrences(of: "S1,Sara Senior,sara@example.com", with: "S1,Sam New,sam@example.com"), app: world.app)
            let (_, audit) = try await world.api(.GET, "/api/v1/audit?per=500", as: .coordinator)
            let lines = try #require((try json(audit) as? [String: Any])?["items"] as? [[String: Any]])
            #expect(!lines.contains { ($0["object_id"] as? String) == "S1" && ($0["action"] as? String) != "people.imported" }, "\(lines.filter { ($0["object_id"] as? String) == "S1" })")
        }
    }

    static func wholeWord(_ word: String, in text: String) -> Bool {
        WholeWords.replacing(word, with: "\u{1}", in: text).contains("\u{1}")
    }

    @Test func wholeWordsOnly() {
        #expect(WholeWords.replacing("E1", with: "X", in: #"is with E1. "E1" E10 XE1 E1.5 E1-2 (E1)"#) == #"is with X. "X" E10 XE1 E1.5 E1-2 (X)"#)
        #expect(WholeWords.replacing("Ann Lee", with: "Erased person", in: "Ann Leeds, Ann Lee, Joanne Ann Lee.") == "Ann Leeds, Erased person, Joanne Erased person.")
        #expect(WholeWords.replacing("", with: "X", in: "abc") == "abc")
    }

    /// Logins are stored with lower-cased emails; a person whose HR email has capitals still loses theirs.
    @Test func erasureRemovesTheLoginWhateverTheEmailsCase() async throws {
        try await TestWorld.run { world in
            // A login made before HR imported the person is linked by its email alone.
            _ = try await AccountService(app: world.app).upsertUser(email: "Max.Mixed@Example.com", password: TestWorld.password, role: .coordinator)
            let csv = TestWorld.peopleCSV + "\nX9,Max Mixed,Max.Mixed@Example.com,Analyst,2,2024-01-01,Sales,Lisbon,Europe/Lisbon,S1,"
            #expect(try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: csv).status == .ok)
            #expect(try await UserModel.find(email: "max.mixed@example.com", on: world.app.db) != nil)
            let (status, _) = try await world.api(.POST, "/api/v1/people/X9/erase", as: .coordinator, json: #"{"confirm": "X9"}"#)
            #expect(status == .ok)
            #expect(try await UserModel.find(email: "max.mixed@example.com", on: world.app.db) == nil)
        }
    }

    @Test func erasingFromThePersonPage() async throws {
        try await TestWorld.run { world in
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            let page = try await web.get("/people/J2")
            #expect(page.body.string.contains("id=\"erase-form\"") && page.body.string.contains("id=\"export-link\""))
            let wrong = try await web.post("/people/J2/erase", form: ["confirm": "J1"])
            #expect(wrong.status == .unprocessableEntity)
            let done = try await web.post("/people/J2/erase", form: ["confirm": "J2"])
            #expect(done.status == .ok && done.body.string.contains("id=\"erased\""))
            #expect(try await web.get("/people/J2").status == .notFound)
            let jo = try await WebClient.signedIn(world, as: "jo@example.com")
            #expect(try await jo.post("/people/S1/erase", form: ["confirm": "S1"]).status == .forbidden)
        }
    }
}
