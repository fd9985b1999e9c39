import FlipsideCore
import Foundation
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

@Suite struct MatchingSettingsTests {
    @Test func settingsStoredBeforeAFieldExistedReadAsTheDefaults() throws {
        let old = try JSONDecoder().decode(MatchingSettings.self, from: Data(#"{"min_level_gap":2}"#.utf8))
        #expect(old == MatchingSettings(minLevelGap: 2))
        #expect(old.mode == .coordinator && old.pairsNeedAcceptance && !old.allowRepeatPairs && old.requestDays == 7)
        let all = MatchingSettings(minLevelGap: 3, defaultCapacity: 2, forbidSharedManager: true, requireCommonChannel: false,
                                   perspectiveAttributes: ["background"], weights: ["goal_coverage": 1], mode: .selfService,
                                   pairsNeedAcceptance: false, requestDays: 3, allowRepeatPairs: true)
        #expect(try JSONDecoder().decode(MatchingSettings.self, from: JSONEncoder().encode(all)) == all)
        #expect(all.rules.weights == ["goal_coverage": 1] && all.rules.perspectiveAttributes == ["background"] && all.rules.forbidSharedManager)
    }

    @Test func everyBadSettingIsNamed() {
        let bad = MatchingSettings(minLevelGap: 51, defaultCapacity: 0, perspectiveAttributes: ["ok_1", "not ok"],
                                   weights: ["goal_coverage": -1, "luck": 1, "cadence_fit": .nan], requestDays: 91)
        #expect(Set(bad.problems().map(\.field)) == ["settings.min_level_gap", "settings.default_capacity", "settings.perspective_attributes",
                                                     "settings.weights.goal_coverage", "settings.weights.luck", "settings.weights.cadence_fit",
                                                     "settings.weights", "settings.request_days"])
        #expect(MatchingSettings().problems().isEmpty)
        #expect(MatchingSettings(weights: ["goal_coverage": 0]).problems().map(\.field) == ["settings.weights"])
    }
}
