import Foundation
import Testing
@testable import FlipsideCore

/// The program page's next steps come from the definitions the use cases check: what the page offers,
/// the use case allows, for every status, mode and kind of actor.
@Suite struct ProgramOverviewTests {
    @Test func theMentorChoiceOfferedIsTheOneTheUseCaseAllows() async throws {
        for mode in MatchingMode.allCases {
            for status in ProgramStatus.allCases {
                let (memory, base) = MatchWorkflowTests.world(mode: mode)
                await memory.update { $0.programs[base.id]?.status = status }
                var program = base
                program.status = status
                let rows = await memory.state.enrolments
                for actor in [Actor.participant(employeeID: "S1"), .participant(employeeID: "J1"), .participant(employeeID: "X9"), .coordinator(employeeID: nil)] {
                    let overview: ProgramOverview<Enrolment>
                    do {
                        overview = try ProgramReading.overview(of: program, actor: actor, rows: rows, warnings: []) { $0 }
                    } catch {
                        // Hidden from this actor (a draft from participants): the page offers nothing.
                        #expect(status == .draft && !actor.isCoordinator, "\(status) \(actor)")
                        continue
                    }
                    var allowed = false
                    if let me = actor.employeeID {
                        do {
                            _ = try await MatchWorkflow.suggestions(for: me, in: program.id, actor: actor, now: MatchWorkflowTests.now, store: memory)
                            allowed = true
                        } catch {}
                    }
                    // A mentee is offered the choice exactly when suggestions (the first step of choosing) are allowed.
                    let isMentee = rows.contains { $0.employeeID == actor.employeeID && $0.role == .mentee }
                    #expect(overview.offersMentorChoice == (allowed && isMentee), "\(mode) \(status) \(actor)")
                    // The program team sees everyone and the matching page once enrolment closed; a participant only themselves.
                    if actor.isCoordinator {
                        #expect(overview.mentors.count == 3 && overview.mentees.count == 3 && overview.own == nil)
                        #expect(overview.offersMatching == !status.acceptsEnrolments && overview.transitions == status.allowedNext)
                    } else {
                        #expect(overview.mentors.isEmpty && overview.mentees.isEmpty && !overview.offersMatching && overview.transitions.isEmpty)
                        #expect(overview.own?.employeeID == (actor.employeeID == "X9" ? nil : actor.employeeID))
                        #expect(overview.mayEnrol == (actor.employeeID == "X9"))
                    }
                }
            }
        }
    }
}
