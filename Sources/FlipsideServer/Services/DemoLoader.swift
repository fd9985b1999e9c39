import Fluent
import FlipsideCore
import Vapor

/// Loads the demo organisation. Idempotent: people upsert by employee id, the program and
/// enrolments keep fixed ids, and the demo logins are reset rather than duplicated.
public enum DemoLoader {
    public struct Result: Sendable {
        public var people: ImportCounts
        public var program: Program
        public var enrolments: Int
        public var participantEmail: String
        public var menteeEmail: String
    }

    public static func load(into app: Application) async throws -> Result {
        let demo = DemoOrganisation()
        let db = app.db
        let people = try await Importing.people(csv: PeopleCSV.render(demo.people), actor: .system, now: app.clock.now, store: FluentPeopleImportStore(db: db))
        let program: Program
        if let existing = try await ProgramModel.find(demo.program.id, on: db) {
            program = existing.program
        } else {
            program = try await Programs.create(demo.program, actor: .system, store: FluentProgramStore(db: db))
        }
        try await db.writeTransaction { tx in
            for enrolment in demo.enrolments where try await EnrolmentModel.find(enrolment.id, on: tx) == nil {
                try await EnrolmentModel(enrolment).create(on: tx)
            }
        }
        try await loadPilot(demo, into: app)
        try await loadCircle(demo, into: app)
        let accounts = AccountService(app: app)
        try await accounts.upsertUser(email: DemoOrganisation.coordinatorEmail, password: DemoOrganisation.coordinatorPassword, role: .coordinator)
        try await accounts.upsertUser(email: demo.participantEmail, password: DemoOrganisation.coordinatorPassword, role: .participant)
        try await accounts.upsertUser(email: demo.menteeEmail, password: DemoOrganisation.coordinatorPassword, role: .participant)
        return Result(people: people, program: program, enrolments: demo.enrolments.count, participantEmail: demo.participantEmail,
                      menteeEmail: demo.menteeEmail)
    }

    /// The self-matching circle, once: enrolled and open for requests.
    static func loadCircle(_ demo: DemoOrganisation, into app: Application) async throws {
        let db = app.db
        guard try await ProgramModel.find(demo.circle.id, on: db) == nil else { return }
        var draft = demo.circle
        draft.status = .enrolling
        _ = try await Programs.create(draft, actor: .system, store: FluentProgramStore(db: db))
        try await db.writeTransaction { tx in
            for enrolment in demo.circleEnrolments { try await EnrolmentModel(enrolment).create(on: tx) }
        }
        _ = try await Programs.transition(demo.circle.id, to: .matching, actor: .system, now: app.clock.now, store: FluentProgramStore(db: db))
    }

    /// The pilot, once: enrolled, matched, published, and answered by most pairs (every other pair both
    /// accepted, one declined), so that the pages show a workflow in progress. The demo participant's own
    /// proposal is left for them to answer.
    static func loadPilot(_ demo: DemoOrganisation, into app: Application) async throws {
        let db = app.db
        guard try await ProgramModel.find(demo.pilot.id, on: db) == nil else { return }
        var draft = demo.pilot
        draft.status = .enrolling
        _ = try await Programs.create(draft, actor: .system, store: FluentProgramStore(db: db))
        try await db.writeTransaction { tx in
            for enrolment in demo.pilotEnrolments { try await EnrolmentModel(enrolment).create(on: tx) }
        }
        _ = try await Programs.transition(demo.pilot.id, to: .matching, actor: .system, now: app.clock.now, store: FluentProgramStore(db: db))
        let store = FluentMatchingStore(db: db)
        let run = try await MatchWorkflow.run(in: demo.pilot.id, algorithm: .optimal, actor: .system, clock: app.clock, store: store)
        let pairs = try await MatchWorkflow.publish(run.id, in: demo.pilot.id, actor: .system, now: app.clock.now, store: store)
        let participant = demo.pilotEnrolments.first { $0.role == .mentor }?.employeeID
        for (i, pair) in pairs.enumerated() where pair.mentorID != participant {
            if i == 1 {
                _ = try await MatchWorkflow.respond(to: pair.id, accept: false, reason: "Our diaries do not fit this term",
                                                   actor: .participant(employeeID: pair.menteeID), now: app.clock.now, store: store)
            } else if i % 2 == 0 {
                for side in [pair.menteeID, pair.mentorID] {
                    _ = try await MatchWorkflow.respond(to: pair.id, accept: true, reason: nil, actor: .participant(employeeID: side), now: app.clock.now, store: store)
                }
            }
        }
        try await loadPartnerships(demo, pairs: pairs.enumerated().filter { $0.offset % 2 == 0 && $0.element.mentorID != participant }.map(\.element), into: app)
    }

    /// Partnerships under way in the pilot, so that the pages show them: agreements made six weeks ago,
    /// meetings logged, check-ins (one mentor unhappy, one pair that stopped meeting), candid feedback,
    /// insights and actions, and an anonymous concern. Everything said here is the demo's, word for word.
    static func loadPartnerships(_ demo: DemoOrganisation, pairs: [MentoringPair], into app: Application) async throws {
        let store = FluentPartnershipStore(db: app.db)
        let now = app.clock.now
        let today = CalendarDate.today(now: now)
        let enrolments = Dictionary(demo.pilotEnrolments.map { ($0.employeeID, $0) }, uniquingKeysWith: { a, _ in a })
        let people = try await PeopleService(db: app.db).find(pairs.flatMap { [$0.menteeID, $0.mentorID] })
        for (k, pair) in pairs.prefix(8).enumerated() {
            let mentee = enrolments[pair.menteeID], mentor = enrolments[pair.mentorID]
            let topic = mentee?.wants.first?.topic.key ?? "new tools"
            let channel = Set(mentee?.channels ?? FlipsideCore.Channel.allCases).intersection(mentor?.channels ?? FlipsideCore.Channel.allCases).sorted().first ?? .video
            let zone = people[pair.menteeID]?.timeZone ?? "UTC"
            let start = today.adding(days: -42 + k)
            let draft = AgreementDraft(goals: [.init(title: "Get hands-on with \(topic)", kind: GoalKind.newTechOrApps.rawValue,
                                                     success: "Use \(topic) in my own work without help", topic: mentee?.wants.first?.topic.key),
                                               .init(title: "Understand how newer colleagues experience our meetings", kind: GoalKind.perspective.rawValue,
                                                     success: "Change one thing in how I run meetings")],
                                       cadence: Cadence.weekly.rawValue, minutes: 45, firstMeeting: "\(start)T10:00", timeZone: zone,
                                       endDate: today.adding(days: 120).description, channel: channel.rawValue, pledgeAccepted: true)
            let agreedAt = now.addingTimeInterval(Double(-44 + k) * 86_400)
            _ = try await Partnerships.draftAgreement(pair.id, draft, actor: .participant(employeeID: pair.mentorID), now: agreedAt, store: store)
            _ = try await Partnerships.acceptAgreement(pair.id, version: 1, pledgeAccepted: true, actor: .participant(employeeID: pair.menteeID),
                                                       now: agreedAt.addingTimeInterval(3_600), store: store)
            guard let schedule = Schedule(Rhythm(cadence: .weekly, minutes: 45, firstMeeting: LocalDateTime(iso: "\(start)T10:00")!, timeZone: zone,
                                                 endDate: nil, channel: channel)) else { continue }
            let past = schedule.occurrences(to: now)
            // Pair 3 stopped meeting after its second meeting: the coordinator sees "no meeting for two periods".
            let held = k == 3 ? Array(past.prefix(2)) : past
            for (n, meeting) in held.enumerated() {
                let after = meeting.addingTimeInterval(3_600)
                _ = try await Partnerships.logMeeting(pair.id, occurrence: meeting, status: n == 2 && k == 5 ? .missed : .held, movedTo: nil,
                                                      actor: .participant(employeeID: n % 2 == 0 ? pair.menteeID : pair.mentorID), now: after, store: store)
                guard n % 2 == 1 || n == held.count - 1, !(n == 2 && k == 5) else { continue }
                // Pair 1's mentor does not feel heard: an "unhappy" flag (and the sides far apart).
                let unhappy = k == 1 && n >= 2
                _ = try await Partnerships.checkIn(pair.id, CheckInDraft(meeting: meeting, satisfaction: unhappy ? 2 : 4 + (n + k) % 2, direction: unhappy ? "no" : "yes",
                                                                        listened: unhappy ? 1 : 4),
                                                   actor: .participant(employeeID: pair.mentorID), now: after, store: store)
                _ = try await Partnerships.checkIn(pair.id, CheckInDraft(meeting: meeting, satisfaction: 5, direction: "yes"),
                                                   actor: .participant(employeeID: pair.menteeID), now: after, store: store)
            }
            let later = now.addingTimeInterval(Double(-20 + k) * 86_400)
            _ = try await Partnerships.write(pair.id, kind: .feedback, body: "When you ask for ideas, you answer them yourself before anyone else can. Try waiting.",
                                             visibility: TextVisibility.ourPair.rawValue, about: nil, actor: .participant(employeeID: pair.mentorID), now: later, store: store)
            _ = try await Partnerships.write(pair.id, kind: .note, body: "Nervous before giving that feedback. It went better than I feared.",
                                             visibility: TextVisibility.onlyMe.rawValue, about: nil, actor: .participant(employeeID: pair.mentorID), now: later, store: store)
            guard k % 2 == 0 else { continue }
            let insight = try await Partnerships.write(pair.id, kind: .insight, body: "Newer colleagues stay quiet in meetings where the most senior person speaks first.",
                                                       visibility: TextVisibility.programTeam.rawValue, about: nil, actor: .participant(employeeID: pair.menteeID),
                                                       now: later.addingTimeInterval(86_400), store: store)
            let action = try await Partnerships.addAction(pair.id, kind: ActionKind.improveProcess.rawValue, what: "Speak last in my team's weekly review",
                                                          due: today.adding(days: 14).description, visibility: TextVisibility.ourPair.rawValue, insightID: insight.id,
                                                          actor: .participant(employeeID: pair.menteeID), now: later.addingTimeInterval(86_400), store: store)
            if k == 0 {
                _ = try await Partnerships.updateAction(pair.id, actionID: action.id, status: ActionStatus.done.rawValue,
                                                        outcome: "Three people who never spoke in the review made proposals this week.",
                                                        actor: .participant(employeeID: pair.menteeID), now: later.addingTimeInterval(8 * 86_400), store: store)
                _ = try await Partnerships.write(pair.id, kind: .reaction, body: "That is exactly what I hoped for. Thank you for trying it.",
                                                 visibility: TextVisibility.ourPair.rawValue, about: .action(action.id), actor: .participant(employeeID: pair.mentorID),
                                                 now: later.addingTimeInterval(9 * 86_400), store: store)
            }
        }
        if let reporter = pairs.dropFirst(2).first?.mentorID {
            _ = try await Concerns.raise(in: demo.pilot.id, body: "Some seniors in the pilot treat the meetings as status updates; juniors hesitate to say so.",
                                         actor: .participant(employeeID: reporter), now: now.addingTimeInterval(-5 * 86_400), store: FluentConcernStore(db: app.db))
        }
    }
}
