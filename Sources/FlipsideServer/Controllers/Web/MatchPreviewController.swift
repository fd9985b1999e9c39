import FlipsideCore
import Foundation
import MatchingEngine
import Vapor

/// The coordinator's match preview: the program's optimal pairing under its rules, with every pair's
/// score broken into its components, the goals it covers, and why anyone is left unmatched.
struct MatchPreviewController {
    func register(_ web: any RoutesBuilder) {
        web.get("programs", ":programID", "matches", use: preview)
    }

    func preview(req: Request) async throws -> View {
        try req.authorize(.view, .matchPreview)
        let program = try await req.visibleProgram()
        let algorithm = try PreviewAlgorithm(query: req.query["algorithm"])
        let preview = try await req.flipside.matchPreview.preview(program, algorithm: algorithm)
        let (rules, input, matching, explanation, everyone) = (preview.rules, preview.input, preview.matching, preview.explanation, preview.people)
        let names = ScoreComponent.allCases.map(\.rawValue)
        func label(_ id: String) -> (String, String, String) {
            let p = everyone[id]
            return (p?.name ?? id, SiteURL.person(id).path, p.map { "\($0.title) · level \($0.level)" } ?? "")
        }
        let rows = explanation.pairs.sorted { $0.score > $1.score }.map { pair -> PairRow in
            let mentee = label(pair.menteeID), mentor = label(pair.mentorID)
            return PairRow(menteeName: mentee.0, menteeURL: mentee.1, menteeTitle: mentee.2, mentorName: mentor.0, mentorURL: mentor.1,
                           mentorTitle: mentor.2, score: Self.points(pair.score),
                           components: names.map { ComponentCell(name: $0, points: Self.points(pair.components[$0]?.points ?? 0)) },
                           covered: pair.coveredTopics.map { "\($0.topic) (wants \($0.priority), knows \($0.proficiency))" }.joined(separator: ", "),
                           uncovered: pair.uncoveredTopics.joined(separator: ", "))
        }
        let alternatives = explanation.alternatives.filter { !$0.nextBest.isEmpty }.map { a -> AlternativeRow in
            let mentee = label(a.menteeID)
            let current = a.currentMentorID.map { "\(label($0).0) (\(Self.points(a.currentScore ?? 0)))" } ?? "unmatched"
            return AlternativeRow(menteeName: mentee.0, menteeURL: mentee.1, current: current, options: a.nextBest.map { option in
                let mentor = label(option.mentorID)
                return Option(name: mentor.0, url: mentor.1, score: Self.points(option.score),
                              forMentee: a.currentMentorID == nil ? "a mentor where there was none" : Self.signed(option.scoreDifference) + " for them",
                              forProgram: Self.programChange(option))
            })
        }
        let weights = zip(names, rules.normalisedWeights).map { "\($0.replacingOccurrences(of: "_", with: " ")) \(Int($1.rounded()))" }.joined(separator: " · ")
        return try await req.view.render("matches", Page(
            page: PageChrome(request: req, title: "Match preview — \(program.name)", nav: "programs"),
            program: ProgramSummary(program), pairs: rows,
            unmatched: explanation.unmatchedMentees.map { let l = label($0.id); return UnmatchedRow(name: l.0, url: l.1, reason: $0.reason) },
            openMentors: explanation.mentorsWithFreeCapacity.map { let l = label($0.id); return UnmatchedRow(name: l.0, url: l.1, reason: $0.reason) },
            alternatives: alternatives,
            total: Self.points(matching.total), average: matching.count > 0 ? Self.points(matching.total / Double(matching.count)) : "–",
            componentNames: names.map { $0.replacingOccurrences(of: "_", with: " ") }, weights: weights,
            menteeCount: input.mentees.count, mentorCount: input.mentors.count,
            lowest: matching.pairs.map(\.score).min().map(Self.points) ?? "–",
            algorithms: PreviewAlgorithm.allCases.map { AlgorithmChoice(value: $0.rawValue, label: $0.label, selected: $0 == algorithm) },
            algorithmSummary: algorithm.summary))
    }

    static func points(_ x: Double) -> String { MatchExplanation.points(x) }

    /// "+2.5", "−3.0", "±0.0" (a true minus sign, so screen readers say "minus").
    static func signed(_ x: Double) -> String {
        let rounded = (x * 10).rounded() / 10
        if rounded == 0 { return "±0.0" }
        return (rounded > 0 ? "+" : "−") + points(abs(rounded))
    }

    /// What a switch does to the program: its total score, and pairs when that changes too.
    static func programChange(_ option: MatchExplanation.Alternative) -> String {
        guard let total = option.programTotalChange else { return "program change shown for the best-total pairing" }
        var text = "program total " + signed(total)
        if let pairs = option.programPairsChange, pairs != 0 {
            text += pairs < 0 ? ", \(-pairs) pair\(pairs == -1 ? "" : "s") fewer" : ", \(pairs) more pair\(pairs == 1 ? "" : "s")"
        }
        if option.mentorIsFull { text += " (mentor full: others move)" }
        return text
    }
}

extension PreviewAlgorithm {
    /// From a query parameter; absent means `optimal`.
    init(query: String?) throws {
        guard let query else { self = .optimal; return }
        guard let algorithm = PreviewAlgorithm(rawValue: query) else {
            throw APIError(.badRequest, code: "bad_request", "'\(query)' is not a matching algorithm: use optimal, fair or stable.")
        }
        self = algorithm
    }
}
