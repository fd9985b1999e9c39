import Fluent
import FlipsideCore
@testable import FlipsideServer
import Testing
import VaporTesting

@Suite(.serialized) struct WebPageTests {
    typealias Role = TestWorld.Role

    func client(_ world: TestWorld, _ role: Role) async throws -> WebClient {
        switch role {
        case .anonymous: return WebClient(app: world.app)
        case .participant: return try await WebClient.signedIn(world, as: "jo@example.com")
        case .coordinator: return try await WebClient.signedIn(world, as: "coord@example.com")
        }
    }

    /// Every page, read by every role. A missing sign-in redirects to the login page.
    @Test(arguments: Role.allCases)
    func everyPageAnswersEachRoleAsDesigned(role: Role) async throws {
        try await TestWorld.run { world in
            let web = try await client(world, role)
            let program = pathID(world.program.id), draft = pathID(world.draft.id)
            let pages: [(String, [Role: HTTPStatus])] = [
                ("/login", [.anonymous: .ok, .participant: .ok, .coordinator: .ok]),
                ("/", [.anonymous: .seeOther, .participant: .seeOther, .coordinator: .seeOther]),
                ("/people", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/people?q=jo&department=Engineering&page=1", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/people/J1", [.anonymous: .seeOther, .participant: .ok, .coordinator: .ok]),
                ("/people/C1", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/people/import", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/messages", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/me/messages", [.anonymous: .seeOther, .participant: .ok, .coordinator: .ok]),
                ("/me/teaching", [.anonymous: .seeOther, .participant: .ok, .coordinator: .forbidden]),
                ("/me/asks", [.anonymous: .seeOther, .participant: .ok, .coordinator: .ok]),
                // Without OIDC_ISSUER there is no identity provider to sign in with.
                ("/auth/oidc", [.anonymous: .notFound, .participant: .notFound, .coordinator: .notFound]),
                ("/auth/oidc/callback?state=x&code=y", [.anonymous: .notFound, .participant: .notFound, .coordinator: .notFound]),
                ("/nominate", [.anonymous: .seeOther, .participant: .ok, .coordinator: .ok]),
                ("/asks/\(pathID(UUID()))", [.anonymous: .seeOther, .participant: .notFound, .coordinator: .notFound]),
                ("/programs/\(program)/gaps", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/programs/\(program)/funnel", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/provisioning", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/who-could-teach", [.anonymous: .seeOther, .participant: .ok, .coordinator: .ok]),
                ("/who-could-teach?topics=figma", [.anonymous: .seeOther, .participant: .ok, .coordinator: .unprocessableEntity]),
                ("/who-could-teach?topics=figma&for=S1", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/programs/\(program)/enrol?from=profile", [.anonymous: .seeOther, .participant: .ok, .coordinator: .forbidden]),
                ("/unsubscribe/\(String(repeating: "a", count: 43))/meeting_reminder", [.anonymous: .notFound, .participant: .notFound, .coordinator: .notFound]),
                ("/programs", [.anonymous: .seeOther, .participant: .ok, .coordinator: .ok]),
                ("/programs/new", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/programs/\(program)", [.anonymous: .seeOther, .participant: .ok, .coordinator: .ok]),
                ("/programs/\(draft)", [.anonymous: .seeOther, .participant: .notFound, .coordinator: .ok]),
                ("/programs/\(program)/edit", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/programs/\(program)/enrolments/import", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/programs/\(program)/enrol", [.anonymous: .seeOther, .participant: .ok, .coordinator: .forbidden]),
                ("/programs/\(program)/matches", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/programs/\(draft)/matches", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/programs/\(program)/matches?algorithm=fair", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/programs/\(program)/matches?algorithm=stable", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/programs/\(program)/matches?algorithm=greedy", [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .badRequest]),
                ("/me", [.anonymous: .seeOther, .participant: .ok, .coordinator: .ok]),
                ("/invite/not-a-real-link", [.anonymous: .notFound, .participant: .notFound, .coordinator: .notFound]),
                ("/openapi.json", [.anonymous: .ok, .participant: .ok, .coordinator: .ok]),
                ("/healthz", [.anonymous: .ok, .participant: .ok, .coordinator: .ok]),
                ("/css/flipside.css", [.anonymous: .ok, .participant: .ok, .coordinator: .ok]),
                ("/no-such-page", [.anonymous: .notFound, .participant: .notFound, .coordinator: .notFound]),
            ]
            for (path, expected) in pages {
                let res = try await web.get(path)
                #expect(res.status == expected[role], "\(role) GET \(path)")
                if res.status == .seeOther && role == .anonymous && path != "/" {
                    #expect(res.headers.first(name: .location)?.hasPrefix("/login?next=") == true)
                }
                #expect(!res.body.string.contains("LeafError"), "\(path) rendered a template error")
            }
        }
    }

    /// Every form, posted by every role, with a valid CSRF token.
    @Test(arguments: Role.allCases)
    func everyFormAnswersEachRoleAsDesigned(role: Role) async throws {
        try await TestWorld.run { world in
            let web = try await client(world, role)
            _ = try await web.get("/login")
            let program = pathID(world.program.id), draft = pathID(world.draft.id)
            let other = pathID(world.otherEnrolment.id)
            let forms: [(String, [String: String], [Role: HTTPStatus])] = [
                ("/programs", ["name": "Web cohort", "purpose": "p", "min_level_gap": "1", "default_capacity": "1"],
                 [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .seeOther]),
                ("/programs/\(program)/enrol", ["role": "mentor", "offers": "gen ai:4", "channels[]": "video", "cadence": "weekly", "capacity": "1"],
                 [.anonymous: .seeOther, .participant: .seeOther, .coordinator: .forbidden]),
                ("/me", ["time_zone": "Europe/Paris", "pronouns": "she/her"], [.anonymous: .seeOther, .participant: .seeOther, .coordinator: .forbidden]),
                ("/me/teaching", ["offers": "sql:4", "channels[]": "video"], [.anonymous: .seeOther, .participant: .seeOther, .coordinator: .forbidden]),
                ("/nominate", ["colleague": "kai@example.com", "topics": "figma"], [.anonymous: .seeOther, .participant: .seeOther, .coordinator: .forbidden]),
                ("/programs/\(program)/invitations-to-enrol", ["employee_ids[]": "J2"], [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/programs/\(program)/enrolments/\(other)/withdraw", [:], [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .seeOther]),
                ("/programs/\(program)/status", ["status": "matching"], [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .seeOther]),
                ("/programs/\(draft)", ["name": "Renamed draft", "purpose": "p", "min_level_gap": "2", "default_capacity": "1"],
                 [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .seeOther]),
                ("/programs/\(draft)/delete", ["confirm": "yes"], [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .seeOther]),
                ("/people/J2/invite", [:], [.anonymous: .seeOther, .participant: .forbidden, .coordinator: .ok]),
                ("/invite/not-a-real-link", ["password": "long enough pass", "confirm": "long enough pass"],
                 [.anonymous: .notFound, .participant: .notFound, .coordinator: .notFound]),
                ("/logout", [:], [.anonymous: .seeOther, .participant: .seeOther, .coordinator: .seeOther]),
            ]
            for (path, form, expected) in forms {
                let res = try await web.post(path, form: form)
                #expect(res.status == expected[role], "\(role) POST \(path): \(res.body.string.prefix(300))")
            }
        }
    }

    /// The calendar feed's address is shown once; afterwards the page says why it cannot be shown again
    /// (only a fingerprint is kept) and what renewing costs.
    @Test func theCalendarFeedPageExplainsWhyItsAddressIsShownOnce() async throws {
        try await TestWorld.run { world in
            let web = try await WebClient.signedIn(world, as: "jo@example.com")
            let before = try await web.get("/me/calendar").body.string
            #expect(!before.contains("id=\"feed-kept\"") && !before.contains("id=\"feed-url\""))
            let made = try await web.post("/me/calendar", form: ["change": "renew"]).body.string
            #expect(made.contains("id=\"feed-url\"") && made.contains("/calendar/"), "\(made.prefix(400))")
            let later = try await web.get("/me/calendar").body.string
            #expect(later.contains("id=\"feed-kept\"") && later.contains("only a fingerprint") && later.contains("stops the old one")
                    && !later.contains("id=\"feed-url\""))
        }
    }

    @Test func formsWithoutTheCSRFTokenAreRefused() async throws {
        try await TestWorld.run { world in
            let anonymous = WebClient(app: world.app)
            _ = try await anonymous.get("/login")
            let login = try await anonymous.post("/login", form: ["email": "coord@example.com", "password": TestWorld.password], csrf: false)
            #expect(login.status == .forbidden)
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            let create = try await web.post("/programs", form: ["name": "Forged"], csrf: false)
            #expect(create.status == .forbidden)
            web.csrf = "forged-token"
            let forged = try await web.post("/programs/\(pathID(world.program.id))/status", form: ["status": "matching"])
            #expect(forged.status == .forbidden)
            let value = try await ProgramService(db: world.app.db).find(world.program.id).status
            #expect(value == .enrolling)
        }
    }

    @Test func signInRotatesTheSessionAndRejectsBadPasswords() async throws {
        try await TestWorld.run { world in
            let web = WebClient(app: world.app)
            _ = try await web.get("/login")
            let before = web.cookie
            let bad = try await web.post("/login", form: ["email": "coord@example.com", "password": "nope nope nope"])
            #expect(bad.status == .unauthorized)
            #expect(bad.body.string.contains("email or password is not right"))
            let good = try await web.post("/login", form: ["email": "coord@example.com", "password": TestWorld.password, "next": "//evil.example/x"])
            #expect(good.status == .seeOther)
            #expect(good.headers.first(name: .location) == "/programs")
            #expect(web.cookie != nil && web.cookie != before)
        }
    }

    @Test func uploadShowsTheErrorTableThenImports() async throws {
        try await TestWorld.run { world in
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            _ = try await web.get("/people/import")
            let header = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id"
            let bad = try await web.upload("/people/import", csv: "\(header)\nN1,New,new@example.com,Analyst,high,2024-01-01,Sales,Lisbon,Europe/Lisbon,GHOST\n")
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("id=\"problems-table\""))
            #expect(bad.body.string.contains("not a level number") && bad.body.string.contains("unknown manager"))
            let value1 = try await world.count(PersonModel.self)
            #expect(value1 == 5)
            let good = try await web.upload("/people/import", csv: "\(header)\nN1,New Person,new@example.com,Analyst,2,2024-01-01,Sales,Lisbon,Europe/Lisbon,S1\n")
            #expect(good.status == .ok)
            #expect(good.body.string.contains("1 created, 0 updated, 0 unchanged"))
            let people = try await web.get("/people?q=new+person")
            #expect(people.body.string.contains("New Person"))
        }
    }

    /// An HR export that does not read yet: the page asks what its columns, grades, statuses, dates and
    /// time zone are, imports with the answers, and the next file with the same columns needs none.
    @Test func anExportIsMappedOnceOnTheUploadPage() async throws {
        try await TestWorld.run { world in
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            _ = try await web.get("/people/import")
            let export = """
            Person No;Full Name;Mail;Role;Grade;Joined;Team;Office;Boss;State
            X1;Xena Export;xena@example.com;Analyst;L2;01.09.2024;Sales;Lisbon;S1;Gone fishing
            """
            let first = try await web.upload("/people/import", csv: export, filename: "export.csv")
            let html = first.body.string
            #expect(first.status == .unprocessableEntity && html.contains("id=\"mapping-form\"") && html.contains("id=\"mapping-missing\""), "\(html.prefix(300))")
            #expect(html.contains(">L2</label>") && !html.contains(">Gone fishing</label>") && !html.contains("the file has e.g."))
            let pending = try #require(html.range(of: #"name="pending" value="([^"]+)""#, options: .regularExpression).map {
                String(html[$0].dropFirst(#"name="pending" value=""#.count).dropLast())
            })
            var form = ["pending": pending, "date_format": "DD.MM.YYYY", "time_zone": "Europe/Lisbon",
                        "column_0": "employee_id", "column_2": "email", "column_3": "title", "column_5": "hire_date", "column_6": "department",
                        "column_7": "location", "column_8": "manager_id", "column_9": "status", "grade_name_0": "L2", "status_name_0": "Gone fishing"]
            // An unanswered grade is still a problem, named by the file's column; the form keeps what was chosen.
            let partial = try await web.post("/people/import/mapping", form: form)
            let again1 = partial.body.string
            #expect(partial.status == .unprocessableEntity && again1.contains("Grade") && again1.contains("value=\"Europe/Lisbon\""))
            // With State read as the status, its unknown word is asked too.
            #expect(again1.contains(">Gone fishing</label>") && again1.contains("<option value=\"status\" selected>") && again1.contains("01.09.2024"), "\(again1)")
            form["grade_0"] = "2"
            form["status_0"] = "exited"
            let mapped = try await web.post("/people/import/mapping", form: form)
            #expect(mapped.status == .ok && mapped.body.string.contains("1 created, 0 updated"), "\(mapped.body.string.prefix(500))")
            let xena = try #require(try await PeopleService(db: world.app.db).find("X1"))
            #expect(xena.level == 2 && xena.status == .exited && xena.hireDate == CalendarDate(year: 2024, month: 9, day: 1) && xena.managerID == "S1")
            // The kept upload is gone once imported.
            #expect(try await web.post("/people/import/mapping", form: form).status == .gone)
            let again = try await web.upload("/people/import", csv: export.replacingOccurrences(of: "Xena Export", with: "Xena Again"), filename: "export.csv")
            #expect(again.status == .ok && again.body.string.contains("0 created, 1 updated"), "\(again.body.string.prefix(500))")
            // A participant cannot map anything.
            let jo = try await WebClient.signedIn(world, as: "jo@example.com")
            #expect(try await jo.post("/people/import/mapping", form: form).status == .forbidden)
        }
    }

    /// A file with more text grades than a form asks at once: the first round asks 50 and says how many
    /// follow, the next asks the rest and carries the earlier answers along, then the file imports.
    @Test func manyGradesAreAskedInRounds() async throws {
        try await TestWorld.run { world in
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            _ = try await web.get("/people/import")
            let rows = (1...60).map { i in
                "G\(i),Grade Person \(i),grade\(i)@example.com,Analyst,Band \(String(format: "%02d", i)),2024-01-01,Sales,Lisbon,Europe/Lisbon,\(i == 1 ? "" : "G1")"
            }
            let csv = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id\n" + rows.joined(separator: "\n")
            let first = try await web.upload("/people/import", csv: csv, filename: "bands.csv")
            let html1 = first.body.string
            #expect(first.status == .unprocessableEntity && html1.contains(">Band 50</label>") && !html1.contains(">Band 51</label>"))
            #expect(html1.contains(#"<p id="grades-later">10 more grades after these"#), "\(html1.prefix(400))")
            // Answer what the page asks (Band NN is level NN), post the form as a browser would.
            var form = Self.formFields(html1, id: "mapping-form")
            for i in 0..<50 { form["grade_\(i)"] = "\(i + 1)" }
            let second = try await web.post("/people/import/mapping", form: form)
            let html2 = second.body.string
            #expect(second.status == .unprocessableEntity && html2.contains(">Band 51</label>") && html2.contains(">Band 60</label>"))
            // The ten new ones first, then forty answered ones to check again; the last ten answers ride along hidden.
            #expect(html2.contains(">Band 40</label>") && !html2.contains(">Band 41</label>") && !html2.contains("grades-later"))
            #expect(html2.contains(#"value="Band 45"><input type="hidden" name="grade_54" value="45">"#))
            var form2 = Self.formFields(html2, id: "mapping-form")
            for i in 0..<10 { form2["grade_\(i)"] = "\(i + 51)" }
            let done = try await web.post("/people/import/mapping", form: form2)
            #expect(done.status == .ok && done.body.string.contains("60 created"), "\(done.body.string.prefix(600))")
            let people = PeopleService(db: world.app.db)
            for (id, level) in [("G7", 7), ("G50", 50), ("G58", 58)] {
                let person = try await people.find(id)
                #expect(person?.level == level)
            }
        }
    }

    /// The fields a browser would send for the form with `id`: inputs with their values, each select's
    /// chosen option.
    static func formFields(_ html: String, id: String) -> [String: String] {
        guard let start = html.range(of: "id=\"\(id)\""), let end = html.range(of: "</form>", range: start.upperBound..<html.endIndex) else { return [:] }
        let form = String(html[start.upperBound..<end.lowerBound])
        var fields: [String: String] = [:]
        func matches(_ pattern: String, in text: String) -> [[String]] {
            let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
            return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { m in
                (0..<m.numberOfRanges).map { Range(m.range(at: $0), in: text).map { String(text[$0]) } ?? "" }
            }
        }
        for m in matches(#"<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)""#, in: form) { fields[m[1]] = m[2] }
        for m in matches(#"<select[^>]*?name="([^"]+)"[^>]*>(.*?)</select>"#, in: form) {
            fields[m[1]] = matches(#"<option value="([^"]*)" selected"#, in: m[2]).first?[1] ?? ""
        }
        return fields
    }

    /// Editing shows the stored values, keeps what was typed when a field is wrong, and saves; deleting
    /// asks for a confirmation, refuses an active program, and removes the program with its enrolments.
    @Test func coordinatorEditsAndDeletesAProgram() async throws {
        try await TestWorld.run { world in
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            let program = pathID(world.program.id)
            let form = try await web.get("/programs/\(program)/edit").body.string
            #expect(form.contains("value=\"\(world.program.name)\"") && form.contains("Save changes") && form.contains("id=\"delete-form\""))
            let bad = try await web.post("/programs/\(program)", form: ["name": "Renamed", "start_date": "2027-02-30", "min_level_gap": "x"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("start_date") && bad.body.string.contains("min_level_gap") && bad.body.string.contains("value=\"Renamed\""))
            let taken = try await web.post("/programs/\(program)", form: ["name": world.draft.name])
            #expect(taken.status == .unprocessableEntity && taken.body.string.contains("already used"))
            let good = try await web.post("/programs/\(program)", form: ["name": "Renamed cohort", "purpose": "New purpose", "start_date": "2027-03-01",
                                                                        "min_level_gap": "2", "default_capacity": "2"])
            #expect(good.status == .seeOther && good.headers.first(name: .location) == "/programs/\(program)")
            let saved = try await ProgramService(db: world.app.db).find(world.program.id)
            #expect(saved.name == "Renamed cohort" && saved.purpose == "New purpose" && saved.startDate?.description == "2027-03-01")
            #expect(saved.settings.minLevelGap == 2 && saved.settings.defaultCapacity == 2 && saved.status == world.program.status)
            // Deleting: the box must be ticked; an active program cannot go; a draft goes with its enrolments.
            let unconfirmed = try await web.post("/programs/\(program)/delete", form: [:])
            #expect(unconfirmed.status == .unprocessableEntity && unconfirmed.body.string.contains("tick the box"))
            for status in ["matching", "active"] { _ = try await web.post("/programs/\(program)/status", form: ["status": status]) }
            let activeForm = try await web.get("/programs/\(program)/edit").body.string
            #expect(!activeForm.contains("id=\"delete-form\"") && activeForm.contains("close it first"))
            let refused = try await web.post("/programs/\(program)/delete", form: ["confirm": "yes"])
            #expect(refused.status == .conflict)
            let enrolled = try await EnrolmentModel.query(on: world.app.db).filter(\.$program.$id == world.program.id).count()
            #expect(enrolled == 2)
            let (imported, _) = try await world.api(.POST, "/api/v1/programs/\(pathID(world.draft.id))/enrolments/import", as: .coordinator,
                                                    csv: "employee_id,role,offers,wants,industries,channels,cadence,capacity\nJ1,mentor,Figma:5,,,video,weekly,1\n")
            #expect(imported == .ok)
            let before = try await EnrolmentModel.query(on: world.app.db).filter(\.$program.$id == world.draft.id).count()
            #expect(before == 1)
            let deleted = try await web.post("/programs/\(pathID(world.draft.id))/delete", form: ["confirm": "yes"])
            #expect(deleted.status == .seeOther && deleted.headers.first(name: .location) == "/programs")
            let left = try await EnrolmentModel.query(on: world.app.db).filter(\.$program.$id == world.draft.id).count()
            #expect(left == 0)
            #expect(try await web.get("/programs/\(pathID(world.draft.id))").status == .notFound)
        }
    }

    @Test func matchPreviewPairsAndExplains() async throws {
        try await TestWorld.run { world in
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            // S1 (level 6, Sales) wants figma; J2 (level 1, reports to S1) offers it: same chain, so no pair.
            let blocked = try await web.get("/programs/\(pathID(world.program.id))/matches").body.string
            #expect(blocked.contains("Pairs: 0") && blocked.contains("same_reporting_chain"))
            // A mentor outside S1's chain makes a pair whose score and covered goal are shown.
            let header = "employee_id,role,offers,wants,industries,channels,cadence,capacity"
            _ = try await world.api(.POST, "/api/v1/programs/\(pathID(world.program.id))/enrolments/import", as: .coordinator,
                                    csv: "\(header)\nJ1,mentor,Figma:5,,,video,weekly,1\n")
            let page = try await web.get("/programs/\(pathID(world.program.id))/matches").body.string
            #expect(page.contains("Pairs: 1") && page.contains("id=\"pairs-table\""))
            #expect(page.contains("Sara Senior") && page.contains("Jo Junior") && page.contains("figma (wants 3, knows 5)"))
        }
    }

    /// On the demo program the three pairings differ as they should: the best total is highest for
    /// "optimal", the lowest pair is highest for "fair", and all three match as many as they can.
    @Test func thePreviewComparesTheThreePairings() async throws {
        try await TestWorld.run { world in
            _ = try await DemoLoader.load(into: world.app)
            let demo = try #require(try await ProgramModel.query(on: world.app.db).filter(\.$name == DemoOrganisation.programName).first())
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            var seen: [String: (pairs: Int, total: Double, lowest: Double)] = [:]
            for algorithm in ["optimal", "fair", "stable"] {
                let page = try await web.get("/programs/\(pathID(try demo.requireID()))/matches?algorithm=\(algorithm)").body.string
                let summary = try #require(page.range(of: #"Pairs: [0-9]+</strong>[^<]*"#, options: .regularExpression))
                let numbers = page[summary].split(whereSeparator: { !"0123456789.".contains($0) }).compactMap { Double($0) }
                // Pairs, mentees, mentors, total, average, (100), lowest.
                seen[algorithm] = (Int(numbers[0]), numbers[3], numbers[6])
                #expect(page.contains("value=\"\(algorithm)\" style=\"width:auto\" checked"))
            }
            let optimal = try #require(seen["optimal"]), fair = try #require(seen["fair"]), stable = try #require(seen["stable"])
            #expect(optimal.pairs >= 30 && fair.pairs == optimal.pairs && stable.pairs <= optimal.pairs)
            #expect(optimal.total >= fair.total - 0.05 && optimal.total >= stable.total - 0.05)
            #expect(fair.lowest >= optimal.lowest - 0.05)
        }
    }

    /// The rules see the whole reporting line, including managers who are not enrolled: Cora is Jo's
    /// skip-level manager through Milo, who is not in the program. A second eligible mentor gives Sara an
    /// alternative, with what switching would do to the program.
    @Test func matchPreviewWalksUnenrolledManagersAndShowsAlternatives() async throws {
        try await TestWorld.run { world in
            let program = pathID(world.program.id)
            let status = try await world.addAnaAndEnrol("J1,mentor,Figma:5,,,video,weekly,1\nC1,mentee,,Figma:3,,video,weekly,\n")
            #expect(status == .ok)
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            let page = try await web.get("/programs/\(program)/matches").body.string
            // Cora may not be mentored by anyone below her: J1 (via Milo), J2 (via Sara).
            #expect(page.contains("Pairs: 1"))
            let unmatched = try #require(page.range(of: "id=\"unmatched\""))
            #expect(page[unmatched.lowerBound...].contains("Cora Chief") && page.contains("same_reporting_chain (2)"))
            // Ana is not enrolled yet: no alternative for Sara.
            #expect(!page.contains("id=\"alternatives-table\""))
            #expect(try await world.enrol("J3,mentor,Figma:2,,,video,weekly,1\n") == .ok)
            let withAlternative = try await web.get("/programs/\(program)/matches").body.string
            let table = try #require(withAlternative.range(of: "id=\"alternatives-table\""))
            let rest = withAlternative[table.lowerBound...]
            #expect(rest.contains("Sara Senior") && rest.contains("Ana Fresh"))
            #expect(rest.contains("program total −"))
        }
    }

    @Test func personPageShowsTheReportingLine() async throws {
        try await TestWorld.run { world in
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            let page = try await web.get("/people/J1").body.string
            let cora = try #require(page.range(of: "Cora Chief")), milo = try #require(page.range(of: "Milo Manager"))
            #expect(cora.lowerBound < milo.lowerBound)
            #expect(page.contains("bootcamp"))
        }
    }

    @Test func participantEnrolsThroughTheFormAndSeesErrors() async throws {
        try await TestWorld.run { world in
            let web = try await WebClient.signedIn(world, as: "jo@example.com")
            let path = "/programs/\(pathID(world.program.id))/enrol"
            _ = try await web.get(path)
            let bad = try await web.post(path, form: ["role": "mentor", "offers": "figma:9", "cadence": "weekly"])
            #expect(bad.status == .unprocessableEntity)
            // One parser: no channel ticked is the API's "no channels", with the API's words.
            #expect(bad.body.string.contains("proficiency must be") && bad.body.string.contains("at least one channel is needed"))
            // The form answers as the API does: a mentor's wants and a capacity that is no number are refused.
            let wants = try await web.post(path, form: ["role": "mentor", "offers": "figma:4", "wants": "python:2", "channels[]": "chat", "capacity": "two"])
            #expect(wants.status == .unprocessableEntity)
            #expect(wants.body.string.contains("is for mentees") && wants.body.string.contains("must be a whole number"))
            let (api, apiBody) = try await world.api(.POST, "/api/v1/programs/\(pathID(world.program.id))/enrolments", as: .participant,
                                                     json: #"{"role":"mentor","offers":[{"topic":"figma","proficiency":4}],"wants":[{"topic":"python","priority":2}],"channels":["chat"]}"#)
            #expect(api == .unprocessableEntity && apiBody.contains("is for mentees"))
            let good = try await web.post(path, form: ["role": "mentor", "offers": "Figma:4; gen ai:3", "channels[]": "chat", "cadence": "monthly", "availability": "9-11"])
            #expect(good.status == .seeOther)
            let enrolment = try #require(try await EnrolmentService(db: world.app.db).enrolment(of: "J1", in: world.program.id))
            #expect(enrolment.offers.map(\.topic.key) == ["figma", "gen-ai"])
            #expect(enrolment.channels == [.chat] && enrolment.cadence == .monthly)
            let page = try await web.get("/programs/\(pathID(world.program.id))")
            #expect(page.body.string.contains("id=\"own-enrolment\""))
        }
    }
}
