import Fluent
import SQLKit
import FlipsideCore
import Vapor

/// Reading programs. Changing them is Core's `Programs` use cases on `FluentProgramStore`.
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

    /// The program, its row held until `tx` ends (see `statusHeld`); `nil` when there is none.
    static func heldProgram(_ id: UUID, on tx: any Database) async throws -> Program? {
        do { _ = try await statusHeld(id, on: tx) } catch let error as APIError where error.status == .notFound { return nil }
        return try await ProgramModel.find(id, on: tx)?.program
    }
}
