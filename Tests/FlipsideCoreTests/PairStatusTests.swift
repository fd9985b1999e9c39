import FlipsideCore
import Foundation
import Testing

/// One definition of each state: every pair status against every predicate, the steps each status opens,
/// and what a page offers (`nextSteps`) against what the use cases accept.
@Suite struct PairStatusTests {
    typealias Memory = PartnershipsUseCaseTests.Memory

    @Test func everyStatusAgainstEveryPredicate() {
        let predicates: [(String, KeyPath<PairStatus, Bool>)] = [
            ("isUnanswered", \.isUnanswered), ("isRunning", \.isRunning), ("meets", \.meets), ("isOver", \.isOver),
            ("holdsPlaces", \.holdsPlaces), ("isCurrent", \.isCurrent), ("mayHavePartnership", \.mayHavePartnership), ("wasRefused", \.wasRefused),
        ]
        let expected: [PairStatus: Set<String>] = [
            .requested: ["isUnanswered", "isCurrent"],
            .proposed: ["isUnanswered", "holdsPlaces", "isCurrent"],
            .accepted: ["isRunning", "holdsPlaces", "isCurrent", "mayHavePartnership"],
            .active: ["isRunning", "meets", "holdsPlaces", "isCurrent", "mayHavePartnership"],
            .completed: ["isOver", "mayHavePartnership"],
            .declined: ["wasRefused"],
            .expired: ["wasRefused"],
            .ended: ["isOver", "mayHavePartnership"],
        ]
        #expect(Set(expected.keys) == Set(PairStatus.allCases))
        for status in PairStatus.allCases {
            let holds = Set(predicates.filter { status[keyPath: $0.1] }.map(\.0))
            #expect(holds == expected[status], "\(status)")
        }
    }

    @Test func whoBecamePartners() {
        func pair(_ status: PairStatus, _ mentee: Bool?, _ mentor: Bool?) -> MentoringPair {
            MentoringPair(programID: UUID(), menteeID: "A", mentorID: "B", status: status, source: .run, score: 50,
                          menteeAccepted: mentee, mentorAccepted: mentor, createdAt: Date(timeIntervalSince1970: 0))
        }
        for status in PairStatus.allCases {
            for answers in [(Bool?.none, Bool?.none), (true, nil), (true, true), (false, true)] {
                let expected = [.accepted, .active, .completed].contains(status) || (status == .ended && answers.0 == true && answers.1 == true)
                #expect(pair(status, answers.0, answers.1).becamePartners == expected, "\(status) \(answers)")
            }
        }
        #expect(MentoringPair.partnersByStatus == [.accepted, .active, .completed])
    }

    @Test func whoHasAnAnswerToGive() {
        let now = Date(timeIntervalSince1970: 1_000_000)
        var p = MentoringPair(programID: UUID(), menteeID: "A", mentorID: "B", status: .proposed, source: .run, score: 50, createdAt: now)
        #expect(p.awaitsAnswer(from: .mentee, now: now) && p.awaitsAnswer(from: .mentor, now: now) && !p.awaitsAnswer(from: nil, now: now))
        p.menteeAccepted = true
        #expect(!p.awaitsAnswer(from: .mentee, now: now) && p.awaitsAnswer(from: .mentor, now: now))
        p.status = .requested
        p.expiresAt = now.addingTimeInterval(60)
        #expect(p.awaitsAnswer(from: .mentor, now: now) && !p.awaitsAnswer(from: .mentee, now: now))
        #expect(!p.awaitsAnswer(from: .mentor, now: now.addingTimeInterval(61)), "a lapsed request has nothing to answer")
        for status in PairStatus.allCases where !status.isUnanswered {
            p.status = status
            #expect(!p.awaitsAnswer(from: .mentee, now: now) && !p.awaitsAnswer(from: .mentor, now: now))
        }
    }

    @Test func theStepsEachStatusOpens() {
        let expected: [PartnershipStep: Set<PairStatus>] = [
            .draftAgreement: [.accepted, .active], .acceptAgreement: [.accepted, .active], .end: [.accepted, .active],
            .continueAgreement: [.active], .logMeeting: [.active], .checkIn: [.active],
            .closingCheckIn: [.completed, .ended], .write: [.accepted, .active, .completed, .ended],
            .planAction: [.accepted, .active, .completed],
        ]
        #expect(Set(expected.keys) == Set(PartnershipStep.allCases))
        for step in PartnershipStep.allCases {
            #expect(Set(PairStatus.allCases.filter(step.allows)) == expected[step], "\(step)")
        }
    }

    // MARK: What a page offers is what the use case accepts

    static let now = PartnershipsUseCaseTests.date("2026-12-10T12:00:00Z")

    /// A partnership in `status` with an agreement in force (weekly from 1 December until 28 February), and
    /// for `acceptAgreement` a second version the mentor drafted.
    static func partnership(_ status: PairStatus, partners: Bool, pendingFromMentor: Bool) async -> Partnership {
        var p = await PartnershipsUseCaseTests.world().current()
        p.pair.status = status
        p.pair.menteeAccepted = partners ? true : nil
        p.pair.mentorAccepted = partners ? true : nil
        let rhythm = Rhythm(cadence: .weekly, minutes: 60, firstMeeting: LocalDateTime(iso: "2026-12-01T10:00")!, timeZone: "UTC",
                            endDate: CalendarDate(iso: "2027-02-28"), channel: .video)
        let goal = Goal(title: "Figma for reviews", kind: .newTechOrApps, topic: Topic("figma"))
        let created = PartnershipsUseCaseTests.date("2026-11-20T09:00:00Z")
        p.agreements = [AgreementVersion(pairID: p.pair.id, number: 1, authorID: "JUNIOR", goals: [goal], rhythm: rhythm, createdAt: created,
                                         menteeAcceptedAt: created, mentorAcceptedAt: created)]
        if pendingFromMentor {
            p.agreements.append(AgreementVersion(pairID: p.pair.id, number: 2, authorID: "JUNIOR", goals: [goal], rhythm: rhythm, createdAt: created,
                                                 mentorAcceptedAt: created))
        }
        return p
    }

    /// Runs `step` as `side` with input that passes every rule but the pair's state.
    static func take(_ step: PartnershipStep, as side: EnrolmentRole, on store: Memory, pairID id: UUID) async throws {
        let actor = side == .mentee ? PartnershipsUseCaseTests.senior : PartnershipsUseCaseTests.junior, now = Self.now
        let meeting = PartnershipsUseCaseTests.date("2026-12-08T10:00:00Z")
        switch step {
        case .draftAgreement: _ = try await Partnerships.draftAgreement(id, PartnershipsUseCaseTests.draft(first: "2026-12-15T10:00"), actor: actor, now: now, store: store)
        case .acceptAgreement: _ = try await Partnerships.acceptAgreement(id, version: 2, pledgeAccepted: true, actor: actor, now: now, store: store)
        case .continueAgreement: _ = try await Partnerships.continueAgreement(id, pledgeAccepted: true, actor: actor, now: now, store: store)
        case .logMeeting: _ = try await Partnerships.logMeeting(id, occurrence: meeting, status: .held, movedTo: nil, actor: actor, now: now, store: store)
        case .checkIn:
            _ = try await Partnerships.checkIn(id, CheckInDraft(meeting: meeting, satisfaction: 4, direction: "yes", listened: side == .mentor ? 4 : nil),
                                               actor: actor, now: now, store: store)
        case .closingCheckIn:
            _ = try await Partnerships.closingCheckIn(id, overallValue: 4, wouldAgain: true, changed: nil, visibility: nil, actor: actor, now: now, store: store)
        case .write: _ = try await Partnerships.write(id, kind: .note, body: "A note", visibility: nil, about: nil, actor: actor, now: now, store: store)
        case .planAction:
            _ = try await Partnerships.addAction(id, kind: "other", what: "Try it", due: nil, visibility: nil, insightID: nil, actor: actor, now: now, store: store)
        case .end: _ = try await Partnerships.end(id, reason: nil, actor: actor, now: now, store: store)
        }
    }

    @Test func aStepOfferedIsAcceptedAndAStepClosedIsRefused() async throws {
        var offered = 0
        for status in PairStatus.allCases {
            for partners in [true, false] {
                for side in [EnrolmentRole.mentee, .mentor] {
                    for step in PartnershipStep.allCases {
                        let p = await Self.partnership(status, partners: partners, pendingFromMentor: step == .acceptAgreement)
                        let store = Memory(p)
                        let label = "\(status) partners=\(partners) \(side) \(step)"
                        if p.nextSteps(for: side, now: Self.now).contains(step) {
                            offered += 1
                            await #expect(throws: Never.self, "\(label)") { try await Self.take(step, as: side, on: store, pairID: p.pair.id) }
                        } else if !p.isOpen(step, now: Self.now) {
                            do {
                                try await Self.take(step, as: side, on: store, pairID: p.pair.id)
                                Issue.record("\(label): the use case accepted a step the state does not open")
                            } catch let error as PartnershipError {
                                if case .wrongStatus = error {} else if case .onlySide = error, step == .planAction, side == .mentor {} else {
                                    Issue.record("\(label): \(error)")
                                }
                            }
                        }
                    }
                }
            }
        }
        #expect(offered > 20)
        // Nobody outside the pair is offered anything.
        #expect(await Self.partnership(.active, partners: true, pendingFromMentor: true).nextSteps(for: nil, now: Self.now).isEmpty)
    }

    @Test func theStepsOfferedToEachSide() async {
        let active = await Self.partnership(.active, partners: true, pendingFromMentor: false)
        #expect(active.nextSteps(for: .mentee, now: Self.now) == [.draftAgreement, .continueAgreement, .logMeeting, .checkIn, .write, .planAction, .end])
        #expect(active.nextSteps(for: .mentor, now: Self.now) == [.draftAgreement, .continueAgreement, .logMeeting, .checkIn, .write, .end])
        let pending = await Self.partnership(.active, partners: true, pendingFromMentor: true)
        #expect(pending.nextSteps(for: .mentee, now: Self.now).contains(.acceptAgreement))
        #expect(!pending.nextSteps(for: .mentor, now: Self.now).contains(.acceptAgreement), "one's own version is accepted already")
        #expect(!pending.nextSteps(for: .mentee, now: Self.now).contains(.continueAgreement), "a version is waiting")
        var over = await Self.partnership(.ended, partners: true, pendingFromMentor: false)
        #expect(over.nextSteps(for: .mentor, now: Self.now) == [.closingCheckIn, .write])
        over.checkIns.append(CheckIn(pairID: over.pair.id, authorID: "JUNIOR", side: .mentor, kind: .closing, at: Self.now, overallValue: 4, wouldAgain: true))
        #expect(over.nextSteps(for: .mentor, now: Self.now) == [.write], "one closing check-in each")
        #expect(over.nextSteps(for: .mentee, now: Self.now) == [.closingCheckIn, .write])
        let neverAnswered = await Self.partnership(.ended, partners: false, pendingFromMentor: false)
        #expect(neverAnswered.nextSteps(for: .mentee, now: Self.now).isEmpty, "a pair ended before it was answered has no partnership")
    }
}
