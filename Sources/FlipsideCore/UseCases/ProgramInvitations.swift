import Foundation

/// Someone a program's invitation goes to.
public struct Invitee: Sendable, Hashable {
    public var employeeID: String
    public var email: String
    public init(employeeID: String, email: String) {
        self.employeeID = employeeID
        self.email = email
    }
}

/// What inviting a program's people reads and writes, inside one unit of work.
public protocol ProgramInvitationWork: Sendable {
    func heldProgram(_ id: UUID) async throws -> Program?
    /// The program's enrolled people who are still employed and have no login yet.
    func peopleWithoutLogin(in programID: UUID) async throws -> [Invitee]
    /// Queues one invitation message; `false` when one under the same key is already queued or sent.
    func queueInvitation(to invitee: Invitee, programID: UUID, key: String, now: Date) async throws -> Bool
}

public protocol ProgramInvitationStore: Sendable {
    func atomically<T: Sendable>(_ body: @escaping @Sendable (any ProgramInvitationWork) async throws -> T) async throws -> T
}

/// A coordinator invites everyone enrolled in a program who cannot sign in yet, at once: each gets an
/// email with their own sign-in link (made when the message is sent, so no link waits in a queue).
public enum ProgramInvitations {
    public struct Outcome: Sendable, Equatable {
        /// Invitations queued now.
        public var queued: Int
        /// People already invited today (an invitation is queued once per person, program and day).
        public var alreadyQueued: Int
    }

    public static func inviteAll(in programID: UUID, actor: Actor, now: Date, store: any ProgramInvitationStore) async throws -> Outcome {
        try AccessPolicy.require(actor, .create, .invitation(employeeID: ""))
        return try await store.atomically { work in
            guard try await work.heldProgram(programID) != nil else { throw ProgramError.notFound }
            var outcome = Outcome(queued: 0, alreadyQueued: 0)
            let day = CalendarDate.today(now: now)
            for invitee in try await work.peopleWithoutLogin(in: programID) {
                let key = "invitation|\(programID.uuidString.lowercased())|\(invitee.employeeID)|\(day)"
                if try await work.queueInvitation(to: invitee, programID: programID, key: key, now: now) {
                    outcome.queued += 1
                } else {
                    outcome.alreadyQueued += 1
                }
            }
            return outcome
        }
    }
}
