import Foundation
import MatchingEngine

/// How one person reaches another about reverse mentoring outside a pair: a senior asking a junior to
/// teach them, a colleague nominating someone, the program team inviting someone to enrol.
public enum AskKind: String, Codable, Sendable, CaseIterable {
    /// "Could you teach me …?" — from someone who asked "who could teach me?", to an open person it named.
    case request
    /// "I think you would make a good reverse mentor for …" — from a colleague or a manager.
    case nomination
    /// "Would you enrol in …?" — from the program team, for one program.
    case invitation
}

public enum AskStatus: String, Codable, Sendable, CaseIterable {
    case sent, accepted, declined, withdrawn
}

/// One ask. Its message is its sender's words: only the person it is for reads them (and the sender).
public struct Ask: Sendable, Hashable, Codable {
    public var id: UUID
    public var kind: AskKind
    /// The sender's employee id (`programTeam` for an invitation from a coordinator's login without one).
    public var fromID: String
    public var toID: String
    public var programID: UUID?
    public var topics: [Topic]
    public var message: String
    public var status: AskStatus
    public var createdAt: Date
    /// When the person it is for first opened it.
    public var openedAt: Date?
    public var answeredAt: Date?

    public static let programTeam = "program-team"

    public init(id: UUID = UUID(), kind: AskKind, fromID: String, toID: String, programID: UUID? = nil, topics: [Topic] = [], message: String = "",
                status: AskStatus = .sent, createdAt: Date, openedAt: Date? = nil, answeredAt: Date? = nil) {
        self.id = id
        self.kind = kind
        self.fromID = fromID
        self.toID = toID
        self.programID = programID
        self.topics = topics
        self.message = message
        self.status = status
        self.createdAt = createdAt
        self.openedAt = openedAt
        self.answeredAt = answeredAt
    }

    /// The policy's resource for this ask.
    public var resource: Resource { .ask(kind: kind, fromID: fromID, toID: toID) }
}

public enum AskError: Error, Equatable, Sendable {
    case notFound
    case invalid([FieldProblem])
    /// The person may not be asked this (not open, a rule between the two, gone): said without telling
    /// more than that.
    case notAskable(String)
    /// Already asked and not yet answered.
    case alreadyAsked
    /// Too many asks waiting for an answer.
    case tooMany(Int)
    /// Already answered or withdrawn.
    case settled(AskStatus)
    /// The program cannot take this enrolment now.
    case programClosed(String)

    public var message: String {
        switch self {
        case .notFound: return "There is no such request, nomination or invitation."
        case let .invalid(problems): return problems.map { "\($0.field) \($0.reason)" }.joined(separator: "; ")
        case let .notAskable(why): return why
        case .alreadyAsked: return "You already asked this person; they have not answered yet."
        case let .tooMany(n): return "You have \(n) asks waiting for an answer; wait for some of them, or withdraw one, before asking more."
        case let .settled(status): return "This was already \(status == .withdrawn ? "withdrawn" : "answered")."
        case let .programClosed(why): return why
        }
    }
}

/// What the ask use cases read and write, in one unit of work.
public protocol AskWork: Sendable {
    func person(_ employeeID: String) async throws -> Person?
    func teachingProfile(of employeeID: String) async throws -> TeachingProfile?
    func program(_ id: UUID) async throws -> Program?
    /// The person's role in the program, if they are enrolled.
    func role(of employeeID: String, in programID: UUID) async throws -> EnrolmentRole?
    /// The ask, held until the unit of work ends.
    func ask(_ id: UUID) async throws -> Ask?
    /// Asks of this kind from this sender still waiting for an answer.
    func waiting(kind: AskKind, from fromID: String) async throws -> [Ask]
    func insert(_ ask: Ask) async throws
    func update(_ ask: Ask) async throws
    func notify(_ notices: [Notice]) async throws
}

public protocol AskStore: Sendable {
    func atomically<T: Sendable>(_ body: @escaping @Sendable (any AskWork) async throws -> T) async throws -> T
}

/// Requests, nominations and invitations: sending, opening, answering, withdrawing.
public enum Asks {
    /// Requests one person may have waiting at once (nominations: twice as many).
    public static let mostWaiting = 5
    /// Characters in an ask's message.
    public static let messageLength = 500

    /// The topics and message of an ask, read with every problem at once.
    static func read(topics raw: [String], message: String?, topicsRequired: Bool) throws(AskError) -> ([Topic], String) {
        var problems: [FieldProblem] = []
        var topics: [Topic] = []
        for item in raw.flatMap({ $0.split(whereSeparator: { $0 == ";" || $0 == "," }).map(String.init) }) where !item.trimmed.isEmpty {
            if let reason = TextLimits.problem(item.trimmed, most: TextLimits.topic) {
                problems.append(FieldProblem(field: "topics", reason: "a topic \(reason)"))
            } else if let topic = Topic(item), !topics.contains(topic) {
                topics.append(topic)
            }
        }
        if topicsRequired && topics.isEmpty { problems.append(FieldProblem(field: "topics", reason: "name at least one topic")) }
        if topics.count > TeachingQuestion.mostTopics { problems.append(FieldProblem(field: "topics", reason: "names \(topics.count) topics; at most \(TeachingQuestion.mostTopics)")) }
        let text = (message ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if let reason = TextLimits.problem(text, most: messageLength, multiline: true) { problems.append(FieldProblem(field: "message", reason: reason)) }
        guard problems.isEmpty else { throw .invalid(problems) }
        return (topics, text)
    }

    /// Whether `asker` may ask `person` to teach them: the person is still here, open to being asked,
    /// and the pair breaks no hard rule of `rules` (a real level gap, not in one another's reporting line).
    static func askable(_ person: Person?, profile: TeachingProfile?, asker: Person, tree: ReportingTree, rules: MatchRules, now: Date) -> Bool {
        guard let person, person.status == .active, let profile, profile.openToRequests, person.employeeID != asker.employeeID else { return false }
        let me = MatchInput.participant(asker, TeachingDirectory.enrolment(asking: TeachingQuestion(topics: [], industry: nil, perspective: nil, language: nil, limit: 1),
                                                                           asker.employeeID, profile: nil),
                                        managementChain: tree.managementChain(of: asker.employeeID), utcOffsetMinutes: 0)
        var them = MatchInput.participant(person, TeachingDirectory.enrolment(profile), managementChain: tree.managementChain(of: person.employeeID),
                                          utcOffsetMinutes: 0)
        // Ways to meet are the request's to agree on, not a reason to refuse it.
        them.channels = me.channels
        return ScoringProblem(mentees: [me], mentors: [them], rules: rules).brokenRule(mentee: 0, mentor: 0) == nil
    }

    /// A senior asks someone "who could teach me?" named to teach them: a short, kind request. Only to
    /// someone open to being asked who fits the rules; one waiting request per person asked.
    public static func request(_ toID: String, topics: [String], message: String?, actor: Actor, tree: ReportingTree, now: Date,
                               store: any AskStore) async throws -> Ask {
        guard let fromID = actor.employeeID else { throw AccessRefused(.forbidden(code: "no_profile", message: "Only a login linked to a person asks colleagues.")) }
        try AccessPolicy.require(actor, .create, .ask(kind: .request, fromID: fromID, toID: toID))
        let (topics, text) = try read(topics: topics, message: message, topicsRequired: true)
        return try await store.atomically { work in
            guard let asker = try await work.person(fromID), asker.status.keepsAccess else { throw ProfileError.personNotFound(employeeID: fromID) }
            guard askable(try await work.person(toID), profile: try await work.teachingProfile(of: toID), asker: asker, tree: tree, rules: MatchRules(), now: now) else {
                throw AskError.notAskable("This person cannot be asked: only people \"who could teach me?\" names can be.")
            }
            let waiting = try await work.waiting(kind: .request, from: fromID)
            if waiting.contains(where: { $0.toID == toID }) { throw AskError.alreadyAsked }
            if waiting.count >= mostWaiting { throw AskError.tooMany(waiting.count) }
            let ask = Ask(kind: .request, fromID: fromID, toID: toID, topics: topics, message: text, createdAt: now)
            try await work.insert(ask)
            try await work.notify(Notices.asked(ask, now: now))
            return ask
        }
    }

    /// A participant or a manager nominates a colleague as a reverse mentor; the nominee decides.
    public static func nominate(_ toID: String, topics: [String], programID: UUID?, message: String?, actor: Actor, now: Date,
                                store: any AskStore) async throws -> Ask {
        guard let fromID = actor.employeeID else { throw AccessRefused(.forbidden(code: "no_profile", message: "Only a login linked to a person nominates colleagues.")) }
        try AccessPolicy.require(actor, .create, .ask(kind: .nomination, fromID: fromID, toID: toID))
        let (topics, text) = try read(topics: topics, message: message, topicsRequired: true)
        if toID == fromID { throw AskError.invalid([FieldProblem(field: "employee_id", reason: "is you: nominate a colleague")]) }
        return try await store.atomically { work in
            guard let nominee = try await work.person(toID), nominee.status == .active else {
                throw AskError.notAskable("This colleague cannot be nominated now.")
            }
            if let programID {
                guard let program = try await work.program(programID), AccessPolicy.decide(actor, .view, .program(status: program.status)).isAllowed else { throw ProgramError.notFound }
                guard program.status.acceptsEnrolments else {
                    throw AskError.programClosed("\(program.name) does not take new people now.")
                }
            }
            let waiting = try await work.waiting(kind: .nomination, from: fromID)
            if waiting.contains(where: { $0.toID == toID }) { throw AskError.alreadyAsked }
            if waiting.count >= 2 * mostWaiting { throw AskError.tooMany(waiting.count) }
            let ask = Ask(kind: .nomination, fromID: fromID, toID: toID, programID: programID, topics: topics, message: text, createdAt: now)
            try await work.insert(ask)
            try await work.notify(Notices.asked(ask, now: now))
            return ask
        }
    }

    /// What inviting a selection to enrol did.
    public struct Invited: Sendable, Equatable {
        public var invited: [String] = []
        public var alreadyInvited: [String] = []
        public var alreadyEnrolled: [String] = []
        public var notFound: [String] = []
    }

    /// The program team invites people to enrol in a program as reverse mentors, each with the same
    /// (editable) message: one waiting invitation per person and program.
    public static func invite(_ people: [String], to programID: UUID, message: String?, actor: Actor, now: Date, store: any AskStore) async throws -> Invited {
        try AccessPolicy.require(actor, .create, .ask(kind: .invitation, fromID: actor.employeeID ?? Ask.programTeam, toID: ""))
        let (_, text) = try read(topics: [], message: message, topicsRequired: false)
        if let long = people.first(where: { $0.unicodeScalars.count > TextLimits.short }) {
            throw AskError.invalid([FieldProblem(field: "employee_ids", reason: "\(TextLimits.preview(long)) is longer than an employee id may be (\(TextLimits.short) characters)")])
        }
        let ids = Array(Set(people.map(\.trimmed).filter { !$0.isEmpty })).sorted()
        guard !ids.isEmpty else { throw AskError.invalid([FieldProblem(field: "employee_ids", reason: "name at least one person to invite")]) }
        guard ids.count <= 500 else { throw AskError.invalid([FieldProblem(field: "employee_ids", reason: "names \(ids.count) people; at most 500 at once")]) }
        return try await store.atomically { work in
            guard let program = try await work.program(programID) else { throw ProgramError.notFound }
            guard program.status.acceptsEnrolments else {
                throw AskError.programClosed("\(program.name) does not take new people now (it is \(program.status.rawValue)).")
            }
            let from = actor.employeeID ?? Ask.programTeam
            let waiting = Set(try await work.waiting(kind: .invitation, from: from).filter { $0.programID == programID }.map(\.toID))
            var outcome = Invited()
            var made: [Ask] = []
            for id in ids {
                guard let person = try await work.person(id), person.status == .active else { outcome.notFound.append(id); continue }
                if try await work.role(of: id, in: programID) != nil { outcome.alreadyEnrolled.append(id); continue }
                if waiting.contains(id) { outcome.alreadyInvited.append(id); continue }
                let ask = Ask(kind: .invitation, fromID: from, toID: id, programID: programID, message: text, createdAt: now)
                try await work.insert(ask)
                made.append(ask)
                outcome.invited.append(id)
            }
            try await work.notify(made.flatMap { Notices.asked($0, now: now) })
            return outcome
        }
    }

    /// The person it is for opens it (the first time counts: "opened" in a program's funnel).
    public static func open(_ id: UUID, actor: Actor, now: Date, store: any AskStore) async throws -> Ask {
        try await store.atomically { work in
            guard var ask = try await work.ask(id), AccessPolicy.decide(actor, .view, ask.resource).isAllowed else { throw AskError.notFound }
            if ask.openedAt == nil && actor.employeeID == ask.toID {
                ask.openedAt = now
                try await work.update(ask)
            }
            return ask
        }
    }

    /// Yes. A request names the program to enrol in (its sender is told, and enrols too); a nomination or
    /// an invitation leads to the enrolment form. Enrolling itself is the caller's next step, through
    /// `Enrolling`, as the person's own.
    public static func accept(_ id: UUID, programID: UUID?, actor: Actor, now: Date, store: any AskStore) async throws -> (ask: Ask, program: Program) {
        try await store.atomically { work in
            guard var ask = try await work.ask(id), AccessPolicy.decide(actor, .view, ask.resource).isAllowed else { throw AskError.notFound }
            try AccessPolicy.require(actor, .change, ask.resource)
            guard ask.status == .sent else { throw AskError.settled(ask.status) }
            guard let chosen = programID ?? ask.programID else {
                throw AskError.invalid([FieldProblem(field: "program_id", reason: "choose the program to enrol in")])
            }
            guard let program = try await work.program(chosen), AccessPolicy.decide(actor, .view, .program(status: program.status)).isAllowed else { throw ProgramError.notFound }
            guard try await acceptsYes(ask, in: program, work) else {
                throw AskError.programClosed("\(program.name) does not take new people now (it is \(program.status.rawValue)).")
            }
            if try await work.role(of: ask.toID, in: program.id) == .mentee {
                throw AskError.programClosed("You are a mentee in \(program.name); choose another program to be a reverse mentor in.")
            }
            ask.status = .accepted
            ask.answeredAt = now
            ask.openedAt = ask.openedAt ?? now
            if ask.programID == nil { ask.programID = program.id }
            try await work.update(ask)
            try await work.notify(Notices.answered(ask, now: now))
            return (ask, program)
        }
    }

    /// Whether a yes can lead into this program: one that takes enrolments, or, for a request, an open
    /// circle (self-matching, pairing now) where the two already are, as mentee and mentor — there the
    /// yes becomes the senior's request, answered.
    public static func acceptsYes(_ ask: Ask, in program: Program, _ work: any AskWork) async throws -> Bool {
        if program.status.acceptsEnrolments { return true }
        guard ask.kind == .request, program.settings.mode == .selfService, program.status == .matching else { return false }
        let senior = try await work.role(of: ask.fromID, in: program.id), junior = try await work.role(of: ask.toID, in: program.id)
        return senior == .mentee && junior == .mentor
    }

    /// Not this time: no reason asked, and the sender learns nothing more than that.
    public static func decline(_ id: UUID, actor: Actor, now: Date, store: any AskStore) async throws -> Ask {
        try await store.atomically { work in
            guard var ask = try await work.ask(id), AccessPolicy.decide(actor, .view, ask.resource).isAllowed else { throw AskError.notFound }
            try AccessPolicy.require(actor, .change, ask.resource)
            guard ask.status == .sent else { throw AskError.settled(ask.status) }
            ask.status = .declined
            ask.answeredAt = now
            ask.openedAt = ask.openedAt ?? now
            try await work.update(ask)
            try await work.notify(Notices.answered(ask, now: now))
            return ask
        }
    }

    /// The sender takes it back while it waits.
    public static func withdraw(_ id: UUID, actor: Actor, now: Date, store: any AskStore) async throws -> Ask {
        try await store.atomically { work in
            guard var ask = try await work.ask(id), AccessPolicy.decide(actor, .view, ask.resource).isAllowed else { throw AskError.notFound }
            try AccessPolicy.require(actor, .delete, ask.resource)
            guard ask.status == .sent else { throw AskError.settled(ask.status) }
            ask.status = .withdrawn
            ask.answeredAt = now
            try await work.update(ask)
            return ask
        }
    }
}

extension Notices {
    /// An ask is sent: the person it is for hears of it (never its message, which they read in Flipside).
    public static func asked(_ ask: Ask, now: Date) -> [Notice] {
        [Notice(.teachingAsk, to: .person(ask.toID), programID: ask.programID, ref: ask.id.uuidString.lowercased(), dueAt: now)]
    }

    /// A request answered: its sender hears yes (and where to enrol) or "not this time". Nominations and
    /// invitations tell their senders nothing: a nominator sees only whether the nominee enrolled.
    public static func answered(_ ask: Ask, now: Date) -> [Notice] {
        guard ask.kind == .request, ask.status == .accepted || ask.status == .declined else { return [] }
        return [Notice(.teachingAnswer, to: .person(ask.fromID), programID: ask.programID, ref: ask.id.uuidString.lowercased(), dueAt: now)]
    }
}

/// What an ask looks like to someone allowed to see it.
public struct AskView: Sendable, Equatable {
    public enum Side: String, Sendable { case received, sent }
    public var ask: Ask
    public var side: Side
    /// The other person's name ("The program team" for an invitation from a login without one).
    public var otherName: String
    public var programName: String?
    /// What the sender may know of the outcome, in words; the person it is for sees what they answered.
    public var outcome: String
    /// The message, for the person it is for and its sender only.
    public var message: String?
    /// Whether the reader may still accept or decline (received) or withdraw (sent).
    public var canAnswer: Bool
    public var canWithdraw: Bool
}

public enum AskReading {
    /// The asks a person sent and received, as they may see them: a request's sender learns "yes" or
    /// "not this time"; a nominator only whether the nominee is enrolled (`enrolledIn`: the programs
    /// each nominee is enrolled in now); nobody else reads a message.
    public static func views(_ asks: [Ask], actor: Actor, names: [String: String], programs: [UUID: String], enrolledIn: [String: Set<UUID>]) -> [AskView] {
        asks.compactMap { ask in
            guard AccessPolicy.decide(actor, .view, ask.resource).isAllowed else { return nil }
            let received = actor.employeeID == ask.toID
            let otherID = received ? ask.fromID : ask.toID
            let other = otherID == Ask.programTeam ? "The program team" : names[otherID] ?? otherID
            let program = ask.programID.flatMap { programs[$0] }
            var outcome: String
            switch (ask.status, received) {
            case (.sent, true): outcome = "waiting for your answer"
            case (.accepted, true): outcome = "you said yes"
            case (.declined, true): outcome = "you said not this time"
            case (.withdrawn, true): outcome = "withdrawn by \(other)"
            case (.withdrawn, false): outcome = "you withdrew it"
            case (_, false):
                switch ask.kind {
                case .request:
                    outcome = ask.status == .sent ? "waiting for an answer" : ask.status == .accepted ? "yes\(program.map { ", in \($0)" } ?? "")" : "not this time"
                case .nomination, .invitation:
                    let enrolled = enrolledIn[ask.toID] ?? []
                    let yes = ask.programID.map { enrolled.contains($0) } ?? !enrolled.isEmpty
                    outcome = yes ? "enrolled" : "not enrolled (yet)"
                }
            }
            let mayReadMessage = received || actor.employeeID == ask.fromID || (ask.kind == .invitation && actor.isCoordinator)
            return AskView(ask: ask, side: received ? .received : .sent, otherName: other, programName: program, outcome: outcome,
                           message: mayReadMessage && !ask.message.isEmpty ? ask.message : nil,
                           canAnswer: received && ask.status == .sent,
                           canWithdraw: !received && ask.status == .sent && AccessPolicy.decide(actor, .delete, ask.resource).isAllowed)
        }
    }
}
