import Foundation

/// What one program change reads and writes, inside one atomic unit of work.
public protocol ProgramWork: Sendable {
    /// The program, its row held until the work ends; `nil` when there is none.
    func heldProgram(_ id: UUID) async throws -> Program?
    /// Whether another program (not `except`) already has this name.
    func nameIsUsed(_ name: String, except: UUID?) async throws -> Bool
    /// Stores a new program; throws `ProgramError.nameTaken` when the name was taken meanwhile.
    func insert(_ program: Program) async throws
    /// Stores a changed program; throws `ProgramError.nameTaken` likewise.
    func replace(_ program: Program) async throws
    /// Deletes the program and its enrolments (never people or logins).
    func delete(_ id: UUID) async throws
    /// A closing program's pairs: those on (accepted, active) complete, those still open (requested,
    /// proposed) end, each with a line in its history.
    func finishPairs(of programID: UUID, at: Date) async throws -> [MentoringPair]
    /// Queues messages with the change (`Notices` decides which).
    func notify(_ notices: [Notice]) async throws
    /// Replaces the program's guidance for both sides (with an audit line).
    func replaceGuidance(_ guidance: Guidance, of program: Program) async throws
}

/// Runs program work atomically.
public protocol ProgramStore: Sendable {
    func atomically<T: Sendable>(_ body: @escaping @Sendable (any ProgramWork) async throws -> T) async throws -> T
}

/// Creating, changing, moving through the life cycle and deleting a program: each asks the policy and
/// checks its rules inside one unit of work, throwing `ProgramError`.
public enum Programs {
    public static func create(_ draft: Program, actor: Actor, store: any ProgramStore) async throws -> Program {
        try allow(actor, .create, .programs)
        try draft.validate()
        return try await store.atomically { work in
            if try await work.nameIsUsed(draft.name, except: nil) { throw nameUsed }
            try await work.insert(draft)
            return draft
        }
    }

    /// Replaces the program's fields with `draft`'s, keeping its status (which only `transition` moves).
    public static func update(_ draft: Program, actor: Actor, store: any ProgramStore) async throws -> Program {
        try allow(actor, .change, .programs)
        try draft.validate()
        return try await store.atomically { work in
            guard let stored = try await work.heldProgram(draft.id) else { throw ProgramError.notFound }
            if try await work.nameIsUsed(draft.name, except: draft.id) { throw nameUsed }
            var program = draft
            program.status = stored.status
            try await work.replace(program)
            return program
        }
    }

    /// Moves the program on; closing it completes its partnerships (and ends what was still open).
    public static func transition(_ id: UUID, to status: ProgramStatus, actor: Actor, now: Date, store: any ProgramStore) async throws -> Program {
        try allow(actor, .change, .programs)
        return try await store.atomically { work in
            guard var program = try await work.heldProgram(id) else { throw ProgramError.notFound }
            try program.transition(to: status)
            try await work.replace(program)
            try await work.notify(Notices.statusChanged(program, now: now))
            if status == .closed {
                let finished = try await work.finishPairs(of: id, at: now)
                try await work.notify(Notices.programClosed(id, pairs: finished, now: now))
            }
            return program
        }
    }

    public static func delete(_ id: UUID, actor: Actor, store: any ProgramStore) async throws {
        try allow(actor, .delete, .programs)
        try await store.atomically { work in
            guard let program = try await work.heldProgram(id) else { throw ProgramError.notFound }
            if let blocker = program.deletionBlocker { throw ProgramError.cannotDelete(blocker) }
            try await work.delete(id)
        }
    }

    /// Sets what each side is told about their role, checked against Core's text limits.
    public static func setGuidance(of id: UUID, senior: String, junior: String, actor: Actor, store: any ProgramStore) async throws -> Guidance {
        try allow(actor, .change, .programs)
        let guidance = try Guidance.checked(senior: senior, junior: junior)
        return try await store.atomically { work in
            guard let program = try await work.heldProgram(id) else { throw ProgramError.notFound }
            try await work.replaceGuidance(guidance, of: program)
            return guidance
        }
    }

    static let nameUsed = ProgramError.invalid([FieldProblem(field: "name", reason: "is already used by another program")])

    private static func allow(_ actor: Actor, _ action: Action, _ resource: Resource) throws {
        let decision = AccessPolicy.decide(actor, action, resource)
        guard decision.isAllowed else { throw ProgramError.refused(decision) }
    }
}
