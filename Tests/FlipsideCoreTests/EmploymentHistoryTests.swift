import FlipsideCore
import FlipsideCoreTestSupport
import Foundation
import Testing

/// The HR history: what an import or a provisioning write records, where someone stood on a day, and
/// the figures that place people as they stood on a program's start (strata, participation, promotion).
@Suite struct EmploymentHistoryTests {
    static func employment(_ id: String, level: Int, department: String, hired: String = "2020-01-01", exit: String? = nil) -> Employment {
        Employment(Fixtures.person(id, level: level, department: department, hired: hired, exit: exit))
    }

    static func change(_ id: String, _ day: String, from: (Int, String), to: (Int, String)) -> EmploymentChange {
        EmploymentChange(employeeID: id, effective: Fixtures.day(day), before: Placement(level: from.0, department: from.1, location: "L"),
                         after: Placement(level: to.0, department: to.1, location: "L"))
    }

    @Test func aChangeIsRecordedOnlyWhenThePlacementMoves() {
        let day = Fixtures.day("2026-12-01")
        let old = Fixtures.person("P1", level: 2, department: "Sales")
        #expect(EmploymentChange(from: nil, to: old, on: day) == nil)
        var renamed = old
        renamed.name = "Someone Else"
        renamed.title = "New title"
        #expect(EmploymentChange(from: old, to: renamed, on: day) == nil)
        var promoted = old
        promoted.level = 3
        let change = EmploymentChange(from: old, to: promoted, on: day)
        #expect(change?.before.level == 2 && change?.after.level == 3 && change?.effective == day && change?.isPromotion == true)
        var moved = old
        moved.department = "Finance"
        #expect(EmploymentChange(from: old, to: moved, on: day)?.isPromotion == false)
    }

    /// Random chains of changes: the placement on any day is what replaying every change up to that day
    /// from the earliest known placement gives, and now is where the person stands.
    @Test(arguments: 0..<30) func thePlacementOnADayIsTheReplayedHistory(seed: UInt64) {
        var random = SeededGenerator(seed: seed)
        let departments = ["A", "B", "C"]
        var placement = Placement(level: Int.random(in: 1...5, using: &random), department: "A", location: "L")
        let earliest = placement
        var changes: [EmploymentChange] = []
        var day = Fixtures.day("2024-01-01").dayNumber
        for _ in 0..<Int.random(in: 0...6, using: &random) {
            day += Int.random(in: 0...200, using: &random) // two changes may share a day
            var next = placement
            if Bool.random(using: &random) { next.level += Int.random(in: -1...2, using: &random) } else { next.department = departments.randomElement(using: &random)! }
            changes.append(EmploymentChange(employeeID: "P", effective: CalendarDate(dayNumber: day), before: placement, after: next))
            placement = next
        }
        let now = Employment(employeeID: "P", level: placement.level, department: placement.department, location: "L",
                             hireDate: Fixtures.day("2020-01-01"), status: .active, exitDate: nil)
        let history = EmploymentHistory(changes)
        for probe in stride(from: Fixtures.day("2023-12-01").dayNumber, through: day + 30, by: 7) {
            var replayed = earliest
            for c in changes where c.effective.dayNumber <= probe { replayed = c.after }
            #expect(history.placement(of: now, on: CalendarDate(dayNumber: probe)) == replayed, "seed \(seed), day \(CalendarDate(dayNumber: probe))")
        }
        let firstUp = changes.first { $0.after.level > $0.before.level && $0.effective > Fixtures.day("2023-12-31") }?.effective
        #expect(history.firstPromotion(of: "P", after: Fixtures.day("2023-12-31")) == firstUp)
    }

    @Test func anImportRecordsWhoMovedEffectiveToday() async throws {
        let store = MemoryImportStore()
        let coordinator = Actor.coordinator(employeeID: nil)
        let header = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id"
        let before = """
        \(header)
        M1,Milo,milo@example.com,Director,7,2014-03-01,Engineering,Berlin,Europe/Berlin,
        J1,Jo,jo@example.com,Analyst,2,2024-09-01,Engineering,Berlin,Europe/Berlin,M1
        K1,Kim,kim@example.com,Analyst,2,2024-09-01,Sales,Berlin,Europe/Berlin,M1
        """
        let now = Fixtures.date("2026-12-04T10:00:00Z")
        _ = try await Importing.people(csv: before, actor: coordinator, now: now, store: store)
        #expect(await store.history.isEmpty) // nothing was known before: nothing changed
        // Jo is promoted, Kim moves to London under a new title, Milo only changes title.
        let after = """
        \(header)
        M1,Milo,milo@example.com,VP,7,2014-03-01,Engineering,Berlin,Europe/Berlin,
        J1,Jo,jo@example.com,Senior Analyst,3,2024-09-01,Engineering,Berlin,Europe/Berlin,M1
        K1,Kim,kim@example.com,Specialist,2,2024-09-01,Sales,London,Europe/London,M1
        """
        #expect(try await Importing.people(csv: after, actor: coordinator, now: now, store: store).updated == 3)
        let recorded = await store.history
        #expect(recorded.map(\.employeeID).sorted() == ["J1", "K1"])
        #expect(recorded.allSatisfy { $0.effective == Fixtures.day("2026-12-04") })
        #expect(recorded.first { $0.employeeID == "J1" }.map { "\($0.before.level)→\($0.after.level)" } == "2→3")
        #expect(recorded.first { $0.employeeID == "K1" }.map { "\($0.before.location)→\($0.after.location)" } == "Berlin→London")
        // The same file again changes nothing and records nothing.
        _ = try await Importing.people(csv: after, actor: coordinator, now: now, store: store)
        #expect(await store.history.count == 2)
    }

    @Test func aProvisioningWriteRecordsAMove() async throws {
        let store = MemoryProvisioningStore(people: [Fixtures.person("C1", level: 9), Fixtures.person("J1", level: 2, manager: "C1")])
        let now = Fixtures.date("2026-12-01T09:00:00Z")
        _ = try await Provisioning.change("J1", mode: .keepUnsent, actor: .provisioning, now: now, defaults: .init(), store: store) { current in
            var user = ProvisioningTests.user(of: current)
            user.department = "Finance"
            return user
        }
        let recorded = await store.history
        #expect(recorded.count == 1 && recorded[0].before.department == "D" && recorded[0].after.department == "Finance" && recorded[0].effective == Fixtures.day("2026-12-01"))
        // A write that moves nothing records nothing.
        _ = try await Provisioning.change("J1", mode: .keepUnsent, actor: .provisioning, now: now, defaults: .init(), store: store) { ProvisioningTests.user(of: $0) }
        #expect(await store.history.count == 1)
    }

    /// Someone who moved from Sales to Finance after the start is compared as the Sales person they were.
    @Test func strataAreFormedFromThePlacementOnTheStartDay() {
        let start = Fixtures.day("2026-01-01")
        let people = [
            Self.employment("M1", level: 1, department: "Sales", hired: "2025-06-01"),
            Self.employment("C1", level: 1, department: "Finance", hired: "2025-06-01"), // Sales on the start day
            Self.employment("C2", level: 2, department: "Sales", hired: "2025-06-01"),   // Finance on the start day
        ]
        let history = EmploymentHistory([Self.change("C1", "2026-03-01", from: (1, "Sales"), to: (1, "Finance")),
                                         Self.change("C2", "2026-02-01", from: (2, "Finance"), to: (2, "Sales"))])
        let workforce = Workforce(people, history: history)
        let today = RetentionAnalysis(people: people, mentorIDs: ["M1"], menteeIDs: [], start: start, censor: Fixtures.day("2026-12-01"))
        let then = RetentionAnalysis(people: workforce.asOf(start), mentorIDs: ["M1"], menteeIDs: [], start: start, censor: Fixtures.day("2026-12-01"))
        #expect(today.comparison.people == 1 && today.comparisonFormed.description.contains("(1 people)"))
        #expect(then.comparison.people == 1)
        // The one compared is C1 (Sales then), not C2 (Sales now): their placements on the start day.
        #expect(workforce.asOf(start).first { $0.employeeID == "C1" }?.department == "Sales")
        #expect(workforce.asOf(start).first { $0.employeeID == "C2" }?.department == "Finance")
        #expect(workforce.asOf(Fixtures.day("2026-06-01")).map(\.department) == ["Sales", "Finance", "Sales"])
    }

    /// Participation tables count a program's people as they stood on its start, and the overview adds the
    /// programs up.
    @Test func participationCountsPeopleAsTheyStoodOnTheProgramsStart() {
        let everyone = (0..<10).map { Self.employment("S\($0)", level: 1, department: "Sales") }
            + (0..<10).map { Self.employment("F\($0)", level: 1, department: "Finance") }
        // Five of the Finance people were in Sales until after the program started.
        let history = EmploymentHistory((0..<5).map { Self.change("F\($0)", "2026-06-01", from: (1, "Sales"), to: (1, "Finance")) })
        let id = UUID()
        let program = ParticipationTables.Program(id: id, day: Fixtures.day("2026-01-01"), employeeIDs: (0..<10).map { "F\($0)" })
        let tables = ParticipationTables(programs: [program], workforce: Workforce(everyone, history: history))
        let departments = tables.byProgram[id]!.first { $0.dimension == "department" }!
        #expect(departments.rows.first { $0.value == "Sales" }?.participants == .value(5))
        #expect(departments.rows.first { $0.value == "Finance" }?.participants == .value(5))
        // The organisation column is everyone employed now, as they are now.
        #expect(departments.rows.first { $0.value == "Finance" }?.organisation == .value(10))
    }

    @Test func promotionFollowsMentorsToTheirFirstPromotionAndCensorsLeavers() {
        let start = Fixtures.day("2026-01-01"), censor = Fixtures.day("2026-12-31")
        var people: [Employment] = [], changes: [EmploymentChange] = []
        // Twelve mentors: six promoted (days 31 to 181), one promoted before the start only, one who left unpromoted.
        for i in 0..<12 {
            people.append(Self.employment("M\(i)", level: 2, department: "Sales", hired: "2024-01-01", exit: i == 11 ? "2026-04-11" : nil))
            if i < 6 { changes.append(Self.change("M\(i)", CalendarDate(dayNumber: start.dayNumber + 31 + 30 * i).description, from: (1, "Sales"), to: (2, "Sales"))) }
        }
        changes.append(Self.change("M6", "2025-06-01", from: (1, "Sales"), to: (2, "Sales")))
        // Twenty alike who did not take part (as they stood on the start day): two promoted; a demotion is no promotion.
        for i in 0..<20 { people.append(Self.employment("C\(i)", level: 2, department: "Sales", hired: "2024-01-01")) }
        changes.append(Self.change("C0", "2026-05-01", from: (2, "Sales"), to: (3, "Sales")))
        changes.append(Self.change("C1", "2026-08-01", from: (2, "Sales"), to: (3, "Sales")))
        changes.append(Self.change("C2", "2026-03-01", from: (3, "Sales"), to: (2, "Sales")))
        // Someone unlike them (level band 5–6) and a mentee.
        people.append(Self.employment("X", level: 5, department: "Sales", hired: "2024-01-01"))
        people.append(Self.employment("E", level: 2, department: "Sales", hired: "2024-01-01"))
        let workforce = Workforce(people, history: EmploymentHistory(changes))
        let a = PromotionAnalysis(people: workforce.asOf(start), history: workforce.history, mentorIDs: Set((0..<12).map { "M\($0)" }),
                                  menteeIDs: ["E"], start: start, censor: censor)
        // On the start day, M0–M5 were at level 1 (levels 1–2 band), like everyone else here but X; C2 was at 3 (levels 3–4).
        #expect(a.mentors.people == 12 && a.mentors.exits == 6)
        #expect(a.comparison.people == 19 && a.comparison.exits == 2) // C0…C19 but C2; E took part
        #expect(a.comparisonFormed.description.contains("a mentor's"))
        // The leaver is censored at 100 days: six are at risk at the sixth promotion (day 181).
        let last = a.mentors.curve.steps.first { $0.time == 181 }
        #expect(last?.atRisk == 6 && last?.exits == 1)
        #expect(a.mentors.curve.steps.contains { $0.time == 100 && $0.censored == 1 })
        #expect(abs((a.mentors.curve.at(181)?.survival ?? 0) - (11.0 / 12 * 10 / 11 * 9 / 10 * 7 / 8 * 6 / 7 * 5 / 6)) < 1e-12)
        #expect(a.caveat?.contains("Too few people") == true) // twelve mentors: fewer than 20

        // As published: the mentors' curve is shown only while five are at risk; the comparison group's
        // two promotions are hidden, and so is its curve; no test between a shown and a hidden curve.
        let f = PromotionFigures(a, start: start, censor: censor)
        #expect(f.groups[0].people == .value(12) && f.groups[0].exits == .value(6) && f.groups[0].steps.allSatisfy { $0.atRisk >= 5 })
        #expect(f.groups[1].people == .value(19) && f.groups[1].exits == .hidden(.small) && f.groups[1].steps.isEmpty)
        #expect(f.mentorsVsComparison == nil)
    }
}
