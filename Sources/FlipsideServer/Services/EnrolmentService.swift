import Fluent
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

    func all(in programID: UUID) async throws -> [Enrolment] {
        try await EnrolmentModel.query(on: db).filter(\.$program.$id == programID).sort(\.$role).sort(\.$employeeID).all().map(\.enrolment)
    }

    /// The enrolments with their people, and the warnings the coordinator should see.
    func overview(of program: Program) async throws -> (rows: [EnrolmentView], warnings: [EnrolmentWarning]) {
        let enrolments = try await all(in: program.id)
        let people = try await PeopleService(db: db).find(enrolments.map(\.employeeID))
        let warnings = EnrolmentRules.warnings(enrolments: enrolments, levels: people.mapValues(\.level), gap: program.settings.minLevelGap)
        return (enrolments.map { EnrolmentView(enrolment: $0, person: people[$0.employeeID]) }, warnings)
    }

    func find(_ id: UUID, in programID: UUID) async throws -> Enrolment {
        guard let enrolment = try await enrolment(id: id, in: programID) else { throw APIError.notFound("Enrolment") }
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

    /// Imports a CSV of enrolments: all or nothing, upserting by employee id. One import at a time (a
    /// write lock first in the transaction); the program's status and the stored enrolments are read
    /// inside it, so what was checked is what is written.
    func importCSV(_ text: String, into program: Program) async throws -> (counts: ImportCounts, warnings: [EnrolmentWarning]) {
        try await db.writeTransaction { tx in
            try await WriteLock.enrolmentImport.take(on: tx)
            guard let program = try await ProgramService.heldProgram(program.id, on: tx) else { throw APIError.notFound("Program") }
            let existingList = try await EnrolmentService(db: tx).all(in: program.id)
            var existing: [String: Enrolment] = [:]
            for e in existingList { existing[e.employeeID] = e }
            // Only the people named in the file or already enrolled are needed. The file is parsed once; when
            // it cannot be parsed, planning from the text reports why (after checking the program is open).
            let table = try? CSVTable(text: text)
            let named = table.map(EnrolmentImport.employeeIDs) ?? []
            let people = try await PeopleService(db: tx).find(Array(Set(named + existing.keys)))
            let plan: EnrolmentImportPlan
            if let table {
                plan = try EnrolmentImport.plan(table: table, program: program, people: people, existing: existing)
            } else {
                plan = try EnrolmentImport.plan(csv: text, program: program, people: people, existing: existing)
            }
            for enrolment in plan.created { try await EnrolmentModel(enrolment).create(on: tx) }
            for enrolment in plan.updated {
                guard let model = try await EnrolmentModel.find(enrolment.id, on: tx) else { continue }
                model.copy(from: enrolment)
                try await model.save(on: tx)
            }
            return (plan.counts, plan.warnings)
        }
    }
}


extension EnrolmentService: EnrolmentRepository {
    func enrolments(in programID: UUID) async throws -> [Enrolment] { try await all(in: programID) }
}
