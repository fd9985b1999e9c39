import FlipsideCore
import Foundation
import MatchingEngine
import Vapor

/// The matching workflow under `/api/v1`: a program's runs, locks and exclusions, publishing; each
/// side's answer to a pair; and, in self-matching programs, suggestions and requests.
struct MatchingAPIController {
    func register(_ authed: any RoutesBuilder) {
        let program = authed.grouped("programs", ":programID")
        program.get("runs", use: runs)
        program.post("runs", use: startRun)
        program.get("runs", ":runID", use: run)
        program.get("runs", ":runID", "compare", ":otherID", use: compare)
        program.post("runs", ":runID", "publish", use: publish)
        program.get("rules", use: rules)
        program.post("rules", use: addRule)
        program.delete("rules", ":ruleID", use: removeRule)
        program.get("pairs", use: pairs)
        program.get("suggestions", use: suggestions)
        program.post("requests", use: request)
        authed.get("pairs", ":pairID", use: pair)
        authed.post("pairs", ":pairID", "response", use: respond)
    }

    func runs(req: Request) async throws -> [RunListDTO] {
        try req.authorize(.view, .matchRuns)
        return try await req.flipside.matching.runs(try await req.visibleProgram())
    }

    /// Runs the matching now and stores the run (201 with the run; a run that could not be computed is
    /// stored as `failed` with the reason).
    func startRun(req: Request) async throws -> Response {
        try req.authorize(.create, .matchRuns)
        let program = try await req.visibleProgram()
        // Every field is optional: no body at all is the defaults (a body that is there must be JSON).
        let input = (req.body.data?.readableBytes ?? 0) == 0 ? RunInput() : try req.content.decode(RunInput.self)
        let enrolmentsBefore = try await req.flipside.matching.enrolmentsVersion()
        let run = try await MatchWorkflow.run(in: program.id, algorithm: input.algorithm ?? .optimal, objective: input.objective ?? .participation,
                                              actor: req.actor, clock: req.application.clock, store: req.flipside.matchingStore,
                                              background: input.background == true ? true : nil,
                                              computing: OutboxWorker.offloaded(clock: req.application.clock))
        if run.status == .queued { Self.startBackgroundRun(req.application) }
        let started = ContinuousClock.now
        let dto = try await req.flipside.matching.run(run, in: program, enrolmentsAt: enrolmentsBefore)
        trace("run answer: read \(ContinuousClock.now - started)")
        defer { trace("run answer: encoded \(ContinuousClock.now - started)") }
        return try await dto.encodeResponse(status: .created, for: req)
    }

    func run(req: Request) async throws -> RunDTO {
        try req.authorize(.view, .matchRuns)
        return try await req.flipside.matching.run(try Self.id(req, "runID", "Match run"), in: try await req.visibleProgram())
    }

    func compare(req: Request) async throws -> RunComparisonDTO {
        try req.authorize(.view, .matchRuns)
        return try await req.flipside.matching.compare(try Self.id(req, "runID", "Match run"), try Self.id(req, "otherID", "Match run"),
                                                       in: try await req.visibleProgram())
    }

    func publish(req: Request) async throws -> Response {
        try req.authorize(.change, .matchRuns)
        let program = try await req.visibleProgram()
        let pairs = try await MatchWorkflow.publish(try Self.id(req, "runID", "Match run"), in: program.id, actor: req.actor,
                                                    now: req.flipside.now, store: req.flipside.matchingStore)
        // The count and where to read them (GET …/pairs?run=…, a page at a time), not 10,000 pairs in the answer.
        struct Published: Content { var published: Int; var program_status: ProgramStatus; var pairs_url: String }
        let status = try await req.flipside.programs.find(program.id).status
        let runID = try Self.id(req, "runID", "Match run")
        return try await Published(published: pairs.count, program_status: status,
                                   pairs_url: "/api/v1/programs/\(program.id.uuidString.lowercased())/pairs?run=\(runID.uuidString.lowercased())")
            .encodeResponse(status: .created, for: req)
    }

    func rules(req: Request) async throws -> [PairRuleDTO] {
        try req.authorize(.view, .matchRuns)
        return try await req.flipside.matching.rules(try await req.visibleProgram())
    }

    func addRule(req: Request) async throws -> Response {
        try req.authorize(.change, .matchRuns)
        let program = try await req.visibleProgram()
        let input = try req.content.decode(PairRuleInput.self)
        let rule = try await MatchWorkflow.addRule(input.kind, menteeID: input.mentee_id.trimmed, mentorID: input.mentor_id.trimmed, reason: input.reason,
                                                   in: program.id, actor: req.actor, now: req.flipside.now, store: req.flipside.matchingStore)
        return try await PairRuleDTO(rule).encodeResponse(status: .created, for: req)
    }

    func removeRule(req: Request) async throws -> HTTPStatus {
        try req.authorize(.change, .matchRuns)
        let program = try await req.visibleProgram()
        try await MatchWorkflow.removeRule(try Self.id(req, "ruleID", "Lock or exclusion"), in: program.id, actor: req.actor,
                                           store: req.flipside.matchingStore)
        return .noContent
    }

    /// Coordinators see every pair of the program; a participant only their own.
    /// `status` (comma-separated), `person` (either side), `run`, and `page` / `per` (at most 1,000, 500 unless
    /// asked); the total is in `X-Total-Count` and the next page in `Link`.
    func pairs(req: Request) async throws -> Response {
        let program = try await req.visibleProgram()
        var filter = PairFilter()
        if let raw = req.query[String.self, at: "status"], !raw.isEmpty {
            for part in raw.split(separator: ",").map({ $0.trimmed }) {
                guard let status = PairStatus(rawValue: part) else {
                    throw APIError(.badRequest, code: "bad_parameter", "status: \(TextLimits.preview(part)) is not a pair status (\(PairStatus.allCases.map(\.rawValue).joined(separator: ", ")))",
                                   details: [ErrorDetail(field: "status", reason: "must be pair statuses separated by commas")])
                }
                filter.statuses.insert(status)
            }
        }
        if let person = req.query[String.self, at: "person"]?.trimmed, !person.isEmpty {
            guard person.count <= TextLimits.short else {
                throw APIError(.badRequest, code: "bad_parameter", "person: must be at most \(TextLimits.short) characters",
                               details: [ErrorDetail(field: "person", reason: "must be at most \(TextLimits.short) characters")])
            }
            filter.person = person
        }
        if let raw = req.query[String.self, at: "run"], !raw.isEmpty {
            guard let run = UUID(uuidString: raw) else {
                throw APIError(.badRequest, code: "bad_parameter", "run: not a run id", details: [ErrorDetail(field: "run", reason: "must be a run id")])
            }
            filter.runID = run
        }
        let per = try pageParameter(req, "per", default: 500, most: 1_000)
        let page = try pageParameter(req, "page", default: 1, most: PageLimits.pages)
        let (pairs, total) = try await req.flipside.matching.pairs(program, filter: filter, page: page, per: per)
        let response = try await pairs.encodeResponse(for: req)
        response.headers.replaceOrAdd(name: "X-Total-Count", value: String(total))
        if page * per < total {
            var components = URLComponents(string: req.url.string) ?? URLComponents()
            components.queryItems = (components.queryItems ?? []).filter { $0.name != "page" } + [URLQueryItem(name: "page", value: String(page + 1))]
            response.headers.replaceOrAdd(name: "Link", value: "<\(components.string ?? req.url.path)>; rel=\"next\"")
        }
        return response
    }

    func pair(req: Request) async throws -> PairDTO {
        _ = try req.requireUser()
        return try await req.flipside.matching.pair(try Self.id(req, "pairID", "Pair"))
    }

    func respond(req: Request) async throws -> PairDTO {
        _ = try req.requireUser()
        let id = try Self.id(req, "pairID", "Pair")
        let input = try req.content.decode(PairResponseInput.self)
        // Someone who may not see the pair learns nothing about it (404, as for a pair that does not exist).
        _ = try await req.flipside.matching.visiblePair(id)
        _ = try await MatchWorkflow.respond(to: id, accept: input.accept, reason: input.reason, actor: req.actor, now: req.flipside.now,
                                            store: req.flipside.matchingStore)
        return try await req.flipside.matching.pair(id)
    }

    func suggestions(req: Request) async throws -> [SuggestionDTO] {
        let program = try await req.visibleProgram()
        return try await req.flipside.matching.suggestions(program, for: try Self.ownEmployeeID(req))
    }

    func request(req: Request) async throws -> Response {
        let program = try await req.visibleProgram()
        let input = try req.content.decode(RequestInput.self)
        let pair = try await MatchWorkflow.request(mentorID: input.mentor_id.trimmed, for: try Self.ownEmployeeID(req), in: program.id,
                                                   actor: req.actor, now: req.flipside.now, store: req.flipside.matchingStore)
        return try await req.flipside.matching.pair(pair.id).encodeResponse(status: .created, for: req)
    }

    /// Starts the outbox's work now in this process, so a queued run does not wait for the workers'
    /// next round (a claimed job is never run twice, whoever claims it).
    static func startBackgroundRun(_ app: Application) {
        guard app.appConfig.startBackgroundRunsAtOnce else { return }
        app.backgroundWork.start { _ = try? await OutboxWorker(app: app).drain() }
    }

    /// The signed-in participant's employee id (suggestions and requests are always one's own).
    static func ownEmployeeID(_ req: Request) throws -> String {
        _ = try req.requireUser()
        guard let id = req.actor.employeeID else {
            throw APIError.noProfile("Only a login linked to a person has suggestions and makes requests.")
        }
        return id
    }

    static func id(_ req: Request, _ name: String, _ what: String) throws -> UUID {
        guard let id = req.parameters.get(name, as: UUID.self) else { throw APIError.notFound(what) }
        return id
    }
}
