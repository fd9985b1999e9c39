import Fluent
import SQLKit
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
        let people = try await Importing.people(csv: PeopleCSV.render(demo.people), actor: .system, now: app.clock.now, store: FluentPeopleImportStore(db: db, audit: .system(app.clock)))
        // Where people stood before: the HR history, once.
        try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            guard try await !EmploymentHistoryRows.has(.demo, on: sql) else { return }
            try await EmploymentHistoryRows.record(demo.history, at: app.clock.now, source: .demo, on: sql)
        }
        let program: Program
        if let existing = try await ProgramModel.find(demo.program.id, on: db) {
            program = existing.program
        } else {
            program = try await createProgram(demo.program, on: db, clock: app.clock)
        }
        try await db.writeTransaction { tx in
            for enrolment in demo.enrolments where try await EnrolmentModel.find(enrolment.id, on: tx) == nil {
                try await EnrolmentModel(enrolment).create(on: tx)
            }
        }
        try await loadPilot(demo, into: app)
        try await loadCircle(demo, into: app)
        try await loadLastYear(demo, into: app)
        try await db.writeTransaction { tx in
            let kept = Set(try await TeachingProfileRows.all(on: tx).map(\.employeeID))
            for profile in demo.teachingProfiles where !kept.contains(profile.employeeID) { try await TeachingProfileRows.save(profile, on: tx) }
            // Requests, a nomination and invitations, each told to the person it is for.
            let work = FluentAskStore.Work(tx: tx)
            for ask in demo.asks where try await AskRows.one(ask.id, on: tx) == nil {
                try await work.insert(ask)
                try await work.notify(Notices.asked(ask, now: app.clock.now))
            }
        }
        let accounts = AccountService(app: app)
        try await accounts.upsertUser(email: DemoOrganisation.coordinatorEmail, password: DemoOrganisation.coordinatorPassword, role: .coordinator)
        try await accounts.upsertUser(email: demo.participantEmail, password: DemoOrganisation.coordinatorPassword, role: .participant)
        try await accounts.upsertUser(email: demo.menteeEmail, password: DemoOrganisation.coordinatorPassword, role: .participant)
        return Result(people: people, program: program, enrolments: demo.enrolments.count, participantEmail: demo.participantEmail,
                      menteeEmail: demo.menteeEmail)
    }

    /// Creates one of the demo's programs. A database that already has a program of that name (one made
    /// by `flipside synthesize`, or a coordinator's) keeps it: the demo's gets " (demo)" after its name.
    static func createProgram(_ program: Program, on db: any Database, clock: any WallClock) async throws -> Program {
        var program = program
        while try await ProgramModel.query(on: db).filter(\.$name == program.name).first() != nil { program.name += " (demo)" }
        return try await Programs.create(program, actor: .system, store: FluentProgramStore(db: db, audit: .system(clock)))
    }

    /// The self-matching circle, once: enrolled and open for requests.
    static func loadCircle(_ demo: DemoOrganisation, into app: Application) async throws {
        let db = app.db
        guard try await ProgramModel.find(demo.circle.id, on: db) == nil else { return }
        var draft = demo.circle
        draft.status = .enrolling
        _ = try await createProgram(draft, on: db, clock: app.clock)
        try await db.writeTransaction { tx in
            for enrolment in demo.circleEnrolments { try await EnrolmentModel(enrolment).create(on: tx) }
        }
        _ = try await Programs.transition(demo.circle.id, to: .matching, actor: .system, now: app.clock.now, store: FluentProgramStore(db: db, audit: .system(app.clock)))
    }

    /// The pilot, once: enrolled, matched, published, and answered by most pairs (every other pair both
    /// accepted, one declined), so that the pages show a workflow in progress. The demo participant's own
    /// proposal is left for them to answer.
    static func loadPilot(_ demo: DemoOrganisation, into app: Application) async throws {
        let db = app.db
        guard try await ProgramModel.find(demo.pilot.id, on: db) == nil else { return }
        var draft = demo.pilot
        draft.status = .enrolling
        _ = try await createProgram(draft, on: db, clock: app.clock)
        try await db.writeTransaction { tx in
            for enrolment in demo.pilotEnrolments { try await EnrolmentModel(enrolment).create(on: tx) }
        }
        _ = try await Programs.transition(demo.pilot.id, to: .matching, actor: .system, now: app.clock.now, store: FluentProgramStore(db: db, audit: .system(app.clock)))
        let store = FluentMatchingStore(db: db, audit: .system(app.clock))
        let run = try await MatchWorkflow.run(in: demo.pilot.id, algorithm: .optimal, actor: .system, clock: app.clock, store: store)
        // Published and answered seven weeks ago, before the agreements of six weeks ago (a first meeting is
        // never before the pair was formed).
        let published = app.clock.now.addingTimeInterval(-46 * 86_400)
        let pairs = try await MatchWorkflow.publish(run.id, in: demo.pilot.id, actor: .system, now: published, store: store)
        let participant = demo.pilotEnrolments.first { $0.role == .mentor }?.employeeID
        // The demo participant's proposal waits for them; of the others, the second is declined and every other one accepted.
        let others = pairs.filter { $0.mentorID != participant }
        for (i, pair) in others.enumerated() {
            if i == 1 {
                _ = try await MatchWorkflow.respond(to: pair.id, accept: false, reason: "Our diaries do not fit this term",
                                                   actor: .participant(employeeID: pair.menteeID), now: published.addingTimeInterval(86_400), store: store)
            } else if i % 2 == 0 {
                for side in [pair.menteeID, pair.mentorID] {
                    _ = try await MatchWorkflow.respond(to: pair.id, accept: true, reason: nil, actor: .participant(employeeID: side),
                                                       now: published.addingTimeInterval(86_400), store: store)
                }
            }
        }
        try await loadPartnerships(demo, pairs: others.enumerated().filter { $0.offset % 2 == 0 }.map(\.element), into: app)
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

    /// Last year's program, closed: 20 pairs that met every two weeks from September 2025 to June 2026,
    /// with check-ins, insights and actions — history for the outcomes pages (retention since its start,
    /// with the exits the HR data holds). People in this year's programs are left out; everything is
    /// generated from fixed choices, so it is the same on every load.
    static let lastYearID = UUID(uuidString: "8FBA616C-21B0-4E12-9000-000000002025")!

    static func loadLastYear(_ demo: DemoOrganisation, into app: Application) async throws {
        let db = app.db
        guard try await ProgramModel.find(lastYearID, on: db) == nil else { return }
        let start = DemoOrganisation.lastYearStart, end = CalendarDate(year: 2026, month: 6, day: 30)!
        let (mentors, mentees) = demo.lastYearCohort
        let program = Program(id: lastYearID, name: "Reverse Mentoring 2025",
                              purpose: "Last year's cohort: leaders learned the tools and habits of their newest colleagues.",
                              startDate: start, endDate: end, status: .draft, settings: MatchingSettings(minLevelGap: 2, defaultCapacity: 1))
        _ = try await createProgram(program, on: db, clock: app.clock)
        let topics = ["generative ai", "figma", "data visualisation", "slack workflows", "short-form video"]
        var enrolments: [Enrolment] = []
        for (i, (mentor, mentee)) in zip(mentors, mentees).enumerated() {
            let topic = Topic(topics[i % topics.count])!
            enrolments.append(Enrolment(id: DemoOrganisation.stableID(program: lastYearID, index: 2_500 + i), programID: lastYearID, employeeID: mentor.employeeID,
                                        role: .mentor, offers: [TopicOffer(topic: topic, proficiency: 4)], channels: [FlipsideCore.Channel.video, .inPerson], cadence: .biweekly))
            enrolments.append(Enrolment(id: DemoOrganisation.stableID(program: lastYearID, index: 2_600 + i), programID: lastYearID, employeeID: mentee.employeeID,
                                        role: .mentee, wants: [TopicWant(topic: topic, priority: 3)], channels: [FlipsideCore.Channel.video], cadence: .biweekly))
        }
        let rows = enrolments
        try await db.writeTransaction { tx in for e in rows { try await EnrolmentModel(e).create(on: tx) } }
        let programs = FluentProgramStore(db: db, audit: .system(app.clock))
        @Sendable func at(_ date: CalendarDate, hour: Int = 9) -> Date {
            var c = Calendar(identifier: .gregorian)
            c.timeZone = TimeZone(identifier: "UTC")!
            return c.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: hour))!
        }
        for status in [ProgramStatus.enrolling, .matching, .active] {
            _ = try await Programs.transition(lastYearID, to: status, actor: .system, now: at(start), store: programs)
        }
        // The pairs as they were accepted last September.
        let pairs = zip(mentors, mentees).map { mentor, mentee in
            MentoringPair(programID: lastYearID, menteeID: mentee.employeeID, mentorID: mentor.employeeID, status: .accepted, source: .run, score: 80,
                          menteeAccepted: true, mentorAccepted: true, createdAt: at(start))
        }
        try await FluentMatchingStore(db: db, audit: .system(app.clock)).atomically { work in
            try await work.insertPairs(pairs, events: pairs.map { PairEvent(pairID: $0.id, status: .accepted, at: at(start), actor: "system", reason: "Last year's cohort") })
        }
        let store = FluentPartnershipStore(db: db)
        for (k, pair) in pairs.enumerated() {
            let draft = AgreementDraft(goals: [.init(title: "Get hands-on with \(topics[k % topics.count])", kind: GoalKind.newTechOrApps.rawValue,
                                                     success: "Use it in my own work", topic: topics[k % topics.count])],
                                       cadence: Cadence.biweekly.rawValue, minutes: 45, firstMeeting: "2025-09-15T10:00", timeZone: "UTC",
                                       endDate: end.description, channel: FlipsideCore.Channel.video.rawValue, pledgeAccepted: true)
            _ = try await Partnerships.draftAgreement(pair.id, draft, actor: .participant(employeeID: pair.mentorID), now: at(start, hour: 10), store: store)
            _ = try await Partnerships.acceptAgreement(pair.id, version: 1, pledgeAccepted: true, actor: .participant(employeeID: pair.menteeID),
                                                       now: at(start, hour: 12), store: store)
            guard let schedule = Schedule(Rhythm(cadence: .biweekly, minutes: 45, firstMeeting: LocalDateTime(iso: "2025-09-15T10:00")!, timeZone: "UTC",
                                                 endDate: end, channel: FlipsideCore.Channel.video)) else { continue }
            for (n, meeting) in schedule.occurrences(to: .distantFuture).enumerated() {
                let after = meeting.addingTimeInterval(3_600)
                // Every fifth pair lets meetings slip in spring; the others meet.
                let status: MeetingStatus = k % 5 == 4 && n > 12 ? .missed : .held
                _ = try await Partnerships.logMeeting(pair.id, occurrence: meeting, status: status, movedTo: nil,
                                                      actor: .participant(employeeID: pair.menteeID), now: after, store: store)
                guard status == .held, n % 4 == 1 else { continue }
                _ = try await Partnerships.checkIn(pair.id, CheckInDraft(meeting: meeting, satisfaction: 3 + (k + n) % 3, direction: "yes", listened: 3 + (k + n / 4) % 3),
                                                   actor: .participant(employeeID: pair.mentorID), now: after, store: store)
                _ = try await Partnerships.checkIn(pair.id, CheckInDraft(meeting: meeting, satisfaction: 4 + (k + n) % 2, direction: "yes"),
                                                   actor: .participant(employeeID: pair.menteeID), now: after, store: store)
            }
            guard k % 2 == 0 else { continue }
            let when = at(CalendarDate(year: 2025, month: 11, day: 3 + k)!)
            let insight = try await Partnerships.write(pair.id, kind: .insight, body: "My newest colleagues learn tools by doing, not by reading guides.",
                                                       visibility: TextVisibility.programTeam.rawValue, about: nil, actor: .participant(employeeID: pair.menteeID),
                                                       now: when, store: store)
            let action = try await Partnerships.addAction(pair.id, kind: ActionKind.shareWithTeam.rawValue, what: "Run a hands-on session instead of a slide deck",
                                                          due: "2026-02-28", visibility: TextVisibility.ourPair.rawValue, insightID: insight.id,
                                                          actor: .participant(employeeID: pair.menteeID), now: when.addingTimeInterval(Double(2 + k) * 86_400), store: store)
            if k % 4 == 0 {
                _ = try await Partnerships.updateAction(pair.id, actionID: action.id, status: ActionStatus.done.rawValue, outcome: "The team asked for more of these.",
                                                        actor: .participant(employeeID: pair.menteeID), now: at(CalendarDate(year: 2026, month: 2, day: 20)!), store: store)
            }
        }
        // Closing the program completes its partnerships, as it did on the last day.
        _ = try await Programs.transition(lastYearID, to: .closed, actor: .system, now: at(end, hour: 18), store: programs)
        for (k, pair) in pairs.enumerated() where k % 3 == 0 {
            _ = try await Partnerships.closingCheckIn(pair.id, overallValue: 4 + k % 2, wouldAgain: true, changed: nil, visibility: nil,
                                                      actor: .participant(employeeID: pair.mentorID), now: at(end, hour: 20), store: store)
        }
    }
}
