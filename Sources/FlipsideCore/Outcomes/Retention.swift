import Foundation

/// Bands people are compared within: alike at the program's start.
public enum Bands {
    /// Every level band, lowest first (what `level` returns).
    public static let levels = ["levels 1–2", "levels 3–4", "levels 5–6", "levels 7+"]

    /// Level bands: 1–2, 3–4, 5–6, 7 and above.
    public static func level(_ level: Int) -> String {
        switch level {
        case ...2: return "levels 1–2"
        case 3...4: return "levels 3–4"
        case 5...6: return "levels 5–6"
        default: return "levels 7+"
        }
    }

    /// Tenure at `start`: under 1 year, 1–3, 3–5, 5–10, 10 or more.
    public static func tenure(hired: CalendarDate, at start: CalendarDate) -> String {
        let days = start.daysSince(hired)
        switch days {
        case ..<365: return "under 1 year"
        case 365..<1_095: return "1–3 years"
        case 1_095..<1_826: return "3–5 years"
        case 1_826..<3_652: return "5–10 years"
        default: return "10+ years"
        }
    }
}

extension CalendarDate {
    /// Whole days from `other` to this date (negative when `other` is later).
    public func daysSince(_ other: CalendarDate) -> Int { dayNumber - other.dayNumber }

    /// Days since 1970-01-01 in the proleptic Gregorian calendar, in integer arithmetic (H. Hinnant's
    /// days-from-civil): outcomes compare the dates of 100,000 people, where a Foundation calendar per
    /// date costs far more than the figures.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `dayNumber` days after 1970-01-01 (the inverse of `dayNumber`; H. Hinnant's civil-from-days).
    public init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        self.init(year: yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month: month, day: day)!
    }

    /// The UTC day of an instant.
    public init(utcDayOf date: Date) {
        self.init(dayNumber: Int((date.timeIntervalSince1970 / 86_400).rounded(.down)))
    }
}

/// What retention needs to know of a person: who, where at the start, since when, and whether and when
/// they left (the HR data's columns, without names or contact details).
public struct Employment: Sendable, Hashable {
    public var employeeID: String
    public var level: Int
    public var department: String
    public var location: String
    public var hireDate: CalendarDate
    public var status: EmploymentStatus
    public var exitDate: CalendarDate?

    public init(employeeID: String, level: Int, department: String, location: String, hireDate: CalendarDate,
                status: EmploymentStatus, exitDate: CalendarDate?) {
        self.employeeID = employeeID
        self.level = level
        self.department = department
        self.location = location
        self.hireDate = hireDate
        self.status = status
        self.exitDate = exitDate
    }

    public init(_ p: Person) {
        self.init(employeeID: p.employeeID, level: p.level, department: p.department, location: p.location, hireDate: p.hireDate,
                  status: p.status, exitDate: p.exitDate)
    }
}

/// People followed from a program's start until something happens to them (they leave, or are promoted)
/// or follow-up ends: a Kaplan–Meier curve per group, read off at 6 and 12 months, and who they were
/// compared with. What retention and promotion share.
public enum FollowUp {
    /// A group of people followed from the start.
    public struct Group: Sendable {
        public var name: String
        public var people: Int
        /// How many had the event: an exit (retention) or a first promotion (promotion).
        public var exits: Int
        public var curve: KaplanMeier
        /// The curve at 6 and 12 months (183 and 365 days), `nil` when nobody was followed that long.
        public var sixMonths: KaplanMeier.Step?
        public var twelveMonths: KaplanMeier.Step?

        init(name: String, subjects: [SurvivalSubject]) {
            let curve = KaplanMeier(subjects)
            let followed = subjects.map(\.time).max() ?? 0
            self.name = name
            people = subjects.count
            exits = subjects.filter(\.exited).count
            self.curve = curve
            sixMonths = followed >= RetentionAnalysis.sixMonths ? curve.at(RetentionAnalysis.sixMonths) : nil
            twelveMonths = followed >= RetentionAnalysis.twelveMonths ? curve.at(RetentionAnalysis.twelveMonths) : nil
        }
    }

    /// Everyone employed on `start`: hired by then, not gone before.
    static func employed(_ people: [Employment], on start: CalendarDate) -> [Employment] {
        people.filter { $0.hireDate <= start && ($0.exitDate.map { $0 > start } ?? ($0.status != .exited)) }
    }

    /// The comparison group for `participants`: everyone of `employed` who is not in `excluded` and shares a
    /// participant's level band, department and tenure band on `start`; and how it was formed.
    static func comparison(for participants: [Employment], named: String = "participant", among employed: [Employment],
                           excluding excluded: (String) -> Bool, start: CalendarDate) -> (others: [Employment], formed: RetentionAnalysis.Comparison) {
        struct Stratum: Hashable { var level: String; var department: String; var tenure: String }
        func stratum(_ p: Employment) -> Stratum {
            Stratum(level: Bands.level(p.level), department: p.department, tenure: Bands.tenure(hired: p.hireDate, at: start))
        }
        let wanted = Set(participants.map(stratum))
        var others: [Employment] = [], found = Set<Stratum>()
        for p in employed where !excluded(p.employeeID) {
            let s = stratum(p)
            if wanted.contains(s) { others.append(p); found.insert(s) }
        }
        let formed = RetentionAnalysis.Comparison(
            description: "Everyone employed on \(start) who did not take part and shares a \(named)'s level band, department and tenure band (\(others.count) people).",
            strata: wanted.count, strataMatched: wanted.intersection(found).count,
            participantsWithoutMatch: participants.filter { !found.contains(stratum($0)) }.count)
        return (others, formed)
    }

    /// Whether `first` against `comparison` can carry a conclusion, and if not, why.
    static func caveat(_ first: Group, _ comparison: Group, events: String) -> String? {
        let small = [first, comparison].filter { $0.people < RetentionAnalysis.minimumGroup }
        if !small.isEmpty {
            // The counts themselves follow the suppression rule: under 5 they are not given.
            return "Too few people to conclude anything: \(small.map { "\($0.name.lowercased()) \($0.people < Suppression.threshold ? "fewer than \(Suppression.threshold)" : String($0.people))" }.joined(separator: ", ")) (at least \(RetentionAnalysis.minimumGroup) each are needed)."
        }
        if first.exits + comparison.exits < RetentionAnalysis.minimumExits {
            return "Too few \(events) to conclude anything yet (fewer than \(RetentionAnalysis.minimumExits))."
        }
        return nil
    }
}

/// Retention of a program's mentors and mentees against people like them who did not take part.
public struct RetentionAnalysis: Sendable {
    public typealias Group = FollowUp.Group

    /// How the comparison group was formed, in words, and how many were found.
    public struct Comparison: Sendable {
        public var description: String
        /// Strata (level band × department × tenure band) of the participants, and how many of them had
        /// at least one non-participant alike.
        public var strata: Int
        public var strataMatched: Int
        public var participantsWithoutMatch: Int
    }

    public var mentors: Group
    public var mentees: Group
    public var comparison: Group
    public var comparisonFormed: Comparison
    public var mentorsVsComparison: LogRank
    public var menteesVsComparison: LogRank
    /// Whether the numbers can carry a conclusion; otherwise `caveat` says why not.
    public var conclusive: Bool
    public var caveat: String?

    /// Six and twelve months, in days: where the curves are read off.
    public static let sixMonths = 183.0
    public static let twelveMonths = 365.0

    /// The smallest group and number of exits for a conclusion worth stating.
    public static let minimumGroup = 20
    public static let minimumExits = 5

    /// `people` is everyone in the HR data; `mentorIDs`/`menteeIDs` the program's participants. Time runs
    /// from `start`; people still employed are censored at `censor` (today, or a chosen date).
    public init(people: [Person], mentorIDs: Set<String>, menteeIDs: Set<String>, start: CalendarDate, censor: CalendarDate) {
        self.init(people: people.map(Employment.init), mentorIDs: mentorIDs, menteeIDs: menteeIDs, start: start, censor: censor)
    }

    /// `people` as they stood on `start` (`EmploymentHistory.asOf`): the strata are formed from that.
    public init(people: [Employment], mentorIDs: Set<String>, menteeIDs: Set<String>, start: CalendarDate, censor: CalendarDate) {
        let employed = FollowUp.employed(people, on: start)
        let tookPart = { (id: String) in mentorIDs.contains(id) || menteeIDs.contains(id) }
        let participants = employed.filter { tookPart($0.employeeID) }
        let (others, formed) = FollowUp.comparison(for: participants, among: employed, excluding: tookPart, start: start)
        comparisonFormed = formed

        func subject(_ p: Employment) -> SurvivalSubject {
            if let exit = p.exitDate, exit <= censor { return SurvivalSubject(time: Double(exit.daysSince(start)), exited: true) }
            return SurvivalSubject(time: Double(max(0, censor.daysSince(start))), exited: false)
        }
        let mentorSubjects = participants.filter { mentorIDs.contains($0.employeeID) }.map(subject)
        let menteeSubjects = participants.filter { menteeIDs.contains($0.employeeID) && !mentorIDs.contains($0.employeeID) }.map(subject)
        let comparisonSubjects = others.map(subject)
        mentors = Group(name: "Mentors (junior side)", subjects: mentorSubjects)
        mentees = Group(name: "Mentees (senior side)", subjects: menteeSubjects)
        comparison = Group(name: "Comparison group", subjects: comparisonSubjects)
        mentorsVsComparison = LogRank(mentorSubjects, comparisonSubjects)
        menteesVsComparison = LogRank(menteeSubjects, comparisonSubjects)
        caveat = FollowUp.caveat(mentors, comparison, events: "exits")
        conclusive = caveat == nil
    }
}

/// Promotion of a program's mentors (the junior side) against people like them who did not take part:
/// the time from the program's start to each one's first promotion (a move to a higher level, from the HR
/// history). Someone who leaves unpromoted is censored at their exit; everyone else at `censor`.
public struct PromotionAnalysis: Sendable {
    public var mentors: FollowUp.Group
    /// Everyone employed on the start day who did not take part and shares a mentor's level band,
    /// department and tenure band then.
    public var comparison: FollowUp.Group
    public var comparisonFormed: RetentionAnalysis.Comparison
    public var mentorsVsComparison: LogRank
    public var conclusive: Bool
    public var caveat: String?

    /// `people` as they stood on `start` (`EmploymentHistory.asOf`); `history` says who was promoted when.
    public init(people: [Employment], history: EmploymentHistory, mentorIDs: Set<String>, menteeIDs: Set<String>,
                start: CalendarDate, censor: CalendarDate) {
        let employed = FollowUp.employed(people, on: start)
        let mentorsThen = employed.filter { mentorIDs.contains($0.employeeID) }
        let (others, formed) = FollowUp.comparison(for: mentorsThen, named: "mentor", among: employed,
                                                   excluding: { mentorIDs.contains($0) || menteeIDs.contains($0) }, start: start)
        comparisonFormed = formed
        func subject(_ p: Employment) -> SurvivalSubject {
            let end = min(censor, p.exitDate ?? censor)
            if let promoted = history.firstPromotion(of: p.employeeID, after: start), promoted <= end {
                return SurvivalSubject(time: Double(promoted.daysSince(start)), exited: true)
            }
            return SurvivalSubject(time: Double(max(0, end.daysSince(start))), exited: false)
        }
        let mentorSubjects = mentorsThen.map(subject), comparisonSubjects = others.map(subject)
        mentors = FollowUp.Group(name: "Mentors (junior side)", subjects: mentorSubjects)
        comparison = FollowUp.Group(name: "Comparison group", subjects: comparisonSubjects)
        mentorsVsComparison = LogRank(mentorSubjects, comparisonSubjects)
        caveat = FollowUp.caveat(mentors, comparison, events: "promotions")
        conclusive = caveat == nil
    }
}
