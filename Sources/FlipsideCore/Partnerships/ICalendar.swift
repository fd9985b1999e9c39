import Foundation

/// One pair's meeting series as it goes into a calendar.
public struct CalendarSeries: Sendable {
    public var pairID: UUID
    public var summary: String
    public var description: String
    public var rhythm: Rhythm
    /// Bumped on every change of the series (a new agreement in force, a moved or cancelled meeting, the end).
    public var sequence: Int
    /// Moved and cancelled meetings.
    public var meetings: [MeetingLog]
    /// When the pair ended before its end date (the series stops there).
    public var endedAt: Date?
    /// When the series last changed (DTSTAMP / LAST-MODIFIED).
    public var changedAt: Date

    public init(pairID: UUID, summary: String, description: String, rhythm: Rhythm, sequence: Int, meetings: [MeetingLog],
                endedAt: Date?, changedAt: Date) {
        self.pairID = pairID
        self.summary = summary
        self.description = description
        self.rhythm = rhythm
        self.sequence = sequence
        self.meetings = meetings
        self.endedAt = endedAt
        self.changedAt = changedAt
    }

    /// The series' UID: stable for the pair's whole life.
    public var uid: String { "pair-\(pairID.uuidString.lowercased())@flipside" }
}

/// Writes iCalendar (RFC 5545) text: a VCALENDAR with one VTIMEZONE per zone used and, per series, a
/// VEVENT with an RRULE (UNTIL when there is an end, none when ongoing), EXDATEs for cancelled meetings and
/// one VEVENT with a RECURRENCE-ID per moved meeting. Lines end in CRLF and are folded at 75 octets.
public enum ICalendar {
    public static func document(name: String, series: [CalendarSeries]) -> String {
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Flipside//Reverse mentoring//EN", "CALSCALE:GREGORIAN",
                     "METHOD:PUBLISH", "X-WR-CALNAME:\(escape(name))"]
        var zones: [String] = []
        for s in series where !zones.contains(s.rhythm.timeZone) { zones.append(s.rhythm.timeZone) }
        for zone in zones {
            guard let tz = TimeZone(identifier: zone) else { continue }
            let year = series.first { $0.rhythm.timeZone == zone }!.rhythm.firstMeeting.date.year
            lines += timeZoneComponent(tz, year: year)
        }
        for s in series { lines += events(s) }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// An iTIP message (RFC 5546) for one pair's series, to go in an email (RFC 6047): `REQUEST` with
    /// the whole series (as in the feed: the same UID, RRULE, VTIMEZONE and SEQUENCE) so that a calendar
    /// offers to add or update it, or `CANCEL` of one meeting (its RECURRENCE-ID). Flipside is the
    /// organiser; the two people attend, and no reply is asked for.
    public static func itip(_ part: NoticeCalendar, organizer: (name: String, email: String), attendees: [(name: String, email: String)]) -> String {
        let s = part.series
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Flipside//Reverse mentoring//EN", "CALSCALE:GREGORIAN", "METHOD:\(part.method.rawValue)"]
        if let tz = TimeZone(identifier: s.rhythm.timeZone) { lines += timeZoneComponent(tz, year: s.rhythm.firstMeeting.date.year) }
        let people = ["ORGANIZER;CN=\(parameter(organizer.name)):mailto:\(organizer.email)"]
            + attendees.map { "ATTENDEE;CN=\(parameter($0.name));ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:\($0.email)" }
        switch part.method {
        case .request:
            lines += events(s, people: people)
        case .cancel:
            guard let occurrence = part.cancelled, let schedule = Schedule(s.rhythm) else { break }
            let at = local(schedule.local(occurrence))
            lines += ["BEGIN:VEVENT", "UID:\(s.uid)", "DTSTAMP:\(utc(s.changedAt))", "SEQUENCE:\(s.sequence)"] + people
                + ["RECURRENCE-ID;TZID=\(s.rhythm.timeZone):\(at)", "DTSTART;TZID=\(s.rhythm.timeZone):\(at)", "DURATION:PT\(s.rhythm.minutes)M",
                   "SUMMARY:\(escape(s.summary))", "STATUS:CANCELLED", "END:VEVENT"]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    /// A parameter value (CN): quoted, without the characters a quoted value cannot hold (RFC 5545 3.2).
    static func parameter(_ value: String) -> String {
        "\"" + String(value.filter { $0 != "\"" && !$0.isNewline && $0.asciiValue.map { $0 >= 0x20 } ?? true }) + "\""
    }

    static func events(_ s: CalendarSeries, people: [String] = []) -> [String] {
        guard let schedule = Schedule(s.rhythm) else { return [] }
        let zone = s.rhythm.timeZone
        let stamp = utc(s.changedAt)
        let start = s.rhythm.firstMeeting
        var rule: String
        switch s.rhythm.cadence {
        case .weekly: rule = "FREQ=WEEKLY"
        case .biweekly: rule = "FREQ=WEEKLY;INTERVAL=2"
        case .monthly:
            let (ordinal, weekday) = schedule.monthlyPosition
            rule = "FREQ=MONTHLY;BYDAY=\(ordinal)\(weekdays[weekday - 1])"
        }
        // UNTIL is in UTC when DTSTART has a TZID (RFC 5545 3.3.10); an early end cuts the series there.
        let ends = [schedule.seriesEnd, s.endedAt].compactMap { $0 }.min()
        if let ends { rule += ";UNTIL=\(utc(ends.addingTimeInterval(-1)))" }
        var lines = ["BEGIN:VEVENT", "UID:\(s.uid)", "DTSTAMP:\(stamp)", "LAST-MODIFIED:\(stamp)", "SEQUENCE:\(s.sequence)"] + people + [
                     "DTSTART;TZID=\(zone):\(local(start))", "DURATION:PT\(s.rhythm.minutes)M", "RRULE:\(rule)",
                     "SUMMARY:\(escape(s.summary))", "DESCRIPTION:\(escape(s.description))", "STATUS:CONFIRMED", "TRANSP:OPAQUE"]
        let cancelled = s.meetings.filter { $0.status == .cancelled }.map(\.occurrence).sorted()
        if !cancelled.isEmpty {
            lines.append("EXDATE;TZID=\(zone):" + cancelled.map { local(schedule.local($0)) }.joined(separator: ","))
        }
        lines.append("END:VEVENT")
        for moved in s.meetings where moved.status != .cancelled && moved.movedTo != nil {
            lines += ["BEGIN:VEVENT", "UID:\(s.uid)", "DTSTAMP:\(stamp)", "SEQUENCE:\(s.sequence)"] + people + [
                      "RECURRENCE-ID;TZID=\(zone):\(local(schedule.local(moved.occurrence)))",
                      "DTSTART;TZID=\(zone):\(local(schedule.local(moved.movedTo!)))", "DURATION:PT\(s.rhythm.minutes)M",
                      "SUMMARY:\(escape(s.summary))", "DESCRIPTION:\(escape(s.description))", "STATUS:CONFIRMED", "END:VEVENT"]
        }
        return lines
    }

    static let weekdays = ["SU", "MO", "TU", "WE", "TH", "FR", "SA"]

    /// A VTIMEZONE for `tz`: its standard and daylight observances with the yearly rules of `year`'s
    /// transitions, or one fixed offset for a zone without daylight-saving time.
    static func timeZoneComponent(_ tz: TimeZone, year: Int) -> [String] {
        var lines = ["BEGIN:VTIMEZONE", "TZID:\(tz.identifier)"]
        var utcCalendar = Calendar(identifier: .gregorian)
        utcCalendar.timeZone = TimeZone(identifier: "UTC")!
        let yearStart = utcCalendar.date(from: DateComponents(year: year, month: 1, day: 1))!
        let yearEnd = utcCalendar.date(from: DateComponents(year: year + 1, month: 1, day: 1))!
        var transitions: [Date] = []
        var cursor = yearStart
        while let next = tz.nextDaylightSavingTimeTransition(after: cursor), next < yearEnd, transitions.count < 4 {
            transitions.append(next)
            cursor = next
        }
        if transitions.isEmpty {
            let offset = offsetText(tz.secondsFromGMT(for: yearStart))
            lines += ["BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:\(offset)", "TZOFFSETTO:\(offset)",
                      "TZNAME:\(tz.abbreviation(for: yearStart) ?? tz.identifier)", "END:STANDARD"]
        } else {
            for t in transitions {
                let before = tz.secondsFromGMT(for: t.addingTimeInterval(-1)), after = tz.secondsFromGMT(for: t)
                let kind = tz.isDaylightSavingTime(for: t) ? "DAYLIGHT" : "STANDARD"
                // The transition as the wall clock showed it just before (e.g. 02:00 in spring, 03:00 in autumn).
                let wall = utcCalendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: t.addingTimeInterval(TimeInterval(before)))
                let day = wall.day!, month = wall.month!
                let weekday = utcCalendar.component(.weekday, from: t.addingTimeInterval(TimeInterval(before)))
                let ordinal = day + 7 > CalendarDate.daysIn(month: month, year: wall.year!) ? -1 : (day - 1) / 7 + 1
                let dtstart = String(format: "%04d%02d%02dT%02d%02d%02d", wall.year!, month, day, wall.hour!, wall.minute!, wall.second!)
                lines += ["BEGIN:\(kind)", "DTSTART:\(dtstart)", "RRULE:FREQ=YEARLY;BYMONTH=\(month);BYDAY=\(ordinal)\(weekdays[weekday - 1])",
                          "TZOFFSETFROM:\(offsetText(before))", "TZOFFSETTO:\(offsetText(after))",
                          "TZNAME:\(tz.abbreviation(for: t) ?? kind)", "END:\(kind)"]
            }
        }
        lines.append("END:VTIMEZONE")
        return lines
    }

    static func offsetText(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+", s = abs(seconds)
        return sign + String(format: "%02d%02d", s / 3600, (s % 3600) / 60)
    }

    static func local(_ t: LocalDateTime) -> String {
        String(format: "%04d%02d%02dT%02d%02d00", t.date.year, t.date.month, t.date.day, t.hour, t.minute)
    }

    static func utc(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(format: "%04d%02d%02dT%02d%02d%02dZ", c.year!, c.month!, c.day!, c.hour!, c.minute!, c.second!)
    }

    /// TEXT escaping (RFC 5545 3.3.11).
    static func escape(_ text: String) -> String {
        var out = ""
        for ch in text {
            switch ch {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\n", "\r\n": out += "\\n"
            case "\r": break
            default: out.append(ch)
            }
        }
        return out
    }

    /// Folds a content line into pieces of at most 75 octets, never inside a UTF-8 sequence (RFC 5545 3.1).
    static func fold(_ line: String) -> String {
        guard line.utf8.count > 75 else { return line }
        var pieces: [String] = [], current = "", octets = 0
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            let limit = pieces.isEmpty ? 75 : 74   // a continuation line starts with one space
            if octets + size > limit {
                pieces.append(current)
                current = ""
                octets = 0
            }
            current.unicodeScalars.append(scalar)
            octets += size
        }
        pieces.append(current)
        return pieces.joined(separator: "\r\n ")
    }
}
