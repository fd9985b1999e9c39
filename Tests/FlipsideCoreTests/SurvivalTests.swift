import FlipsideCore
import Foundation
import Testing

/// Kaplan–Meier, Greenwood bands and the log-rank test. A textbook case is checked here by hand; the
/// generated cases are written to `FLIPSIDE_STATS_OUT` (when set) for `Tests/Stats/check_survival.py`,
/// which recomputes them with Python's lifelines and compares to 1e-9.
@Suite struct SurvivalTests {
    static func subjects(_ pairs: [(Double, Bool)]) -> [SurvivalSubject] { pairs.map { SurvivalSubject(time: $0.0, exited: $0.1) } }

    @Test func aCaseWorkedByHand() throws {
        // Exits at 3, 5, 5; censored at 4 and 8; six people.
        let km = KaplanMeier(Self.subjects([(3, true), (4, false), (5, true), (5, true), (8, false), (10, true)]))
        #expect(km.steps.map(\.time) == [0, 3, 4, 5, 8, 10])
        #expect(km.steps.map(\.atRisk) == [6, 6, 5, 4, 2, 1])
        let s = km.steps.map(\.survival)
        #expect(abs(s[1] - 5.0 / 6) < 1e-15 && abs(s[3] - 5.0 / 6 * 2 / 4) < 1e-15 && s[5] == 0)
        // Greenwood: 1/(6·5) + 2/(4·2).
        #expect(abs(km.steps[3].greenwood - (1.0 / 30 + 2.0 / 8)) < 1e-15)
        #expect(km.steps[3].lower < s[3] && s[3] < km.steps[3].upper && km.steps[5].lower == 0 && km.steps[5].upper == 0)
        #expect(km.at(4.5)?.survival == s[2] && km.at(-1) == nil)
        // Two identical groups: nothing to tell them apart.
        let same = LogRank(Self.subjects([(1, true), (2, false), (3, true)]), Self.subjects([(1, true), (2, false), (3, true)]))
        #expect(same.statistic == 0 && same.pValue == 1)
    }

    struct Case: Encodable {
        var name: String
        var a: [[Double]]
        var b: [[Double]]
        var kmA: [KaplanMeier.Step]
        var kmB: [KaplanMeier.Step]
        var statistic: Double
        var pValue: Double
    }

    /// Exit after an exponential time (mean `mean` days, in whole days so that there are ties), followed
    /// for at most `followUp` days or less (staggered starts).
    static func group(_ n: Int, mean: Double, followUp: Double, rng: inout SeededGenerator) -> [SurvivalSubject] {
        (0..<n).map { _ in
            let exit = (-mean * log(Double.random(in: 0.000_001..<1, using: &rng))).rounded(.up)
            let observed = (followUp * Double.random(in: 0.3...1, using: &rng)).rounded()
            return exit <= observed ? SurvivalSubject(time: exit, exited: true) : SurvivalSubject(time: observed, exited: false)
        }
    }

    @Test func generatedCasesForLifelines() throws {
        var rng = SeededGenerator(seed: 2027)
        var cases: [(String, [SurvivalSubject], [SurvivalSubject])] = [
            ("mentors vs comparison, 300 vs 900", Self.group(300, mean: 1_400, followUp: 730, rng: &rng), Self.group(900, mean: 800, followUp: 730, rng: &rng)),
            ("small groups, 7 vs 5", Self.group(7, mean: 200, followUp: 365, rng: &rng), Self.group(5, mean: 150, followUp: 365, rng: &rng)),
            ("heavy ties (weeks)", Self.group(120, mean: 10, followUp: 30, rng: &rng), Self.group(80, mean: 14, followUp: 30, rng: &rng)),
        ]
        // Everyone in one group exits: its curve reaches 0.
        cases.append(("a group that all leaves", Self.subjects([(10, true), (20, true), (20, true), (40, true)]), Self.group(30, mean: 100, followUp: 60, rng: &rng)))
        let out = cases.map { name, a, b in
            let test = LogRank(a, b)
            return Case(name: name, a: a.map { [$0.time, $0.exited ? 1 : 0] }, b: b.map { [$0.time, $0.exited ? 1 : 0] },
                        kmA: KaplanMeier(a).steps, kmB: KaplanMeier(b).steps, statistic: test.statistic, pValue: test.pValue)
        }
        // Different groups are told apart, the same group is not.
        #expect(out[0].pValue < 0.001 && out[0].statistic > 10)
        #expect(out.allSatisfy { c in c.kmA.allSatisfy { $0.lower <= $0.survival && $0.survival <= $0.upper } })
        if let folder = ProcessInfo.processInfo.environment["FLIPSIDE_STATS_OUT"], !folder.isEmpty {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            try encoder.encode(out).write(to: URL(fileURLWithPath: folder + "/survival.json"))
        }
    }
}
