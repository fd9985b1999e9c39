import Foundation

/// The people the domain reads, wherever they are stored.
public protocol PeopleRepository: Sendable {
    /// The people with these employee ids (those that exist), by id.
    func people(_ employeeIDs: [String]) async throws -> [String: Person]
}

/// A program's enrolments, wherever they are stored.
public protocol EnrolmentRepository: Sendable {
    func enrolments(in programID: UUID) async throws -> [Enrolment]
}

extension PeopleRepository {
    /// The given people and everyone above them in the reporting lines (what the matching rules need),
    /// read level by level rather than the whole directory.
    public func withManagementChains(of employeeIDs: [String]) async throws -> [String: Person] {
        var result: [String: Person] = [:]
        var wanted = Array(Set(employeeIDs))
        while !wanted.isEmpty {
            let found = try await people(wanted)
            result.merge(found) { current, _ in current }
            wanted = Array(Set(found.values.compactMap(\.managerID).filter { result[$0] == nil }))
        }
        return result
    }
}
