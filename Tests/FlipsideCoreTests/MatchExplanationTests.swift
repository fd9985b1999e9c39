import Foundation
import MatchingEngine
import Testing
@testable import FlipsideCore

@Suite struct MatchExplanationTests {
    static func person(_ id: String, level: Int, topics: [String: Int]) -> MatchParticipant {
        MatchParticipant(id: id, level: level, department: "D-\(id)", location: "L", utcOffsetMinutes: 0, managerID: nil,
                         managementChain: [], attributes: [:], channels: [.video], cadence: 1, availableHours: 0,
                         topics: topics, capacity: 1)
    }

    /// Two mentees want the one mentor who teaches figma; the one it matters more to gets her. The other's
    /// reason names who holds the place, with both scores, and what pairing them would cost the program.
    @Test func anUnmatchedMenteeIsToldWhoHoldsThePlaceAndWhatSwitchingCosts() throws {
        let problem = ScoringProblem(mentees: [Self.person("S1", level: 8, topics: ["figma": 3]),
                                               Self.person("S2", level: 8, topics: ["figma": 1, "sql": 3])],
                                     mentors: [Self.person("J1", level: 1, topics: ["figma": 5])], rules: MatchRules())
        let matrix = problem.matrix()
        let (matching, switching) = try OptimalMatcher.solveWithSwitchingCosts(matrix, capacity: problem.capacity)
        #expect(matching.pairs.map(\.row) == [0])
        let explanation = MatchExplanation(problem: problem, matrix: matrix, matching: matching, people: [:], switching: switching)
        let unmatched = try #require(explanation.unmatchedMentees.first)
        #expect(unmatched.id == "S2")
        let best = try #require(unmatched.bestEligible)
        #expect(best.mentorID == "J1" && best.heldBy.map(\.menteeID) == ["S1"])
        // S2 instead of S1: the program keeps one pair and loses the difference of the two scores.
        let change = try #require(best.programTotalChange)
        #expect(abs(change - (matrix[1, 0] - matrix[0, 0])) < 1e-9 && change < 0)
        #expect(best.programPairsChange == 0)
        #expect(unmatched.reason.contains("matched with S1") && unmatched.reason.contains("Pairing them would change the program's total by -"))
        // The same number is S2's first alternative.
        #expect(explanation.alternatives[1].nextBest.first?.programTotalChange == change)
        // Without the optimal solver's prices (another algorithm) nothing is claimed.
        let plain = MatchExplanation(problem: problem, matrix: matrix, matching: matching, people: [:])
        #expect(plain.unmatchedMentees.first?.bestEligible?.programTotalChange == nil)
        #expect(!(plain.unmatchedMentees.first?.reason.contains("Pairing them") ?? true))
    }

    /// A mentor left with a place is told which eligible mentee came closest, where they are instead, and
    /// what moving them would cost.
    @Test func aMentorWithAPlaceLeftIsToldWhoCameClosest() throws {
        let problem = ScoringProblem(mentees: [Self.person("S1", level: 8, topics: ["figma": 3])],
                                     mentors: [Self.person("J1", level: 1, topics: ["figma": 5]),
                                               Self.person("J2", level: 1, topics: ["figma": 2])], rules: MatchRules())
        let matrix = problem.matrix()
        let (matching, switching) = try OptimalMatcher.solveWithSwitchingCosts(matrix, capacity: problem.capacity)
        #expect(matching.pairs.map(\.col) == [0])
        let explanation = MatchExplanation(problem: problem, matrix: matrix, matching: matching, people: [:], switching: switching)
        let open = try #require(explanation.mentorsWithFreeCapacity.first)
        #expect(open.id == "J2" && open.eligiblePartners == 1)
        let best = try #require(open.bestEligibleMentee)
        #expect(best.menteeID == "S1" && best.currentMentorID == "J1" && best.currentScore == matrix[0, 0])
        #expect(abs((best.programTotalChange ?? 0) - (matrix[0, 1] - matrix[0, 0])) < 1e-9 && best.programPairsChange == 0)
        #expect(open.reason.contains("is with J1") && open.reason.contains("moving them here would change the program's total by -"))
    }
}
