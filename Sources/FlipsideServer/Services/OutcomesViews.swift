import Crypto
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
        /// Why `exits` is `null`: `small` (1 to 4), `few_stayed` (fewer than 5 stayed), `protects`.
        var exits_hidden: Suppression.Hidden?
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

    init(_ f: RetentionFigures, program: Program) {
        program_id = program.id
        start = f.start.description
        censored_at = f.censor.description
        comparison_group = Formed(f.comparisonFormed)
        days = f.days
        groups = f.groups.map(Group.init)
        mentors_vs_comparison = f.mentorsVsComparison.map(Test.init)
        mentees_vs_comparison = f.menteesVsComparison.map(Test.init)
        conclusive = f.conclusive
        caveat = f.caveat
    }
}

/// A program's mentors' promotions against their comparison group, suppressed as retention is: `exits`
/// of a group count its first promotions, its curve is the share not yet promoted.
struct PromotionDTO: Content {
    var program_id: UUID
    var start: String
    var censored_at: String
    var comparison_group: RetentionDTO.Formed
    /// Mentors, then the comparison group.
    var groups: [RetentionDTO.Group]
    var mentors_vs_comparison: RetentionDTO.Test?
    var conclusive: Bool
    var caveat: String?
    var days: Double

    init(_ f: PromotionFigures, program: Program) {
        program_id = program.id
        start = f.start.description
        censored_at = f.censor.description
        comparison_group = RetentionDTO.Formed(f.comparisonFormed)
        days = f.days
        groups = f.groups.map(RetentionDTO.Group.init)
        mentors_vs_comparison = f.mentorsVsComparison.map(RetentionDTO.Test.init)
        conclusive = f.conclusive
        caveat = f.caveat
    }
}

extension RetentionDTO.Formed {
    init(_ f: RetentionAnalysis.Comparison) {
        self.init(description: f.description, strata: f.strata, strata_matched: f.strataMatched, participants_without_match: f.participantsWithoutMatch)
    }
}

extension RetentionDTO.Group {
    init(_ g: RetentionFigures.Group) {
        self.init(name: g.name, people: g.people.number, exits: g.exits.number, exits_hidden: g.exits.hidden, six_months: g.sixMonths.map(RetentionDTO.Point.init),
                  twelve_months: g.twelveMonths.map(RetentionDTO.Point.init),
                  steps: g.steps.map { RetentionDTO.Step(time: $0.time, at_risk: $0.atRisk, survival: $0.survival, lower: $0.lower, upper: $0.upper) },
                  at_risk: g.atRisk.map { RetentionDTO.AtRisk(day: $0.day, people: $0.people.number) })
    }
}

extension RetentionDTO.Point {
    init(_ p: RetentionFigures.Point) { self.init(survival: p.survival, lower: p.lower, upper: p.upper) }
}

extension RetentionDTO.Test {
    init(_ t: RetentionFigures.Test) { self.init(statistic: t.statistic, p_value: t.pValue) }
}

/// A program's outcomes and the organisation overview as the scope's actor may see them: reads what
/// `ProgramOutcomes` needs and hands its figures over as DTOs (every suppression is decided in Core).
///
/// Every figure is kept on this instance under the data versions of every table the outcomes read
/// (`DataVersions.outcomeTables`, bumped by the database on any change, on any instance) and the day it
/// is for, and computed once for readers that ask at once (`ResultCache`): a page under load costs the
/// policy's answer and one small query, never the figures again. Engagement counts meetings planned "so
/// far" and flags "now", so it is kept per minute as well, from the partnerships read kept per version.
struct OutcomesViews {
    let scope: ServiceScope
    /// The versions read once for a whole page (`reading()`); each call reads them itself otherwise.
    private var versions: DataVersions?

    init(scope: ServiceScope) { self.scope = scope }

    /// The same views over the data versions of this moment, read once for several figures.
    func reading() async throws -> OutcomesViews {
        var views = self
        views.versions = try await DataVersions.read(on: scope.db)
        return views
    }

    /// The key every kept figure carries: the versions of the tables the outcomes read.
    func dataKey() async throws -> String {
        try await current().key(DataVersions.outcomeTables)
    }

    private func current() async throws -> DataVersions {
        if let versions { return versions }
        return try await DataVersions.read(on: scope.db)
    }

    /// `compute`'s result, kept under `parts` and the data versions.
    private func kept<T: Sendable>(_ parts: String..., compute: @escaping @Sendable () async throws -> T) async throws -> T {
        try await scope.results.value((parts + [try await dataKey()]).joined(separator: "|"), compute: compute)
    }

    /// The day figures are followed to: `censor`, or today by the clock.
    private func day(_ censor: CalendarDate?) -> CalendarDate { censor ?? CalendarDate.today(now: scope.now) }

    /// The pairs that went ahead (`MentoringPair.becamePartners`), of the pairs kept per version.
    func tookPart(_ program: Program) async throws -> [MentoringPair] {
        ProgramOutcomes.tookPart(try await scope.matching.allPairs(program.id))
    }

    /// Every figure starts here: the deadline, the policy, and the pairs that went ahead.
    private func allowedPairs(_ program: Program) async throws -> [MentoringPair] {
        try WorkDeadline.check()
        try scope.authorize(.view, .outcomes)
        return try await tookPart(program)
    }

    /// The program's retention from its start (or its first pair) to `censor` (today by default).
    func retention(_ program: Program, censor: CalendarDate?) async throws -> RetentionDTO {
        let pairs = try await allowedPairs(program)
        let (scope, people, day) = (scope, scope.people, day(censor))
        return try await kept("retention", program.id.uuidString, day.description) {
            let figures = try ProgramOutcomes.retention(actor: scope.actor, now: scope.now, program: program, pairs: pairs,
                                                        workforce: try await people.workforce(), censor: day)
            return RetentionDTO(figures, program: program)
        }
    }

    /// The program's mentors' promotions from its start (or its first pair) to `censor` (today by default).
    func promotion(_ program: Program, censor: CalendarDate?) async throws -> PromotionDTO {
        let pairs = try await allowedPairs(program)
        let (scope, people, day) = (scope, scope.people, day(censor))
        return try await kept("promotion", program.id.uuidString, day.description) {
            let figures = try ProgramOutcomes.promotion(actor: scope.actor, now: scope.now, program: program, pairs: pairs,
                                                        workforce: try await people.workforce(), censor: day)
            return PromotionDTO(figures, program: program)
        }
    }

    func diversity(_ program: Program) async throws -> DiversityDTO {
        let pairs = try await allowedPairs(program)
        try ProgramOutcomes.requireEnoughPairs(pairs)
        let views = self
        return try await kept("diversity", program.id.uuidString, day(nil).description) {
            let scope = views.scope
            // Who takes part is decided with every other program's figures and the overview's (one set of tables).
            let participation = try await views.participation(try await views.everyProgram())
            let report = try ProgramOutcomes.diversity(
                actor: scope.actor, now: scope.now, program: program, pairs: pairs,
                people: try await scope.people.find(Array(Set(pairs.flatMap { [$0.menteeID, $0.mentorID] }))),
                enrolments: try await scope.enrolments.all(in: program.id), participation: participation)
            return DiversityDTO(report)
        }
    }

    /// Every program's participation tables and the overview's, decided together; kept until the HR data
    /// or who took part changes (the key names both), and computed once for readers that ask at once.
    private func participation(_ programs: [(program: Program, pairs: [MentoringPair])]) async throws -> ParticipationTables {
        let participants = ProgramOutcomes.participants(programs)
        var digest = SHA256()
        for program in participants {
            digest.update(data: Data((program.id.uuidString + (program.day?.description ?? "-")).utf8))
            for id in program.employeeIDs { digest.update(data: Data((id + "\n").utf8)) }
        }
        let fingerprint = digest.finalize().map { String(format: "%02x", $0) }.joined()
        let versions = try await current()
        let people = scope.people
        return try await scope.results.current("participation", version: "\(versions.people)|\(versions.employmentChanges)|\(fingerprint)") {
            ParticipationTables(programs: participants, workforce: try await people.workforce())
        }
    }

    /// Every program with its pairs that went ahead.
    private func everyProgram() async throws -> [(program: Program, pairs: [MentoringPair])] {
        var programs: [(program: Program, pairs: [MentoringPair])] = []
        for program in try await scope.programs.all() { programs.append((program, try await tookPart(program))) }
        return programs
    }

    /// How the partnerships go, as of the start of this minute (kept for the minute).
    func engagement(_ program: Program) async throws -> EngagementDTO {
        let pairs = try await allowedPairs(program)
        try ProgramOutcomes.requireEnoughPairs(pairs)
        let minute = Date(timeIntervalSince1970: Double(ResultCache.minute(of: scope.now)) * 60)
        let (scope, db, key) = (scope, scope.db, try await dataKey())
        return try await kept("engagement", program.id.uuidString, String(Int(minute.timeIntervalSince1970))) {
            // The partnerships' rows change far less often than the minute: read once per version.
            let partnerships = try await scope.results.current("partnerships.\(program.id)", version: key) {
                try await PartnershipReads(db: db).forFigures(pairs, in: program)
            }
            return EngagementDTO(try ProgramOutcomes.engagement(actor: scope.actor, now: minute, pairs: pairs, partnerships: partnerships))
        }
    }

    /// The organisation overview. Reads everyone's employment facts once (kept between requests until
    /// the next import), each program's pairs, and the partnership counts per program in four grouped
    /// SQL queries.
    func overview(censor: CalendarDate?) async throws -> OverviewDTO {
        try WorkDeadline.check()
        try scope.authorize(.view, .outcomes)
        let (views, day) = (self, day(censor))
        return try await kept("overview", day.description) {
            let scope = views.scope
            let programs = try await views.everyProgram()
            let overview = try ProgramOutcomes.overview(actor: scope.actor, now: scope.now, censor: day, programs: programs,
                                                        activity: try await PartnershipReads(db: scope.db).countsByProgram(),
                                                        workforce: try await scope.people.workforce(), participation: try await views.participation(programs))
            return OverviewDTO(overview)
        }
    }
}

/// Who paired with whom and what they did, as the program's diversity figures (counts only, suppressed).
struct DiversityDTO: Content {
    /// A count, or `null` with the reason in `hidden`: `small` (1 to 4), `protects` (hidden so that another
    /// small group cannot be worked out), `few_stayed`, `withheld` (no part of its total could be shown).
    struct FigureDTO: Content {
        var label: String
        var count: Int?
        var hidden: Suppression.Hidden?
        init(_ f: Figure) {
            label = f.label
            count = f.count
            hidden = f.hidden
        }
    }
    struct Crossing: Content { var dimension: String; var crossing: Int?; var hidden: Suppression.Hidden?; var pairs: Int }
    struct TopicRow: Content { var topic: String; var by_level: [FigureDTO] }
    struct Row: Content {
        var value: String
        var participants: Int?
        var participants_hidden: Suppression.Hidden?
        var organisation: Int?
        var organisation_hidden: Suppression.Hidden?
    }
    struct Participation: Content {
        var dimension: String
        var rows: [Row]
        /// The program's participants (on the overview: places across programs); the rows add up to it.
        var total: Int?
        var total_hidden: Suppression.Hidden?
        /// Everyone employed; the rows' `organisation` add up to it.
        var organisation_total: Int
        init(_ p: DiversityReport.Participation) {
            dimension = p.dimension
            rows = p.rows.map { Row(value: $0.value, participants: $0.participants.number, participants_hidden: $0.participants.hidden,
                                    organisation: $0.organisation.number, organisation_hidden: $0.organisation.hidden) }
            total = p.total.number
            total_hidden = p.total.hidden
            organisation_total = p.organisationTotal
        }
    }
    var pairs: Int
    var crossings: [Crossing]
    var level_gaps: [FigureDTO]
    var tenure_gaps: [FigureDTO]
    var topics: [TopicRow]
    var participation: [Participation]

    init(_ r: DiversityReport) {
        pairs = r.pairs
        crossings = r.crossings.map { Crossing(dimension: $0.dimension, crossing: $0.crossing, hidden: $0.hidden, pairs: $0.pairs) }
        level_gaps = r.levelGaps.map(FigureDTO.init)
        tenure_gaps = r.tenureGaps.map(FigureDTO.init)
        topics = r.topics.map { TopicRow(topic: $0.topic, by_level: $0.byLevel.map(FigureDTO.init)) }
        participation = r.participation.map(Participation.init)
    }
}

/// How the program's partnerships go, in counts and means (never words).
struct EngagementDTO: Content {
    struct Month: Content { var month: String; var answers: Int?; var answers_hidden: Suppression.Hidden?; var satisfaction: Double?; var listened: Double? }
    var partnerships: Int
    var meetings_planned: Int
    var meetings_held: Int
    var check_ins_expected: Int
    var check_ins_answered: Int
    var months: [Month]
    var flagged: [DiversityDTO.FigureDTO]
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
        months = r.months.map { Month(month: $0.month, answers: $0.answers.number, answers_hidden: $0.answers.hidden, satisfaction: $0.satisfaction, listened: $0.listened) }
        flagged = r.flagged.map(DiversityDTO.FigureDTO.init)
        insights = r.insights
        actions_planned = r.actionsPlanned
        actions_done = r.actionsDone
        median_days_insight_to_action = r.medianDaysInsightToAction
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
    /// Everyone who took part in any program (each person once).
    var participants: Int?
    var participation: [DiversityDTO.Participation]
}

extension OverviewDTO {
    init(_ o: OrganisationOverview) {
        censored_at = o.censor.description
        employed = o.employed
        programs = o.programs.map { h in
            var row = ProgramRow(id: h.program.id, name: h.program.name, status: h.program.status, start: h.program.startDate?.description, pairs: h.pairs)
            if let r = h.retention {
                row.mentors_12_months = r.groups[0].twelveMonths.map(RetentionDTO.Point.init)
                row.mentees_12_months = r.groups[1].twelveMonths.map(RetentionDTO.Point.init)
                row.comparison_12_months = r.groups[2].twelveMonths.map(RetentionDTO.Point.init)
                row.mentors_vs_comparison = r.mentorsVsComparison.map(RetentionDTO.Test.init)
            }
            row.crossing_departments = h.crossingDepartments
            if let a = h.activity {
                row.meetings_held = a.meetingsHeld
                row.check_ins = a.checkIns
                row.insights = a.insights
                row.actions_planned = a.actions
                row.actions_done = a.actionsDone
            }
            return row
        }
        participants = o.participants.number
        participation = o.participation.map(DiversityDTO.Participation.init)
    }
}
