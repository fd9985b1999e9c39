import FlipsideCore
import FlipsideCoreTestSupport
import Foundation
import Testing

/// The partnership use cases on an in-memory store: the rules without a web framework or a database.
@Suite struct PartnershipsUseCaseTests {
    typealias Memory = MemoryPartnershipStore

    static let senior = Actor.participant(employeeID: "SENIOR"), junior = Actor.participant(employeeID: "JUNIOR")
    static func date(_ iso: String) -> Date { Fixtures.date(iso) }

    static func world() -> Memory {
        let program = Program(name: "Pilot", startDate: CalendarDate(iso: "2026-11-01"), endDate: CalendarDate(iso: "2027-06-30"), status: .active)
        let pair = MentoringPair(programID: program.id, menteeID: "SENIOR", mentorID: "JUNIOR", status: .accepted, source: .run, score: 80,
                                 menteeAccepted: true, mentorAccepted: true, createdAt: date("2026-11-10T09:00:00Z"))
        let mentee = Enrolment(programID: program.id, employeeID: "SENIOR", role: .mentee, wants: [TopicWant(topic: Topic("figma")!, priority: 3)], channels: [.video, .chat])
        let mentor = Enrolment(programID: program.id, employeeID: "JUNIOR", role: .mentor, offers: [TopicOffer(topic: Topic("figma")!, proficiency: 4)], channels: [.video])
        return Memory(Partnership(pair: pair, program: program, mentee: mentee, mentor: mentor))
    }

    static func draft(first: String = "2026-12-01T10:00", channel: String = "video", pledge: Bool = true) -> AgreementDraft {
        AgreementDraft(goals: [.init(title: "Figma for reviews", kind: "new_tech_or_apps", topic: "figma")], cadence: "weekly", minutes: 60,
                       firstMeeting: first, timeZone: "UTC", endDate: "2027-02-28", channel: channel, pledgeAccepted: pledge)
    }

    @Test func anAgreementNeedsBothSidesAndThePledge() async throws {
        let store = Self.world()
        let id = await store.current().pair.id
        let now = Self.date("2026-11-20T09:00:00Z")
        await #expect(throws: PartnershipError.invalid([FieldProblem(field: "pledge", reason: "must be accepted: both sides accept the confidentiality and respect pledge"),
                                                        FieldProblem(field: "rhythm.first_meeting", reason: "is before the program starts (2026-11-01)"),
                                                        FieldProblem(field: "rhythm.channel", reason: "must be a channel both of you use (video)")])) {
            try await Partnerships.draftAgreement(id, Self.draft(first: "2026-10-01T10:00", channel: "chat", pledge: false), actor: Self.junior, now: now, store: store)
        }
        #expect(await store.current().agreements.isEmpty)   // nothing partial
        await #expect(throws: PartnershipError.refused(AccessPolicy.onlyThePair)) {
            try await Partnerships.draftAgreement(id, Self.draft(), actor: .coordinator(employeeID: nil), now: now, store: store)
        }
        let v1 = try await Partnerships.draftAgreement(id, Self.draft(), actor: Self.junior, now: now, store: store)
        #expect(v1.number == 1 && v1.mentorAcceptedAt == now && v1.menteeAcceptedAt == nil)
        await #expect(throws: PartnershipError.ownVersion) {
            try await Partnerships.acceptAgreement(id, version: 1, pledgeAccepted: true, actor: Self.junior, now: now, store: store)
        }
        _ = try await Partnerships.acceptAgreement(id, version: 1, pledgeAccepted: true, actor: Self.senior, now: now, store: store)
        var p = await store.current()
        #expect(p.pair.status == .active && p.current?.number == 1 && p.sequence == 1 && p.events.last?.status == .active)
        // A change after acceptance needs both again; the agreed version stays in force meanwhile.
        _ = try await Partnerships.draftAgreement(id, Self.draft(first: "2026-12-02T10:00"), actor: Self.senior, now: now, store: store)
        p = await store.current()
        #expect(p.current?.number == 1 && p.pending?.number == 2)
        await #expect(throws: PartnershipError.notLatestVersion(latest: 2)) {
            try await Partnerships.acceptAgreement(id, version: 1, pledgeAccepted: true, actor: Self.junior, now: now, store: store)
        }
    }

    @Test func checkInsMeetingsActionsAndTheEnd() async throws {
        let store = Self.world()
        let id = await store.current().pair.id
        var now = Self.date("2026-11-20T09:00:00Z")
        _ = try await Partnerships.draftAgreement(id, Self.draft(), actor: Self.junior, now: now, store: store)
        _ = try await Partnerships.acceptAgreement(id, version: 1, pledgeAccepted: true, actor: Self.senior, now: now, store: store)
        let goal = try #require(await store.current().current?.goals.first?.id)
        now = Self.date("2026-12-09T12:00:00Z")
        let first = Self.date("2026-12-01T10:00:00Z"), second = Self.date("2026-12-08T10:00:00Z")
        await #expect(throws: PartnershipError.self) {
            try await Partnerships.logMeeting(id, occurrence: Self.date("2026-12-02T10:00:00Z"), status: .held, movedTo: nil, actor: Self.senior, now: now, store: store)
        }
        _ = try await Partnerships.logMeeting(id, occurrence: first, status: .held, movedTo: nil, actor: Self.senior, now: now, store: store)
        _ = try await Partnerships.logMeeting(id, occurrence: Self.date("2026-12-15T10:00:00Z"), status: .cancelled, movedTo: nil, actor: Self.junior, now: now, store: store)
        #expect(await store.current().sequence == 2)
        await #expect(throws: PartnershipError.invalid([FieldProblem(field: "progress.\(goal.uuidString)", reason: "must be between 0 and 100 %")])) {
            try await Partnerships.checkIn(id, CheckInDraft(meeting: first, satisfaction: 4, direction: "yes", progress: [goal.uuidString: 140], listened: 4),
                                           actor: Self.junior, now: now, store: store)
        }
        _ = try await Partnerships.checkIn(id, CheckInDraft(meeting: first, satisfaction: 1, direction: "no", progress: [goal.uuidString: 20], listened: 2,
                                                            comment: "Not heard", commentVisibility: "only_me"), actor: Self.junior, now: now, store: store)
        await #expect(throws: PartnershipError.alreadyCheckedIn("meeting:\(Int(first.timeIntervalSince1970))")) {
            try await Partnerships.checkIn(id, CheckInDraft(meeting: first, satisfaction: 3, direction: "yes", listened: 3), actor: Self.junior, now: now, store: store)
        }
        _ = try await Partnerships.checkIn(id, CheckInDraft(meeting: second, satisfaction: 5, direction: "yes"), actor: Self.senior, now: now, store: store)
        var p = await store.current()
        #expect(p.flags(now: now).map(\.kind) == [.unhappy, .apart])
        // The words: the junior's only_me comment is theirs alone.
        #expect(p.seen(by: Self.senior).texts.isEmpty && p.seen(by: Self.junior).texts.count == 1 && p.seen(by: .coordinator(employeeID: nil)).texts.isEmpty)
        await #expect(throws: PartnershipError.onlySide(.mentee, doing: "plan an action")) {
            try await Partnerships.addAction(id, kind: "other", what: "x", due: nil, visibility: nil, insightID: nil, actor: Self.junior, now: now, store: store)
        }
        let insight = try await Partnerships.write(id, kind: .insight, body: "Juniors wait for me to speak", visibility: "our_pair", about: .goal(goal),
                                                   actor: Self.senior, now: now, store: store)
        let action = try await Partnerships.addAction(id, kind: "improve_process", what: "Speak last", due: "2027-01-15", visibility: nil, insightID: insight.id,
                                                      actor: Self.senior, now: now, store: store)
        _ = try await Partnerships.updateAction(id, actionID: action.id, status: "done", outcome: "More voices", actor: Self.senior, now: now, store: store)
        p = await store.current()
        #expect(p.actions.first?.status == .done && p.actions.first?.doneAt == now && p.texts(about: .action(action.id)).count == 2)
        // The end: the reason is the program team's; then only the closing check-in, once.
        _ = try await Partnerships.end(id, reason: "New role", actor: Self.senior, now: now, store: store)
        p = await store.current()
        #expect(p.seen(by: Self.junior).events.last?.reason == nil && p.seen(by: .coordinator(employeeID: nil)).events.last?.reason == "New role")
        await #expect(throws: PartnershipError.wrongStatus(.ended, doing: "A check-in")) {
            try await Partnerships.checkIn(id, CheckInDraft(satisfaction: 3, direction: "yes", listened: 3), actor: Self.junior, now: now, store: store)
        }
        _ = try await Partnerships.closingCheckIn(id, overallValue: 4, wouldAgain: true, changed: "I speak up", visibility: "program_team", actor: Self.junior, now: now, store: store)
        await #expect(throws: PartnershipError.alreadyCheckedIn("closing")) {
            try await Partnerships.closingCheckIn(id, overallValue: 4, wouldAgain: true, changed: nil, visibility: nil, actor: Self.junior, now: now, store: store)
        }
    }

    @Test func aPartnershipCompletesAfterItsEndDate() async throws {
        let store = Self.world()
        let id = await store.current().pair.id
        let now = Self.date("2026-11-20T09:00:00Z")
        _ = try await Partnerships.draftAgreement(id, Self.draft(), actor: Self.junior, now: now, store: store)
        _ = try await Partnerships.acceptAgreement(id, version: 1, pledgeAccepted: true, actor: Self.senior, now: now, store: store)
        #expect(try await Partnerships.completeDue(now: Self.date("2027-02-28T23:59:00Z"), store: store) == 0)
        #expect(try await Partnerships.completeDue(now: Self.date("2027-03-01T00:00:00Z"), store: store) == 1)
        #expect(await store.current().pair.status == .completed)
    }
}
