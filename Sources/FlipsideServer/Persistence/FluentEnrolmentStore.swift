import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// Core's `EnrolmentStore` on the database: each unit of work is a write transaction that holds the
/// program's row (`ProgramService.heldProgram`).
struct FluentEnrolmentStore: EnrolmentStore {
    let db: any Database

    func atomically<T: Sendable>(_ body: @escaping @Sendable (any EnrolmentWork) async throws -> T) async throws -> T {
        try await db.writeTransaction { tx in try await body(Work(tx: tx)) }
    }

    struct Work: EnrolmentWork {
        let tx: any Database

        func heldProgram(_ programID: UUID) async throws -> Program? { try await ProgramService.heldProgram(programID, on: tx) }

        func personExists(_ employeeID: String) async throws -> Bool {
            try await PersonModel.query(on: tx).filter(\.$employeeID == employeeID).count() > 0
        }

        func enrolment(of employeeID: String, in programID: UUID) async throws -> Enrolment? {
            try await EnrolmentService(db: tx).enrolment(of: employeeID, in: programID)
        }

        func enrolment(id: UUID, in programID: UUID) async throws -> Enrolment? {
            try await EnrolmentService(db: tx).enrolment(id: id, in: programID)
        }

        func insert(_ enrolment: Enrolment) async throws {
            do {
                try await EnrolmentModel(enrolment).create(on: tx)
            } catch let error as any DatabaseError where error.isConstraintFailure {
                // Another request enrolled the same person at the same moment.
                throw EnrolmentError.alreadyEnrolled(employeeID: enrolment.employeeID)
            }
        }

        func replace(_ enrolment: Enrolment) async throws {
            guard let model = try await EnrolmentModel.find(enrolment.id, on: tx) else { throw EnrolmentError.enrolmentNotFound }
            model.copy(from: enrolment)
            try await model.save(on: tx)
        }

        func delete(id: UUID, in programID: UUID) async throws {
            try await EnrolmentModel.query(on: tx).filter(\.$id == id).filter(\.$program.$id == programID).delete()
        }

        func enrolments(in programID: UUID) async throws -> [Enrolment] {
            try await EnrolmentService(db: tx).all(in: programID)
        }

        func levels(of employeeIDs: [String]) async throws -> [String: Int] {
            try await PeopleService(db: tx).find(employeeIDs).mapValues(\.level)
        }
    }
}
