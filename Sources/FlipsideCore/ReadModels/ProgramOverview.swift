import Foundation

/// What a program's page shows and offers to one actor, decided once: the enrolments they may see, their
/// own, and the next steps (enrol, move the program on, the matching page, choosing a mentor), each from
/// the same definitions the use cases check. `Row` is an enrolment as the store lists it (with its person).
public struct ProgramOverview<Row: Sendable>: Sendable {
    public let program: Program
    /// Whether the actor runs programs (sees every enrolment and the warnings).
    public let managesProgram: Bool
    public let mentors: [Row]
    public let mentees: [Row]
    public let warnings: [EnrolmentWarning]
    /// The actor's own enrolment here, if any.
    public let own: Row?
    /// A participant linked to a person who is not enrolled yet (the enrolment use case judges the program's status).
    public let mayEnrol: Bool
    /// Where the program team may move the program next.
    public let transitions: [ProgramStatus]
    /// The matching page (runs, locks, exclusions, pairs): the program team's, once enrolment closed.
    public let offersMatching: Bool
    /// A mentee's way to choose a mentor: a self-matching program while pairs are made (`MatchWorkflow.request`).
    public let offersMentorChoice: Bool
}

public enum ProgramReading {
    /// The program's page for `actor`, over the program's enrolment rows and their warnings.
    public static func overview<Row: Sendable>(of program: Program, actor: Actor, rows: [Row], warnings: [EnrolmentWarning],
                                               enrolment: (Row) -> Enrolment) throws -> ProgramOverview<Row> {
        try AccessPolicy.require(actor, .view, .enrolmentList(programStatus: program.status))
        let manages = AccessPolicy.managesPrograms(actor)
        let visible = AccessPolicy.visibleEnrolments(actor, rows) { enrolment($0).employeeID }
        let own = actor.employeeID.flatMap { me in rows.first { enrolment($0).employeeID == me } }
        let isMentee = own.map { enrolment($0).role == .mentee } ?? false
        return ProgramOverview(
            program: program, managesProgram: manages,
            mentors: manages ? visible.filter { enrolment($0).role == .mentor } : [],
            mentees: manages ? visible.filter { enrolment($0).role == .mentee } : [],
            warnings: manages ? warnings : [], own: own,
            mayEnrol: !manages && own == nil && actor.employeeID != nil,
            transitions: manages ? program.status.allowedNext : [],
            offersMatching: manages && !program.status.acceptsEnrolments,
            offersMentorChoice: !manages && isMentee && program.settings.mode == .selfService && program.status.isPairing)
    }
}
