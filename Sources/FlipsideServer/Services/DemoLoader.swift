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
        let accounts = AccountService(app: app)
        try await accounts.upsertUser(email: DemoOrganisation.coordinatorEmail, password: DemoOrganisation.coordinatorPassword, role: .coordinator)
        try await accounts.upsertUser(email: demo.participantEmail, password: DemoOrganisation.coordinatorPassword, role: .participant)
        return Result(people: people, program: program, enrolments: demo.enrolments.count, participantEmail: demo.participantEmail)
    }
}
