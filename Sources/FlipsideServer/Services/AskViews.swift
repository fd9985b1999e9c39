import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// Requests, nominations and invitations to enrol, over a scope: Core's `Asks` decide and `AskReading`
/// says what each reader sees; this reads what they need (names, programs, who is enrolled where).
struct AskViews {
    let scope: ServiceScope
    var store: FluentAskStore { FluentAskStore(db: scope.db) }

    /// Everything the signed-in person sent and received, newest first.
    func mine() async throws -> [AskView] {
        guard let me = scope.actor.employeeID else { return [] }
        return try await views(try await AskRows.of(me, on: scope.db))
    }

    /// The asks as the actor may see them.
    func views(_ asks: [Ask]) async throws -> [AskView] {
        try await Self.views(asks, actor: scope.actor, db: scope.db)
    }

    static func views(_ asks: [Ask], actor: Actor, db: any Database) async throws -> [AskView] {
        let ids = Array(Set(asks.flatMap { [$0.fromID, $0.toID] }))
        let names = try await PeopleService(db: db).find(ids).mapValues(\.name)
        let programs = Dictionary(try await ProgramService(db: db).all().map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        // A nominator sees whether the nominee enrolled: the programs each nominee is in now.
        var enrolledIn: [String: Set<UUID>] = [:]
        let nominees = Array(Set(asks.filter { $0.kind != .request }.map(\.toID)))
        for start in stride(from: 0, to: nominees.count, by: 500) {
            let chunk = Array(nominees[start..<min(start + 500, nominees.count)])
            struct Row: Decodable { var employee_id: String; var program_id: UUID }
            for row in try await (db as! any SQLDatabase).select().columns("employee_id", "program_id").from(EnrolmentModel.schema)
                .where("employee_id", .in, chunk).all(decoding: Row.self) {
                enrolledIn[row.employee_id, default: []].insert(row.program_id)
            }
        }
        return AskReading.views(asks, actor: actor, names: names, programs: programs, enrolledIn: enrolledIn)
    }

    /// One ask, opened by its reader (the person it is for: "opened" in the program's funnel).
    func open(_ id: UUID) async throws -> AskView {
        let ask = try await Asks.open(id, actor: scope.actor, now: scope.now, store: store)
        guard let view = try await views([ask]).first else { throw AskError.notFound }
        return view
    }

    /// The programs a yes to this ask can lead into: those taking enrolments where the person is not a
    /// mentee, and for a request the open circles where the two already are (Core's `Asks.acceptsYes`).
    func programs(toAccept ask: Ask) async throws -> [Program] {
        let work = FluentAskStore.Work(tx: scope.db)
        var out: [Program] = []
        for program in AccessPolicy.visiblePrograms(scope.actor, try await scope.programs.all())
        where try await Asks.acceptsYes(ask, in: program, work) {
            if try await work.role(of: ask.toID, in: program.id) != .mentee { out.append(program) }
        }
        return out
    }

    func request(to toID: String, topics: [String], message: String?) async throws -> AskView {
        let tree = try await scope.teaching.directory().tree
        let ask = try await Asks.request(toID, topics: topics, message: message, actor: scope.actor, tree: tree, now: scope.now, store: store)
        return try await views([ask])[0]
    }

    /// A nomination, of a colleague named by employee id or by work email (participants do not see the directory).
    func nominate(_ who: String, topics: [String], programID: UUID?, message: String?) async throws -> AskView {
        let key = who.trimmed
        var toID = key
        if key.contains("@") {
            guard let row = try await (scope.db as! any SQLDatabase).select().column("employee_id").from(PersonModel.schema)
                .where(SQLFunction("LOWER", args: SQLIdentifier("email")), .equal, SQLBind(key.lowercased())).first() else {
                throw AskError.invalid([FieldProblem(field: "colleague", reason: "no colleague has this work email")])
            }
            toID = try row.decode(column: "employee_id", as: String.self)
        }
        let ask = try await Asks.nominate(toID, topics: topics, programID: programID, message: message, actor: scope.actor, now: scope.now, store: store)
        return try await views([ask])[0]
    }

    /// Yes. To a request: enrolled now as a reverse mentor in the program chosen, from one's teaching
    /// profile (the request's topics when the profile lists none), and the sender is told. To a nomination
    /// or an invitation: on to the enrolment form, which starts from the profile. Returns where to go next.
    func accept(_ id: UUID, programID: UUID?) async throws -> (view: AskView, next: String) {
        guard let ask = try await AskRows.one(id, on: scope.db), AccessPolicy.decide(scope.actor, .view, ask.resource).isAllowed else { throw AskError.notFound }
        try scope.authorize(.change, ask.resource)
        if ask.kind == .request, ask.status == .sent, let programID {
            let program = try await scope.programs.find(programID)
            if !program.status.acceptsEnrolments, try await Asks.acceptsYes(ask, in: program, FluentAskStore.Work(tx: scope.db)) {
                // An open circle where both already are: the senior's request, made as they asked and answered yes.
                let matching = FluentMatchingStore(db: scope.db, audit: scope.audit)
                let pair = try await MatchWorkflow.request(mentorID: ask.toID, for: ask.fromID, in: programID, actor: .participant(employeeID: ask.fromID),
                                                           now: scope.now, store: matching)
                _ = try await MatchWorkflow.respond(to: pair.id, accept: true, reason: nil, actor: scope.actor, now: scope.now, store: matching)
            } else if try await scope.enrolments.enrolment(of: ask.toID, in: programID) == nil {
                var draft = (try await TeachingProfileRows.one(ask.toID, on: scope.db) ?? .empty(ask.toID)).mentorDraft()
                if (draft.offers ?? []).isEmpty { draft.offers = ask.topics.map { TopicOffer(topic: $0, proficiency: ProgramGaps.wantedLevel) } }
                if let enrolment = draft.newEnrolment(of: ask.toID, in: program) {
                    _ = try await Enrolling.enrol(enrolment, actor: scope.actor, store: FluentEnrolmentStore(db: scope.db))
                }
            }
        }
        let (accepted, program) = try await Asks.accept(id, programID: programID, actor: scope.actor, now: scope.now, store: store)
        let enrolled = try await scope.enrolments.enrolment(of: accepted.toID, in: program.id) != nil
        let next = accepted.kind == .request || enrolled ? SiteURL.program(program.id).path : SiteURL.enrolFromProfile(program.id).path
        return (try await views([accepted])[0], next)
    }

    func decline(_ id: UUID) async throws -> AskView {
        try await views([try await Asks.decline(id, actor: scope.actor, now: scope.now, store: store)])[0]
    }

    func withdraw(_ id: UUID) async throws -> AskView {
        try await views([try await Asks.withdraw(id, actor: scope.actor, now: scope.now, store: store)])[0]
    }

    func invite(_ people: [String], to programID: UUID, message: String?) async throws -> Asks.Invited {
        try await Asks.invite(people, to: programID, message: message, actor: scope.actor, now: scope.now, store: store)
    }
}

/// A program's recruiting, for its team: the gaps and who could fill them, and the funnel.
struct RecruitingViews {
    let scope: ServiceScope

    func gaps(_ programID: UUID) async throws -> (Program, ProgramGaps) {
        try scope.authorize(.view, .recruiting)
        let program = try await scope.programs.find(programID)
        let enrolments = try await scope.enrolments.all(in: programID)
        let people = try await scope.people.find(enrolments.map(\.employeeID))
        let directory = try await scope.teaching.directory()
        // A first cut of the people who said nothing but whose HR record may fit a wanted topic (job title
        // or previous industry): Core checks each exactly.
        let wanted = Set(enrolments.flatMap { $0.wants.map(\.topic) })
        let words = Array(Set(wanted.flatMap(ProgramGaps.words) + wanted.map { $0.key.replacingOccurrences(of: "-", with: " ") })).sorted()
        let menteeLevels = enrolments.filter { $0.role == .mentee }.compactMap { people[$0.employeeID]?.level }
        var pool: [Person] = []
        if let top = menteeLevels.max(), !words.isEmpty {
            let sql = scope.db as! any SQLDatabase
            let profiled = SQLQueryString("SELECT employee_id FROM \(ident: TeachingProfileRows.table)")
            let likes = SQLList(words.prefix(60).flatMap { word -> [SQLQueryString] in
                let pattern = "%" + word.replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
                return ["LOWER(title) LIKE \(bind: pattern)", "LOWER(attributes) LIKE \(bind: pattern)"]
            }, separator: SQLRaw(" OR "))
            pool = try await sql.raw("""
                SELECT \(SQLList(PersonRow.columns.map { SQLIdentifier($0) })) FROM \(ident: PersonModel.schema)
                WHERE status = 'active' AND level <= \(bind: top - program.settings.minLevelGap) AND employee_id NOT IN (\(profiled)) AND (\(likes))
                LIMIT 5000
                """).all(decoding: PersonRow.self).map(\.person)
        }
        return (program, try ProgramGaps.make(program: program, enrolments: enrolments, people: people, tree: directory.tree, directory: directory,
                                              hrPool: pool, actor: scope.actor, now: scope.now))
    }

    func funnel(_ programID: UUID) async throws -> (Program, ProgramFunnel, [AskView]) {
        try scope.authorize(.view, .recruiting)
        let program = try await scope.programs.find(programID)
        let invitations = try await AskRows.invitations(in: programID, on: scope.db)
        let enrolments = try await scope.enrolments.all(in: programID)
        let pairs = try await MatchingReads(db: scope.db).pairs(in: programID)
        let people = try await scope.people.find(Array(Set(invitations.map(\.toID) + enrolments.map(\.employeeID))))
        let funnel = try ProgramFunnel.make(invitations: invitations, enrolments: enrolments, pairs: pairs, people: people, actor: scope.actor)
        return (program, funnel, try await AskViews(scope: scope).views(invitations))
    }
}

extension ServiceScope {
    var asks: AskViews { AskViews(scope: self) }
    var recruiting: RecruitingViews { RecruitingViews(scope: self) }
}
