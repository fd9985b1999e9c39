import FlipsideCore
import Foundation
import Vapor

/// A program's retention figures, as the program team may see them: every figure over fewer than five
/// people suppressed (a group that small shows no curve; a curve stops where fewer than five remain at risk).
struct RetentionDTO: Content {
    struct Point: Content { var survival: Double; var lower: Double; var upper: Double }
    struct Step: Content { var time: Double; var at_risk: Int; var survival: Double; var lower: Double; var upper: Double }
    struct Group: Content {
        var name: String
        /// `null` when fewer than 5 (and then nothing else of the group is shown).
        var people: Int?
        var exits: Int?
        var six_months: Point?
        var twelve_months: Point?
        var steps: [Step]
        /// People still followed every 90 days (30 in the first nine months) ("fewer than 5" shown as `null`).
        var at_risk: [AtRisk]
    }
    struct AtRisk: Content { var day: Int; var people: Int? }
    struct Test: Content { var statistic: Double; var p_value: Double }
    struct Formed: Content { var description: String; var strata: Int; var strata_matched: Int; var participants_without_match: Int }

    var program_id: UUID
    var start: String
    var censored_at: String
    var comparison_group: Formed
    var groups: [Group]
    var mentors_vs_comparison: Test?
    var mentees_vs_comparison: Test?
    var conclusive: Bool
    var caveat: String?
    var days: Double

    init(_ a: RetentionAnalysis, program: Program, start: CalendarDate, censor: CalendarDate) {
        program_id = program.id
        self.start = start.description
        censored_at = censor.description
        comparison_group = Formed(description: a.comparisonFormed.description, strata: a.comparisonFormed.strata,
                                  strata_matched: a.comparisonFormed.strataMatched, participants_without_match: a.comparisonFormed.participantsWithoutMatch)
        let days = Double(max(30, censor.daysSince(start)))
        self.days = days
        func point(_ s: KaplanMeier.Step?, at day: Double, in g: RetentionAnalysis.Group) -> Point? {
            guard let s, (g.curve.steps.first { $0.time >= day }?.atRisk ?? 0) >= Suppression.threshold else { return nil }
            return Point(survival: s.survival, lower: s.lower, upper: s.upper)
        }
        func group(_ g: RetentionAnalysis.Group) -> Group {
            guard g.people >= Suppression.threshold else {
                return Group(name: g.name, people: nil, exits: nil, six_months: nil, twelve_months: nil, steps: [], at_risk: [])
            }
            // A curve gives its exits away (95 % of 20 is one exit): when the exits are too few to show, so is the curve.
            let exits = Suppression.parts([g.exits, g.people - g.exits]).parts[0].number
            guard exits != nil else {
                return Group(name: g.name, people: g.people, exits: nil, six_months: nil, twelve_months: nil, steps: [], at_risk: [])
            }
            let shown = g.curve.steps.filter { $0.atRisk >= Suppression.threshold }
            let atRisk = stride(from: 0, through: days, by: days > 270 ? 90 : 30).map { day -> AtRisk in
                let n = g.curve.steps.first { $0.time >= day }?.atRisk ?? 0
                return AtRisk(day: Int(day), people: n == 0 || n >= Suppression.threshold ? n : nil)
            }
            return Group(name: g.name, people: g.people, exits: exits,
                         six_months: point(g.sixMonths, at: 183, in: g), twelve_months: point(g.twelveMonths, at: 365, in: g),
                         steps: shown.map { Step(time: $0.time, at_risk: $0.atRisk, survival: $0.survival, lower: $0.lower, upper: $0.upper) }, at_risk: atRisk)
        }
        groups = [group(a.mentors), group(a.mentees), group(a.comparison)]
        let big = { (g: RetentionAnalysis.Group) in g.people >= Suppression.threshold }
        mentors_vs_comparison = big(a.mentors) && big(a.comparison) ? Test(statistic: a.mentorsVsComparison.statistic, p_value: a.mentorsVsComparison.pValue) : nil
        mentees_vs_comparison = big(a.mentees) && big(a.comparison) ? Test(statistic: a.menteesVsComparison.statistic, p_value: a.menteesVsComparison.pValue) : nil
        conclusive = a.conclusive
        caveat = a.caveat
    }
}

struct OutcomesViews {
    let request: Request

    /// The program's retention from its start (or its first pair) to `censor` (today by default).
    func retention(_ program: Program, censor: CalendarDate?, pairs known: [MentoringPair]? = nil) async throws -> RetentionDTO {
        try WorkDeadline.check()
        try request.authorize(.view, .outcomes)
        let pairs: [MentoringPair]
        if let known { pairs = known } else { pairs = try await tookPart(program) }
        guard let start = Self.start(of: program, pairs: pairs) else {
            throw APIError(.conflict, code: "no_start", "This program has no start date and no pairs yet: there is no day to measure retention from.")
        }
        let censor = censor ?? CalendarDate.today(now: request.flipside.now)
        guard start <= censor else {
            throw APIError.invalid([FieldProblem(field: "censor", reason: "is before the program's start (\(start))")])
        }
        return Self.retention(of: pairs, among: try await request.flipside.people.employment(), program: program, start: start, censor: censor)
    }

    /// The day retention is measured from: the program's start date, or the day of its first pair.
    static func start(of program: Program, pairs: [MentoringPair]) -> CalendarDate? {
        program.startDate ?? pairs.map(\.createdAt).min().map { CalendarDate.today(now: $0) }
    }

    /// The pairs' mentors and mentees against everyone alike, as the program team may see it.
    static func retention(of pairs: [MentoringPair], among people: [Employment], program: Program, start: CalendarDate, censor: CalendarDate) -> RetentionDTO {
        let analysis = RetentionAnalysis(people: people, mentorIDs: Set(pairs.map(\.mentorID)), menteeIDs: Set(pairs.map(\.menteeID)), start: start, censor: censor)
        return RetentionDTO(analysis, program: program, start: start, censor: censor)
    }
}

extension RequestScope {
    var outcomes: OutcomesViews { OutcomesViews(request: request) }
}

extension Request {
    /// The `censor` query parameter (follow people up to this day), for pages and the API alike.
    func censorDate() throws -> CalendarDate? {
        guard let raw = query[String.self, at: "censor"], !raw.isEmpty else { return nil }
        guard let date = CalendarDate(iso: raw) else { throw APIError.invalid([FieldProblem(field: "censor", reason: "must be a date YYYY-MM-DD")]) }
        return date
    }
}

/// Who paired with whom and what they did, as the program's diversity figures (counts only, suppressed).
struct DiversityDTO: Content {
    struct FigureDTO: Content { var label: String; var count: Int? }
    struct Crossing: Content { var dimension: String; var crossing: Int?; var pairs: Int }
    struct TopicRow: Content { var topic: String; var by_level: [FigureDTO] }
    struct Row: Content { var value: String; var participants: Int?; var organisation: Int? }
    struct Participation: Content {
        var dimension: String
        var rows: [Row]
        init(_ p: DiversityReport.Participation) {
            dimension = p.dimension
            rows = p.rows.map { Row(value: $0.value, participants: $0.participants, organisation: $0.organisation) }
        }
    }
    var pairs: Int
    var crossings: [Crossing]
    var level_gaps: [FigureDTO]
    var tenure_gaps: [FigureDTO]
    var topics: [TopicRow]
    var participation: [Participation]

    init(_ r: DiversityReport) {
        let figure = { (f: Figure) in FigureDTO(label: f.label, count: f.count) }
        pairs = r.pairs
        crossings = r.crossings.map { Crossing(dimension: $0.dimension, crossing: $0.crossing, pairs: $0.pairs) }
        level_gaps = r.levelGaps.map(figure)
        tenure_gaps = r.tenureGaps.map(figure)
        topics = r.topics.map { TopicRow(topic: $0.topic, by_level: $0.byLevel.map(figure)) }
        participation = r.participation.map(Participation.init)
    }
}

/// How the program's partnerships go, in counts and means (never words).
struct EngagementDTO: Content {
    struct Month: Content { var month: String; var answers: Int?; var satisfaction: Double?; var listened: Double? }
    struct FigureDTO: Content { var label: String; var count: Int? }
    var partnerships: Int
    var meetings_planned: Int
    var meetings_held: Int
    var check_ins_expected: Int
    var check_ins_answered: Int
    var months: [Month]
    var flagged: [FigureDTO]
    var insights: Int
    var actions_planned: Int
    var actions_done: Int
    var median_days_insight_to_action: Double?

    init(_ r: EngagementReport) {
        partnerships = r.partnerships
        meetings_planned = r.meetingsPlanned
        meetings_held = r.meetingsHeld
        check_ins_expected = r.checkInsExpected
        check_ins_answered = r.checkInsAnswered
        months = r.months.map { Month(month: $0.month, answers: $0.answers, satisfaction: $0.satisfaction, listened: $0.listened) }
        flagged = r.flagged.map { FigureDTO(label: $0.label, count: $0.count) }
        insights = r.insights
        actions_planned = r.actionsPlanned
        actions_done = r.actionsDone
        median_days_insight_to_action = r.medianDaysInsightToAction
    }
}

extension OutcomesViews {
    /// The pairs that went ahead (`MentoringPair.becamePartners`).
    func tookPart(_ program: Program) async throws -> [MentoringPair] {
        try await MatchingReads(db: request.db).pairs(in: program.id).filter(\.becamePartners)
    }

    /// Figures over fewer than 5 partnerships say nothing that does not point at someone.
    func requireEnoughPairs(_ pairs: [MentoringPair]) throws {
        guard pairs.count >= Suppression.threshold else {
            throw APIError(.conflict, code: "too_few_pairs", "Fewer than \(Suppression.threshold) partnerships: their figures are not shown, so that nobody can be recognised.")
        }
    }

    func diversity(_ program: Program, pairs known: [MentoringPair]? = nil) async throws -> DiversityDTO {
        try WorkDeadline.check()
        try request.authorize(.view, .outcomes)
        let pairs: [MentoringPair]
        if let known { pairs = known } else { pairs = try await tookPart(program) }
        try requireEnoughPairs(pairs)
        let everyone = try await request.flipside.people.employment()
        let people = try await request.flipside.people.find(Array(Set(pairs.flatMap { [$0.menteeID, $0.mentorID] })))
        let enrolments = Dictionary(try await request.flipside.enrolments.all(in: program.id).map { ($0.employeeID, $0) }, uniquingKeysWith: { a, _ in a })
        let facts = pairs.compactMap { pair -> (mentee: Person, mentor: Person, topics: [Topic])? in
            guard let mentee = people[pair.menteeID], let mentor = people[pair.mentorID] else { return nil }
            let wants = Set(enrolments[pair.menteeID]?.wants.map(\.topic) ?? [])
            return (mentee, mentor, (enrolments[pair.mentorID]?.offers.map(\.topic) ?? []).filter { wants.contains($0) })
        }
        let day = program.startDate ?? CalendarDate.today(now: request.flipside.now)
        let participants = people.values.map(Employment.init)
        let organisation = everyone.filter { $0.status != .exited }
        return DiversityDTO(DiversityReport(pairs: facts, participants: participants, organisation: organisation,
                                            attributes: program.settings.perspectiveAttributes, on: day))
    }

    func engagement(_ program: Program, pairs known: [MentoringPair]? = nil) async throws -> EngagementDTO {
        try WorkDeadline.check()
        try request.authorize(.view, .outcomes)
        let pairs: [MentoringPair]
        if let known { pairs = known } else { pairs = try await tookPart(program) }
        try requireEnoughPairs(pairs)
        let partnerships = try await PartnershipReads(db: request.db).forFigures(pairs, in: program)
        return EngagementDTO(EngagementReport(partnerships, now: request.flipside.now))
    }
}

/// Every program's headline figures side by side, and who takes part across all programs against the
/// organisation: the organisation overview (counts and retention only; small figures suppressed).
struct OverviewDTO: Content {
    struct ProgramRow: Content {
        var id: UUID
        var name: String
        var status: ProgramStatus
        var start: String?
        /// Pairs that went ahead (`null`: fewer than 5, and then no other figure of the program is shown).
        var pairs: Int?
        var mentors_12_months: RetentionDTO.Point?
        var mentees_12_months: RetentionDTO.Point?
        var comparison_12_months: RetentionDTO.Point?
        var mentors_vs_comparison: RetentionDTO.Test?
        /// Pairs whose two people work in different departments (of those with both known).
        var crossing_departments: Int?
        var meetings_held: Int?
        var check_ins: Int?
        var insights: Int?
        var actions_planned: Int?
        var actions_done: Int?
    }
    var censored_at: String
    var employed: Int
    var programs: [ProgramRow]
    /// Everyone who took part in any program, against the organisation today.
    var participants: Int?
    var participation: [DiversityDTO.Participation]
}

extension OutcomesViews {
    /// The organisation overview. Reads everyone's employment facts once (kept between requests until
    /// the next import), each program's pairs, and the partnership counts per program in four grouped
    /// SQL queries.
    func overview(censor: CalendarDate?) async throws -> OverviewDTO {
        try WorkDeadline.check()
        try request.authorize(.view, .outcomes)
        let censor = censor ?? CalendarDate.today(now: request.flipside.now)
        let everyone = try await request.flipside.people.employment()
        let byID = Dictionary(everyone.map { ($0.employeeID, $0) }, uniquingKeysWith: { a, _ in a })
        let counts = try await PartnershipReads(db: request.db).countsByProgram()
        var rows: [OverviewDTO.ProgramRow] = []
        var participantIDs = Set<String>()
        for program in try await request.flipside.programs.all().sorted(by: { ($0.startDate ?? .unknown, $0.name) < ($1.startDate ?? .unknown, $1.name) }) {
            let pairs = try await tookPart(program)
            var row = OverviewDTO.ProgramRow(id: program.id, name: program.name, status: program.status, start: program.startDate?.description)
            guard pairs.count >= Suppression.threshold else { rows.append(row); continue }
            participantIDs.formUnion(pairs.flatMap { [$0.menteeID, $0.mentorID] })
            row.pairs = pairs.count
            if let start = Self.start(of: program, pairs: pairs), start <= censor {
                let dto = Self.retention(of: pairs, among: everyone, program: program, start: start, censor: censor)
                row.mentors_12_months = dto.groups[0].twelve_months
                row.mentees_12_months = dto.groups[1].twelve_months
                row.comparison_12_months = dto.groups[2].twelve_months
                row.mentors_vs_comparison = dto.mentors_vs_comparison
            }
            let known = pairs.compactMap { pair -> Bool? in
                guard let a = byID[pair.menteeID]?.department, let b = byID[pair.mentorID]?.department, !a.isEmpty, !b.isEmpty else { return nil }
                return a != b
            }
            row.crossing_departments = Suppression.share(known.filter { $0 }.count, of: known.count)?.number
            let c = counts[program.id] ?? .init()
            row.meetings_held = c.meetingsHeld
            row.check_ins = c.checkIns
            row.insights = c.insights
            row.actions_planned = c.actions
            row.actions_done = c.actionsDone
            rows.append(row)
        }
        let participants = participantIDs.compactMap { byID[$0] }
        let employed = everyone.filter { $0.status != .exited }
        return OverviewDTO(censored_at: censor.description, employed: employed.count, programs: rows,
                           participants: participants.count >= Suppression.threshold ? participants.count : nil,
                           participation: DiversityReport.participation(participants: participants, organisation: employed).map(DiversityDTO.Participation.init))
    }
}
