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

/// Retention of a program's mentors and mentees against people like them who did not take part.
public struct RetentionAnalysis: Sendable {
    public struct Group: Sendable {
        public var name: String
        public var people: Int
        public var exits: Int
        public var curve: KaplanMeier
        /// Retention at 6 and 12 months (183 and 365 days), `nil` when nobody was followed that long.
        public var sixMonths: KaplanMeier.Step?
        public var twelveMonths: KaplanMeier.Step?
    }

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

    public init(people: [Employment], mentorIDs: Set<String>, menteeIDs: Set<String>, start: CalendarDate, censor: CalendarDate) {
        // Only people employed on the start day count: hired by then, not gone before.
        let employed = people.filter { $0.hireDate <= start && ($0.exitDate.map { $0 > start } ?? ($0.status != .exited)) }
        struct Stratum: Hashable { var level: String; var department: String; var tenure: String }
        func stratum(_ p: Employment) -> Stratum {
            Stratum(level: Bands.level(p.level), department: p.department, tenure: Bands.tenure(hired: p.hireDate, at: start))
        }
        let participants = employed.filter { mentorIDs.contains($0.employeeID) || menteeIDs.contains($0.employeeID) }
        let wanted = Set(participants.map(stratum))
        var others: [Employment] = [], found = Set<Stratum>()
        for p in employed where !mentorIDs.contains(p.employeeID) && !menteeIDs.contains(p.employeeID) {
            let s = stratum(p)
            if wanted.contains(s) { others.append(p); found.insert(s) }
        }
        comparisonFormed = Comparison(
            description: "Everyone employed on \(start) who did not take part and shares a participant's level band, department and tenure band (\(others.count) people).",
            strata: wanted.count, strataMatched: wanted.intersection(found).count,
            participantsWithoutMatch: participants.filter { !found.contains(stratum($0)) }.count)

        func subject(_ p: Employment) -> SurvivalSubject {
            if let exit = p.exitDate, exit <= censor { return SurvivalSubject(time: Double(exit.daysSince(start)), exited: true) }
            return SurvivalSubject(time: Double(max(0, censor.daysSince(start))), exited: false)
        }
        func group(_ name: String, _ members: [Employment]) -> (Group, [SurvivalSubject]) {
            let subjects = members.map(subject)
            let curve = KaplanMeier(subjects)
            let followed = subjects.map(\.time).max() ?? 0
            return (Group(name: name, people: members.count, exits: subjects.filter(\.exited).count, curve: curve,
                          sixMonths: followed >= Self.sixMonths ? curve.at(Self.sixMonths) : nil,
                          twelveMonths: followed >= Self.twelveMonths ? curve.at(Self.twelveMonths) : nil), subjects)
        }
        let (mentorGroup, mentorSubjects) = group("Mentors (junior side)", participants.filter { mentorIDs.contains($0.employeeID) })
        let (menteeGroup, menteeSubjects) = group("Mentees (senior side)", participants.filter { menteeIDs.contains($0.employeeID) && !mentorIDs.contains($0.employeeID) })
        let (comparisonGroup, comparisonSubjects) = group("Comparison group", others)
        mentors = mentorGroup
        mentees = menteeGroup
        comparison = comparisonGroup
        mentorsVsComparison = LogRank(mentorSubjects, comparisonSubjects)
        menteesVsComparison = LogRank(menteeSubjects, comparisonSubjects)
        let small = [mentorGroup, comparisonGroup].filter { $0.people < Self.minimumGroup }
        let exits = mentorGroup.exits + comparisonGroup.exits
        if !small.isEmpty {
            conclusive = false
            // The counts themselves follow the suppression rule: under 5 they are not given.
            caveat = "Too few people to conclude anything: \(small.map { "\($0.name.lowercased()) \($0.people < Suppression.threshold ? "fewer than \(Suppression.threshold)" : String($0.people))" }.joined(separator: ", ")) (at least \(Self.minimumGroup) each are needed)."
        } else if exits < Self.minimumExits {
            conclusive = false
            caveat = "Too few exits to conclude anything yet (fewer than \(Self.minimumExits))."
        } else {
            conclusive = true
            caveat = nil
        }
    }
}
