import Fluent
import FlipsideCore
@testable import FlipsideServer
import Foundation
import NIOHTTP1
import Testing
import VaporTesting

/// The storage the server tests run on: in-memory SQLite, or the PostgreSQL in `DATABASE_URL` (CI runs both).
func testStorage() throws -> AppConfig.Storage {
    guard let raw = ProcessInfo.processInfo.environment["DATABASE_URL"], !raw.isEmpty else { return .sqliteMemory }
    return try AppConfig.parseStorage(raw)
}

/// A small organisation, a program and logins, on a freshly migrated database.
struct TestWorld {
    static let peopleCSV = """
    employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id,career_path
    C1,Cora Chief,cora@example.com,CEO,9,2010-01-04,Executive,London,Europe/London,,
    M1,Milo Manager,milo@example.com,Director,7,2014-03-01,Engineering,Berlin,Europe/Berlin,C1,
    S1,Sara Senior,sara@example.com,Head of Sales,6,2015-06-01,Sales,New York,America/New_York,C1,
    J1,Jo Junior,jo@example.com,Analyst,2,2024-09-01,Engineering,Berlin,Europe/Berlin,M1,bootcamp
    J2,Kai Newcomer,kai@example.com,Associate,1,2025-01-15,Marketing,Lisbon,Europe/Lisbon,S1,career changer
    """
    static let password = "correct horse battery"

    let app: Application
    /// When every test world's clock starts: Monday 16 November 2026, 08:00 UTC.
    static let start = Date(timeIntervalSince1970: 1_794_816_000)

    /// The application's clock: tests move it instead of rewriting stored expiry times.
    let clock: ManualClock
    let program: Program
    let draft: Program
    let coordinatorToken: String
    let participantToken: String
    /// Enrolments: J2 (mentor) and S1 (mentee) in `program`.
    let otherEnrolment: Enrolment

    /// Builds the world on a new application and runs `body` with it.
    static func run(storage: AppConfig.Storage? = nil, adjust: @escaping @Sendable (inout AppConfig) -> Void = { _ in },
                    _ body: (TestWorld) async throws -> Void) async throws {
        let storage = try storage ?? testStorage()
        let postgres = storage != .sqliteMemory
        try await withApp(configure: { app in
            var config = AppConfig(storage: storage, bcryptCost: 4)
            config.startBackgroundRunsAtOnce = false
            config.warmCaches = false
            adjust(&config)
            try await configure(app, config: config)
            // A fixed start, so that no result depends on the day the tests run.
            app.clock = ManualClock(TestWorld.start)
            if postgres { try await app.autoRevert() }
            try await app.autoMigrate()
        }) { app in
            let world = try await TestWorld.seed(app)
            try await body(world)
        }
    }

    /// Sign-in links as a coordinator makes them, at the world's clock.
    var signInLinks: SignInLinkIssuer { SignInLinkIssuer(app: app, clock: clock) }

    static func seed(_ app: Application) async throws -> TestWorld {
        _ = try await ImportActions.people(peopleCSV, app: app)
        let accounts = AccountService(app: app)
        let coordinator = try await accounts.upsertUser(email: "coord@example.com", password: password, role: .coordinator)
        let participant = try await accounts.upsertUser(email: "jo@example.com", password: password, role: .participant)
        let programs = FluentProgramStore(db: app.db, audit: .system(app.clock))
        let program = try await Programs.create(Program(name: "Pilot", purpose: "Learn new tech", status: .enrolling,
                                                        settings: MatchingSettings(minLevelGap: 2, defaultCapacity: 1)),
                                                actor: .coordinator(employeeID: nil), store: programs)
        let draft = try await Programs.create(Program(name: "Next year", status: .draft), actor: .coordinator(employeeID: nil), store: programs)
        let store = FluentEnrolmentStore(db: app.db)
        let seeder = Actor.coordinator(employeeID: nil)
        let mentor = Enrolment(programID: program.id, employeeID: "J2", role: .mentor,
                               offers: [TopicOffer(topic: Topic("figma")!, proficiency: 4)], channels: [.video])
        _ = try await Enrolling.enrol(mentor, actor: seeder, store: store)
        _ = try await Enrolling.enrol(Enrolment(programID: program.id, employeeID: "S1", role: .mentee,
                                                wants: [TopicWant(topic: Topic("figma")!, priority: 3)], channels: [.video]),
                                      actor: seeder, store: store)
        return TestWorld(app: app, clock: app.clock as! ManualClock, program: program, draft: draft,
                         coordinatorToken: try await accounts.issueToken(for: coordinator).token,
                         participantToken: try await accounts.issueToken(for: participant).token,
                         otherEnrolment: mentor)
    }

    /// Who is calling.
    enum Role: String, CaseIterable, CustomStringConvertible {
        case anonymous, participant, coordinator
        var description: String { rawValue }
    }

    func headers(_ role: Role, json: Bool = true) -> HTTPHeaders {
        var headers = HTTPHeaders()
        if json { headers.contentType = .json }
        switch role {
        case .anonymous: break
        case .participant: headers.bearerAuthorization = BearerAuthorization(token: participantToken)
        case .coordinator: headers.bearerAuthorization = BearerAuthorization(token: coordinatorToken)
        }
        return headers
    }

    /// Sends an API request and returns status and body.
    @discardableResult
    func api(_ method: HTTPMethod, _ path: String, as role: Role, json: String? = nil, csv: String? = nil) async throws -> (status: HTTPStatus, body: String) {
        var headers = headers(role, json: csv == nil)
        if csv != nil { headers.contentType = HTTPMediaType(type: "text", subType: "csv") }
        let res = try await app.testing().sendRequest(method, path, headers: headers, body: (json ?? csv).map { ByteBuffer(string: $0) })
        return (res.status, res.body.string)
    }

    func count<M: Model>(_ model: M.Type) async throws -> Int {
        try await M.query(on: app.db).count()
    }
}

func pathID(_ id: UUID) -> String { id.uuidString.lowercased() }

/// Decodes a JSON body for assertions.
func json(_ body: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(body.utf8))
}

extension TestWorld {
    /// Adds Ana (J3, level 1, reporting to Milo) as a person, then imports the given enrolment rows
    /// (without the header) into the program.
    func addAnaAndEnrol(_ rows: String) async throws -> HTTPStatus {
        let people = "employee_id,name,email,title,level,hire_date,department,location,time_zone,manager_id"
        _ = try await api(.POST, "/api/v1/people/import", as: .coordinator,
                          csv: "\(people)\nJ3,Ana Fresh,ana@example.com,Analyst,1,2025-02-01,Engineering,Berlin,Europe/Berlin,M1\n")
        return try await enrol(rows)
    }

    /// Imports enrolment rows (without the header) into the program.
    func enrol(_ rows: String) async throws -> HTTPStatus {
        let header = "employee_id,role,offers,wants,industries,channels,cadence,capacity"
        return try await api(.POST, "/api/v1/programs/\(pathID(program.id))/enrolments/import", as: .coordinator, csv: "\(header)\n\(rows)").status
    }
}

extension TestWorld {
    /// Runs `body` with the world and a second application instance on the same database (the test
    /// PostgreSQL, or a new SQLite file that is removed afterwards).
    static func withTwoInstances(_ body: (TestWorld, Application) async throws -> Void) async throws {
        let storage = try testStorage() != .sqliteMemory ? try testStorage()
            : .sqliteFile(FileManager.default.temporaryDirectory.appendingPathComponent("flipside-\(UUID().uuidString).sqlite").path)
        defer {
            if case let .sqliteFile(path) = storage {
                for suffix in ["", "-wal", "-shm", "-journal"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }
        try await run(storage: storage) { world in
            let second = try await Application.make(.testing)
            try await configure(second, config: AppConfig(storage: storage, bcryptCost: 4))
            second.clock = world.clock   // two servers, one time
            do {
                try await body(world, second)
            } catch {
                try await second.asyncShutdown()
                throw error
            }
            try await second.asyncShutdown()
        }
    }
}


/// Makes sign-in links through the use case, as a coordinator would.
struct SignInLinkIssuer {
    let app: Application
    let clock: ManualClock

    func issue(_ employeeID: String) async throws -> (token: String, expiresAt: Date) {
        try await SignInLinks.issue(for: employeeID, actor: .system, now: clock.now,
                                    store: FluentSignInLinkStore(db: app.db, accounts: AccountService(app: app)))
    }
}
