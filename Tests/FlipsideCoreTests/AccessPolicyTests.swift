import FlipsideCore
import Testing

/// The access policy as a table: actor × action × resource → answer. Every page, route and command asks
/// this one function, so this table is what Flipside allows.
@Suite struct AccessPolicyTests {
    enum Expect: Equatable { case allow, signIn, forbid, hide }

    static let coordinator = Actor.coordinator(employeeID: nil)
    static let jo = Actor.participant(employeeID: "J1")
    static let unlinked = Actor.participant(employeeID: nil)

    static let table: [(Actor, Action, Resource, Expect)] = [
        // Nobody signed in: nothing.
        (.anonymous, .view, .directory, .signIn),
        (.anonymous, .view, .program(status: .enrolling), .signIn),
        (.anonymous, .view, .person(employeeID: "J1"), .signIn),
        (.anonymous, .create, .enrolment(employeeID: "J1", programStatus: .enrolling), .signIn),
        // Coordinators: everything, drafts included.
        (coordinator, .view, .directory, .allow),
        (coordinator, .change, .directory, .allow),
        (coordinator, .view, .person(employeeID: "J1"), .allow),
        (coordinator, .create, .invitation(employeeID: "J1"), .allow),
        (coordinator, .view, .program(status: .draft), .allow),
        (coordinator, .create, .programs, .allow),
        (coordinator, .delete, .programs, .allow),
        (coordinator, .create, .enrolment(employeeID: "J1", programStatus: .draft), .allow),
        (coordinator, .create, .enrolmentImport, .allow),
        (coordinator, .view, .matchPreview, .allow),
        // A participant: their own record and enrolments, programs past draft.
        (jo, .view, .person(employeeID: "J1"), .allow),
        (jo, .change, .person(employeeID: "J1"), .allow),
        (jo, .view, .person(employeeID: "M1"), .forbid),
        (jo, .change, .person(employeeID: "M1"), .forbid),
        (jo, .view, .directory, .forbid),
        (jo, .change, .directory, .forbid),
        (jo, .create, .invitation(employeeID: "J1"), .forbid),
        (jo, .view, .program(status: .enrolling), .allow),
        (jo, .view, .program(status: .closed), .allow),
        (jo, .view, .program(status: .draft), .hide),
        (jo, .create, .programs, .forbid),
        (jo, .change, .programs, .forbid),
        (jo, .delete, .programs, .forbid),
        (jo, .view, .enrolmentList(programStatus: .enrolling), .allow),
        (jo, .view, .enrolmentList(programStatus: .draft), .hide),
        (jo, .create, .enrolment(employeeID: "J1", programStatus: .enrolling), .allow),
        (jo, .change, .enrolment(employeeID: "J1", programStatus: .enrolling), .allow),
        (jo, .delete, .enrolment(employeeID: "J1", programStatus: .enrolling), .allow),
        (jo, .create, .enrolment(employeeID: "J2", programStatus: .enrolling), .forbid),
        (jo, .change, .enrolment(employeeID: "J2", programStatus: .enrolling), .forbid),
        // In a draft, even their own enrolment is hidden with the program; another's too.
        (jo, .create, .enrolment(employeeID: "J1", programStatus: .draft), .hide),
        (jo, .change, .enrolment(employeeID: "J2", programStatus: .draft), .hide),
        // What only coordinators do is refused as such, also for a draft's program.
        (jo, .create, .enrolmentImport, .forbid),
        (jo, .view, .matchPreview, .forbid),
        // A participant's login not linked to a person has nobody to enrol.
        (unlinked, .create, .enrolment(employeeID: "", programStatus: .enrolling), .forbid),
        (unlinked, .view, .program(status: .enrolling), .allow),
    ]

    @Test func theTable() {
        for (actor, action, resource, expected) in Self.table {
            let got: Expect
            switch AccessPolicy.decide(actor, action, resource) {
            case .allowed: got = .allow
            case .signInFirst: got = .signIn
            case .forbidden: got = .forbid
            case .hidden: got = .hide
            }
            #expect(got == expected, "\(actor) \(action) \(resource)")
        }
    }

    @Test func refusalsSayWhy() {
        #expect(AccessPolicy.decide(Self.jo, .create, .enrolment(employeeID: "J2", programStatus: .enrolling))
                == .forbidden(code: "forbidden", message: "A participant can enrol only themselves."))
        #expect(AccessPolicy.decide(Self.unlinked, .create, .enrolment(employeeID: "", programStatus: .enrolling))
                == .forbidden(code: "no_profile", message: "Only a login linked to a person can enrol; coordinators enrol people by CSV upload."))
        #expect(AccessPolicy.decide(Self.jo, .view, .directory) == .forbidden(code: "forbidden", message: "Only coordinators may do this."))
    }

    @Test func listsAreRedactedToWhatTheActorMaySee() {
        let programs = [Program(name: "Draft", status: .draft), Program(name: "Open", status: .enrolling), Program(name: "Done", status: .closed)]
        #expect(AccessPolicy.visiblePrograms(Self.coordinator, programs).map(\.name) == ["Draft", "Open", "Done"])
        #expect(AccessPolicy.visiblePrograms(Self.jo, programs).map(\.name) == ["Open", "Done"])
        #expect(AccessPolicy.visiblePrograms(.anonymous, programs).isEmpty)
        let ids = ["J1", "J2", "M1"]
        #expect(AccessPolicy.visibleEnrolments(Self.coordinator, ids) { $0 } == ids)
        #expect(AccessPolicy.visibleEnrolments(Self.jo, ids) { $0 } == ["J1"])
        #expect(AccessPolicy.visibleEnrolments(Self.unlinked, ids) { $0 }.isEmpty)
        #expect(AccessPolicy.managesPrograms(Self.coordinator) && !AccessPolicy.managesPrograms(Self.jo))
    }
}
