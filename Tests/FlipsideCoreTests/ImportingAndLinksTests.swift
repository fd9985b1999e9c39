import FlipsideCore
import FlipsideCoreTestSupport
import Foundation
import Testing

/// The import, profile and sign-in link use cases on in-memory stores: the policy, all-or-nothing, the
/// leavers' access, the program's status read inside the unit of work, and the links' rules.
@Suite struct ImportingAndLinksTests {
    typealias Memory = MemoryImportStore

    static let header = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id,status"
    static let people = """
    \(header)
    M1,Milo Manager,milo@example.com,Director,7,2014-03-01,Engineering,Berlin,Europe/Berlin,,active
    J1,Jo Junior,jo@example.com,Analyst,2,2024-09-01,Engineering,Berlin,Europe/Berlin,M1,active
    """
    static let coordinator = Actor.coordinator(employeeID: nil)
    static let jo = Actor.participant(employeeID: "J1")
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aPeopleImportIsACoordinatorsAndAllOrNothing() async throws {
        let store = Memory()
        await #expect(throws: AccessRefused(.forbidden(code: "forbidden", message: "Only coordinators may do this."))) {
            try await Importing.people(csv: Self.people, actor: Self.jo, now: Self.now, store: store)
        }
        await #expect(throws: AccessRefused(.signInFirst)) {
            try await Importing.people(csv: Self.people, actor: .anonymous, now: Self.now, store: store)
        }
        #expect(try await Importing.people(csv: Self.people, actor: Self.coordinator, now: Self.now, store: store) == ImportCounts(created: 2, updated: 0, unchanged: 0))
        // A file with one bad row changes nothing.
        let bad = Self.people.replacingOccurrences(of: "Jo Junior", with: "Jo Changed") + "\nX1,Bad,not-an-email,T,2,2024-01-01,D,L,UTC,,active"
        await #expect(throws: ImportFailure.self) { try await Importing.people(csv: bad, actor: Self.coordinator, now: Self.now, store: store) }
        #expect(await store.people["J1"]?.name == "Jo Junior")
        #expect(await store.people["X1"] == nil)
        #expect(await store.accessEnded.isEmpty)
    }

    /// A coordinator maps an export once; the next file with the same columns needs no mapping. A
    /// mapping that cannot apply is refused before anything is read, and one given with a failing file is not kept.
    /// The plan is made from a read outside the write lock; when people changed before the write (another
    /// import landed), the import reads and plans again inside it, so its checks hold against what is stored.
    @Test func aPlanMadeBeforeAnotherImportLandedIsMadeAgain() async throws {
        let store = Memory()
        _ = try await Importing.people(csv: Self.people, actor: Self.coordinator, now: Self.now, store: store)
        // Between this import's read and its write, someone else takes ada@example.com.
        await store.setAfterRead { memory in
            await memory.put(Person(employeeID: "A9", name: "Ada Other", email: "ada@example.com", title: "", level: 3,
                                    hireDate: CalendarDate(year: 2020, month: 1, day: 1)!, department: "D", location: "L", timeZone: "UTC", managerID: nil))
        }
        let file = Self.header + "\nA1,Ada New,ada@example.com,Analyst,2,2024-09-01,Engineering,Berlin,Europe/Berlin,M1,active"
        do {
            _ = try await Importing.people(csv: file, actor: Self.coordinator, now: Self.now, store: store)
            Issue.record("the import wrote a plan made before the email was taken")
        } catch let failure as ImportFailure {
            #expect(failure.problems.contains { $0.reason.contains("already used by A9") }, "\(failure)")
        }
        #expect(await store.people["A1"] == nil)
        // Nothing changed meanwhile: the plan made outside the lock is written.
        #expect(try await Importing.people(csv: Self.header + "\nA2,Ann New,ann@example.com,Analyst,2,2024-09-01,Engineering,Berlin,Europe/Berlin,M1,active",
                                           actor: Self.coordinator, now: Self.now, store: store).created == 1)
    }

    @Test func aMappingIsKeptForTheNextFileWithTheSameColumns() async throws {
        let store = Memory()
        let csv = """
        Person Number,Full Name,Mail,Title,Grade,Start,Department,Location,Manager
        J1,Jo Junior,jo@example.com,Analyst,L2,01.09.2024,Sales,Lisbon,
        """
        let mapping = ImportMapping(columns: ["Person Number": "employee_id", "Mail": "email", "Start": "hire_date", "Manager": "manager_id"],
                                    levels: ["L2": 2], dateFormat: .dayMonthDot, timeZone: "Europe/Lisbon")
        await #expect(throws: ImportFailure.self) { try await Importing.people(csv: csv, actor: Self.coordinator, now: Self.now, store: store) }
        await #expect(throws: MappingRejected(problems: [FieldProblem(field: "columns.Mail", reason: "must be one of \((HRExport.fields + ["ignore"]).joined(separator: ", "))")])) {
            try await Importing.people(csv: csv, mapping: ImportMapping(columns: ["Mail": "mail"]), actor: Self.coordinator, now: Self.now, store: store)
        }
        // Given with a file that fails, the mapping is not kept.
        await #expect(throws: ImportFailure.self) {
            try await Importing.people(csv: csv.replacingOccurrences(of: "01.09.2024", with: "31.02.2024"), mapping: mapping, actor: Self.coordinator, now: Self.now, store: store)
        }
        #expect(await store.mappings.isEmpty)
        #expect(try await Importing.people(csv: csv, mapping: mapping, actor: Self.coordinator, now: Self.now, store: store).created == 1)
        let jo = try #require(await store.people["J1"])
        #expect(jo.level == 2 && jo.hireDate == CalendarDate(year: 2024, month: 9, day: 1) && jo.timeZone == "Europe/Lisbon" && jo.attributes.isEmpty)
        let next = csv.replacingOccurrences(of: "Jo Junior", with: "Jo Senior")
        #expect(try await Importing.people(csv: next, actor: Self.coordinator, now: Self.now, store: store).updated == 1)
        #expect(await store.people["J1"]?.name == "Jo Senior")
    }

    @Test func peopleMarkedAsLeftLoseAccessInTheSameImport() async throws {
        let store = Memory()
        _ = try await Importing.people(csv: Self.people, actor: Self.coordinator, now: Self.now, store: store)
        let counts = try await Importing.people(csv: Self.people.replacingOccurrences(of: "M1,active", with: "M1,exited"), actor: .system, now: Self.now, store: store)
        #expect(counts == ImportCounts(created: 0, updated: 1, unchanged: 1))
        #expect(await store.accessEnded == ["J1"])
        #expect(await store.pairsEnded == ["J1"])
        // Someone on leave keeps access.
        _ = try await Importing.people(csv: Self.people.replacingOccurrences(of: "M1,active", with: "M1,on_leave"), actor: .system, now: Self.now, store: store)
        #expect(await store.accessEnded == ["J1"])
    }

    static let program = Program(name: "Pilot", status: .enrolling, settings: MatchingSettings(minLevelGap: 2, defaultCapacity: 1))
    static let enrolmentCSV = """
    employee_id,role,offers,wants,industries,channels,cadence,capacity
    J1,mentor,figma:4,,,video,monthly,1
    """

    @Test func anEnrolmentImportChecksTheProgramInsideTheUnitOfWork() async throws {
        let store = Memory(programs: [Self.program])
        _ = try await Importing.people(csv: Self.people, actor: Self.coordinator, now: Self.now, store: store)
        await #expect(throws: AccessRefused.self) {
            try await Importing.enrolments(csv: Self.enrolmentCSV, into: Self.program.id, actor: Self.jo, store: store)
        }
        await #expect(throws: ProgramError.notFound) {
            try await Importing.enrolments(csv: Self.enrolmentCSV, into: UUID(), actor: Self.coordinator, store: store)
        }
        let first = try await Importing.enrolments(csv: Self.enrolmentCSV, into: Self.program.id, actor: Self.coordinator, store: store)
        #expect(first.counts == ImportCounts(created: 1, updated: 0, unchanged: 0))
        let again = try await Importing.enrolments(csv: Self.enrolmentCSV, into: Self.program.id, actor: Self.coordinator, store: store)
        #expect(again.counts == ImportCounts(created: 0, updated: 0, unchanged: 1))
        // The status the unit of work reads is the one that counts: once matching has begun, nothing is imported.
        await store.setProgramStatus(.matching, of: Self.program.id)
        let changed = Self.enrolmentCSV.replacingOccurrences(of: "figma:4", with: "figma:5")
        let refusal = await #expect(throws: ImportFailure.self) {
            try await Importing.enrolments(csv: changed, into: Self.program.id, actor: Self.coordinator, store: store)
        }
        #expect(refusal?.problems.first?.reason == ProgramError.closedForEnrolment(.matching).message)
        #expect(await store.enrolments.values.first?.offers.first?.proficiency == 4)
    }

    @Test func aPersonChangesOnlyTheirOwnSelfDescribedProfile() async throws {
        let store = Memory()
        _ = try await Importing.people(csv: Self.people, actor: Self.coordinator, now: Self.now, store: store)
        let updated = try await Profiles.update("J1", with: ProfileDraft(timeZone: "Europe/Lisbon", attributes: ["Pronouns": " they/them ", "background": ""]),
                                                actor: Self.jo, store: store)
        #expect(updated.timeZone == "Europe/Lisbon" && updated.attributes["pronouns"] == "they/them")
        #expect(await store.people["J1"]?.attributes["pronouns"] == "they/them")
        await #expect(throws: AccessRefused.self) {
            try await Profiles.update("M1", with: ProfileDraft(timeZone: "UTC"), actor: Self.jo, store: store)
        }
        await #expect(throws: ProfileError.invalid([
            FieldProblem(field: "time_zone", reason: "is not an IANA time zone (e.g. Europe/Berlin)"),
            FieldProblem(field: "attributes.level", reason: "is not a self-described attribute (allowed: pronouns, career_path, previous_industry, background)"),
        ])) {
            try await Profiles.update("J1", with: ProfileDraft(timeZone: "Mars/Olympus", attributes: ["level": "9"]), actor: Self.jo, store: store)
        }
        #expect(await store.people["J1"]?.timeZone == "Europe/Lisbon")   // nothing of a refused change is kept
        await #expect(throws: ProfileError.personNotFound(employeeID: "Z9")) {
            try await Profiles.update("Z9", with: ProfileDraft(), actor: Self.coordinator, store: store)
        }
    }

    @Test func aSignInLinkWorksOnceForSevenDaysWhileItIsTheNewest() async throws {
        let store = Memory()
        _ = try await Importing.people(csv: Self.people, actor: Self.coordinator, now: Self.now, store: store)
        await #expect(throws: AccessRefused.self) {
            try await SignInLinks.issue(for: "J1", actor: Self.jo, now: Self.now, store: store)
        }
        let first = try await SignInLinks.issue(for: "J1", actor: Self.coordinator, now: Self.now, store: store)
        #expect(first.expiresAt == Self.now.addingTimeInterval(7 * 24 * 3600))
        let second = try await SignInLinks.issue(for: "J1", actor: Self.coordinator, now: Self.now, store: store)
        await #expect(throws: SignInLinkError.invalidLink) { try await SignInLinks.person(for: first.token, now: Self.now, store: store) }
        #expect(try await SignInLinks.person(for: second.token, now: Self.now, store: store).employeeID == "J1")
        // Typed twice, long enough: both problems at once.
        await #expect(throws: SignInLinkError.invalid([FieldProblem(field: "password", reason: "must be at least 10 characters"),
                                                       FieldProblem(field: "confirm", reason: "is not the same as the password")])) {
            try await SignInLinks.redeem(second.token, password: "short", confirmation: "other", now: Self.now, store: store)
        }
        _ = try await SignInLinks.redeem(second.token, password: "a long password", confirmation: "a long password", now: Self.now, store: store)
        #expect(await store.passwords["J1"] == "a long password")
        await #expect(throws: SignInLinkError.invalidLink) {
            try await SignInLinks.redeem(second.token, password: "another password", confirmation: "another password", now: Self.now, store: store)
        }
        // Expiry, by the clock handed in.
        let third = try await SignInLinks.issue(for: "J1", actor: Self.coordinator, now: Self.now, store: store)
        let late = Self.now.addingTimeInterval(SignInLinks.lifetime + 1)
        await #expect(throws: SignInLinkError.invalidLink) { try await SignInLinks.person(for: third.token, now: late, store: store) }
        // Someone who has left gets no link, and a link made before they left stops working.
        let fourth = try await SignInLinks.issue(for: "J1", actor: Self.coordinator, now: Self.now, store: store)
        await store.setStatus(.exited, of: "J1")
        await #expect(throws: SignInLinkError.personLeft(name: "Jo Junior", status: .exited)) {
            try await SignInLinks.issue(for: "J1", actor: Self.coordinator, now: Self.now, store: store)
        }
        await #expect(throws: SignInLinkError.accessEnded) {
            try await SignInLinks.redeem(fourth.token, password: "a long password", confirmation: "a long password", now: Self.now, store: store)
        }
        await #expect(throws: SignInLinkError.personNotFound(employeeID: "Z9")) {
            try await SignInLinks.issue(for: "Z9", actor: Self.coordinator, now: Self.now, store: store)
        }
    }
}
