import FlipsideCore
import FlipsideCoreTestSupport
import Foundation
import Testing

/// Who hears of what, and when: the notices the use cases make with their changes, the reminders' times
/// in people's own zones across daylight-saving changes, nothing stale, and no one's words in a message.
@Suite struct NoticesTests {
    typealias U = PartnershipsUseCaseTests
    static func date(_ iso: String) -> Date { Fixtures.date(iso) }
    static let berlin = TimeZone(identifier: "Europe/Berlin")!, losAngeles = TimeZone(identifier: "America/Los_Angeles")!
    static let kolkata = TimeZone(identifier: "Asia/Kolkata")!

    @Test(arguments: [
        // Berlin: the day before a meeting on the first CEST Monday is the day the clocks went forward.
        ("Europe/Berlin", "2027-03-29T08:00:00Z", "2027-03-28T07:00:00Z"),
        ("Europe/Berlin", "2027-03-28T08:00:00Z", "2027-03-27T08:00:00Z"),
        // …and back in autumn: 9:00 CET the day the clocks went back.
        ("Europe/Berlin", "2026-10-26T09:00:00Z", "2026-10-25T08:00:00Z"),
        ("Europe/Berlin", "2026-10-25T09:00:00Z", "2026-10-24T07:00:00Z"),
        // Los Angeles: US daylight saving begins on 14 March 2027.
        ("America/Los_Angeles", "2027-03-15T16:00:00Z", "2027-03-14T16:00:00Z"),
        ("America/Los_Angeles", "2027-03-14T17:00:00Z", "2027-03-13T17:00:00Z"),
        // A meeting at 02:00 UTC is the evening before in Los Angeles: the reminder is the day before that.
        ("America/Los_Angeles", "2027-03-29T02:00:00Z", "2027-03-27T16:00:00Z"),
        // Kolkata has no daylight saving and a half-hour offset.
        ("Asia/Kolkata", "2027-03-29T08:00:00Z", "2027-03-28T03:30:00Z"),
        ("Asia/Kolkata", "2027-03-28T20:00:00Z", "2027-03-28T03:30:00Z"),
    ])
    func nineTheDayBeforeInThePersonsZone(zone: String, meeting: String, reminder: String) {
        #expect(Reminders.dayBefore(Self.date(meeting), in: TimeZone(identifier: zone)!) == Self.date(reminder))
    }

    /// A weekly partnership from 1 December 2026, 10:00 UTC, agreed on 20 November.
    static func agreed() async throws -> (MemoryPartnershipStore, UUID) {
        let store = U.world()
        let id = await store.current().pair.id
        let now = date("2026-11-20T09:00:00Z")
        _ = try await Partnerships.draftAgreement(id, U.draft(), actor: U.junior, now: now, store: store)
        _ = try await Partnerships.acceptAgreement(id, version: 1, pledgeAccepted: true, actor: U.senior, now: now, store: store)
        return (store, id)
    }

    @Test func theUseCasesSayWhoHearsOfEachChange() async throws {
        let (store, id) = try await Self.agreed()
        var notices = await store.notices
        // The draft asks the other side; both acceptances in force send both the calendar invitation.
        #expect(notices.map(\.kind) == [.agreement, .calendar, .calendar])
        #expect(notices[0].recipient == .person("SENIOR") && notices[0].ref == "v1")
        #expect(Set(notices[1...].map(\.recipient)) == [.person("SENIOR"), .person("JUNIOR")] && notices[1].ref == "s1")
        let now = Self.date("2026-12-02T12:00:00Z")
        // A cancelled meeting: an update naming it; a held one: nothing.
        _ = try await Partnerships.logMeeting(id, occurrence: Self.date("2026-12-01T10:00:00Z"), status: .held, movedTo: nil, actor: U.senior, now: now, store: store)
        _ = try await Partnerships.logMeeting(id, occurrence: Self.date("2026-12-08T10:00:00Z"), status: .cancelled, movedTo: nil, actor: U.junior, now: now, store: store)
        notices = await store.notices
        #expect(notices.count == 5 && notices[3...].allSatisfy { $0.kind == .calendar && $0.ref == "s2-c\(Int(Self.date("2026-12-08T10:00:00Z").timeIntervalSince1970))" })
        // An action done: the mentor hears, once (not again when it is edited).
        let action = try await Partnerships.addAction(id, kind: "improve_process", what: "Speak last", due: nil, visibility: nil, insightID: nil, actor: U.senior, now: now, store: store)
        _ = try await Partnerships.updateAction(id, actionID: action.id, status: "done", outcome: nil, actor: U.senior, now: now, store: store)
        _ = try await Partnerships.updateAction(id, actionID: action.id, status: "done", outcome: "More voices", actor: U.senior, now: now, store: store)
        notices = await store.notices
        #expect(notices.filter { $0.kind == .actionDone }.map(\.recipient) == [.person("JUNIOR")])
        // The end cancels the rest of the series: both hear.
        _ = try await Partnerships.end(id, reason: "New role", actor: U.senior, now: now, store: store)
        #expect(await store.notices.suffix(2).allSatisfy { $0.kind == .calendar && $0.ref == "s3" })
        // A refused change queues nothing.
        let before = await store.notices.count
        await #expect(throws: PartnershipError.self) { try await Partnerships.end(id, reason: nil, actor: U.junior, now: now, store: store) }
        #expect(await store.notices.count == before)
    }

    @Test func aConcernsNoteGoesAtTheNextFullHourWithoutItsMinute() {
        let program = UUID()
        let a = Notices.concernRaised(in: program, now: Self.date("2026-12-09T10:17:00Z")).first!
        let b = Notices.concernRaised(in: program, now: Self.date("2026-12-09T10:59:59Z")).first!
        #expect(a.dueAt == Self.date("2026-12-09T11:00:00Z") && a.madeAt == a.dueAt && a.recipient == .coordinators)
        #expect(a.key(for: "login:x") == b.key(for: "login:x"), "one note per program and hour")
        #expect(Notices.concernRaised(in: program, now: Self.date("2026-12-09T11:00:00Z")).first!.key(for: "login:x") != a.key(for: "login:x"))
    }

    @Test func remindersAreDueAtNineAndNeverStale() async throws {
        let (store, id) = try await Self.agreed()
        let zones = ["SENIOR": Self.berlin, "JUNIOR": Self.kolkata]
        // The meeting of Tuesday 8 December, 10:00 UTC: 9:00 Berlin (08:00 UTC) and 9:00 Kolkata (03:30 UTC) on the 7th.
        let p = await store.current()
        let window = Reminders.due(for: p, zones: zones, from: Self.date("2026-12-07T00:00:00Z"), to: Self.date("2026-12-07T12:00:00Z"),
                                   now: Self.date("2026-12-07T00:00:00Z"))
        let meeting = window.filter { $0.kind == .meetingReminder }
        #expect(Set(meeting.map { "\($0.recipient)@\($0.dueAt)" }) == ["person(\"SENIOR\")@\(Self.date("2026-12-07T08:00:00Z"))", "person(\"JUNIOR\")@\(Self.date("2026-12-07T03:30:00Z"))"])
        let ref = try #require(meeting.first?.ref)
        #expect(Reminders.stillDue(.meetingReminder, ref: ref, in: p, for: "SENIOR", now: Self.date("2026-12-07T08:00:00Z")))
        // Moved to Wednesday: the old reminder is stale, the new time has its own.
        _ = try await Partnerships.logMeeting(id, occurrence: Self.date("2026-12-08T10:00:00Z"), status: .moved, movedTo: Self.date("2026-12-09T15:00:00Z"),
                                              actor: U.senior, now: Self.date("2026-12-07T01:00:00Z"), store: store)
        var moved = await store.current()
        #expect(!Reminders.stillDue(.meetingReminder, ref: ref, in: moved, for: "SENIOR", now: Self.date("2026-12-07T08:00:00Z")))
        let again = Reminders.due(for: moved, zones: zones, from: Self.date("2026-12-08T00:00:00Z"), to: Self.date("2026-12-08T12:00:00Z"), now: Self.date("2026-12-08T00:00:00Z"))
        #expect(again.filter { $0.kind == .meetingReminder }.map(\.ref) == ["m\(Int(Self.date("2026-12-09T15:00:00Z").timeIntervalSince1970))", "m\(Int(Self.date("2026-12-09T15:00:00Z").timeIntervalSince1970))"])
        // A check-in is due the morning after a meeting, and no longer once given.
        let after = Reminders.due(for: moved, zones: zones, from: Self.date("2026-12-02T00:00:00Z"), to: Self.date("2026-12-02T12:00:00Z"), now: Self.date("2026-12-02T00:00:00Z"))
        let checkIn = try #require(after.first { $0.kind == .checkInDue && $0.recipient == .person("SENIOR") })
        #expect(checkIn.dueAt == Self.date("2026-12-02T08:00:00Z"))
        _ = try await Partnerships.checkIn(id, CheckInDraft(meeting: Self.date("2026-12-01T10:00:00Z"), satisfaction: 4, direction: "yes"), actor: U.senior,
                                           now: Self.date("2026-12-02T07:00:00Z"), store: store)
        moved = await store.current()
        #expect(!Reminders.stillDue(.checkInDue, ref: checkIn.ref, in: moved, for: "SENIOR", now: Self.date("2026-12-02T08:00:00Z")))
        #expect(Reminders.stillDue(.checkInDue, ref: checkIn.ref, in: moved, for: "JUNIOR", now: Self.date("2026-12-02T08:00:00Z")))
        // A pair that ended gets none.
        _ = try await Partnerships.end(id, reason: nil, actor: U.junior, now: Self.date("2026-12-08T02:00:00Z"), store: store)
        let ended = await store.current()
        #expect(Reminders.due(for: ended, zones: zones, from: Self.date("2026-12-08T00:00:00Z"), to: Self.date("2026-12-09T00:00:00Z"), now: Self.date("2026-12-08T03:00:00Z")).isEmpty)
        #expect(!Reminders.stillDue(.meetingReminder, ref: again.first?.ref, in: ended, for: "SENIOR", now: Self.date("2026-12-08T08:00:00Z")))
    }

    @Test func whatAMessageSaysHoldsNoWordsAndNeverSaysWhoFlaggedWhat() async throws {
        let (store, id) = try await Self.agreed()
        let now = Self.date("2026-12-02T12:00:00Z")
        _ = try await Partnerships.checkIn(id, CheckInDraft(meeting: Self.date("2026-12-01T10:00:00Z"), satisfaction: 1, direction: "no", listened: 2,
                                                            comment: "He talks over me", commentVisibility: "only_me"), actor: U.junior, now: now, store: store)
        _ = try await Partnerships.write(id, kind: .note, body: "Secret worry", visibility: "only_me", about: nil, actor: U.senior, now: now, store: store)
        let p = await store.current()
        let flags = p.flags(now: now)
        #expect(flags.map(\.kind) == [.unhappy])
        let names = ["SENIOR": "Sam Senior", "JUNIOR": "Jude Junior"]
        var texts: [String: String] = [:]
        for person in ["SENIOR", "JUNIOR"] {
            let notice = Reminders.due(for: p, zones: [:], from: now.addingTimeInterval(-1), to: now.addingTimeInterval(1), now: now).first { $0.kind == .pairFlagged && $0.recipient == .person(person) }
            let content = try NoticeReading.participant(.pairFlagged, ref: notice?.ref, recipient: person, partnership: Unredacted(p), names: names, zone: Self.berlin, now: now).get()
            texts[person] = ([content.subject] + content.paragraphs).joined(separator: "\n").replacingOccurrences(of: names[person == "SENIOR" ? "JUNIOR" : "SENIOR"]!, with: "PARTNER")
        }
        // Both read the same words: nothing tells either who was unhappy.
        #expect(texts["SENIOR"] == texts["JUNIOR"])
        for kind in NoticeKind.allCases {
            for ref in [nil, "v1", "s1"] {
                for person in ["SENIOR", "JUNIOR"] {
                    guard case let .success(content) = NoticeReading.participant(kind, ref: ref, recipient: person, partnership: Unredacted(p), names: names, zone: Self.berlin, now: now) else { continue }
                    let all = ([content.subject] + content.paragraphs).joined(separator: " ") + (content.calendar.map { "\($0.series.summary) \($0.series.description)" } ?? "")
                    for word in ["Figma for reviews", "talks over me", "Secret worry"] { #expect(!all.contains(word), "\(kind) holds \(word)") }
                }
            }
        }
    }

    @Test func choicesAreParsedOnceForPageApiAndLink() {
        let (valid, problems) = MessageChoices.parse(["meeting_reminder": "none", "digest": "chat", "invitation": "none", "nonsense": "email", "proposal": "pigeon"],
                                                     coordinator: false)
        #expect(valid == [.meetingReminder: NoticeChannel.none])
        #expect(problems.map(\.field).sorted() == ["digest", "invitation", "nonsense", "proposal"])
        #expect(MessageChoices.parse(["digest": "chat"], coordinator: true).valid == [.digest: .chat])
        #expect(MessageChoices.parse(["meeting_reminder": "chat"], coordinator: true).problems.first?.reason == "must be one of email, none")
        let shown = MessageChoices.choices(stored: [.checkInDue: NoticeChannel.none], coordinator: false)
        #expect(shown.first?.kind == .invitation && shown.first?.options == [.email] && !shown.contains { $0.kind == .digest })
        #expect(shown.first { $0.kind == .checkInDue }?.channel == NoticeChannel.none)
    }
}
