import Fluent
import SQLKit
import FlipsideCore
import Vapor

/// Programs: create, change, move through their life cycle.
struct ProgramService {
    let db: any Database

    func all() async throws -> [Program] {
        try await ProgramModel.query(on: db).sort(\.$createdAt, .descending).sort(\.$name).all().map(\.program)
    }

    func find(_ id: UUID) async throws -> Program {
        guard let model = try await ProgramModel.find(id, on: db) else { throw APIError.notFound("Program \(id.uuidString.lowercased())") }
        return model.program
    }

    /// Finds a program by id or, failing that, by exact name (for the command line).
    func find(idOrName: String) async throws -> Program? {
        if let id = UUID(uuidString: idOrName), let model = try await ProgramModel.find(id, on: db) { return model.program }
        return try await ProgramModel.query(on: db).filter(\.$name == idOrName).first()?.program
    }

    func create(_ program: Program) async throws -> Program {
        try program.validate()
        try await ensureUniqueName(program.name, except: nil)
        try await Self.nameTaken(program.name) { try await ProgramModel(program).create(on: db) }
        return program
    }

    func update(_ program: Program) async throws -> Program {
        try program.validate()
        guard let model = try await ProgramModel.find(program.id, on: db) else { throw APIError.notFound("Program") }
        try await ensureUniqueName(program.name, except: program.id)
        model.copy(from: program)
        try await Self.nameTaken(program.name) { try await model.save(on: db) }
        return program
    }

    func transition(_ id: UUID, to status: ProgramStatus) async throws -> Program {
        try await db.writeTransaction { tx in
            guard let model = try await ProgramModel.find(id, on: tx) else { throw APIError.notFound("Program") }
            var program = model.program
            try program.transition(to: status)
            model.status = program.status.rawValue
            try await model.save(on: tx)
            return program
        }
    }

    /// Deletes a program and its enrolments. An active program cannot be deleted: close it first.
    func delete(_ id: UUID) async throws {
        let program = try await find(id)
        if let blocker = program.deletionBlocker { throw APIError(.conflict, code: "program_active", blocker) }
        try await db.writeTransaction { tx in
            try await EnrolmentModel.query(on: tx).filter(\.$program.$id == id).delete()
            try await ProgramModel.query(on: tx).filter(\.$id == id).delete()
        }
    }

    /// Runs a write; when the database's unique name rule fires (another program took the name at the
    /// same moment, after `ensureUniqueName` looked), answers 409 instead of a 500.
    private static func nameTaken(_ name: String, _ write: () async throws -> Void) async throws {
        do {
            try await write()
        } catch let error as any DatabaseError where error.isConstraintFailure {
            throw APIError(.conflict, code: "name_taken", "Another program named '\(TextLimits.preview(name))' was saved at the same moment; choose another name.")
        }
    }

    /// The program's status, read inside `tx` with the row held until it ends: on PostgreSQL `FOR SHARE`
    /// (a status change waits, and waits for it); on SQLite the write transaction already holds the
    /// database's writer lock. A 404 when the program is gone.
    static func statusHeld(_ id: UUID, on tx: any Database) async throws -> ProgramStatus {
        guard let sql = tx as? any SQLDatabase else { throw APIError.notFound("Program") }
        let share: SQLQueryString = sql.dialect.name == "sqlite" ? "" : " FOR SHARE"
        guard let row = try await sql.raw("SELECT status FROM \(ident: ProgramModel.schema) WHERE id = \(bind: id)\(share)").first(),
              let status = ProgramStatus(rawValue: try row.decode(column: "status", as: String.self)) else {
            throw APIError.notFound("Program")
        }
        return status
    }

    private func ensureUniqueName(_ name: String, except id: UUID?) async throws {
        let query = ProgramModel.query(on: db).filter(\.$name == name)
        if let id { query.filter(\.$id != id) }
        if try await query.count() > 0 {
            throw APIError.invalid([FieldProblem(field: "name", reason: "is already used by another program")])
        }
    }
}

