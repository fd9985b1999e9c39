/// Who is asking: nobody signed in, a participant (a person with a login), or a coordinator. A login
/// may be linked to a person by employee id (a participant's always is, once imported from HR).
public enum Actor: Sendable, Hashable {
    case anonymous
    case participant(employeeID: String?)
    case coordinator(employeeID: String?)
    /// An identity provider's SCIM client, by one of the tokens coordinators make: it keeps the people
    /// directory in step and does nothing else.
    case provisioning

    public var employeeID: String? {
        switch self {
        case .anonymous, .provisioning: return nil
        case let .participant(id), let .coordinator(id): return id
        }
    }

    /// The command line and the demo loader: whoever runs them has the database already, so they act
    /// with a coordinator's rights, as nobody in particular.
    public static let system = Actor.coordinator(employeeID: nil)

    public var isCoordinator: Bool {
        if case .coordinator = self { return true }
        return false
    }
}

/// What an actor wants to do.
public enum Action: Sendable, Hashable {
    case view, create, change, delete
}

/// What it is done to: described by what the rules need to know, not by how it is stored.
public enum Resource: Sendable, Hashable {
    /// The people directory, search and the HR import.
    case directory
    /// One person's record.
    case person(employeeID: String)
    /// A sign-in link for a person.
    case invitation(employeeID: String)
    /// One program, in its current status (`create` needs no program: pass `.programs`).
    case program(status: ProgramStatus)
    /// Programs as a whole: creating one.
    case programs
    /// One person's enrolment in a program of the given status.
    case enrolment(employeeID: String, programStatus: ProgramStatus)
    /// The list of a program's enrolments.
    case enrolmentList(programStatus: ProgramStatus)
    /// Enrolments in bulk: a CSV import into a program.
    case enrolmentImport
    /// A program's match preview.
    case matchPreview
    /// A program's match runs, locks, exclusions and publishing.
    case matchRuns
    /// One mentee–mentor pair (a proposal, a request, a partnership).
    case pair(menteeID: String, mentorID: String)
    /// A mentee's suggested mentors and their request (self-matching), in a program of the given status.
    case suggestions(employeeID: String, programStatus: ProgramStatus)
    /// Acting in a pair's partnership (agreement, meetings, check-ins, words, actions, ending): the two
    /// people of the pair only — a coordinator reads what the pair shares with the program team, and writes nothing.
    case partnership(menteeID: String, mentorID: String)
    /// A program's anonymous concerns: raised by its participants, read and answered by coordinators.
    case concerns
    /// A person's calendar feed.
    case calendarFeed(employeeID: String)
    /// A program's outcome figures (retention, diversity, engagement): the program team's.
    case outcomes
    /// The audit trail of coordinator and system actions: coordinators only.
    case audit
    /// Everything stored about one person, for an access request (view) or erasure (delete): the
    /// person may export their own; only coordinators erase.
    case personalData(employeeID: String)
    /// What a person could teach and whether they may be asked: theirs to change; coordinators read it.
    case teachingProfile(employeeID: String)
    /// Asking "who could teach me?" across the organisation, for the person named: a participant asks
    /// for themselves, a coordinator on anyone's behalf.
    case whoCouldTeach(askerID: String)
    /// A request, nomination or invitation between two people: its sender and the person it is for
    /// (answering is theirs); the program team sends and reads invitations, never the others.
    case ask(kind: AskKind, fromID: String, toID: String)
    /// A program's recruiting: its gaps, the people who might fill them, invitations to enrol and its
    /// funnel. The program team's.
    case recruiting
    /// The tokens an identity provider provisions people with (SCIM): coordinators make and revoke them.
    case provisioningTokens
}

/// The answer, with what a person is told.
public enum AccessDecision: Sendable, Hashable {
    case allowed
    /// Nobody is signed in.
    case signInFirst
    /// Signed in, not allowed; says why.
    case forbidden(code: String, message: String)
    /// Not allowed, and the thing's existence is not revealed either (a draft program to a participant).
    case hidden

    public var isAllowed: Bool { self == .allowed }
}

/// The one place that decides who may see or change what. Every page, API route and command asks it;
/// none decides on its own.
public enum AccessPolicy {
    public static func decide(_ actor: Actor, _ action: Action, _ resource: Resource) -> AccessDecision {
        guard actor != .anonymous else { return .signInFirst }
        if actor == .provisioning {
            return resource == .directory && action != .delete ? .allowed
                : .forbidden(code: "forbidden", message: "A provisioning token keeps the people directory in step and does nothing else.")
        }
        if case let .partnership(mentee, mentor) = resource {
            if action == .view && actor.isCoordinator { return .allowed }
            guard let own = actor.employeeID, own == mentee || own == mentor else { return actor.isCoordinator ? onlyThePair : notYourPair }
            return .allowed
        }
        if case let .calendarFeed(id) = resource {
            return actor.employeeID == id ? .allowed : .forbidden(code: "forbidden", message: "A calendar feed is its owner's alone.")
        }
        if case .concerns = resource, action == .create {
            return actor.employeeID != nil && !actor.isCoordinator ? .allowed
                : .forbidden(code: "forbidden", message: "Concerns are raised by the program's participants.")
        }
        if case let .personalData(id) = resource, !actor.isCoordinator {
            return action == .view && actor.employeeID == id ? .allowed
                : .forbidden(code: "forbidden", message: action == .view ? "A participant can export only their own data." : "Only coordinators may erase a person's data.")
        }
        if case let .ask(kind, from, to) = resource {
            let own = actor.employeeID
            switch action {
            case .view:
                if own != nil && (own == from || own == to) { return .allowed }
                return kind == .invitation && actor.isCoordinator ? .allowed : .forbidden(code: "forbidden", message: "Only its sender and the person it is for see it.")
            case .create:
                if kind == .invitation {
                    return actor.isCoordinator ? .allowed : coordinatorsOnly
                }
                guard own != nil, own == from else { return .forbidden(code: "forbidden", message: "People ask and nominate for themselves.") }
                return .allowed
            case .change:
                return own != nil && own == to ? .allowed : .forbidden(code: "forbidden", message: "Only the person it is for answers it.")
            case .delete:
                if own != nil && own == from { return .allowed }
                return kind == .invitation && actor.isCoordinator ? .allowed : .forbidden(code: "forbidden", message: "Only its sender withdraws it.")
            }
        }
        if case let .teachingProfile(id) = resource, action != .view {
            return actor.employeeID == id ? .allowed
                : .forbidden(code: "forbidden", message: "What a person could teach, and whether they may be asked, is theirs alone to change.")
        }
        if actor.isCoordinator { return .allowed }
        let decision = participant(actor.employeeID, action, resource)
        // What only coordinators do is refused as such; anything else in a program a participant may
        // not see is hidden with it (a draft is a 404 to them, so its existence is not revealed).
        if decision == coordinatorsOnly { return decision }
        if resource.programStatus == .draft { return .hidden }
        return decision
    }

    private static func participant(_ own: String?, _ action: Action, _ resource: Resource) -> AccessDecision {
        switch (action, resource) {
        case (.view, .program):
            return .allowed
        case let (.view, .person(id)):
            return id == own ? .allowed : .forbidden(code: "forbidden", message: "A participant can see only their own profile.")
        case let (.change, .person(id)) where id == own:
            return .allowed   // what of it they may change: `PersonProfile.selfDescribedAttributes` and the time zone
        case let (_, .enrolment(id, _)):
            guard let own else { return noProfile }
            if id == own { return .allowed }
            return .forbidden(code: "forbidden", message: action == .create
                              ? "A participant can enrol only themselves."
                              : "A participant can change only their own enrolment.")
        case (.view, .enrolmentList):
            return .allowed   // redacted to their own: `visibleEnrolments`
        case let (.view, .pair(mentee, mentor)), let (.change, .pair(mentee, mentor)):
            guard let own else { return noProfile }
            return own == mentee || own == mentor ? .allowed : notYourPair
        case let (.view, .teachingProfile(id)):
            guard let own else { return noProfile }
            return id == own ? .allowed : .forbidden(code: "forbidden", message: "A participant sees only their own teaching profile.")
        case let (.view, .whoCouldTeach(id)):
            guard let own else { return noProfile }
            return id == own ? .allowed : .forbidden(code: "forbidden", message: "A participant asks only for themselves.")
        case let (_, .suggestions(id, _)):
            guard let own else { return noProfile }
            return id == own ? .allowed : .forbidden(code: "forbidden", message: "A participant sees and makes only their own requests.")
        default:
            return coordinatorsOnly
        }
    }

    /// Of these programs, the ones the actor may see.
    public static func visiblePrograms(_ actor: Actor, _ programs: [Program]) -> [Program] {
        programs.filter { decide(actor, .view, .program(status: $0.status)).isAllowed }
    }

    /// Of a program's enrolments, the ones the actor may see: all for coordinators, their own for a participant.
    public static func visibleEnrolments<T>(_ actor: Actor, _ items: [T], employeeID: (T) -> String) -> [T] {
        if actor.isCoordinator { return items }
        guard let own = actor.employeeID else { return [] }
        return items.filter { employeeID($0) == own }
    }

    /// Of a program's pairs, the ones the actor may see: all for coordinators, those they are in for a participant.
    public static func visiblePairs(_ actor: Actor, _ pairs: [MentoringPair]) -> [MentoringPair] {
        pairs.filter { decide(actor, .view, .pair(menteeID: $0.menteeID, mentorID: $0.mentorID)).isAllowed }
    }

    /// Whether a reason in a pair's history may be shown to the actor: a participant reads their own
    /// words and the system's, never what the other side wrote when they declined.
    public static func mayReadReason(of event: PairEvent, _ actor: Actor) -> Bool {
        if actor.isCoordinator { return true }
        return event.actor == actor.employeeID || event.actor == "system" || event.actor.hasPrefix("coordinator")
    }

    /// Whether the actor sees the coordinator's view of a program (everyone's enrolments, warnings,
    /// life-cycle controls) rather than their own part in it.
    public static func managesPrograms(_ actor: Actor) -> Bool {
        decide(actor, .create, .programs).isAllowed
    }

    public static let onlyThePair = AccessDecision.forbidden(code: "forbidden", message: "Only the two people of a pair act in their partnership.")
    static let notYourPair = AccessDecision.forbidden(code: "forbidden", message: "A participant sees and answers only their own pairs.")
    static let coordinatorsOnly = AccessDecision.forbidden(code: "forbidden", message: "Only coordinators may do this.")
    static let noProfile = AccessDecision.forbidden(code: "no_profile",
                                                    message: "Only a login linked to a person can enrol; coordinators enrol people by CSV upload.")
}

extension Resource {
    /// The status of the program the resource belongs to, if any.
    var programStatus: ProgramStatus? {
        switch self {
        case let .program(status), let .enrolmentList(status): return status
        case let .enrolment(_, status): return status
        case let .suggestions(_, status): return status
        case .directory, .person, .invitation, .programs, .enrolmentImport, .matchPreview, .matchRuns, .pair, .partnership, .concerns, .calendarFeed, .outcomes,
             .audit, .personalData, .teachingProfile, .whoCouldTeach, .ask, .recruiting, .provisioningTokens: return nil
        }
    }
}

/// A use case refused by the policy; the server answers with the decision (sign in, 403, or 404).
public struct AccessRefused: Error, Equatable, Sendable {
    public var decision: AccessDecision
    public init(_ decision: AccessDecision) { self.decision = decision }
}

extension AccessPolicy {
    /// Throws `AccessRefused` unless the actor may do this.
    public static func require(_ actor: Actor, _ action: Action, _ resource: Resource) throws(AccessRefused) {
        let decision = decide(actor, action, resource)
        guard decision.isAllowed else { throw AccessRefused(decision) }
    }
}
