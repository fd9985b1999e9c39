import FlipsideCore
import Foundation
import Testing

/// The enrolment use cases on an in-memory store: the rules, the policy and "one per person and
/// program" without a database or a web framework.
@Suite struct EnrollingTests {
    /// Programs, people and enrolments in memory; a unit of work works on a copy and commits at its end
    /// (these tests run their units one after another).
    actor Memory: EnrolmentStore {
        var programs: [UUID: Program]
        var people: [String: Person]
        var enrolments: [UUID: Enrolment] = [:]

        init(programs: [Program], people: [Person]) {
            self.programs = Dictionary(uniqueKeysWithValues: programs.map { ($0.id, $0) })
            self.people = Dictionary(uniqueKeysWithValues: people.map { ($0.employeeID, $0) })
        }

        func atomically<T: Sendable>(_ body: @escaping @Sendable (any EnrolmentWork) async throws -> T) async throws -> T {
            let work = Work(snapshot: (programs, people, enrolments))
            let result = try await body(work)
            enrolments = await work.enrolments   // commit
            return result
        }

        func setStatus(_ status: ProgramStatus, of id: UUID) { programs[id]?.status = status }
        func all() -> [Enrolment] { Array(enrolments.values) }

        actor Work: EnrolmentWork {
            let programs: [UUID: Program]
            let people: [String: Person]
            var enrolments: [UUID: Enrolment]

            init(snapshot: ([UUID: Program], [String: Person], [UUID: Enrolment])) {
                (programs, people, enrolments) = snapshot
            }

            func heldProgram(_ programID: UUID) -> Program? { programs[programID] }
            func personExists(_ employeeID: String) -> Bool { people[employeeID] != nil }
            func enrolment(of employeeID: String, in programID: UUID) -> Enrolment? {
                enrolments.values.first { $0.employeeID == employeeID && $0.programID == programID }
            }
            func enrolment(id: UUID, in programID: UUID) -> Enrolment? { enrolments[id].flatMap { $0.programID == programID ? $0 : nil } }
            func insert(_ enrolment: Enrolment) throws {
                if self.enrolment(of: enrolment.employeeID, in: enrolment.programID) != nil { throw EnrolmentError.alreadyEnrolled(employeeID: enrolment.employeeID) }
                enrolments[enrolment.id] = enrolment
            }
            func replace(_ enrolment: Enrolment) { enrolments[enrolment.id] = enrolment }
            func delete(id: UUID, in programID: UUID) { if enrolments[id]?.programID == programID { enrolments[id] = nil } }
            func enrolments(in programID: UUID) -> [Enrolment] { enrolments.values.filter { $0.programID == programID } }
            func levels(of employeeIDs: [String]) -> [String: Int] {
                Dictionary(uniqueKeysWithValues: employeeIDs.compactMap { id in people[id].map { (id, $0.level) } })
            }
        }
    }

    static let program = Program(name: "Pilot", status: .enrolling, settings: MatchingSettings(minLevelGap: 2, defaultCapacity: 1))
    static func person(_ id: String, level: Int) -> Person {
        Person(employeeID: id, name: id, email: "\(id.lowercased())@example.com", title: "", level: level,
               hireDate: CalendarDate(iso: "2024-01-01")!, department: "D", location: "L", timeZone: "UTC", managerID: nil)
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
