import FlipsideCore
import FlipsideCoreTestSupport
import Foundation
import Testing

/// The program use cases on an in-memory store.
@Suite struct ProgramsUseCaseTests {
    typealias Memory = MemoryProgramStore

    static let coordinator = Actor.coordinator(employeeID: nil)

    @Test func onlyCoordinatorsChangePrograms() async throws {
        let store = Memory()
        await #expect(throws: ProgramError.refused(.forbidden(code: "forbidden", message: "Only coordinators may do this."))) {
            try await Programs.create(Program(name: "P"), actor: .participant(employeeID: "J1"), store: store)
        }
        await #expect(throws: ProgramError.refused(.signInFirst)) {
            try await Programs.create(Program(name: "P"), actor: .anonymous, store: store)
        }
        #expect(await store.all().isEmpty)
    }

    @Test func aProgramLivesThroughItsCycle() async throws {
        let store = Memory()
        let program = try await Programs.create(Program(name: "Pilot"), actor: Self.coordinator, store: store)
        await #expect(throws: ProgramError.invalid([FieldProblem(field: "name", reason: "is already used by another program")])) {
            try await Programs.create(Program(name: "Pilot"), actor: Self.coordinator, store: store)
        }
        await #expect(throws: ProgramError.invalid([FieldProblem(field: "name", reason: "must not be empty")])) {
            try await Programs.create(Program(name: " "), actor: Self.coordinator, store: store)
        }
        // An update keeps the status, which only a transition moves.
        var renamed = program
        renamed.name = "Pilot 2027"
        renamed.status = .closed
        #expect(try await Programs.update(renamed, actor: Self.coordinator, store: store).status == .draft)
        for next in [ProgramStatus.enrolling, .matching, .active] {
            #expect(try await Programs.transition(program.id, to: next, actor: Self.coordinator, now: Date(), store: store).status == next)
        }
        await #expect(throws: ProgramError.illegalTransition(from: .active, to: .draft)) {
            try await Programs.transition(program.id, to: .draft, actor: Self.coordinator, now: Date(), store: store)
        }
        await #expect(throws: ProgramError.cannotDelete("An active program cannot be deleted; close it first.")) {
            try await Programs.delete(program.id, actor: Self.coordinator, store: store)
        }
        _ = try await Programs.transition(program.id, to: .closed, actor: Self.coordinator, now: Date(), store: store)
        try await Programs.delete(program.id, actor: Self.coordinator, store: store)
        #expect(await store.all().isEmpty)
        await #expect(throws: ProgramError.notFound) {
            try await Programs.delete(program.id, actor: Self.coordinator, store: store)
        }
    }

    @Test func guidanceIsCheckedAndOnlyCoordinatorsSetIt() async throws {
        let store = Memory()
        let program = try await Programs.create(Program(name: "Pilot"), actor: Self.coordinator, store: store)
        await #expect(throws: ProgramError.self) {
            try await Programs.setGuidance(of: program.id, senior: "Listen.", junior: "Speak.", actor: .participant(employeeID: "J1"), store: store)
        }
        await #expect(throws: ProgramError.invalid([FieldProblem(field: "junior", reason: "is required")])) {
            try await Programs.setGuidance(of: program.id, senior: "Listen.", junior: "  ", actor: Self.coordinator, store: store)
        }
        await #expect(throws: ProgramError.notFound) {
            try await Programs.setGuidance(of: UUID(), senior: "Listen.", junior: "Speak.", actor: Self.coordinator, store: store)
        }
        let set = try await Programs.setGuidance(of: program.id, senior: " Listen. ", junior: "Speak.", actor: Self.coordinator, store: store)
        #expect(set == Guidance(senior: "Listen.", junior: "Speak."))
    }
}
