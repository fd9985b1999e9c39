import Foundation

/// Why a program's figures cannot be shown.
public enum OutcomesError: Error, Equatable, Sendable {
    /// No start date and no pairs: no day to measure retention from.
    case noStart
    /// The chosen follow-up day is before the program's start.
    case censorBeforeStart(CalendarDate)
    /// Fewer than `Suppression.threshold` partnerships: nothing about them may be shown.
    case tooFewPairs
    case invalid([FieldProblem])

    public var message: String {
        switch self {
        case .noStart: return "This program has no start date and no pairs yet: there is no day to measure retention from."
        case let .censorBeforeStart(start): return "censor is before the program's start (\(start))"
        case .tooFewPairs:
            return "Fewer than \(Suppression.threshold) partnerships: their figures are not shown, so that nobody can be recognised."
        case let .invalid(problems): return problems.map { "\($0.field) \($0.reason)" }.joined(separator: "; ")
        }
    }

    /// The problems as fields (for `censorBeforeStart` and `invalid`).
    public var problems: [FieldProblem] {
        switch self {
        case let .censorBeforeStart(start): return [FieldProblem(field: "censor", reason: "is before the program's start (\(start))")]
        case let .invalid(problems): return problems
        case .noStart, .tooFewPairs: return []
        }
    }
}

/// A program's retention as it may be published: every suppression decided here, once — a group under
/// five people shows nothing, a group whose exits are too few to show shows no curve (a curve gives its
/// exits away), a curve stops where fewer than five remain at risk, an at-risk cell under five is hidden,
/// and a log-rank test is given only between two groups that are both shown. Pages, the API and the CSV
/// only format these values.
public struct RetentionFigures: Sendable {
    public struct Point: Sendable, Hashable {
        public var survival: Double
        public var lower: Double
        public var upper: Double
    }

    public struct AtRisk: Sendable, Hashable {
        public var day: Int
        public var people: Suppression.Shown
    }

    public struct Group: Sendable {
        public var name: String
        public var people: Suppression.Shown
        public var exits: Suppression.Shown
        public var sixMonths: Point?
        public var twelveMonths: Point?
        /// The curve's steps that may be drawn (at least five at risk).
        public var steps: [KaplanMeier.Step]
        /// People still followed every 90 days (every 30 when followed up to nine months).
        public var atRisk: [AtRisk]
        /// Whether anything of the group is shown beyond its name.
        public var isShown: Bool { people != .suppressed }
    }

    public struct Test: Sendable, Hashable {
        public var statistic: Double
        public var pValue: Double
        /// Whether the curves differ more than chance would explain (p below `RetentionFigures.significance`).
        public var differs: Bool { pValue < RetentionFigures.significance }
    }

    /// The level below which a test's p-value reads as "more than chance".
    public static let significance = 0.05

    public var start: CalendarDate
    public var censor: CalendarDate
    /// Days followed (at least 30, so that a chart has a width).
    public var days: Double
    public var comparisonFormed: RetentionAnalysis.Comparison
    /// Mentors, mentees and the comparison group, in this order.
    public var groups: [Group]
    public var mentorsVsComparison: Test?
    public var menteesVsComparison: Test?
    public var conclusive: Bool
    public var caveat: String?

    public init(_ a: RetentionAnalysis, start: CalendarDate, censor: CalendarDate) {
        self.start = start
        self.censor = censor
        comparisonFormed = a.comparisonFormed
        let days = Self.days(start: start, censor: censor)
        self.days = days
        let shown = [a.mentors, a.mentees, a.comparison].map {
            // The group's size is shown: its exits and those who stayed are the two parts of it.
            Self.shown($0, days: days, fewLeft: .fewStayed)
        }
        groups = shown
        mentorsVsComparison = Self.test(shown[0], shown[2], a.mentors.exits + a.comparison.exits, a.mentorsVsComparison)
        menteesVsComparison = Self.test(shown[1], shown[2], a.mentees.exits + a.comparison.exits, a.menteesVsComparison)
        conclusive = a.conclusive
        caveat = a.caveat
    }

    /// Days followed (at least 30, so that a chart has a width).
    static func days(start: CalendarDate, censor: CalendarDate) -> Double { Double(max(30, censor.daysSince(start))) }

    /// A followed group as it may be shown. Its size is shown from five; its events and the rest are the
    /// two parts of it, so a small number of either hides both (`fewLeft` names why the events are hidden
    /// when the rest is the small part); the curve is drawn only when the events are shown, and only
    /// where at least five remain at risk.
    static func shown(_ g: FollowUp.Group, days: Double, fewLeft: Suppression.Hidden) -> Group {
        let threshold = Suppression.threshold
        guard g.people >= threshold else {
            return Group(name: g.name, people: .suppressed, exits: .suppressed, steps: [], atRisk: [])
        }
        let split = Suppression.parts([g.exits, g.people - g.exits], total: .fixed).parts
        guard !split[0].isHidden else {
            let exits: Suppression.Shown = split[1] == .hidden(.small) ? .hidden(fewLeft) : split[0]
            return Group(name: g.name, people: .value(g.people), exits: exits, steps: [], atRisk: [])
        }
        func point(_ s: KaplanMeier.Step?, at day: Double) -> Point? {
            guard let s, (g.curve.steps.first { $0.time >= day }?.atRisk ?? 0) >= threshold else { return nil }
            return Point(survival: s.survival, lower: s.lower, upper: s.upper)
        }
        let atRisk = stride(from: 0, through: days, by: days > 270 ? 90 : 30).map { day -> AtRisk in
            AtRisk(day: Int(day), people: .single(g.curve.steps.first { $0.time >= day }?.atRisk ?? 0))
        }
        return Group(name: g.name, people: .value(g.people), exits: split[0],
                     sixMonths: point(g.sixMonths, at: RetentionAnalysis.sixMonths),
                     twelveMonths: point(g.twelveMonths, at: RetentionAnalysis.twelveMonths),
                     steps: g.curve.steps.filter { $0.atRisk >= threshold }, atRisk: atRisk)
    }

    /// A test only between two groups whose curves are shown, with an event to compare, rounded to what a
    /// reader needs: more digits would let a hidden count be worked back from it.
    static func test(_ first: Group, _ second: Group, _ events: Int, _ result: LogRank) -> Test? {
        guard !first.steps.isEmpty, !second.steps.isEmpty, events > 0 else { return nil }
        return Test(statistic: rounded(result.statistic, decimals: 1), pValue: significant(result.pValue, digits: 2))
    }
}

/// A program's promotion figures as they may be published: mentors against their comparison group, each
/// group as `RetentionFigures` shows one (its curve the share not yet promoted), the same suppression.
public struct PromotionFigures: Sendable {
    public var start: CalendarDate
    public var censor: CalendarDate
    public var days: Double
    public var comparisonFormed: RetentionAnalysis.Comparison
    /// Mentors, then the comparison group; `exits` count first promotions.
    public var groups: [RetentionFigures.Group]
    public var mentorsVsComparison: RetentionFigures.Test?
    public var conclusive: Bool
    public var caveat: String?

    public init(_ a: PromotionAnalysis, start: CalendarDate, censor: CalendarDate) {
        self.start = start
        self.censor = censor
        comparisonFormed = a.comparisonFormed
        let days = RetentionFigures.days(start: start, censor: censor)
        self.days = days
        // Fewer than five not promoted would give the promoted away: both hidden, to protect the few.
        let shown = [a.mentors, a.comparison].map { RetentionFigures.shown($0, days: days, fewLeft: .protects) }
        groups = shown
        mentorsVsComparison = RetentionFigures.test(shown[0], shown[1], a.mentors.exits + a.comparison.exits, a.mentorsVsComparison)
        conclusive = a.conclusive
        caveat = a.caveat
    }
}

extension RetentionFigures {
    /// `value` to `decimals` places.
    public static func rounded(_ value: Double, decimals: Int) -> Double {
        let scale = pow(10, Double(decimals))
        return (value * scale).rounded() / scale
    }

    /// `value` to `digits` significant digits (a p-value of 0.000123 stays 0.00012).
    public static func significant(_ value: Double, digits: Int) -> Double {
        guard value != 0, value.isFinite else { return value }
        let magnitude = floor(log10(abs(value))) + 1
        return rounded(value, decimals: max(0, digits - Int(magnitude)))
    }
}

/// The organisation overview's headline figures for one program, as they may be published.
public struct ProgramHeadline: Sendable {
    /// Meetings, check-ins and actions of a program's partnerships (counted by the store).
    public struct Activity: Sendable, Hashable {
        public var meetingsHeld = 0, checkIns = 0, insights = 0, actions = 0, actionsDone = 0
        public init(meetingsHeld: Int = 0, checkIns: Int = 0, insights: Int = 0, actions: Int = 0, actionsDone: Int = 0) {
            self.meetingsHeld = meetingsHeld
            self.checkIns = checkIns
            self.insights = insights
            self.actions = actions
            self.actionsDone = actionsDone
        }
    }

    public var program: Program
    /// Pairs that went ahead; `nil` (fewer than five) hides every other figure of the program.
    public var pairs: Int?
    public var retention: RetentionFigures?
    /// Pairs whose two people work in different departments (of those with both known), when it may be shown.
    public var crossingDepartments: Int?
    public var activity: Activity?
}

/// The organisation overview: every program's headline figures and who takes part across all programs.
public struct OrganisationOverview: Sendable {
    public var censor: CalendarDate
    public var employed: Int
    public var programs: [ProgramHeadline]
    public var participants: Suppression.Shown
    /// Places across the programs shown, decided with every program's own tables (`ParticipationTables`).
    public var participation: [DiversityReport.Participation]
}

/// A program's outcomes as the actor may see them, over what the store read: the read model behind the
/// outcomes pages, their CSVs, the API and `flipside report`.
public enum ProgramOutcomes {
    /// The day retention is measured from: the program's start date, or the day of its first pair.
    public static func start(of program: Program, pairs: [MentoringPair]) -> CalendarDate? {
        program.startDate ?? pairs.map(\.createdAt).min().map { CalendarDate.today(now: $0) }
    }

    /// The pairs that went ahead (`MentoringPair.becamePartners`): whose figures count.
    public static func tookPart(_ pairs: [MentoringPair]) -> [MentoringPair] { pairs.filter(\.becamePartners) }

    /// The program's retention from its start to `censor` (today by default).
    /// Everyone is placed as they stood on the start day (the HR history), so the strata are those of then.
    public static func retention(actor: Actor, now: Date, program: Program, pairs: [MentoringPair], workforce: Workforce,
                                 censor: CalendarDate?) throws -> RetentionFigures {
        let (start, censor) = try followed(actor: actor, now: now, program: program, pairs: pairs, censor: censor)
        return retention(of: pairs, among: workforce, start: start, censor: censor)
    }

    /// The program's mentors' promotions from its start to `censor` (today by default), against people like
    /// them then who did not take part.
    public static func promotion(actor: Actor, now: Date, program: Program, pairs: [MentoringPair], workforce: Workforce,
                                 censor: CalendarDate?) throws -> PromotionFigures {
        let (start, censor) = try followed(actor: actor, now: now, program: program, pairs: pairs, censor: censor)
        let analysis = PromotionAnalysis(people: workforce.asOf(start), history: workforce.history, mentorIDs: Set(pairs.map(\.mentorID)),
                                         menteeIDs: Set(pairs.map(\.menteeID)), start: start, censor: censor)
        return PromotionFigures(analysis, start: start, censor: censor)
    }

    /// From when to when a program's people are followed: the policy asked, the start known, `censor`
    /// (today by default) not before it.
    private static func followed(actor: Actor, now: Date, program: Program, pairs: [MentoringPair],
                                 censor: CalendarDate?) throws -> (start: CalendarDate, censor: CalendarDate) {
        try AccessPolicy.require(actor, .view, .outcomes)
        guard let start = start(of: program, pairs: pairs) else { throw OutcomesError.noStart }
        let censor = censor ?? CalendarDate.today(now: now)
        guard start <= censor else { throw OutcomesError.censorBeforeStart(start) }
        return (start, censor)
    }

    static func retention(of pairs: [MentoringPair], among workforce: Workforce, start: CalendarDate, censor: CalendarDate) -> RetentionFigures {
        let analysis = RetentionAnalysis(people: workforce.asOf(start), mentorIDs: Set(pairs.map(\.mentorID)), menteeIDs: Set(pairs.map(\.menteeID)),
                                         start: start, censor: censor)
        return RetentionFigures(analysis, start: start, censor: censor)
    }

    /// Figures over fewer than five partnerships say nothing that does not point at someone.
    public static func requireEnoughPairs(_ pairs: [MentoringPair]) throws(OutcomesError) {
        guard pairs.count >= Suppression.threshold else { throw .tooFewPairs }
    }

    /// Who took part in each program whose figures are shown (five pairs or more), by employee id, and the
    /// day they are counted as they stood (the program's start): what `ParticipationTables(programs:workforce:)`
    /// decides every program's and the overview's tables from, besides the HR data.
    public static func participants(_ programs: [(program: Program, pairs: [MentoringPair])]) -> [ParticipationTables.Program] {
        programs.filter { $0.pairs.count >= Suppression.threshold }.map { program, pairs in
            ParticipationTables.Program(id: program.id, day: start(of: program, pairs: pairs), employeeIDs: Set(pairs.flatMap { [$0.menteeID, $0.mentorID] }).sorted())
        }
    }

    /// Who paired with whom, as counts: the pairs' people and what the mentor offered that the mentee wanted.
    /// `participation` is `ParticipationTables` over `participants` of every program.
    public static func diversity(actor: Actor, now: Date, program: Program, pairs: [MentoringPair], people: [String: Person],
                                 enrolments: [Enrolment], participation: ParticipationTables) throws -> DiversityReport {
        try AccessPolicy.require(actor, .view, .outcomes)
        try requireEnoughPairs(pairs)
        let byID = Dictionary(enrolments.map { ($0.employeeID, $0) }, uniquingKeysWith: { a, _ in a })
        let facts = pairs.compactMap { pair -> (mentee: Person, mentor: Person, topics: [Topic])? in
            guard let mentee = people[pair.menteeID], let mentor = people[pair.mentorID] else { return nil }
            let wants = Set(byID[pair.menteeID]?.wants.map(\.topic) ?? [])
            return (mentee, mentor, (byID[pair.mentorID]?.offers.map(\.topic) ?? []).filter { wants.contains($0) })
        }
        let day = program.startDate ?? CalendarDate.today(now: now)
        return DiversityReport(pairs: facts, participation: participation.byProgram[program.id] ?? [],
                               attributes: program.settings.perspectiveAttributes, on: day)
    }

    /// How the partnerships go, in counts and means. `partnerships` come from the store's figures read
    /// (goal words blanked).
    public static func engagement(actor: Actor, now: Date, pairs: [MentoringPair], partnerships: [Partnership]) throws -> EngagementReport {
        try AccessPolicy.require(actor, .view, .outcomes)
        try requireEnoughPairs(pairs)
        return EngagementReport(partnerships, now: now)
    }

    /// The organisation overview over every program (sorted by start, then name), each with its pairs that
    /// went ahead and its activity counts.
    /// `participation` is `ParticipationTables` over `participants` of the same programs.
    public static func overview(actor: Actor, now: Date, censor: CalendarDate?, programs: [(program: Program, pairs: [MentoringPair])],
                                activity: [UUID: ProgramHeadline.Activity], workforce: Workforce,
                                participation: ParticipationTables) throws -> OrganisationOverview {
        try AccessPolicy.require(actor, .view, .outcomes)
        let censor = censor ?? CalendarDate.today(now: now)
        let everyone = workforce.everyone
        let byID = Dictionary(everyone.map { ($0.employeeID, $0) }, uniquingKeysWith: { a, _ in a })
        var rows: [ProgramHeadline] = []
        var participantIDs = Set<String>()
        // Programs without a start date first, then by start and name.
        let order = { (p: Program) in (p.startDate?.dayNumber ?? Int.min, p.name) }
        for (program, pairs) in programs.sorted(by: { order($0.program) < order($1.program) }) {
            var row = ProgramHeadline(program: program)
            guard pairs.count >= Suppression.threshold else { rows.append(row); continue }
            participantIDs.formUnion(pairs.flatMap { [$0.menteeID, $0.mentorID] })
            row.pairs = pairs.count
            if let start = start(of: program, pairs: pairs), start <= censor {
                row.retention = retention(of: pairs, among: workforce, start: start, censor: censor)
            }
            let known = pairs.compactMap { pair -> Bool? in
                guard let a = byID[pair.menteeID]?.department, let b = byID[pair.mentorID]?.department, !a.isEmpty, !b.isEmpty else { return nil }
                return a != b
            }
            row.crossingDepartments = Suppression.share(known.filter { $0 }.count, of: known.count)?.number
            row.activity = activity[program.id] ?? ProgramHeadline.Activity()
            rows.append(row)
        }
        let participants = participantIDs.compactMap { byID[$0] }
        let employed = everyone.filter { $0.status != .exited }
        return OrganisationOverview(censor: censor, employed: employed.count, programs: rows, participants: .single(participants.count),
                                    participation: participation.overall)
    }
}
