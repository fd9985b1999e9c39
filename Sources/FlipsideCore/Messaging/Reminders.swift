import Foundation

/// The reminders that follow time rather than a change: a meeting tomorrow (9:00 the day before, in the
/// person's own time zone), a check-in due (9:00 the morning after a meeting), a pair flagged as
/// inactive or unhappy, and the coordinators' weekly digest (Monday 9:00). The planner asks `due` for a
/// window of time and queues what it returns under each notice's key, so running it twice queues nothing
/// new; when a reminder goes, `stillDue` asks again against the state of things then, so a meeting moved
/// or cancelled, a pair that ended or a check-in already given gets no stale reminder.
public enum Reminders {
    /// The local hour reminders go at.
    public static let hour = 9

    /// 9:00 in `zone` on the day before `start` (as `zone` counts days).
    public static func dayBefore(_ start: Date, in zone: TimeZone) -> Date {
        at(hour, daysFrom: start, -1, in: zone)
    }

    /// 9:00 in `zone` on the day after `start`.
    public static func morningAfter(_ start: Date, in zone: TimeZone) -> Date {
        at(hour, daysFrom: start, 1, in: zone)
    }

    static func at(_ hour: Int, daysFrom date: Date, _ days: Int, in zone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        let day = CalendarDate(year: c.year!, month: c.month!, day: c.day!)!.adding(days: days)
        return calendar.date(from: DateComponents(year: day.year, month: day.month, day: day.day, hour: hour))!
    }

    /// The meetings of a partnership that count for reminders: not cancelled, at their (moved) start.
    static func meetings(of p: Partnership, from: Date, to: Date) -> [(occurrence: Date, start: Date)] {
        guard let schedule = p.schedule else { return [] }
        let logs = Dictionary(p.meetings.map { ($0.occurrence, $0) }, uniquingKeysWith: { a, _ in a })
        let cut = [schedule.seriesEnd, p.endedAt].compactMap { $0 }.min() ?? .distantFuture
        // A moved meeting may start up to a period away from its planned start.
        let slack = schedule.period * 2
        return schedule.occurrences(from: from.addingTimeInterval(-slack), to: min(cut, to.addingTimeInterval(slack))).compactMap { occurrence in
            let log = logs[occurrence]
            if log?.status == .cancelled { return nil }
            let start = log?.movedTo ?? occurrence
            return start >= from && start < to ? (occurrence, start) : nil
        }
    }

    /// The partnership's reminders due in `[from, to)`, with `zones` the people's time zones (UTC when a
    /// person has none). Only for a pair meeting now.
    public static func due(for p: Partnership, zones: [String: TimeZone], from: Date, to: Date, now: Date) -> [Notice] {
        guard p.status(now: now) == .active else { return [] }
        let pair = p.pair
        var out: [Notice] = []
        for person in [pair.menteeID, pair.mentorID] {
            let zone = zones[person] ?? TimeZone(identifier: "UTC")!
            // A meeting tomorrow: its reminder falls in the window when the meeting starts a day or two on.
            for m in meetings(of: p, from: from, to: to.addingTimeInterval(3 * 86_400)) {
                let at = dayBefore(m.start, in: zone)
                if at >= from && at < to && m.start > now {
                    out.append(Notice(.meetingReminder, to: .person(person), programID: pair.programID, pairID: pair.id,
                                      ref: "m\(Int(m.start.timeIntervalSince1970))", dueAt: at, madeAt: now))
                }
            }
            // A check-in due the morning after a meeting that took place.
            for m in meetings(of: p, from: from.addingTimeInterval(-3 * 86_400), to: min(to, now)) {
                let at = morningAfter(m.start, in: zone)
                if at >= from && at < to && !checkedIn(p, person, for: m.occurrence) {
                    out.append(Notice(.checkInDue, to: .person(person), programID: pair.programID, pairID: pair.id,
                                      ref: "o\(Int(m.occurrence.timeIntervalSince1970))", dueAt: max(at, now), madeAt: now))
                }
            }
        }
        // A flag: both sides hear once per flag, kindly, without who said what.
        for flag in p.flags(now: now) {
            for person in [pair.menteeID, pair.mentorID] {
                out.append(Notice(.pairFlagged, to: .person(person), programID: pair.programID, pairID: pair.id,
                                  ref: "\(flag.kind.rawValue)-\(Int(flag.since.timeIntervalSince1970))", dueAt: now))
            }
        }
        return out
    }

    /// Whether a reminder queued earlier still says something true at `now`.
    public static func stillDue(_ kind: NoticeKind, ref: String?, in p: Partnership, for person: String, now: Date) -> Bool {
        guard p.pair.side(of: person) != nil else { return false }
        let ref = ref ?? ""
        switch kind {
        case .meetingReminder:
            guard p.status(now: now) == .active, let t = Double(ref.dropFirst()) else { return false }
            let start = Date(timeIntervalSince1970: t)
            return start > now && meetings(of: p, from: start, to: start.addingTimeInterval(1)).contains { $0.start == start }
        case .checkInDue:
            guard p.status(now: now) == .active, let t = Double(ref.dropFirst()) else { return false }
            let occurrence = Date(timeIntervalSince1970: t)
            let log = p.meetings.first { $0.occurrence == occurrence }
            return log?.status != .cancelled && log?.status != .missed && !checkedIn(p, person, for: occurrence)
        case .pairFlagged:
            guard p.status(now: now) == .active else { return false }
            return p.flags(now: now).contains { "\($0.kind.rawValue)-\(Int($0.since.timeIntervalSince1970))" == ref }
        default:
            return true
        }
    }

    /// Whether `person` checked in for the meeting planned at `occurrence` (or for its cadence period).
    static func checkedIn(_ p: Partnership, _ person: String, for occurrence: Date) -> Bool {
        guard let current = p.current, let schedule = Schedule(current.rhythm) else { return true }
        let firstStart = schedule.instant(current.rhythm.firstMeeting)
        let period = Int(occurrence.timeIntervalSince(firstStart) / schedule.period)
        return p.checkIns.contains { c in
            c.authorID == person && c.kind == .regular && (c.meeting == occurrence || (c.meeting == nil && c.period == period))
        }
    }

    /// The weekly digest's time in the week that contains `now`: Monday 9:00 in `zone`, with the week's
    /// name (`2026-W49`) as its reference.
    public static func digestTime(containing now: Date, in zone: TimeZone) -> (ref: String, at: Date) {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: now)
        let monday = calendar.date(from: DateComponents(hour: hour, weekday: 2, weekOfYear: c.weekOfYear, yearForWeekOfYear: c.yearForWeekOfYear))!
        return (String(format: "%04d-W%02d", c.yearForWeekOfYear!, c.weekOfYear!), monday)
    }
}
