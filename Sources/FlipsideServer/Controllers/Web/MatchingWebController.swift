import FlipsideCore
import Foundation
import MatchingEngine
import Vapor

/// The matching workflow's pages: the coordinator's matching page (runs, locks and exclusions, pairs),
/// a run, two runs compared; a participant's pair with its accept/decline form; and a mentee's
/// suggestions in a self-matching program. Every answer comes from the same use cases and views as the API.
struct MatchingWebController {
    func register(_ web: any RoutesBuilder) {
        web.get("programs", ":programID", "matching", use: matching)
        web.post("programs", ":programID", "runs", use: startRun)
        web.get("programs", ":programID", "runs", "compare", use: compare)
        web.get("programs", ":programID", "runs", ":runID", use: run)
        web.post("programs", ":programID", "runs", ":runID", "publish", use: publish)
        web.post("programs", ":programID", "rules", use: addRule)
        web.post("programs", ":programID", "rules", ":ruleID", "delete", use: removeRule)
        web.get("pairs", ":pairID", use: pair)
        web.post("pairs", ":pairID", "response", use: respond)
        web.get("programs", ":programID", "choose", use: choose)
        web.post("programs", ":programID", "requests", use: request)
    }

    struct RuleForm: Encodable, Content { var kind: String?; var mentee_id: String?; var mentor_id: String?; var reason: String? }

    // MARK: Coordinator

    /// The matching page: its body is the same for the whole program team, kept per version of what it
    /// shows, the minute (a proposal expires with time) and the page of pairs (`renderKept`).
    func matching(req: Request) async throws -> Response {
        try req.authorize(.view, .matchRuns)
        let program = try await req.visibleProgram()
        let versions = try await req.dataVersions()
            .key(["enrolments", "people", "programs", MatchingTables.runs, MatchingTables.pairs, MatchingTables.rules])
        let minute = ResultCache.minute(of: req.flipside.now)
        let chrome = PageChrome(request: req, title: "Matching · \(program.name)", nav: "programs")
        return try await req.renderKept("matching-body", name: "matching-page.\(program.id).\(req.actor)",
                                        version: "\(versions)|\(minute)|\(req.query[Int.self, at: "page"] ?? 1)", onePerName: false, chrome: chrome) {
            (try await matchingPage(req, program: program, chrome: chrome.forKeptBody), .ok)
        }
    }

    private func matchingPage(_ req: Request, program: Program, chrome: PageChrome? = nil, message: String? = nil, problems: [ErrorDetail] = [],
                              form: RuleForm = RuleForm(), needsReason: Bool = false) async throws -> MatchingPage {
        let views = req.flipside.matching
        let listings = try await views.runs(program)
        // The enrolled with their names, kept per version (a program of thousands is read once, not per page).
        let enrolled = try await req.flipside.enrolments.overview(of: program).rows
        let names = Dictionary(enrolled.compactMap { r in r.person.map { (r.enrolment.employeeID, $0.name) } }, uniquingKeysWith: { a, _ in a })
        func name(_ id: String) -> String { names[id].map { "\($0) (\(id))" } ?? id }
        let (menteeIDs, mentorIDs) = (enrolled.filter { $0.enrolment.role == .mentee }.map(\.enrolment.employeeID),
                                      enrolled.filter { $0.enrolment.role == .mentor }.map(\.enrolment.employeeID))
        // A list of a few hundred names is a choice; past that, the rule form asks for an employee id.
        let byID = max(menteeIDs.count, mentorIDs.count) > Self.longestChoice
        var runs: [RunRow] = []
        for (n, r) in listings.enumerated() {
            let summary = r.status == RunStatus.done.rawValue ? try await req.flipside.matching.summary(r.id, in: program) : nil
            runs.append(RunRow(url: SiteURL.run(program: program.id, run: r.id).path, id: r.id.uuidString.lowercased(),
                               label: "Run \(listings.count - n)", status: r.status, created: SiteDates.minute(r.created_at),
                               pairs: summary.map { String($0.pairs) } ?? "—", total: summary.map { Self.points($0.total) } ?? "—",
                               mean: summary?.mean.map(Self.points) ?? "—", lowest: summary?.lowest.map(Self.points) ?? "—",
                               current: r.current, error: r.error))
        }
        let rules = try await views.rules(program).map { r in
            RuleRow(kind: r.kind == .lock ? "Locked together" : "Never together", mentee: name(r.mentee_id), mentor: name(r.mentor_id),
                    overridden: r.overridden_rule, reason: r.reason, deleteURL: SiteURL.deletePairRule(program: program.id, rule: r.id).path)
        }
        // The pairs a page at a time.
        let requested = req.query[Int.self, at: "page"]
        var listed = try await views.pairs(program, page: max(requested ?? 1, 1), per: Pager.rows)
        let pager = Pager(requested, total: listed.total) { SiteURL.matching(program.id).path + "?page=\($0)#pairs-heading" }
        if listed.pairs.isEmpty && listed.total > 0 { listed = try await views.pairs(program, page: pager.number, per: Pager.rows) }
        let declined = try await views.pairs(program, filter: PairFilter(statuses: [.declined]), per: 0).total
        func answers(_ p: PairDTO) -> String {
            func word(_ b: Bool?) -> String { b == nil ? "waiting" : b! ? "accepted" : "declined" }
            return p.status == .proposed ? "mentee \(word(p.mentee_accepted)), mentor \(word(p.mentor_accepted))" : ""
        }
        return MatchingPage(
            page: chrome ?? PageChrome(request: req, title: "Matching · \(program.name)", nav: "programs"),
            program: ProgramSummary(program), mode: program.settings.mode.label, isSelfMatching: program.settings.mode == .selfService,
            algorithms: MatchingAlgorithm.allCases.map { Choice(value: $0.rawValue, label: "\($0.label): \($0.summary)", selected: $0 == .optimal) },
            runAction: SiteURL.runs(program.id).path, runs: runs, compareAction: SiteURL.compareRuns(program: program.id, first: nil, second: nil).path,
            ruleAction: SiteURL.pairRules(program.id).path, rules: rules,
            mentees: byID ? [] : menteeIDs.map { Option(value: $0, label: name($0), selected: $0 == form.mentee_id) },
            mentors: byID ? [] : mentorIDs.map { Option(value: $0, label: name($0), selected: $0 == form.mentor_id) },
            pickByID: byID,
            pairs: listed.pairs.map { p in
                PairRow(url: SiteURL.pair(p.id).path, mentee: "\(p.mentee.name) (\(p.mentee.employee_id))", mentor: "\(p.mentor.name) (\(p.mentor.employee_id))",
                        status: p.status.rawValue, answers: answers(p), score: Self.points(p.score), overridden: p.overridden)
            },
            pairsPager: pager,
            declined: declined,
            message: message, problems: problems, form: form, needsReason: needsReason)
    }

    func startRun(req: Request) async throws -> Response {
        try req.authorize(.create, .matchRuns)
        try CSRF.verify(req)
        let program = try await req.visibleProgram()
        struct Form: Content { var algorithm: String?; var objective: String? }
        let form = try req.content.decode(Form.self)
        do {
            guard let algorithm = MatchingAlgorithm(rawValue: form.algorithm ?? "optimal") else {
                throw APIError(.badRequest, code: "bad_request", "'\(TextLimits.preview(form.algorithm ?? ""))' is not a matching algorithm: use optimal, fair or stable.")
            }
            let objective = Objective(rawValue: form.objective ?? "participation") ?? .participation
            let run = try await MatchWorkflow.run(in: program.id, algorithm: algorithm, objective: objective, actor: req.actor,
                                                  clock: req.application.clock, store: req.flipside.matchingStore,
                                                  computing: OutboxWorker.offloaded(clock: req.application.clock))
            if run.status == .queued { MatchingAPIController.startBackgroundRun(req.application) }
            return req.redirect(to: SiteURL.run(program: program.id, run: run.id).path)
        } catch {
            let failure = APIError.from(error)
            guard failure.status.code < 500 else { throw error }
            return try await req.render("matching", try await matchingPage(req, program: program, message: failure.message), status: failure.status)
        }
    }

    func addRule(req: Request) async throws -> Response {
        try req.authorize(.change, .matchRuns)
        try CSRF.verify(req)
        let program = try await req.visibleProgram()
        let form = try req.content.decode(RuleForm.self)
        do {
            guard let kind = PairRule.Kind(rawValue: form.kind ?? "") else {
                throw MatchWorkflowError.invalid([FieldProblem(field: "kind", reason: "choose lock or exclusion")])
            }
            _ = try await MatchWorkflow.addRule(kind, menteeID: form.mentee_id?.trimmed ?? "", mentorID: form.mentor_id?.trimmed ?? "", reason: form.reason,
                                                in: program.id, actor: req.actor, now: req.flipside.now, store: req.flipside.matchingStore)
            return req.redirect(to: Self.back(req, default: SiteURL.matching(program.id).path))
        } catch let error as MatchWorkflowError {
            let failure = APIError.from(error)
            var needsReason = false
            if case .ruleBroken = error { needsReason = true }
            let page = try await matchingPage(req, program: program, message: failure.message, problems: failure.details, form: form, needsReason: needsReason)
            return try await req.render("matching", page, status: failure.status)
        }
    }

    func removeRule(req: Request) async throws -> Response {
        try req.authorize(.change, .matchRuns)
        try CSRF.verify(req)
        let program = try await req.visibleProgram()
        try await MatchWorkflow.removeRule(try MatchingAPIController.id(req, "ruleID", "Lock or exclusion"), in: program.id, actor: req.actor,
                                           store: req.flipside.matchingStore)
        return req.redirect(to: SiteURL.matching(program.id).path)
    }

    func run(req: Request) async throws -> Response {
        try req.authorize(.view, .matchRuns)
        let program = try await req.visibleProgram()
        return try await renderRun(req, program: program, id: try MatchingAPIController.id(req, "runID", "Match run"), message: nil, status: .ok)
    }

    private func renderRun(_ req: Request, program: Program, id: UUID, message: String?, status: HTTPStatus) async throws -> Response {
        let run = try await req.flipside.matching.run(id, in: program)
        let s = run.summary
        let summary = s.map { "\($0.pairs) pairs from \($0.mentees) mentees and \($0.mentors) mentors · total \(Self.points($0.total)) · mean \($0.mean.map(Self.points) ?? "—") · lowest \($0.lowest.map(Self.points) ?? "—") · \($0.unmatchedMentees) mentee(s) unpaired" } ?? ""
        let labels = Dictionary(uniqueKeysWithValues: ScoreComponent.allCases.map { ($0.rawValue, $0.label) })
        var chrome = PageChrome(request: req, title: "Match run · \(program.name)", nav: "programs")
        if run.status == .queued || run.status == .running { chrome.refreshSeconds = 2 }
        let page = RunPage(
            page: chrome, program: ProgramSummary(program),
            matchingURL: SiteURL.matching(program.id).path, title: "Run of \(SiteDates.minute(run.created_at))",
            status: run.status.rawValue, error: run.error, current: run.current, rerun: run.only_mentees != nil,
            algorithm: "\(run.algorithm.label) (\(run.objective.rawValue))", summary: summary,
            pairs: run.pairs.map { p in
                RunPage.Pair(mentee: p.mentee_name, mentor: p.mentor_name, menteeID: p.mentee_id, mentorID: p.mentor_id, score: Self.points(p.score),
                             locked: p.locked,
                             parts: ScoreComponent.allCases.map { "\(labels[$0.rawValue] ?? $0.rawValue) \(Self.points(p.points[$0.rawValue] ?? 0))" }.joined(separator: " · "),
                             covered: p.covered_topics.joined(separator: ", "), uncovered: p.uncovered_topics.joined(separator: ", "),
                             override: p.overridden_rule.map { "Overrides \($0): \(p.override_reason ?? "")" })
            },
            unmatched: run.unmatched_mentees.map { RunPage.Note(name: "\($0.name) (\($0.id))", reason: $0.reason) },
            placesLeft: run.mentors_with_places_left.map { RunPage.Note(name: "\($0.name) (\($0.id))", reason: $0.reason) },
            ignoredLocks: run.ignored_locks,
            publishURL: run.can_publish ? SiteURL.publishRun(program: program.id, run: run.id).path : nil,
            ruleAction: SiteURL.pairRules(program.id).path, selfURL: SiteURL.run(program: program.id, run: run.id).path, message: message,
            refresh: run.status == .queued || run.status == .running)
        return try await req.render("run", page, status: status)
    }

    func publish(req: Request) async throws -> Response {
        try req.authorize(.change, .matchRuns)
        try CSRF.verify(req)
        let program = try await req.visibleProgram()
        let id = try MatchingAPIController.id(req, "runID", "Match run")
        do {
            _ = try await MatchWorkflow.publish(id, in: program.id, actor: req.actor, now: req.flipside.now, store: req.flipside.matchingStore)
            return req.redirect(to: SiteURL.matching(program.id).path)
        } catch let error as MatchWorkflowError {
            let failure = APIError.from(error)
            return try await renderRun(req, program: program, id: id, message: failure.message, status: failure.status)
        }
    }

    func compare(req: Request) async throws -> View {
        try req.authorize(.view, .matchRuns)
        let program = try await req.visibleProgram()
        let runs = try await req.flipside.matching.runs(program).filter { $0.status == RunStatus.done.rawValue }
        let first = req.query[String.self, at: "first"].flatMap(UUID.init(uuidString:))
        let second = req.query[String.self, at: "second"].flatMap(UUID.init(uuidString:))
        func options(_ selected: UUID?) -> [Option] {
            runs.enumerated().map { n, r in
                Option(value: r.id.uuidString.lowercased(), label: "Run \(runs.count - n): \(r.algorithm), \(SiteDates.minute(r.created_at))", selected: r.id == selected)
            }
        }
        var page = ComparePage(page: PageChrome(request: req, title: "Compare runs · \(program.name)", nav: "programs"), program: ProgramSummary(program),
                               matchingURL: SiteURL.matching(program.id).path, choices: options(first), secondChoices: options(second),
                               chosen: false, shared: [], onlyFirst: [], onlySecond: [], changes: [])
        if let first, let second {
            let c = try await req.flipside.matching.compare(first, second, in: program)
            let people = try await req.flipside.people.find(Array(Set((c.shared + c.only_in_first + c.only_in_second).flatMap { [$0.mentee_id, $0.mentor_id] })))
            func rows(_ keys: [RunComparisonDTO.PairKey]) -> [ComparePage.Row] {
                keys.map { ComparePage.Row(mentee: people[$0.mentee_id]?.name ?? $0.mentee_id, mentor: people[$0.mentor_id]?.name ?? $0.mentor_id) }
            }
            func signed(_ x: Double) -> String { (x >= 0 ? "+" : "") + Self.points(x) }
            page.chosen = true
            page.shared = rows(c.shared)
            page.onlyFirst = rows(c.only_in_first)
            page.onlySecond = rows(c.only_in_second)
            page.changes = ["Pairs: \(c.pairs_change >= 0 ? "+" : "")\(c.pairs_change)", "Total score: \(signed(c.total_change))",
                            "Mean score: \(c.mean_change.map(signed) ?? "—")", "Lowest score: \(c.lowest_change.map(signed) ?? "—")"]
        }
        return try await req.view.render("compare", page)
    }

    // MARK: Participants

    func pair(req: Request) async throws -> Response {
        _ = try req.requireUser()
        let id = try MatchingAPIController.id(req, "pairID", "Pair")
        // The policy is asked on every request; what the reader may see is then kept for them: the body
        // per reader (their side, their words), version of what it shows and minute (`renderKept`).
        let seen = try await req.flipside.matching.visiblePair(id)
        let versions = try await req.dataVersions().key(Self.pairPageTables)
        let minute = ResultCache.minute(of: req.flipside.now)
        let chrome = Self.pairChrome(req, menteeID: seen.menteeID, mentorID: seen.mentorID)
        return try await req.renderKept("pair-body", name: "pair-page.\(id).\(req.actor)", version: "\(versions)|\(minute)", onePerName: false,
                                        chrome: chrome) {
            (try await pairModel(req, id: id, message: nil, chrome: chrome.forKeptBody), .ok)
        }
    }

    /// What a pair's page shows: the pair, its people, its partnership and their rows, the program.
    static let pairPageTables = ["people", "enrolments", "programs", MatchingTables.pairs, MatchingTables.events, PartnershipTables.guidance]
        + PartnershipTables.perPair

    /// A pair's page chrome: "Your mentor" (or mentee) to its two people, "Pair" to the program team.
    static func pairChrome(_ req: Request, menteeID: String, mentorID: String) -> PageChrome {
        let isMember = req.actor.employeeID == mentorID || req.actor.employeeID == menteeID
        return PageChrome(request: req, title: isMember ? "Your \(req.actor.employeeID == mentorID ? "mentee" : "mentor")" : "Pair", nav: isMember ? "me" : "programs")
    }

    func pairPage(_ req: Request, id: UUID, message: String?, status: HTTPStatus) async throws -> Response {
        try await req.render("pair", try await pairModel(req, id: id, message: message, chrome: nil), status: status)
    }

    private func pairModel(_ req: Request, id: UUID, message: String?, chrome: PageChrome?) async throws -> PairPage {
        let pair = try await req.flipside.matching.pair(id)
        let side: EnrolmentRole = req.actor.employeeID == pair.mentor.employee_id ? .mentor : .mentee
        let isMember = req.actor.employeeID == pair.mentor.employee_id || req.actor.employeeID == pair.mentee.employee_id
        let partner = side == .mentee ? pair.mentor : pair.mentee
        let statusText: String
        switch pair.status {
        case .requested: statusText = "Requested by \(pair.mentee.name); waiting for \(pair.mentor.name) to answer" + (pair.expires_at.map { " until \(SiteDates.minute($0))" } ?? "") + "."
        case .proposed: statusText = "Proposed. " + [pair.mentee_accepted == true ? "\(pair.mentee.name) accepted." : nil,
                                                       pair.mentor_accepted == true ? "\(pair.mentor.name) accepted." : nil].compactMap { $0 }.joined(separator: " ")
        case .accepted: statusText = "Accepted by both: the partnership is on. Next: agree your goals and rhythm."
        case .active: statusText = "Active: goals and rhythm agreed."
        case .completed: statusText = "Completed."
        case .declined: statusText = "Declined."
        case .expired: statusText = "The request expired unanswered."
        case .ended: statusText = "Ended."
        }
        var overrideNote: String?
        if pair.overridden {
            overrideNote = pair.overridden_rule.map { "Paired by the coordinator against the \($0) rule: \(pair.override_reason ?? "")" }
                ?? "The coordinator made this pairing by hand."
        }
        return PairPage(
            page: chrome ?? Self.pairChrome(req, menteeID: pair.mentee.employee_id, mentorID: pair.mentor.employee_id),
            pair: pair,
            heading: isMember ? "\(partner.name) — your \(pair.status.isUnanswered ? "proposed " : "")\(side == .mentee ? "reverse mentor" : "mentee")" : "\(pair.mentee.name) and \(pair.mentor.name)",
            partner: partner, partnerRole: side == .mentee ? "mentor (the junior side)" : "mentee (the senior side)",
            statusText: statusText, why: pair.why, overrideNote: overrideNote,
            history: pair.history.map { PairPage.Event(when: SiteDates.minute($0.at), status: $0.status.rawValue, actor: $0.actor, reason: $0.reason) },
            responseURL: pair.can_answer ? SiteURL.pairResponse(pair.id).path : nil, message: message,
            backURL: isMember ? SiteURL.me.path : SiteURL.matching(pair.program_id).path,
            partnership: try await PartnershipWebController.section(req, pairID: id))
    }

    func respond(req: Request) async throws -> Response {
        _ = try req.requireUser()
        try CSRF.verify(req)
        let id = try MatchingAPIController.id(req, "pairID", "Pair")
        struct Form: Content { var answer: String?; var reason: String? }
        let form = try req.content.decode(Form.self)
        _ = try await req.flipside.matching.visiblePair(id)   // 404/403 before anything else
        do {
            guard let answer = form.answer, ["accept", "decline"].contains(answer) else {
                throw MatchWorkflowError.invalid([FieldProblem(field: "answer", reason: "choose accept or decline")])
            }
            _ = try await MatchWorkflow.respond(to: id, accept: answer == "accept", reason: form.reason, actor: req.actor, now: req.flipside.now,
                                                store: req.flipside.matchingStore)
            return req.redirect(to: SiteURL.pair(id).path)
        } catch let error as MatchWorkflowError {
            let failure = APIError.from(error)
            return try await pairPage(req, id: id, message: failure.message, status: failure.status)
        }
    }

    func choose(req: Request) async throws -> Response {
        let program = try await req.visibleProgram()
        return try await renderChoose(req, program: program, message: nil, status: .ok)
    }

    private func renderChoose(_ req: Request, program: Program, message: String?, status: HTTPStatus) async throws -> Response {
        let me = try MatchingAPIController.ownEmployeeID(req)
        let suggestions = try await req.flipside.matching.suggestions(program, for: me)
        let current = try await req.flipside.matching.pairs(program).pairs.first { $0.mentee.employee_id == me && $0.status.isCurrent }
        let s = program.settings
        let rules = "Mentors are at least \(s.minLevelGap) level(s) junior to you, never in your reporting line\(s.forbidSharedManager ? ", never with your manager" : "")\(s.requireCommonChannel ? ", and share a way to meet with you" : ""). A request stays open \(s.requestDays) day(s)."
        let page = ChoosePage(
            page: PageChrome(request: req, title: "Choose a reverse mentor · \(program.name)", nav: "me"), program: ProgramSummary(program), rules: rules,
            suggestions: suggestions.map { ChoosePage.Row(mentorID: $0.mentor_id, name: $0.name, title: $0.title, department: $0.department,
                                                          score: Self.points($0.score), topics: $0.covered_topics.joined(separator: ", "), places: $0.places_left) },
            current: current, currentURL: current.map { SiteURL.pair($0.id).path }, requestAction: SiteURL.mentorRequests(program.id).path, message: message)
        return try await req.render("choose", page, status: status)
    }

    func request(req: Request) async throws -> Response {
        try CSRF.verify(req)
        let program = try await req.visibleProgram()
        struct Form: Content { var mentor_id: String? }
        let form = try req.content.decode(Form.self)
        do {
            let pair = try await MatchWorkflow.request(mentorID: form.mentor_id?.trimmed ?? "", for: try MatchingAPIController.ownEmployeeID(req),
                                                       in: program.id, actor: req.actor, now: req.flipside.now, store: req.flipside.matchingStore)
            return req.redirect(to: SiteURL.pair(pair.id).path)
        } catch let error as MatchWorkflowError {
            let failure = APIError.from(error)
            return try await renderChoose(req, program: program, message: failure.message, status: failure.status)
        }
    }

    // MARK: Helpers

    /// The most people a rule form offers as a list to choose from.
    static let longestChoice = 200

    static func points(_ x: Double) -> String { MatchExplanation.points(x) }

    /// Where a form came from, when it is a page on this site (to go back to the run page after a lock).
    static func back(_ req: Request, default fallback: String) -> String {
        struct Back: Content { var back: String? }
        return (try? req.content.decode(Back.self).back).flatMap { SiteURL.localPath($0) } ?? fallback
    }
}
