import FlipsideCore
import MatchingEngine
import Vapor

/// What the command line does, on a running application (kept here so that it is tested with the server).
public enum ImportActions {
    public static func people(_ text: String, mapping: ImportMapping? = nil, app: Application) async throws -> ImportCounts {
        try await people(try CSVTable(text: text), mapping: mapping, app: app)
    }

    public static func people(_ table: CSVTable, mapping: ImportMapping? = nil, app: Application) async throws -> ImportCounts {
        try await Importing.people(table: table, mapping: mapping, actor: .system, now: app.clock.now, store: FluentPeopleImportStore(db: app.db, audit: .system(app.clock)))
    }

    /// A JSON decoding error in a sentence (which key, what was wrong).
    public static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not valid JSON" }
        func path(_ c: DecodingError.Context) -> String { c.codingPath.map(\.stringValue).joined(separator: ".") }
        switch error {
        case let .typeMismatch(_, c), let .valueNotFound(_, c): return "\(path(c)): \(c.debugDescription)"
        case let .keyNotFound(key, c): return "\(path(c)) needs \(key.stringValue)"
        case let .dataCorrupted(c): return path(c).isEmpty ? "not valid JSON" : "\(path(c)): \(c.debugDescription)"
        @unknown default: return "not valid JSON"
        }
    }

    public static func enrolments(_ text: String, program idOrName: String, app: Application) async throws -> (ImportCounts, [EnrolmentWarning]) {
        guard let program = try await ProgramService(db: app.db).find(idOrName: idOrName) else {
            throw ImportFailure(problems: [ImportProblem(row: 1, column: nil, reason: "no program with id or name '\(idOrName)'")])
        }
        return try await Importing.enrolments(csv: text, into: program.id, actor: .system, store: FluentEnrolmentImportStore(db: app.db, audit: .system(app.clock)))
    }
}

public enum ServerActions {
    /// Work done ahead when the server starts (the outcomes' employment facts).
    public static func started(_ app: Application) { PeopleService.warm(app) }
}

public enum AccountActions {
    /// Creates or resets a login; returns the role's name.
    public static func createUser(email: String, password: String, coordinator: Bool, app: Application) async throws -> String {
        do {
            let user = try await AccountService(app: app).upsertUser(email: email, password: password, role: coordinator ? .coordinator : .participant)
            return user.role
        } catch let error as SignInError {
            throw ConfigError(error.message)
        }
    }

    /// Queues a sign-in invitation email for everyone enrolled in the program who has no login yet;
    /// returns how many were queued now and how many were already invited today.
    public static func inviteProgram(_ idOrName: String, app: Application) async throws -> (queued: Int, alreadyQueued: Int) {
        guard let program = try await ProgramService(db: app.db).find(idOrName: idOrName) else {
            throw ConfigError("Program '\(idOrName)' was not found.")
        }
        let outcome = try await ProgramInvitations.inviteAll(in: program.id, actor: .system, now: app.clock.now,
                                                             store: FluentProgramInvitationStore(db: app.db, audit: .system(app.clock)))
        return (outcome.queued, outcome.alreadyQueued)
    }

    /// A one-time sign-in link for a person: the path (to put after the server's address) and when it expires.
    public static func invite(employeeID: String, app: Application) async throws -> (path: String, expiresAt: Date) {
        do {
            let store = FluentSignInLinkStore(db: app.db, accounts: AccountService(app: app))
            let (token, expires) = try await SignInLinks.issue(for: employeeID, actor: .system, now: app.clock.now, store: store)
            return (SiteURL.invitation(token: token).path, expires)
        } catch let error as SignInLinkError {
            throw ConfigError(error.message)
        }
    }
}

/// The matching workflow from the command line: a stored run (computed here, in this process, whatever
/// its size) and publishing it.
public enum RunActions {
    public struct Outcome: Sendable {
        public var id: UUID
        public var status: String
        public var summary: String
        public var published: Int?
    }

    public static func run(program idOrName: String, algorithm: MatchingAlgorithm, publish: Bool, app: Application) async throws -> Outcome {
        guard let program = try await ProgramService(db: app.db).find(idOrName: idOrName) else {
            throw ConfigError("No program with id or name '\(idOrName)'.")
        }
        let store = FluentMatchingStore(db: app.db, audit: .system(app.clock))
        do {
            let run = try await MatchWorkflow.run(in: program.id, algorithm: algorithm, actor: .system, clock: app.clock, store: store, background: false)
            var outcome = Outcome(id: run.id, status: run.status.rawValue, summary: run.error ?? "", published: nil)
            if let s = run.result?.summary {
                outcome.summary = "\(s.pairs) pairs of \(s.mentees) mentees and \(s.mentors) mentors; total \(MatchExplanation.points(s.total)), "
                    + "mean \(s.mean.map(MatchExplanation.points) ?? "—"), lowest \(s.lowest.map(MatchExplanation.points) ?? "—")"
                    + (run.onlyMentees.map { "; a re-run for the \($0.count) mentee(s) without a pair" } ?? "")
            }
            if publish && run.status == .done {
                outcome.published = try await MatchWorkflow.publish(run.id, in: program.id, actor: .system, now: app.clock.now, store: store).count
            }
            return outcome
        } catch let error as MatchWorkflowError {
            throw ConfigError(error.message)
        }
    }

    /// Locks (pairs by hand) or excludes a pair in a program, as the coordinator's page does.
    public static func addRule(_ kind: PairRule.Kind, program idOrName: String, mentee: String, mentor: String, reason: String?,
                               app: Application) async throws -> PairRule {
        guard let program = try await ProgramService(db: app.db).find(idOrName: idOrName) else {
            throw ConfigError("No program with id or name '\(idOrName)'.")
        }
        do {
            return try await MatchWorkflow.addRule(kind, menteeID: mentee, mentorID: mentor, reason: reason, in: program.id, actor: .system,
                                                   now: app.clock.now, store: FluentMatchingStore(db: app.db, audit: .system(app.clock)))
        } catch let error as MatchWorkflowError {
            throw ConfigError(error.message)
        }
    }
}

/// Reports from the command line.
public enum ReportActions {
    /// The program's outcomes page as one self-contained HTML file (styles inlined, charts as SVG).
    public static func outcomes(program idOrName: String, censor: String?, app: Application) async throws -> String {
        guard let program = try await ProgramService(db: app.db).find(idOrName: idOrName) else {
            throw ConfigError("Program '\(idOrName)' was not found.")
        }
        var day: CalendarDate?
        if let censor {
            guard let date = CalendarDate(iso: censor) else { throw ConfigError("--censor must be a date YYYY-MM-DD.") }
            day = date
        }
        // Whoever runs the command has the database: they read as the program team (`Actor.system`).
        let (page, status) = try await OutcomesWebController.page(.system(app), program: program, censor: day,
                                                                  chrome: PageChrome(reportTitle: "Outcomes · \(program.name)"))
        if status != .ok { throw ConfigError(page.message ?? "No report.") }
        let view = try await app.view.render("outcomes", page).get()
        var html = String(buffer: view.data)
        let css = ResourcePaths.data("Public/css/flipside.css").map { String(decoding: $0, as: UTF8.self) } ?? ""
        html = html.replacingOccurrences(of: #"<link rel="stylesheet" href="/css/flipside.css">"#, with: "<style>\n\(css)</style>")
        return html
    }
}

public enum PersonalDataActions {
    /// A person's data export as JSON text (the command line acts as the system: everything the program team may read).
    public static func export(_ employeeID: String, app: Application) async throws -> String {
        let dto = try await commandLine { try await PersonalData.export(employeeID, actor: .coordinator(employeeID: nil), actorName: "system", now: app.clock.now, db: app.db) }
        try await AuditTrail.system(app.clock).record(.personExported, "person", employeeID, "for an access request (command line)", on: app.db)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return String(decoding: LowercaseUUIDEncoder.lowered(try encoder.encode(dto)), as: UTF8.self)
    }

    /// Erases a person on request; returns their pseudonym and what was removed.
    public static func erase(_ employeeID: String, app: Application) async throws -> (pseudonym: String, texts: Int, pairs: Int) {
        let erased = try await commandLine {
            try await PersonalData.erase(employeeID, actor: .coordinator(employeeID: nil), audit: .system(app.clock), now: app.clock.now, db: app.db)
        }
        return (erased.pseudonym, erased.texts_deleted, erased.pairs_ended)
    }

    /// A person who is not there is a sentence on the command line.
    private static func commandLine<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as ProfileError { throw ConfigError(error.message) }
    }
}

/// Mail from the command line: a test message that checks the SMTP settings end to end.
public enum MailActions {
    /// Sets or removes a program's chat webhook, as the program page and the API do; says what it did.
    public static func setChatWebhook(program idOrName: String, url: String?, app: Application) async throws -> String {
        guard let program = try await ProgramService(db: app.db).find(idOrName: idOrName) else {
            throw ConfigError("Program '\(idOrName)' was not found.")
        }
        do {
            let set = try await ChatWebhooks.change(program.id, to: url, actor: .system, reach: app.appConfig.webhookReach, now: app.clock.now,
                                                    db: app.db, audit: .system(app.clock))
            return set.map { "\(program.name): digest and announcements go to \($0.host ?? "the webhook")." } ?? "\(program.name): no chat webhook."
        } catch let refused as ChatWebhook.Refused {
            throw ConfigError("The webhook \(refused.problem.field) \(refused.problem.reason).")
        }
    }

    /// Why the test message did not go, in the terms an operator acts on.
    public enum Failure: Error, CustomStringConvertible {
        /// The relay refused it for good (5xx): fix the address or the relay's rules.
        case permanent(String)
        /// Try again later (4xx, no connection, no answer in time).
        case transient(String)
        /// The settings cannot work as they are.
        case configuration(String)

        public var description: String {
            switch self {
            case let .permanent(text), let .transient(text), let .configuration(text): return text
            }
        }
    }

    /// Sends a short test message (plain text and HTML, a non-ASCII subject) to `address` through
    /// `SMTP_URL`; returns what the relay said.
    public static func sendTest(to address: String, app: Application) async throws -> String {
        guard let settings = app.appConfig.smtp else {
            throw Failure.configuration("SMTP_URL is not set: messages are kept on the Outgoing messages page, not sent.")
        }
        guard MailAddress.plausible(address) else { throw Failure.configuration("'\(address)' is not an email address.") }
        let server = "\(settings.host):\(settings.port)"
        let message = MailMessage(
            from: settings.from, to: [MailAddress(address)], subject: "Flipside · test message – mail reaches you ✓",
            text: "This is a test message from Flipside.\n\nIf you can read it, mail sent through \(server) reaches \(address).\n",
            html: "<p>This is a test message from <strong>Flipside</strong>.</p><p>If you can read it, mail sent through \(server) reaches \(address).</p>",
            messageID: "\(UUID().uuidString.lowercased())@\(settings.heloName)", date: app.clock.now)
        do {
            let delivery = try await SMTPClient(settings: settings, group: app.eventLoopGroup).send(message)
            return "Sent to \(delivery.accepted.joined(separator: ", ")) through \(server) (\(settings.security.rawValue)); the relay said: \(delivery.reply)"
        } catch let failure as SMTPFailure {
            switch failure.kind {
            case .permanent: throw Failure.permanent("Refused for good: \(failure)")
            case .transient: throw Failure.transient("Not sent now, worth trying again: \(failure)")
            case .configuration: throw Failure.configuration("The mail settings cannot work: \(failure)")
            }
        }
    }
}

/// "Who could teach me?" from the command line, read as the program team (`Actor.system`), who ask on
/// someone's behalf: the same read model and answer as the page and the API.
public enum TeachingActions {
    public static func whoCouldTeach(topics: [String], for askerID: String, industry: String?, perspective: String?, language: String?,
                                     program idOrName: String?, limit: Int?, json: Bool, app: Application) async throws -> String {
        let scope = ServiceScope.system(app)
        var programID: UUID?
        if let idOrName {
            guard let program = try await scope.programs.find(idOrName: idOrName) else { throw ConfigError("Program '\(idOrName)' was not found.") }
            programID = program.id
        }
        let answer: TeachingAnswer
        do {
            let question = try TeachingQuestion.parse(topics: topics, industry: industry, perspective: perspective, language: language, limit: limit).get()
            answer = try await scope.teaching.ask(question, for: askerID, programID: programID)
        } catch let error as ProfileError {
            throw ConfigError(error.message)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: LowercaseUUIDEncoder.lowered(try encoder.encode(TeachingAnswerDTO(answer))), as: UTF8.self)
        }
        let asked = (answer.question.topics.map(\.key) + (answer.question.industry.map { ["industry \($0)"] } ?? [])).joined(separator: ", ")
        var lines = ["Who could teach \(askerID) \(asked), under \(answer.rulesFrom):"]
        for (rank, c) in answer.candidates.enumerated() {
            lines.append("\(rank + 1). \(c.name) (\(c.employeeID)) — score \(String(format: "%.1f", c.score))")
            lines += c.reasons.map { "   " + $0 }
        }
        if answer.candidates.isEmpty { lines.append("Nobody open to being asked fits.") }
        if answer.candidates.count < answer.openCount { lines.append("\(answer.openCount) people fit; the best \(answer.candidates.count) are shown.") }
        if let sentence = answer.notOpenSentence { lines.append(sentence) }
        return lines.joined(separator: "\n")
    }
}

extension TeachingActions {
    /// A program's gaps, read as the program team: the page's and the API's answer.
    public static func gaps(program idOrName: String, json: Bool, app: Application) async throws -> String {
        let scope = ServiceScope.system(app)
        guard let program = try await scope.programs.find(idOrName: idOrName) else { throw ConfigError("Program '\(idOrName)' was not found.") }
        let (_, gaps) = try await scope.recruiting.gaps(program.id)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            return String(decoding: LowercaseUUIDEncoder.lowered(try encoder.encode(GapsDTO(gaps))), as: UTF8.self)
        }
        var lines = ["\(program.name): \(gaps.mentees) mentees, \(gaps.mentors) mentors."]
        if gaps.unserved.isEmpty { lines.append("Every mentee has an eligible mentor who offers something they want.") }
        for u in gaps.unserved { lines.append("Unserved: \(u.name) (\(u.employeeID)) — \(u.reason)") }
        if gaps.topics.isEmpty { lines.append("Every topic a mentee wants has a mentor who fits.") }
        for t in gaps.topics {
            lines.append("Topic \(t.topic): \(t.mentees.count) mentee\(t.mentees.count == 1 ? "" : "s") without a mentor at level \(ProgramGaps.wantedLevel)+ (best offered: \(t.bestOffered.map { "\($0)/5" } ?? "nobody"))")
            for c in t.open { lines.append("  open: \(c.name) (\(c.employeeID)) — \(c.reason)") }
            if t.notOpenCount > 0 { lines.append("  \(t.notOpenCount) more list it but are not open to being asked") }
            for c in t.mightBeAsked { lines.append("  might be asked: \(c.name) (\(c.employeeID)) — \(c.reason)") }
        }
        return lines.joined(separator: "\n")
    }
}

/// Provisioning tokens from the command line, as a coordinator makes them under People → Provisioning.
public enum ProvisioningActions {
    static func store(_ app: Application) -> FluentProvisioningTokenStore { FluentProvisioningTokenStore(db: app.db, audit: .system(app.clock)) }

    /// Makes a token; returns its id and the token itself (shown this once).
    public static func make(name: String, app: Application) async throws -> (id: UUID, token: String) {
        let secret = TokenHash.newToken()
        do {
            let made = try await ProvisioningTokens.make(name: name, secret: secret, actor: .system, by: "system", now: app.clock.now, store: store(app))
            return (made.id, secret)
        } catch let error as ProvisioningTokenError {
            if case let .invalid(problems) = error, let first = problems.first { throw ConfigError(first.reason) }
            throw ConfigError(error.message)
        }
    }

    /// Every token: id, name, made, last used, revoked.
    public static func list(app: Application) async throws -> [(id: UUID, name: String, created: Date, lastUsed: Date?, revoked: Date?)] {
        try await ProvisioningTokens.list(actor: .system, store: store(app)).map { ($0.id, $0.name, $0.created, $0.lastUsed, $0.revoked) }
    }

    public static func revoke(_ id: UUID, app: Application) async throws -> String {
        do {
            return try await ProvisioningTokens.revoke(id, actor: .system, now: app.clock.now, store: store(app)).name
        } catch let error as ProvisioningTokenError {
            throw ConfigError(error.message)
        }
    }
}
