import Foundation

/// What one enrolment change reads and writes, inside one atomic unit of work. The server implements
/// it on the database (a write transaction holding the program's row); Core's tests implement it in
/// memory.
public protocol EnrolmentWork: Sendable {
    /// The program, its row held until the work ends (so its status cannot move on meanwhile); `nil` when gone.
    func heldProgram(_ programID: UUID) async throws -> Program?
    func personExists(_ employeeID: String) async throws -> Bool
    func enrolment(of employeeID: String, in programID: UUID) async throws -> Enrolment?
    func enrolment(id: UUID, in programID: UUID) async throws -> Enrolment?
    /// Stores a new enrolment; throws `EnrolmentError.alreadyEnrolled` when the person is enrolled already.
    func insert(_ enrolment: Enrolment) async throws
    func replace(_ enrolment: Enrolment) async throws
    func delete(id: UUID, in programID: UUID) async throws
    func enrolments(in programID: UUID) async throws -> [Enrolment]
    func levels(of employeeIDs: [String]) async throws -> [String: Int]
}

/// Runs enrolment work atomically.
public protocol EnrolmentStore: Sendable {
    func atomically<T: Sendable>(_ body: @escaping @Sendable (any EnrolmentWork) async throws -> T) async throws -> T
}

/// Why an enrolment change was refused. The server maps each case to its answer once.
public enum EnrolmentError: Error, Equatable, Sendable {
    case programNotFound
    case enrolmentNotFound
    case closed(ProgramStatus)
    case invalid([FieldProblem])
    case alreadyEnrolled(employeeID: String)
    case refused(AccessDecision)

    /// A sentence for a person.
    public var message: String {
        switch self {
        case .programNotFound: return "Program was not found."
        case .enrolmentNotFound: return "Enrolment was not found."
        case let .closed(status): return ProgramError.closedForEnrolment(status).message
        case let .invalid(problems): return problems.map { "\($0.field) \($0.reason)" }.joined(separator: "; ")
        case let .alreadyEnrolled(id): return "\(id) is already enrolled in this program; a person enrols once per program."
        case .refused: return "You are not allowed to do this."
        }
    }
}

/// Enrolling, changing an enrolment and withdrawing: one use case per action, each asking the policy,
/// then checking the program's status, the rules and "one enrolment per person and program" inside one
/// atomic unit of work. The API and the web form call these with the same draft and get the same answers.
public enum Enrolling {
    /// Enrols `draft.employeeID` in the program; returns the warnings that now apply to them.
    public static func enrol(_ draft: Enrolment, actor: Actor, store: any EnrolmentStore) async throws -> [EnrolmentWarning] {
        try await save(draft, isNew: true, actor: actor, action: .create, store: store)
    }

    /// Replaces an enrolment with `draft` (same id, person and program).
    public static func update(_ draft: Enrolment, actor: Actor, store: any EnrolmentStore) async throws -> [EnrolmentWarning] {
        try await save(draft, isNew: false, actor: actor, action: .change, store: store)
    }

    /// Withdraws an enrolment.
    public static func withdraw(_ enrolmentID: UUID, in programID: UUID, actor: Actor, store: any EnrolmentStore) async throws {
        try await store.atomically { work in
            guard let status = try await work.heldProgram(programID)?.status else { throw EnrolmentError.programNotFound }
            guard let existing = try await work.enrolment(id: enrolmentID, in: programID) else { throw EnrolmentError.enrolmentNotFound }
            try allow(actor, .delete, .enrolment(employeeID: existing.employeeID, programStatus: status))
            guard status.acceptsEnrolments else { throw EnrolmentError.closed(status) }
            try await work.delete(id: enrolmentID, in: programID)
        }
    }

    private static func save(_ draft: Enrolment, isNew: Bool, actor: Actor, action: Action,
                             store: any EnrolmentStore) async throws -> [EnrolmentWarning] {
        try await store.atomically { work in
            guard let program = try await work.heldProgram(draft.programID) else { throw EnrolmentError.programNotFound }
            let status = program.status
            try allow(actor, action, .enrolment(employeeID: draft.employeeID, programStatus: status))
            guard status.acceptsEnrolments else { throw EnrolmentError.closed(status) }
            let problems = EnrolmentRules.problems(in: draft)
            if !problems.isEmpty { throw EnrolmentError.invalid(problems) }
            guard try await work.personExists(draft.employeeID) else {
                throw EnrolmentError.invalid([FieldProblem(field: "employee_id", reason: "no person with employee id \(draft.employeeID)")])
            }
            let existing = try await work.enrolment(of: draft.employeeID, in: draft.programID)
            if isNew {
                guard existing == nil else { throw EnrolmentError.alreadyEnrolled(employeeID: draft.employeeID) }
                try await work.insert(draft)
            } else {
                guard let stored = try await work.enrolment(id: draft.id, in: draft.programID) else { throw EnrolmentError.enrolmentNotFound }
                guard stored.employeeID == draft.employeeID else {
                    throw EnrolmentError.invalid([FieldProblem(field: "employee_id", reason: "cannot be changed; withdraw and enrol the other person")])
                }
                try await work.replace(draft)
            }
            let all = try await work.enrolments(in: draft.programID)
            let levels = try await work.levels(of: all.map(\.employeeID))
            return EnrolmentRules.warnings(enrolments: all, levels: levels, gap: program.settings.minLevelGap).filter { $0.employeeID == draft.employeeID }
        }
    }

    private static func allow(_ actor: Actor, _ action: Action, _ resource: Resource) throws {
        let decision = AccessPolicy.decide(actor, action, resource)
        guard decision.isAllowed else { throw EnrolmentError.refused(decision) }
    }
}
