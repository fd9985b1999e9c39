import Foundation

/// A counted figure as shown: the number, or suppressed.
public struct Figure: Sendable, Hashable, Codable {
    public var label: String
    /// `nil` when suppressed (a group of fewer than 5, or one that would reveal it by subtraction).
    public var count: Int?
    public init(label: String, count: Int?) {
        self.label = label
        self.count = count
    }

    /// The parts of a whole, suppressed together (`Suppression.parts`).
    static func parts(_ items: [(String, Int)]) -> [Figure] {
        let shown = Suppression.parts(items.map(\.1)).parts
        return zip(items, shown).map { Figure(label: $0.0.0, count: $0.1.number) }
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
        public struct Row: Sendable, Codable {
            public var value: String
            public var participants: Int?
            public var organisation: Int?
        }
    }

    public var pairs: Int
    public var crossings: [Crossing]
    public var levelGaps: [Figure]
    public var tenureGaps: [Figure]
    public var topics: [TopicRow]
    public var participation: [Participation]

    /// `pairs` as (mentee, mentor, topics the mentor teaches the mentee); `organisation` everyone employed.
    public init(pairs: [(mentee: Person, mentor: Person, topics: [Topic])], participants: [Employment], organisation: [Employment],
                attributes: [String], on day: CalendarDate) {
        self.pairs = pairs.count
        var crossings: [Crossing] = []
        func crossing(_ dimension: String, _ value: (Person) -> String?) {
            let known = pairs.filter { value($0.mentee).map { !$0.isEmpty } == true && value($0.mentor).map { !$0.isEmpty } == true }
            let differ = known.filter { value($0.mentee) != value($0.mentor) }.count
            crossings.append(Crossing(dimension: dimension, crossing: Suppression.share(differ, of: known.count)?.number, pairs: known.count))
        }
        crossing("department") { $0.department }
        crossing("location") { $0.location }
        for attribute in attributes { crossing(attribute) { $0.attributes[attribute] } }
        self.crossings = crossings

        func histogram(_ values: [Int], bins: [(String, ClosedRange<Int>)]) -> [Figure] {
            Figure.parts(bins.map { label, range in (label, values.filter { range.contains($0) }.count) })
        }
        levelGaps = histogram(pairs.map { $0.mentee.level - $0.mentor.level },
                              bins: [("0–1 levels", Int.min...1), ("2 levels", 2...2), ("3 levels", 3...3), ("4 levels", 4...4), ("5+ levels", 5...Int.max)])
        tenureGaps = histogram(pairs.map { $0.mentee.hireDate <= day && $0.mentor.hireDate <= day ? ($0.mentor.hireDate.daysSince($0.mentee.hireDate)) / 365 : 0 },
                               bins: [("under 2 years", Int.min...1), ("2–4 years", 2...4), ("5–9 years", 5...9), ("10–19 years", 10...19), ("20+ years", 20...Int.max)])
        let bands = ["levels 1–2", "levels 3–4", "levels 5–6", "levels 7+"]
        var taught: [String: [String: Int]] = [:]
        for pair in pairs { for topic in pair.topics { taught[topic.key, default: [:]][Bands.level(pair.mentor.level), default: 0] += 1 } }
        topics = taught.keys.sorted().map { topic in
            TopicRow(topic: topic, byLevel: Figure.parts(bands.map { ($0, taught[topic]?[$0] ?? 0) }))
        }
        self.participation = Self.participation(participants: participants, organisation: organisation)
    }
}

extension DiversityReport {
    /// Who takes part against the organisation's make-up, by department, level band and location: each
    /// column's parts suppressed together (`Suppression.parts`). `organisation` is everyone employed.
    public static func participation(participants: [Employment], organisation: [Employment]) -> [Participation] {
        func participation(_ dimension: String, _ value: (Employment) -> String) -> Participation {
            var inProgram: [String: Int] = [:], everyone: [String: Int] = [:]
            for p in participants { inProgram[value(p), default: 0] += 1 }
            for p in organisation { everyone[value(p), default: 0] += 1 }
            let values = Set(everyone.keys).union(inProgram.keys).sorted()
            let shownIn = Suppression.parts(values.map { inProgram[$0] ?? 0 }).parts
            let shownAll = Suppression.parts(values.map { everyone[$0] ?? 0 }).parts
            return Participation(dimension: dimension, rows: values.indices.map { i in
                Participation.Row(value: values[i], participants: shownIn[i].number, organisation: shownAll[i].number)
            })
        }
        return [participation("department") { $0.department }, participation("level band") { Bands.level($0.level) },
                participation("location") { $0.location }]
    }
}

/// How the partnerships go: meetings, check-ins, satisfaction and "felt listened to" over time, flags,
/// insights and actions. Counts and means only, never words; a mean over fewer than 5 answers is not shown.
public struct EngagementReport: Sendable, Codable {
    public struct Month: Sendable, Codable {
        public var month: String
        public var answers: Int?
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
        months = byMonth.keys.sorted().map { key in
            let e = byMonth[key]!
            return Month(month: key, answers: e.n >= Suppression.threshold ? e.n : nil,
                         // Means to one decimal (4.7, not 4.678571428571429): more says nothing and gives answers away.
                         satisfaction: e.n >= Suppression.threshold ? RetentionFigures.rounded(Double(e.satisfaction) / Double(e.n), decimals: 1) : nil,
                         listened: e.listenedN >= Suppression.threshold ? RetentionFigures.rounded(Double(e.listened) / Double(e.listenedN), decimals: 1) : nil)
        }
        flagged = HealthFlag.Kind.allCases.map { kind in
            let n = flags[kind] ?? 0
            return Figure(label: kind.rawValue, count: n == 0 || n >= Suppression.threshold ? n : nil)
        }
        self.insights = insights
        actionsPlanned = actions
        actionsDone = done
        let sorted = delays.sorted()
        medianDaysInsightToAction = sorted.count >= Suppression.threshold
            ? (sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2) : nil
    }
}
