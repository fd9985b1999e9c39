import FlipsideCore
import FlipsideCoreTestSupport
import Foundation
import Testing

/// The enrolment use cases on an in-memory store: the rules, the policy and "one per person and
/// program" without a database or a web framework.
@Suite struct EnrollingTests {
    typealias Memory = MemoryEnrolmentStore

    static let program = Program(name: "Pilot", status: .enrolling, settings: MatchingSettings(minLevelGap: 2, defaultCapacity: 1))
    static func person(_ id: String, level: Int) -> Person {
        Fixtures.person(id, level: level)
    }
    static func store() -> Memory {
        Memory(programs: [program], people: [person("J1", level: 1), person("J2", level: 2), person("S1", level: 7)])
    }
    static func mentor(_ id: String) -> Enrolment {
        Enrolment(programID: program.id, employeeID: id, role: .mentor, offers: [TopicOffer(topic: Topic("figma")!, proficiency: 4)])
    }
    static let jo = Actor.participant(employeeID: "J1")
    static let coordinator = Actor.coordinator(employeeID: nil)

    @Test func aParticipantEnrolsOnceAndOnlyThemselves() async throws {
        let store = Self.store()
        #expect(try await Enrolling.enrol(Self.mentor("J1"), actor: Self.jo, store: store).isEmpty)
        await #expect(throws: EnrolmentError.alreadyEnrolled(employeeID: "J1")) {
            try await Enrolling.enrol(Self.mentor("J1"), actor: Self.jo, store: store)
        }
        await #expect(throws: EnrolmentError.refused(.forbidden(code: "forbidden", message: "A participant can enrol only themselves."))) {
            try await Enrolling.enrol(Self.mentor("J2"), actor: Self.jo, store: store)
        }
        #expect(await store.all().map(\.employeeID) == ["J1"])
    }

    @Test func rulesStatusAndPeopleAreCheckedInTheUnitOfWork() async throws {
        let store = Self.store()
        var bad = Self.mentor("J2")
        bad.wants = [TopicWant(topic: Topic("python")!, priority: 2)]
        await #expect(throws: EnrolmentError.invalid([FieldProblem(field: "wants", reason: "is for mentees; a mentor lists what they offer")])) {
            try await Enrolling.enrol(bad, actor: Self.coordinator, store: store)
        }
        await #expect(throws: EnrolmentError.invalid([FieldProblem(field: "employee_id", reason: "no person with employee id X9")])) {
            try await Enrolling.enrol(Self.mentor("X9"), actor: Self.coordinator, store: store)
        }
        await store.setStatus(.matching, of: Self.program.id)
        await #expect(throws: EnrolmentError.closed(.matching)) {
            try await Enrolling.enrol(Self.mentor("J2"), actor: Self.coordinator, store: store)
        }
        await store.setStatus(.draft, of: Self.program.id)
        await #expect(throws: EnrolmentError.refused(.hidden)) {
            try await Enrolling.enrol(Self.mentor("J1"), actor: Self.jo, store: store)
        }
        #expect(await store.all().isEmpty)
    }

    @Test func warningsUpdateAndWithdraw() async throws {
        let store = Self.store()
        _ = try await Enrolling.enrol(Self.mentor("J2"), actor: Self.coordinator, store: store)
        // S1 (level 7) is far enough above J2 (level 2): no warning; J1 as a mentee would be too close.
        let mentee = Enrolment(programID: Self.program.id, employeeID: "J1", role: .mentee, wants: [TopicWant(topic: Topic("figma")!, priority: 3)])
        let warnings = try await Enrolling.enrol(mentee, actor: Self.jo, store: store)
        #expect(warnings.count == 1 && warnings[0].employeeID == "J1")
        var changed = mentee
        changed.cadence = .monthly
        _ = try await Enrolling.update(changed, actor: Self.jo, store: store)
        #expect(await store.all().first { $0.employeeID == "J1" }?.cadence == .monthly)
        await #expect(throws: EnrolmentError.self) {
            try await Enrolling.withdraw(mentee.id, in: Self.program.id, actor: .participant(employeeID: "J2"), store: store)
        }
        try await Enrolling.withdraw(mentee.id, in: Self.program.id, actor: Self.jo, store: store)
        #expect(await store.all().map(\.employeeID) == ["J2"])
    }
}
