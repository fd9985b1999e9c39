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
    }
}
