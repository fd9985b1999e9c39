import FlipsideCore
import Testing

@Suite struct ProgramTests {
    static let legal: Set<[ProgramStatus]> = [[.draft, .enrolling], [.enrolling, .matching], [.matching, .enrolling],
                                             [.matching, .active], [.active, .closed]]

    @Test(arguments: ProgramStatus.allCases, ProgramStatus.allCases)
    func onlyLegalTransitionsSucceed(from: ProgramStatus, to: ProgramStatus) {
        var program = Program(name: "Cohort", status: from)
        let isLegal = Self.legal.contains([from, to])
        do {
            try program.transition(to: to)
            #expect(isLegal, "\(from) → \(to) should have been refused")
            #expect(program.status == to)
        } catch {
            #expect(!isLegal, "\(from) → \(to) should have been allowed")
            #expect(error == .illegalTransition(from: from, to: to))
            #expect(program.status == from)
        }
    }

    @Test func validationNamesEveryBadField() {
        let program = Program(name: " ", startDate: CalendarDate(iso: "2027-02-01"), endDate: CalendarDate(iso: "2027-01-01"),
                              settings: MatchingSettings(minLevelGap: -1, defaultCapacity: 0))
        #expect(throws: ProgramError.self) { try program.validate() }
        do { try program.validate() } catch {
            guard case let .invalid(problems) = error else { Issue.record("expected invalid"); return }
            #expect(Set(problems.map(\.field)) == ["name", "end_date", "settings.min_level_gap", "settings.default_capacity"])
        }
    }

    @Test func closedProgramExplainsItsState() {
        #expect(ProgramError.illegalTransition(from: .closed, to: .active).message.contains("closed for good"))
    }

    @Test func defaultCapacityByRoleAndWhenAProgramCanBeDeleted() {
        var program = Program(name: "P", settings: MatchingSettings(minLevelGap: 1, defaultCapacity: 3))
        #expect(program.defaultCapacity(for: .mentor) == 3 && program.defaultCapacity(for: .mentee) == 1)
        for status in ProgramStatus.allCases {
            program.status = status
            #expect((program.deletionBlocker == nil) == (status != .active), "\(status)")
        }
    }
}
