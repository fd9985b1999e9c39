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
        // The same answer as a draft hidden from the asker (`AccessDecision.hidden`), so a 404 does not tell which drafts exist.
        guard let model = try await ProgramModel.find(id, on: db) else { throw ProgramError.notFound }
        return model.program
    }

    /// Finds a program by id or, failing that, by exact name (for the command line).
    func find(idOrName: String) async throws -> Program? {
        if let id = UUID(uuidString: idOrName), let model = try await ProgramModel.find(id, on: db) { return model.program }
        return try await ProgramModel.query(on: db).filter(\.$name == idOrName).first()?.program
    }

    /// The program, read inside `tx` with its row held until `tx` ends: on PostgreSQL `FOR SHARE` (a
    /// status change waits, and waits for it); on SQLite the write transaction already holds the
    /// database's writer lock. `nil` when there is no such program.
    static func heldProgram(_ id: UUID, on tx: any Database) async throws -> Program? {
        guard let sql = tx as? any SQLDatabase else { return nil }
        let share: SQLQueryString = sql.dialect.name == "sqlite" ? "" : " FOR SHARE"
        guard try await sql.raw("SELECT id FROM \(ident: ProgramModel.schema) WHERE id = \(bind: id)\(share)").first() != nil else { return nil }
        return try await ProgramModel.find(id, on: tx)?.program
    }
}
