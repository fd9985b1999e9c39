import FlipsideCore
import FlipsideCoreTestSupport
import Foundation
import Testing

/// The partnership rules on plain data: who reads which text, the schedule across daylight-saving
/// changes, the calendar text, the health flags.
@Suite struct PartnershipRulesTests {
    static let pair = MentoringPair(programID: UUID(), menteeID: "SENIOR", mentorID: "JUNIOR", status: .active, source: .run, score: 80, createdAt: Date())

    static func date(_ iso: String) -> Date { Fixtures.date(iso) }

    /// Every reader × author × visibility: the author always; the partner unless only_me; a coordinator
    /// only program_team; another participant, a coordinator's text-less login and nobody never.
    @Test func whoReadsWhichText() {
        let readers: [(Actor, String)] = [(.participant(employeeID: "SENIOR"), "mentee"), (.participant(employeeID: "JUNIOR"), "mentor"),
                                          (.participant(employeeID: "OTHER"), "other"), (.coordinator(employeeID: nil), "coordinator"),
                                          (.coordinator(employeeID: "HR1"), "coordinator with a person"), (.anonymous, "anonymous")]
        for author in ["SENIOR", "JUNIOR"] {
            for visibility in TextVisibility.allCases {
                let text = PairText(pairID: Self.pair.id, kind: .note, authorID: author, visibility: visibility, body: "words", createdAt: Date())
                for (reader, name) in readers {
                    let expected: Bool
                    switch name {
                    case "mentee", "mentor":
                        expected = reader.employeeID == author || visibility != .onlyMe
                    case "coordinator", "coordinator with a person":
                        expected = visibility == .programTeam
                    default:
                        expected = false
                    }
                    #expect(TextAccess.mayRead(reader, text, in: Self.pair) == expected, "\(name) reading \(author)'s \(visibility)")
                }
            }
        }
        // A text of another pair is never read through this one.
        let elsewhere = PairText(pairID: UUID(), kind: .note, authorID: "SENIOR", visibility: .programTeam, body: "x", createdAt: Date())
        #expect(!TextAccess.mayRead(.participant(employeeID: "SENIOR"), elsewhere, in: Self.pair))
    }

    /// What `seen(by:)` leaves a coordinator: no private or pair words, no goal words shared with the pair, no check-in numbers.
    @Test func aCoordinatorSeesNoPrivateWords() {
        let program = Program(name: "P", status: .active)
        let rhythm = Rhythm(cadence: .weekly, minutes: 60, firstMeeting: LocalDateTime(iso: "2026-12-03T10:00")!, timeZone: "Europe/Berlin", endDate: nil, channel: .video)
        let version = AgreementVersion(pairID: Self.pair.id, number: 1, authorID: "JUNIOR", goals: [Goal(title: "Secret goal", kind: .perspective)],
                                       rhythm: rhythm, visibility: .ourPair, createdAt: Date(), menteeAcceptedAt: Date(), mentorAcceptedAt: Date())
        let texts = TextVisibility.allCases.map { PairText(pairID: Self.pair.id, kind: .feedback, authorID: "JUNIOR", visibility: $0, body: $0.rawValue, createdAt: Date()) }
        let full = Partnership(pair: Self.pair, program: program, mentee: nil, mentor: nil, agreements: [version],
                               checkIns: [CheckIn(pairID: Self.pair.id, authorID: "JUNIOR", side: .mentor, kind: .regular, at: Date(), satisfaction: 1, direction: .no, listened: 1)],
                               texts: texts)
        let seen = full.seen(by: .coordinator(employeeID: nil))
        #expect(seen.texts.map(\.body) == ["program_team"])
        #expect(seen.agreements[0].goals[0].title.isEmpty && seen.agreements[0].goals[0].kind == .perspective && seen.hiddenGoalWords == [version.id])
        #expect(seen.checkIns.isEmpty)
        let partner = full.seen(by: .participant(employeeID: "SENIOR"))
        #expect(partner.texts.map(\.body) == ["our_pair", "program_team"] && partner.agreements[0].goals[0].title == "Secret goal" && partner.checkIns.isEmpty)
        #expect(full.seen(by: .participant(employeeID: "JUNIOR")).checkIns.count == 1)
    }

    /// Weekly at 10:00 in Berlin stays 10:00 across the change at the end of March (09:00 UTC → 08:00 UTC);
    /// New York's change is two weeks earlier; monthly keeps the weekday of the month.
    @Test func theScheduleKeepsTheWallClockAcrossDaylightSaving() throws {
        let berlin = try #require(Schedule(Rhythm(cadence: .weekly, minutes: 60, firstMeeting: LocalDateTime(iso: "2027-03-18T10:00")!,
                                                  timeZone: "Europe/Berlin", endDate: CalendarDate(iso: "2027-04-08"), channel: .video)))
        #expect(berlin.occurrences(to: .distantFuture) == ["2027-03-18T09:00:00Z", "2027-03-25T09:00:00Z", "2027-04-01T08:00:00Z", "2027-04-08T08:00:00Z"].map(Self.date))
        let newYork = try #require(Schedule(Rhythm(cadence: .biweekly, minutes: 30, firstMeeting: LocalDateTime(iso: "2027-03-04T09:30")!,
                                                   timeZone: "America/New_York", endDate: CalendarDate(iso: "2027-04-01"), channel: .video)))
        #expect(newYork.occurrences(to: .distantFuture) == ["2027-03-04T14:30:00Z", "2027-03-18T13:30:00Z", "2027-04-01T13:30:00Z"].map(Self.date))
        // The 2nd Tuesday of each month; a first meeting in a month's fifth week means the last one.
        let monthly = try #require(Schedule(Rhythm(cadence: .monthly, minutes: 45, firstMeeting: LocalDateTime(iso: "2027-01-12T16:00")!,
                                                   timeZone: "UTC", endDate: nil, channel: .chat)))
        #expect(monthly.occurrences(to: Self.date("2027-05-01T00:00:00Z")).map { monthly.local($0).date.description } == ["2027-01-12", "2027-02-09", "2027-03-09", "2027-04-13"])
        let last = try #require(Schedule(Rhythm(cadence: .monthly, minutes: 45, firstMeeting: LocalDateTime(iso: "2027-01-29T16:00")!,
                                                timeZone: "UTC", endDate: nil, channel: .chat)))
        #expect(last.occurrences(to: Self.date("2027-04-01T00:00:00Z")).map { last.local($0).date.description } == ["2027-01-29", "2027-02-26", "2027-03-26"])
        #expect(berlin.isOccurrence(Self.date("2027-04-01T08:00:00Z")) && !berlin.isOccurrence(Self.date("2027-04-01T09:00:00Z")))
    }

    @Test func theCalendarTextFollowsRFC5545() {
        let rhythm = Rhythm(cadence: .weekly, minutes: 60, firstMeeting: LocalDateTime(iso: "2027-03-18T10:00")!, timeZone: "Europe/Berlin",
                            endDate: CalendarDate(iso: "2027-06-30"), channel: .video)
        let id = UUID()
        let series = CalendarSeries(pairID: id, summary: "Reverse mentoring: Ana, Bo; and a long name that goes past seventy-five octets — ü",
                                    description: "Line one\nline two", rhythm: rhythm, sequence: 4,
                                    meetings: [MeetingLog(pairID: id, occurrence: Self.date("2027-03-25T09:00:00Z"), status: .cancelled, loggedBy: "A", loggedAt: Date()),
                                               MeetingLog(pairID: id, occurrence: Self.date("2027-04-01T08:00:00Z"), status: .moved,
                                                          movedTo: Self.date("2027-04-02T12:00:00Z"), loggedBy: "A", loggedAt: Date())],
                                    endedAt: nil, changedAt: Self.date("2027-03-01T10:00:00Z"))
        let text = ICalendar.document(name: "Test", series: [series])
        #expect(text.hasSuffix("END:VCALENDAR\r\n") && !text.replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        for line in text.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 75, "\(line)") }
        let unfolded = text.replacingOccurrences(of: "\r\n ", with: "")
        #expect(unfolded.contains("RRULE:FREQ=WEEKLY;UNTIL=20270630T215959Z"))
        #expect(unfolded.contains("EXDATE;TZID=Europe/Berlin:20270325T100000"))
        #expect(unfolded.contains("RECURRENCE-ID;TZID=Europe/Berlin:20270401T100000") && unfolded.contains("DTSTART;TZID=Europe/Berlin:20270402T140000"))
        #expect(unfolded.contains("SUMMARY:Reverse mentoring: Ana\\, Bo\\; and a long name that goes past seventy-five octets — ü"))
        #expect(unfolded.contains("DESCRIPTION:Line one\\nline two") && unfolded.contains("SEQUENCE:4") && unfolded.contains("UID:pair-\(id.uuidString.lowercased())@flipside"))
        #expect(unfolded.contains("BEGIN:DAYLIGHT") && unfolded.contains("RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU") && unfolded.contains("TZOFFSETTO:+0200"))
        #expect(unfolded.contains("RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"))
        let ny = ICalendar.document(name: "NY", series: [CalendarSeries(pairID: id, summary: "x", description: "y",
                                                                           rhythm: Rhythm(cadence: .weekly, minutes: 30, firstMeeting: LocalDateTime(iso: "2027-03-04T09:30")!,
                                                                                          timeZone: "America/New_York", endDate: nil, channel: .video),
                                                                           sequence: 0, meetings: [], endedAt: nil, changedAt: Date())])
        #expect(ny.contains("BYMONTH=3;BYDAY=2SU") && ny.contains("BYMONTH=11;BYDAY=1SU") && ny.contains("RRULE:FREQ=WEEKLY\r\n"))
    }

    @Test func healthFlagsSayWhichAndSinceWhen() {
        let rhythm = Rhythm(cadence: .weekly, minutes: 60, firstMeeting: LocalDateTime(iso: "2027-01-05T10:00")!, timeZone: "UTC", endDate: nil, channel: .video)
        let id = Self.pair.id
        func checkIn(_ side: EnrolmentRole, _ at: String, _ satisfaction: Int, _ direction: Direction = .yes) -> CheckIn {
            CheckIn(pairID: id, authorID: side == .mentee ? "SENIOR" : "JUNIOR", side: side, kind: .regular, at: Self.date(at), satisfaction: satisfaction, direction: direction)
        }
        let held = [MeetingLog(pairID: id, occurrence: Self.date("2027-01-12T10:00:00Z"), status: .held, loggedBy: "JUNIOR", loggedAt: Date())]
        let now = Self.date("2027-01-20T10:00:00Z")
        #expect(Health.flags(checkIns: [checkIn(.mentee, "2027-01-12T12:00:00Z", 4), checkIn(.mentor, "2027-01-12T12:00:00Z", 4)],
                             meetings: held, rhythm: rhythm, status: .active, now: now).isEmpty)
        let unhappy = Health.flags(checkIns: [checkIn(.mentor, "2027-01-05T12:00:00Z", 2), checkIn(.mentor, "2027-01-12T12:00:00Z", 3, .no), checkIn(.mentee, "2027-01-12T12:00:00Z", 5)],
                                   meetings: held, rhythm: rhythm, status: .active, now: now)
        #expect(unhappy == [HealthFlag(kind: .unhappy, since: Self.date("2027-01-05T12:00:00Z"), side: .mentor)])
        let apart = Health.flags(checkIns: [checkIn(.mentor, "2027-01-12T12:00:00Z", 2), checkIn(.mentee, "2027-01-13T12:00:00Z", 5)], meetings: held, rhythm: rhythm, status: .active, now: now)
        #expect(apart.map(\.kind) == [.unhappy, .apart] && apart[1].since == Self.date("2027-01-13T12:00:00Z"))
        // Two weekly periods after the last held meeting; nothing when the pair is not on.
        let quiet = Health.flags(checkIns: [], meetings: held, rhythm: rhythm, status: .active, now: Self.date("2027-01-26T10:00:00Z"))
        #expect(quiet == [HealthFlag(kind: .noMeetings, since: Self.date("2027-01-12T10:00:00Z"))])
        #expect(Health.flags(checkIns: [], meetings: held, rhythm: rhythm, status: .active, now: Self.date("2027-01-26T09:59:00Z")).isEmpty)
        #expect(Health.flags(checkIns: [checkIn(.mentor, "2027-01-12T12:00:00Z", 1)], meetings: [], rhythm: rhythm, status: .completed, now: now).isEmpty)
    }

    @Test func concernCodesAreNormalised() {
        #expect(Concerns.normalised(" abcd efgh-2345 6789 wxyz ") == "ABCD-EFGH-2345-6789-WXYZ")
    }
}
