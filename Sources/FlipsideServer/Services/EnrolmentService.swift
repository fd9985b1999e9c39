import Fluent
import SQLKit
import FlipsideCore
import Vapor

/// An enrolment together with the person it belongs to, as lists show it.
struct EnrolmentView: Sendable {
    var enrolment: Enrolment
    var person: Person?
}

/// Enrolments of one program.
struct EnrolmentService {
    let db: any Database
    var results: ResultCache? = nil

    /// A program's enrolments, by role then employee id (read with SQLKit: a program of 20,000 enrolments
    /// is read many times faster than through Fluent's models).
    func all(in programID: UUID) async throws -> [Enrolment] {
        try Self.enrolments(try await select(in: programID).all())
    }

    /// The enrolments of these people in the program (a pair's two), without reading the others.
    func of(_ employeeIDs: [String], in programID: UUID) async throws -> [Enrolment] {
        try Self.enrolments(try await select(in: programID).where("employee_id", .in, employeeIDs).all())
    }

    /// The enrolments in rows read by `select`, each column read directly (SQLKit's `Codable` row
    /// decoder and `JSONDecoder` per row took 80 ms for a program's 4,000).
    static func enrolments(_ rows: [any SQLRow]) throws -> [Enrolment] {
        try rows.map { row in
            try EnrolmentModel.Details.read(try row.decode(column: "details", as: String.self))
                .enrolment(id: try row.decode(column: "id", as: UUID.self), programID: try row.decode(column: "program_id", as: UUID.self),
                           employeeID: try row.decode(column: "employee_id", as: String.self), role: try row.decode(column: "role", as: String.self),
                           cadence: try row.decode(column: "cadence", as: String.self), capacity: try row.decode(column: "capacity", as: Int.self))
        }
    }

    /// The columns an `Enrolment` is read from, of one program, by role and employee id.
    private func select(in programID: UUID) -> SQLSelectBuilder {
        (db as! any SQLDatabase).select().columns("id", "program_id", "employee_id", "role", "cadence", "capacity")
            .column(SQLRaw("CAST(details AS TEXT) AS details")).from(EnrolmentModel.schema)
            .where("program_id", .equal, programID).orderBy("role").orderBy("employee_id")
    }

    /// The enrolments with their people, and the warnings the coordinator should see; kept per version
    /// of the enrolments, people and programs tables when there is a cache (one copy per program).
    func overview(of program: Program) async throws -> (rows: [EnrolmentView], warnings: [EnrolmentWarning]) {
        let db = self.db
        let compute: @Sendable () async throws -> Overview = {
            let enrolments = try await EnrolmentService(db: db).all(in: program.id)
            let people = try await PeopleService(db: db).find(enrolments.map(\.employeeID))
            let warnings = EnrolmentRules.warnings(enrolments: enrolments, levels: people.mapValues(\.level), gap: program.settings.minLevelGap)
            return Overview(rows: enrolments.map { EnrolmentView(enrolment: $0, person: people[$0.employeeID]) }, warnings: warnings)
        }
        guard let results else { let o = try await compute(); return (o.rows, o.warnings) }
        let versions = try await DataVersions.read(on: db)
        let o = try await results.current("enrolment-overview.\(program.id)", version: versions.key(["enrolments", "people", "programs"]), compute: compute)
        return (o.rows, o.warnings)
    }

    private struct Overview: Sendable { var rows: [EnrolmentView]; var warnings: [EnrolmentWarning] }

    func find(_ id: UUID, in programID: UUID) async throws -> Enrolment {
        guard let enrolment = try await enrolment(id: id, in: programID) else { throw EnrolmentError.enrolmentNotFound }
        return enrolment
    }

    func enrolment(id: UUID, in programID: UUID) async throws -> Enrolment? {
        try await EnrolmentModel.query(on: db).filter(\.$id == id).filter(\.$program.$id == programID).first()?.enrolment
    }

    func enrolment(of employeeID: String, in programID: UUID) async throws -> Enrolment? {
        try await EnrolmentModel.query(on: db).filter(\.$program.$id == programID).filter(\.$employeeID == employeeID).first()?.enrolment
    }

    func all(of employeeID: String) async throws -> [Enrolment] {
        try await EnrolmentModel.query(on: db).filter(\.$employeeID == employeeID).all().map(\.enrolment)
    }
}


extension EnrolmentService: EnrolmentRepository {
    func enrolments(in programID: UUID) async throws -> [Enrolment] { try await all(in: programID) }
}
