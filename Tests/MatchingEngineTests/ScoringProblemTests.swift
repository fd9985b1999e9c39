import Foundation
@testable import MatchingEngine
import Testing

@Suite struct ScoringProblemTests {
    static func person(_ id: String, level: Int, dept: String = "D", loc: String = "L", offset: Int = 0, manager: String? = nil,
                       chain: [String] = [], attributes: [String: String] = [:], channels: ChannelSet = [.video],
                       cadence: Int = 1, hours: UInt32 = 0, topics: [String: Int] = [:], capacity: Int = 1) -> MatchParticipant {
        MatchParticipant(id: id, level: level, department: dept, location: loc, utcOffsetMinutes: offset, managerID: manager,
                         managementChain: chain, attributes: attributes, channels: channels, cadence: cadence,
                         availableHours: hours, topics: topics, capacity: capacity)
    }

    @Test func everyHardRuleExcludesItsPairAndIsNamed() {
        var rules = MatchRules()
        rules.minLevelGap = 2
        rules.forbidSharedManager = true
        rules.exclusions = [["S5", "J5"]]
        let mentees = [Self.person("S1", level: 7), Self.person("S2", level: 7, chain: ["M", "J2"]),
                       Self.person("S3", level: 7, manager: "M"), Self.person("S4", level: 7, channels: [.chat]),
                       Self.person("S5", level: 7), Self.person("S6", level: 7)]
        let mentors = [Self.person("J1", level: 6), Self.person("J2", level: 2), Self.person("J3", level: 2, manager: "M"),
                       Self.person("J4", level: 2, channels: [.video, .inPerson]), Self.person("J5", level: 2),
                       Self.person("J6", level: 2, chain: ["S6"])]
        let p = ScoringProblem(mentees: mentees, mentors: mentors, rules: rules)
        #expect(p.brokenRule(mentee: 0, mentor: 0) == .levelGap)
        #expect(p.brokenRule(mentee: 1, mentor: 1) == .sameReportingChain)      // the mentor is above the mentee
        #expect(p.brokenRule(mentee: 5, mentor: 5) == .sameReportingChain)      // the mentee is above the mentor
        #expect(p.brokenRule(mentee: 2, mentor: 2) == .sharedManager)
        #expect(p.brokenRule(mentee: 3, mentor: 3) == .noCommonChannel)
        #expect(p.brokenRule(mentee: 4, mentor: 4) == .excluded)
        #expect(p.brokenRule(mentee: 0, mentor: 1) == nil)
        let m = p.matrix()
        #expect(!m.isAllowed(0, 0) && m.isAllowed(0, 1))
        rules.forbidSharedManager = false
        rules.requireCommonChannel = false
        let relaxed = ScoringProblem(mentees: mentees, mentors: mentors, rules: rules)
        #expect(relaxed.brokenRule(mentee: 2, mentor: 2) == nil && relaxed.brokenRule(mentee: 3, mentor: 3) == nil)
    }

    @Test func componentsFollowTheirDefinitions() throws {
        let mentee = Self.person("S", level: 8, dept: "Sales", loc: "London", offset: 0, attributes: ["career_path": "graduate"],
                                 channels: [.video, .chat], cadence: 0, hours: 0b1111 << 9, topics: ["gen-ai": 3, "figma": 1])
        let mentor = Self.person("J", level: 2, dept: "Sales", loc: "Berlin", offset: 60, attributes: ["career_path": "bootcamp"],
                                 channels: [.video], cadence: 1, hours: 0b1111 << 10, topics: ["gen-ai": 5, "python": 4])
        let p = ScoringProblem(mentees: [mentee], mentors: [mentor], rules: MatchRules())
        let c = p.components(mentee: 0, mentor: 0)
        #expect(abs(c[0] - 3.0 / 4.0) < 1e-12)             // goal: (3·5/5 + 1·0) / (3 + 1)
        #expect(abs(c[1] - 2.0 / 4.0) < 1e-12)             // location and career path differ; department same; previous_industry missing
        #expect(c[2] == 0.5)                                 // video of {video, chat}
        #expect(c[3] == 0.5)                                 // weekly vs biweekly
        // 9–13 London (UTC) and 10–14 Berlin (UTC 9–13): full overlap.
        #expect(c[4] == 1)
        let score = try #require(p.score(mentee: 0, mentor: 0))
        #expect(abs(score - (50 * 0.75 + 20 * 0.5 + 10 * 0.5 + 10 * 0.5 + 10 * 1)) < 1e-9)
        #expect(p.coveredTopics(mentee: 0, mentor: 0).map(\.topic) == ["gen-ai"])
    }

    @Test func weightsAreScaledAndChecked() throws {
        var rules = MatchRules()
        rules.weights = ["goal_coverage": 1, "channel_fit": 1]
        #expect(rules.normalisedWeights == [50, 0, 50, 0, 0])
        rules.weights = ["goal_coverage": -1, "luck": 3]
        #expect(rules.problems().count == 2)
        let decoded = try JSONDecoder.decode(#"{"min_level_gap": 3, "weights": {"goal_coverage": 2}}"#)
        #expect(decoded.minLevelGap == 3 && decoded.requireCommonChannel && decoded.normalisedWeights[0] == 100)
    }

    @Test func matrixAgreesWithPairByPairScores() {
        var rng = TestRandom(state: 3)
        let topics = ["a", "b", "c", "d", "e"]
        func random(_ id: String, _ level: Int, mentor: Bool) -> MatchParticipant {
            Self.person(id, level: level, dept: ["X", "Y"].randomElement(using: &rng)!, loc: ["P", "Q", "R"].randomElement(using: &rng)!,
                        offset: [0, 60, -300].randomElement(using: &rng)!, chain: [],
                        channels: ChannelSet(rawValue: UInt8.random(in: 1...7, using: &rng)), cadence: Int.random(in: 0...2, using: &rng),
                        hours: UInt32.random(in: 0...0xFFFFFF, using: &rng),
                        topics: Dictionary(uniqueKeysWithValues: topics.shuffled(using: &rng).prefix(2).map { ($0, Int.random(in: 1...(mentor ? 5 : 3), using: &rng)) }))
        }
        let p = ScoringProblem(mentees: (0..<70).map { random("S\($0)", 6 + $0 % 3, mentor: false) },
                               mentors: (0..<90).map { random("J\($0)", 1 + $0 % 6, mentor: true) }, rules: MatchRules())
        let m = p.matrix()
        for i in 0..<70 { for j in 0..<90 {
            let s = p.score(mentee: i, mentor: j)
            #expect(s == (m.isAllowed(i, j) ? m[i, j] : nil))
            if let s { #expect(s >= 0 && s <= 100) }
        } }
    }
}

extension ScoringProblemTests {
    /// The row kernel against the pair-by-pair definition, bit for bit, over random programs with every
    /// rule in play: reporting chains both ways, shared managers, channels, exclusions, overrides,
    /// earlier pairs, perspective attributes, weights, hours and offsets, empty goals and duplicate ids.
    @Test func theRowKernelGivesEveryPairItsOwnScore() {
        var rng = TestRandom(state: 11)
        for round in 0..<60 {
            let people = (0..<40).map { "P\($0)" }
            let topics = ["a", "b", "c", "d", "e", "f"]
            func someone() -> String { people.randomElement(using: &rng)! }
            func random(_ id: String, mentor: Bool) -> MatchParticipant {
                let chain = (0..<Int.random(in: 0...3, using: &rng)).map { _ in someone() }
                var attributes: [String: String] = [:]
                for a in ["career_path", "previous_industry", "other"] where Bool.random(using: &rng) { attributes[a] = ["x", "y"].randomElement(using: &rng)! }
                return Self.person(id, level: Int.random(in: 1...9, using: &rng), dept: ["X", "Y"].randomElement(using: &rng)!,
                                   loc: ["P", "Q", "R"].randomElement(using: &rng)!, offset: [0, 60, -300, 330, 720].randomElement(using: &rng)!,
                                   manager: Bool.random(using: &rng) ? chain.first ?? someone() : nil, chain: chain, attributes: attributes,
                                   channels: ChannelSet(rawValue: UInt8.random(in: 0...7, using: &rng)), cadence: Int.random(in: 0...2, using: &rng),
                                   hours: Bool.random(using: &rng) ? 0 : UInt32.random(in: 0...0xFFFFFF, using: &rng),
                                   topics: Dictionary(uniqueKeysWithValues: topics.shuffled(using: &rng).prefix(Int.random(in: 0...4, using: &rng))
                                       .map { ($0, Int.random(in: 1...(mentor ? 5 : 3), using: &rng)) }))
            }
            let mentees = (0..<Int.random(in: 1...25, using: &rng)).map { _ in random(someone(), mentor: false) }
            let mentors = (0..<Int.random(in: 1...25, using: &rng)).map { _ in random(someone(), mentor: true) }
            var rules = MatchRules()
            rules.minLevelGap = Int.random(in: -1...3, using: &rng)
            rules.forbidSharedManager = Bool.random(using: &rng)
            rules.requireCommonChannel = Bool.random(using: &rng)
            if round % 3 == 0 { rules.perspectiveAttributes = ["other"] }
            if round % 4 == 0 { rules.weights = ["goal_coverage": Double.random(in: 0...3, using: &rng), "availability": 1, "cadence_fit": 0.3] }
            func pair() -> [String] { [mentees.randomElement(using: &rng)!.id, mentors.randomElement(using: &rng)!.id] }
            rules.exclusions = (0..<Int.random(in: 0...4, using: &rng)).map { _ in pair() }
            rules.pastPairs = (0..<Int.random(in: 0...4, using: &rng)).map { _ in pair() }
            rules.overrides = (0..<Int.random(in: 0...4, using: &rng)).map { _ in let p = pair(); return RuleOverride(menteeID: p[0], mentorID: p[1], reason: "agreed") }
            let problem = ScoringProblem(mentees: mentees, mentors: mentors, rules: rules)
            let matrix = problem.matrix()
            for i in mentees.indices { for j in mentors.indices {
                let expected = problem.score(mentee: i, mentor: j) ?? -.infinity
                #expect(matrix[i, j].bitPattern == expected.bitPattern, "round \(round) pair \(i), \(j)")
            } }
        }
    }
}

extension JSONDecoder {
    static func decode(_ json: String) throws -> MatchRules { try JSONDecoder().decode(MatchRules.self, from: Data(json.utf8)) }
}

@Suite struct SuggestTests {
    @Test func ranksEligibleMentorsBestFirst() {
        let mentee = ScoringProblemTests.person("S", level: 8, topics: ["gen-ai": 3])
        let mentors = [ScoringProblemTests.person("J1", level: 2, topics: ["gen-ai": 2]),
                       ScoringProblemTests.person("J2", level: 2, topics: ["gen-ai": 5]),
                       ScoringProblemTests.person("J3", level: 8, topics: ["gen-ai": 5]),   // too senior
                       ScoringProblemTests.person("J4", level: 2, topics: ["figma": 5])]
        let p = ScoringProblem(mentees: [mentee], mentors: mentors, rules: MatchRules())
        let top = p.suggest(mentee: 0, k: 2)
        #expect(top.map(\.mentor) == [1, 0])
        #expect(top[0].score > top[1].score && top[0].components[0] == 1)
        #expect(p.suggest(mentee: 0, k: 10).count == 3)
    }

    /// An override allows one pair against a hard rule, with a finite score and its reason; it does not
    /// allow other pairs, and an exclusion of the same pair still wins.
    @Test func anOverrideAllowsOnePairWithItsReason() {
        var rules = MatchRules()
        rules.minLevelGap = 2
        rules.overrides = [RuleOverride(menteeID: "S1", mentorID: "J1", reason: "Agreed with HR")]
        let problem = ScoringProblem(mentees: [ScoringProblemTests.person("S1", level: 3), ScoringProblemTests.person("S2", level: 3)],
                                     mentors: [ScoringProblemTests.person("J1", level: 2)], rules: rules)
        #expect(problem.brokenRule(mentee: 0, mentor: 0) == nil)
        #expect(problem.override(mentee: 0, mentor: 0)?.rule == .levelGap && problem.override(mentee: 0, mentor: 0)?.reason == "Agreed with HR")
        #expect(problem.matrix()[0, 0] == problem.scoreIgnoringRules(mentee: 0, mentor: 0) && problem.matrix()[0, 0].isFinite)
        #expect(problem.brokenRule(mentee: 1, mentor: 0) == .levelGap && !problem.matrix().isAllowed(1, 0))
        rules.exclusions = [["S1", "J1"]]
        let excluded = ScoringProblem(mentees: problem.mentees, mentors: problem.mentors, rules: rules)
        #expect(excluded.brokenRule(mentee: 0, mentor: 0) == .excluded)
        rules.overrides[0].reason = "  "
        #expect(rules.problems().contains { $0.contains("needs a written reason") })
    }
}
