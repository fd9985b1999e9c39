import Foundation

/// A counted figure as shown: the number, or suppressed.
public struct Figure: Sendable, Hashable, Codable {
    public var label: String
    /// `nil` when hidden; `hidden` says why.
    public var count: Int?
    public var hidden: Suppression.Hidden?
    public init(label: String, _ shown: Suppression.Shown) {
        self.label = label
        count = shown.number
        hidden = shown.hidden
    }

    /// The parts of a whole, hidden together (`Suppression.parts`); `total` says how the whole is published.
    static func parts(_ items: [(String, Int)], total: Suppression.Total) -> [Figure] {
        let shown = Suppression.parts(items.map(\.1), total: total).parts
        return zip(items, shown).map { Figure(label: $0.0.0, $0.1) }
    }
}

/// Diversity and cross-generational reach of a program's pairs. Pure computation on plain data; every
/// count over fewer than 5 pairs or people is suppressed.
public struct DiversityReport: Sendable, Codable {
    public struct Crossing: Sendable, Codable {
        /// What is compared: department, location, or a perspective attribute.
        public var dimension: String
        /// Pairs whose two people differ in it (`nil` when suppressed), of `pairs` with both values known.
        public var crossing: Int?
        /// Why `crossing` is hidden: few differ (`small`), or few do not (`protects`).
        public var hidden: Suppression.Hidden?
        public var pairs: Int
    }
    public struct TopicRow: Sendable, Codable {
        public var topic: String
        /// Pairs in which it was taught, by the mentor's level band.
        public var byLevel: [Figure]
    }
    public struct Participation: Sendable, Codable {
        public var dimension: String
        public var rows: [Row]
        /// The program's participants (on the overview: places across programs, a person in two programs
        /// counted in each); `Row.participants` add up to it.
        public var total: Suppression.Shown
        /// Everyone employed; `Row.organisation` add up to it.
        public var organisationTotal: Int
        public struct Row: Sendable, Codable {
            public var value: String
            public var participants: Suppression.Shown
            public var organisation: Suppression.Shown
        }
    }

    public var pairs: Int
    public var crossings: [Crossing]
    public var levelGaps: [Figure]
    public var tenureGaps: [Figure]
    public var topics: [TopicRow]
    public var participation: [Participation]

    /// `pairs` as (mentee, mentor, topics the mentor teaches the mentee); `participation` the program's
    /// tables as `ParticipationTables` decided them with every other program's.
    public init(pairs: [(mentee: Person, mentor: Person, topics: [Topic])], participation: [Participation], attributes: [String], on day: CalendarDate) {
        self.pairs = pairs.count
        var crossings: [Crossing] = []
        func crossing(_ dimension: String, _ value: (Person) -> String?) {
            let known = pairs.filter { value($0.mentee).map { !$0.isEmpty } == true && value($0.mentor).map { !$0.isEmpty } == true }
            let differ = known.filter { value($0.mentee) != value($0.mentor) }.count
            let shown = Suppression.share(differ, of: known.count)?.number
            let reason: Suppression.Hidden? = shown != nil ? nil : known.count < Suppression.threshold || differ < Suppression.threshold ? .small : .protects
            crossings.append(Crossing(dimension: dimension, crossing: shown, hidden: reason, pairs: known.count))
        }
        crossing("department") { $0.department }
        crossing("location") { $0.location }
        for attribute in attributes { crossing(attribute) { $0.attributes[attribute] } }
        self.crossings = crossings

        func histogram(_ values: [Int], bins: [(String, ClosedRange<Int>)]) -> [Figure] {
            // The pairs are shown above the table: its total is published whatever the table hides.
            Figure.parts(bins.map { label, range in (label, values.filter { range.contains($0) }.count) }, total: .fixed)
        }
        levelGaps = histogram(pairs.map { $0.mentee.level - $0.mentor.level },
                              bins: [("0–1 levels", Int.min...1), ("2 levels", 2...2), ("3 levels", 3...3), ("4 levels", 4...4), ("5+ levels", 5...Int.max)])
        tenureGaps = histogram(pairs.map { $0.mentee.hireDate <= day && $0.mentor.hireDate <= day ? ($0.mentor.hireDate.daysSince($0.mentee.hireDate)) / 365 : 0 },
                               bins: [("under 2 years", Int.min...1), ("2–4 years", 2...4), ("5–9 years", 5...9), ("10–19 years", 10...19), ("20+ years", 20...Int.max)])
        let bands = Bands.levels
        var taught: [String: [String: Int]] = [:]
        for pair in pairs { for topic in pair.topics { taught[topic.key, default: [:]][Bands.level(pair.mentor.level), default: 0] += 1 } }
        topics = taught.keys.sorted().map { topic in
            // How many pairs a topic was taught in is not published: only the bands' own counts are.
            TopicRow(topic: topic, byLevel: Figure.parts(bands.map { ($0, taught[topic]?[$0] ?? 0) }, total: .unpublished))
        }
        self.participation = participation
    }
}

/// Who takes part against the organisation's make-up, by department, level band and location, for every
/// program whose figures are shown and across them (the overview), decided together: a program's column
/// plus another's is the overview's, so a count hidden on one page must not follow from the others
/// (`Suppression.protect` over the linked tables). Each program's participants are the people of its
/// pairs that went ahead; the overview counts places (a person in two programs counts in each), so that
/// its figures are the sums the pages add up to; the organisation is everyone employed.
public struct ParticipationTables: Sendable {
    public var byProgram: [UUID: [DiversityReport.Participation]]
    public var overall: [DiversityReport.Participation]

    public static let dimensions: [(name: String, value: @Sendable (Employment) -> String)] = [
        ("department", { $0.department }), ("level band", { Bands.level($0.level) }), ("location", { $0.location }),
    ]

    /// A program whose figures are shown: who took part, counted as they stood on `day` (its start).
    public struct Program: Sendable, Hashable {
        public var id: UUID
        public var day: CalendarDate?
        public var employeeIDs: [String]
        public init(id: UUID, day: CalendarDate?, employeeIDs: [String]) {
            self.id = id
            self.day = day
            self.employeeIDs = employeeIDs
        }
    }

    /// `programs` by the employee ids of who took part, each placed as they stood on its day (the HR
    /// history); `workforce` the HR data (leavers included: a participant who left still took part; the
    /// organisation's column counts those employed now, as they are now).
    public init(programs: [Program], workforce: Workforce) {
        let now = Dictionary(workforce.everyone.map { ($0.employeeID, $0) }, uniquingKeysWith: { a, _ in a })
        self.init(programs: programs.map { program in
            (program.id, program.employeeIDs.compactMap { id in
                now[id].map { person in program.day.map { workforce.history.asOf($0, person) } ?? person }
            })
        }, organisation: workforce.everyone.filter { $0.status != .exited })
    }

    public init(programs: [(id: UUID, participants: [Employment])], organisation: [Employment]) {
        var byProgram: [UUID: [DiversityReport.Participation]] = [:], overall: [DiversityReport.Participation] = []
        for (dimension, value) in Self.dimensions {
            var everyone: [String: Int] = [:]
            for p in organisation { everyone[value(p), default: 0] += 1 }
            let counts = programs.map { program -> [String: Int] in
                var c: [String: Int] = [:]
                for p in program.participants { c[value(p), default: 0] += 1 }
                return c
            }
            let values = counts.reduce(Set(everyone.keys)) { $0.union($1.keys) }.sorted()
            var table = LinkedCounts()
            // The organisation's column: its total is published as "employed" on the overview.
            let org = values.map { table.cell(everyone[$0] ?? 0) }
            table.sum(org, is: table.cell(organisation.count, fixed: true))
            // A program's participants (never fewer than 5 with five pairs) and the places of all programs
            // follow from the pairs shown beside them: fixed. Each program's row adds up to its total, each
            // value's column to the overview's figure.
            let cells = counts.map { c in values.map { table.cell(c[$0] ?? 0) } }
            let rowTotals = programs.indices.map { table.cell(programs[$0].participants.count, fixed: programs[$0].participants.count >= Suppression.threshold) }
            for p in programs.indices { table.sum(cells[p], is: rowTotals[p]) }
            let columns = values.indices.map { v in table.cell(cells.reduce(0) { $0 + table.values[$1[v]] }) }
            for v in values.indices { table.sum(cells.map { $0[v] }, is: columns[v]) }
            let places = programs.reduce(0) { $0 + $1.participants.count }
            let grand = table.cell(places, fixed: places >= Suppression.threshold)
            table.sum(columns, is: grand)
            table.sum(rowTotals, is: grand)
            let shown = Suppression.protect(table)
            func participation(_ participants: [Int], total: Int) -> DiversityReport.Participation {
                DiversityReport.Participation(dimension: dimension, rows: values.indices.map {
                    .init(value: values[$0], participants: shown[participants[$0]], organisation: shown[org[$0]])
                }, total: shown[total], organisationTotal: organisation.count)
            }
            for (p, program) in programs.enumerated() { byProgram[program.id, default: []].append(participation(cells[p], total: rowTotals[p])) }
            overall.append(participation(columns, total: grand))
        }
        self.byProgram = byProgram
        self.overall = overall
    }
}

/// How the partnerships go: meetings, check-ins, satisfaction and "felt listened to" over time, flags,
/// insights and actions. Counts and means only, never words; a mean over fewer than 5 answers is not shown.
public struct EngagementReport: Sendable, Codable {
    public struct Month: Sendable, Codable {
        public var month: String
        /// Check-ins answered in the month; they add up to `checkInsAnswered`.
        public var answers: Suppression.Shown
        public var satisfaction: Double?
        public var listened: Double?
    }

    public var partnerships: Int
    public var meetingsPlanned: Int
    public var meetingsHeld: Int
    public var checkInsExpected: Int
    public var checkInsAnswered: Int
    public var months: [Month]
    public var flagged: [Figure]
    public var insights: Int
    public var actionsPlanned: Int
    public var actionsDone: Int
    /// The median days from an insight to the action that came of it.
    public var medianDaysInsightToAction: Double?

    public init(_ partnerships: [Partnership], now: Date) {
        self.partnerships = partnerships.count
        var planned = 0, held = 0, expected = 0, answered = 0
        var byMonth: [String: (n: Int, satisfaction: Int, listenedN: Int, listened: Int)] = [:]
        var flags: [HealthFlag.Kind: Int] = [:]
        var insights = 0, actions = 0, done = 0
        var delays: [Double] = []
        for p in partnerships {
            if let schedule = p.schedule {
                let until = [now, schedule.seriesEnd, p.endedAt].compactMap { $0 }.min() ?? now
                let occurrences = schedule.occurrences(to: until)
                let cancelled = Set(p.meetings.filter { $0.status == .cancelled }.map(\.occurrence))
                let count = occurrences.filter { !cancelled.contains($0) }.count
                planned += count
                expected += 2 * count
            }
            held += p.meetings.filter { $0.status == .held }.count
            for c in p.checkIns where c.kind == .regular {
                answered += 1
                let key = String(CalendarDate(utcDayOf: c.at).description.prefix(7))
                var entry = byMonth[key] ?? (0, 0, 0, 0)
                entry.n += 1
                entry.satisfaction += c.satisfaction ?? 0
                if let l = c.listened { entry.listenedN += 1; entry.listened += l }
                byMonth[key] = entry
            }
            for flag in Set(p.flags(now: now).map(\.kind)) { flags[flag, default: 0] += 1 }
            let insightTexts = p.texts.filter { $0.kind == .insight }
            insights += insightTexts.count
            actions += p.actions.count
            done += p.actions.filter { $0.status == .done }.count
            for a in p.actions {
                if let insight = insightTexts.first(where: { $0.id == a.insightID }) { delays.append(a.createdAt.timeIntervalSince(insight.createdAt) / 86_400) }
            }
        }
        meetingsPlanned = planned
        meetingsHeld = held
        checkInsExpected = expected
        checkInsAnswered = answered
        let monthKeys = byMonth.keys.sorted()
        // The answers in all are shown above the table (and on the overview): a month's count must not follow from them.
        let answers = Suppression.parts(monthKeys.map { byMonth[$0]!.n }, total: .fixed).parts
        months = monthKeys.enumerated().map { i, key in
            let e = byMonth[key]!
            return Month(month: key, answers: answers[i],
                         // Means to one decimal (4.7, not 4.678571428571429): more says nothing and gives answers away.
                         satisfaction: e.n >= Suppression.threshold ? RetentionFigures.rounded(Double(e.satisfaction) / Double(e.n), decimals: 1) : nil,
                         listened: e.listenedN >= Suppression.threshold ? RetentionFigures.rounded(Double(e.listened) / Double(e.listenedN), decimals: 1) : nil)
        }
        flagged = HealthFlag.Kind.allCases.map { kind in
            Figure(label: kind.rawValue, .single(flags[kind] ?? 0))
        }
        self.insights = insights
        actionsPlanned = actions
        actionsDone = done
        let sorted = delays.sorted()
        medianDaysInsightToAction = sorted.count >= Suppression.threshold
            ? RetentionFigures.rounded(sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2, decimals: 1) : nil
    }
}
