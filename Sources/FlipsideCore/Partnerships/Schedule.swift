import Foundation

/// What happened to one meeting of the schedule.
public enum MeetingStatus: String, Codable, Sendable, CaseIterable {
    case held, missed, moved, cancelled
}

/// A meeting as logged by either side: the occurrence of the schedule it is (by its planned start), what
/// happened, and when it took place instead if it was moved.
public struct MeetingLog: Sendable, Hashable, Codable {
    public var pairID: UUID
    /// The planned start of the occurrence (the series' identity of the meeting, RECURRENCE-ID in iCalendar).
    public var occurrence: Date
    public var status: MeetingStatus
    /// Where the meeting was moved to (kept when it is later logged held or missed).
    public var movedTo: Date?
    public var loggedBy: String
    public var loggedAt: Date

    public init(pairID: UUID, occurrence: Date, status: MeetingStatus, movedTo: Date? = nil, loggedBy: String, loggedAt: Date) {
        self.pairID = pairID
        self.occurrence = occurrence
        self.status = status
        self.movedTo = movedTo
        self.loggedBy = loggedBy
        self.loggedAt = loggedAt
    }

    /// When it actually starts: the new time for a moved meeting.
    public var start: Date { movedTo ?? occurrence }
}

/// The meetings a rhythm makes: the same wall-clock time in the organiser's time zone every week, every
/// two weeks, or on the same weekday of every month (the 2nd Tuesday; the last one when the first meeting
/// falls in a month's fifth week), from the first meeting to the end date (included) or on.
public struct Schedule: Sendable {
    public let rhythm: Rhythm
    public let timeZone: TimeZone
    let calendar: Calendar

    public init?(_ rhythm: Rhythm) {
        guard let zone = TimeZone(identifier: rhythm.timeZone) else { return nil }
        self.rhythm = rhythm
        self.timeZone = zone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        self.calendar = calendar
    }

    /// The instant of a wall-clock time in the schedule's zone (a time that does not exist on a
    /// spring-forward day moves on by the gap, as calendar programs do).
    public func instant(_ local: LocalDateTime) -> Date {
        calendar.date(from: DateComponents(year: local.date.year, month: local.date.month, day: local.date.day,
                                           hour: local.hour, minute: local.minute))!
    }

    /// The wall-clock time of an instant in the schedule's zone.
    public func local(_ date: Date) -> LocalDateTime {
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return LocalDateTime(date: CalendarDate(year: c.year!, month: c.month!, day: c.day!)!, hour: c.hour!, minute: c.minute!)!
    }

    /// The weekday-of-month of the first meeting for a monthly rhythm: (ordinal 1…4 or -1, weekday 1 = Sunday).
    public var monthlyPosition: (ordinal: Int, weekday: Int) {
        let d = rhythm.firstMeeting.date
        let weekday = calendar.component(.weekday, from: instant(rhythm.firstMeeting))
        let ordinal = (d.day - 1) / 7 + 1
        return (ordinal == 5 ? -1 : ordinal, weekday)
    }

    /// The local date of the n-th meeting (n = 0 is the first), or `nil` past the end date.
    public func date(of n: Int) -> CalendarDate? {
        let first = rhythm.firstMeeting.date
        let result: CalendarDate
        switch rhythm.cadence {
        case .weekly, .biweekly:
            let step = rhythm.cadence == .weekly ? 7 : 14
            result = first.adding(days: step * n)
        case .monthly:
            let (ordinal, weekday) = monthlyPosition
            let months = first.month - 1 + n
            let year = first.year + Int((Double(months) / 12).rounded(.down)), month = ((months % 12) + 12) % 12 + 1
            result = Self.weekdayOfMonth(year: year, month: month, ordinal: ordinal, weekday: weekday, calendar: calendar)
        }
        if let end = rhythm.endDate, end < result { return nil }
        return result
    }

    static func weekdayOfMonth(year: Int, month: Int, ordinal: Int, weekday: Int, calendar: Calendar) -> CalendarDate {
        let firstDay = calendar.date(from: DateComponents(year: year, month: month, day: 1, hour: 12))!
        let firstWeekday = calendar.component(.weekday, from: firstDay)
        let firstMatch = 1 + (weekday - firstWeekday + 7) % 7
        let days = CalendarDate.daysIn(month: month, year: year)
        if ordinal > 0 { return CalendarDate(year: year, month: month, day: firstMatch + 7 * (ordinal - 1))! }
        var day = firstMatch
        while day + 7 <= days { day += 7 }
        return CalendarDate(year: year, month: month, day: day)!
    }

    /// The planned starts of the meetings from `from` up to (not including) `to`, at most `limit`.
    public func occurrences(from: Date = .distantPast, to: Date, limit: Int = 1_000) -> [Date] {
        var out: [Date] = []
        var n = 0
        while out.count < limit, let day = date(of: n) {
            let start = instant(LocalDateTime(date: day, hour: rhythm.firstMeeting.hour, minute: rhythm.firstMeeting.minute)!)
            if start >= to { break }
            if start >= from { out.append(start) }
            n += 1
        }
        return out
    }

    /// Whether `date` is the planned start of one of the meetings.
    public func isOccurrence(_ date: Date) -> Bool {
        occurrences(from: date.addingTimeInterval(-1), to: date.addingTimeInterval(1), limit: 1).contains(date)
    }

    /// The end of the series: the end of the end date in the zone, `nil` when ongoing.
    public var seriesEnd: Date? {
        guard let end = rhythm.endDate else { return nil }
        return instant(LocalDateTime(date: end.adding(days: 1), hour: 0, minute: 0)!)
    }

    /// The length of one cadence period, roughly (for "no meeting for two periods").
    public var period: TimeInterval {
        switch rhythm.cadence {
        case .weekly: return 7 * 86_400
        case .biweekly: return 14 * 86_400
        case .monthly: return 31 * 86_400
        }
    }
}

extension CalendarDate {
    /// The date `days` days later (or earlier when negative).
    public func adding(days: Int) -> CalendarDate { CalendarDate(dayNumber: dayNumber + days) }
}
