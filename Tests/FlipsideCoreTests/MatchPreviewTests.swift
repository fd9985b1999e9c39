import Foundation
import MatchingEngine
import Testing
@testable import FlipsideCore

/// People and enrolments in memory, recording what was asked for.
final class InMemoryRepository: PeopleRepository, EnrolmentRepository, @unchecked Sendable {
    let directory: [String: Person]
    let stored: [Enrolment]
    private let lock = NSLock()
    private(set) var asked: Set<String> = []

    init(people: [Person], enrolments: [Enrolment]) {
        directory = Dictionary(uniqueKeysWithValues: people.map { ($0.employeeID, $0) })
        stored = enrolments
    }

    func people(_ employeeIDs: [String]) async throws -> [String: Person] {
        lock.withLock { asked.formUnion(employeeIDs) }
        return directory.filter { employeeIDs.contains($0.key) }
    }

    func enrolments(in programID: UUID) async throws -> [Enrolment] { stored.filter { $0.programID == programID } }
}

@Suite struct MatchPreviewTests {
    let demo = DemoOrganisation()

    /// The preview reads the enrolled people and their managers only, yet every reporting chain is
    /// complete, so no pair breaks the chain rule; the three pairings relate as they should.
    @Test func readsOnlyEnrolledChainsAndComparesThePairings() async throws {
        let repository = InMemoryRepository(people: demo.people, enrolments: demo.enrolments)
        var seen: [PreviewAlgorithm: MatchPreview] = [:]
        for algorithm in PreviewAlgorithm.allCases {
            seen[algorithm] = try await MatchPreview.make(for: demo.program, algorithm: algorithm, people: repository, enrolments: repository,
                                                           now: CalendarDate(iso: "2026-11-02")!.startUTC)
        }
        let optimal = try #require(seen[.optimal]), fair = try #require(seen[.fair]), stable = try #require(seen[.stable])
        let enrolled = Set(demo.enrolments.map(\.employeeID))
        #expect(repository.asked.count < demo.people.count && repository.asked.isSuperset(of: enrolled))
        let tree = ReportingTree(people: demo.people)
        for id in enrolled { #expect(tree.managementChain(of: id).allSatisfy { optimal.people[$0] != nil }, "\(id)'s chain") }
        for preview in [optimal, fair, stable] {
            for pair in preview.explanation.pairs {
                #expect(!tree.inSameChain(pair.menteeID, pair.mentorID), "\(preview.algorithm): \(pair.menteeID)–\(pair.mentorID)")
            }
        }
        let lowest = { (p: MatchPreview) in p.matching.pairs.map(\.score).min() ?? 0 }
        #expect(optimal.matching.count >= 38 && fair.matching.count == optimal.matching.count && stable.matching.count <= optimal.matching.count)
        #expect(optimal.matching.total >= fair.matching.total - 1e-9 && optimal.matching.total >= stable.matching.total - 1e-9)
        #expect(lowest(fair) >= lowest(optimal))
        // Switching costs come with the optimal pairing only.
        #expect(optimal.explanation.alternatives.flatMap(\.nextBest).allSatisfy { $0.programTotalChange != nil })
        #expect(fair.explanation.alternatives.flatMap(\.nextBest).allSatisfy { $0.programTotalChange == nil })
    }
}
