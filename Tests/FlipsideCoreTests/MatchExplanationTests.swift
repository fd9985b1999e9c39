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

    /// A mentor with a place left never names one of its own mentees as the best it could have: on random
    /// programs, the mentee named is always with someone else or unmatched (this failed in 15 of 11 runs'
    /// mentors before the fix: "The best, P00135 …, is with P01482", P01482 being the mentor itself).
    @Test func aMentorWithAPlaceLeftNeverNamesItsOwnMentee() throws {
        var rng = SeededGenerator(seed: 7)
        let topics = ["figma", "sql", "ai", "tiktok", "python"]
        var checked = 0
        for _ in 0..<40 {
            func someTopics() -> [String: Int] {
                Dictionary(uniqueKeysWithValues: topics.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng)).map { ($0, Int.random(in: 1...5, using: &rng)) })
            }
            let mentees = (0..<Int.random(in: 2...9, using: &rng)).map { Self.person("S\($0)", level: Int.random(in: 5...9, using: &rng), topics: someTopics()) }
            let mentors = (0..<Int.random(in: 1...5, using: &rng)).map { i -> MatchParticipant in
                var p = Self.person("J\(i)", level: Int.random(in: 1...6, using: &rng), topics: someTopics())
                p.capacity = Int.random(in: 1...4, using: &rng)
                return p
            }
            let problem = ScoringProblem(mentees: mentees, mentors: mentors, rules: MatchRules())
            let matrix = problem.matrix()
            let (matching, switching) = try OptimalMatcher.solveWithSwitchingCosts(matrix, capacity: problem.capacity)
            let explanation = MatchExplanation(problem: problem, matrix: matrix, matching: matching, people: [:], switching: switching)
            for open in explanation.mentorsWithFreeCapacity {
                guard let best = open.bestEligibleMentee else { continue }
                #expect(best.currentMentorID != open.id, "\(open.reason)")
                #expect(!open.reason.contains("is with \(open.id) "), "\(open.reason)")
                checked += 1
            }
        }
        #expect(checked > 10)
    }

    /// When every eligible mentee is already the mentor's own, it says so and names nobody.
    @Test func aMentorWhoseOnlyEligibleMenteesAreItsOwnSaysSo() throws {
        var mentor = Self.person("J1", level: 1, topics: ["figma": 5])
        mentor.capacity = 3
        let problem = ScoringProblem(mentees: [Self.person("S1", level: 8, topics: ["figma": 3])], mentors: [mentor], rules: MatchRules())
        let matrix = problem.matrix()
        let (matching, switching) = try OptimalMatcher.solveWithSwitchingCosts(matrix, capacity: problem.capacity)
        let explanation = MatchExplanation(problem: problem, matrix: matrix, matching: matching, people: [:], switching: switching)
        let open = try #require(explanation.mentorsWithFreeCapacity.first)
        #expect(open.bestEligibleMentee == nil && open.eligiblePartners == 1)
        #expect(open.reason.contains("2 place(s) left") && open.reason.contains("already its mentee"))
    }

    /// Absent figures are written as null, as the README and the OpenAPI document say, never left out.
    @Test func absentFiguresAreNullInTheJSON() throws {
        let problem = ScoringProblem(mentees: [Self.person("S1", level: 8, topics: ["figma": 3]), Self.person("S2", level: 8, topics: ["sql": 3])],
                                     mentors: [Self.person("J1", level: 1, topics: ["figma": 5])], rules: MatchRules())
        let matrix = problem.matrix()
        let matching = try StableMatcher.solve(matrix, capacity: problem.capacity)
        let json = try MatchExplanation(problem: problem, matrix: matrix, matching: matching, people: [:]).json()
        #expect(json.contains(#""program_total_change" : null"#) && json.contains(#""best_eligible_mentee" : null"#))
        #expect(json.contains(#""current_mentor_id" : null"#))
    }
}
