import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// Core's `PeopleImportStore` on the database: a write transaction that takes the people-import lock
/// first, so imports run one at a time and read stored people inside it. The database's unique indexes
/// (employee id, lower-cased email) back the rules up.
struct FluentPeopleImportStore: PeopleImportStore {
    let db: any Database
    var audit: AuditTrail

    func atomically<T: Sendable>(_ body: @escaping @Sendable (any PeopleImportWork) async throws -> T) async throws -> T {
        try await FlipsideMetrics.shared.timingImport("people") {
            try await WriteLock.peopleImport.transaction(on: db, bulk: true) { [audit] tx in try await body(Work(tx: tx, audit: audit)) }
        }
    }

    func reading<T: Sendable>(_ body: @escaping @Sendable (any PeopleImportWork) async throws -> T) async throws -> T {
        try await db.transaction { [audit] tx in try await body(Work(tx: tx, audit: audit)) }
    }

    struct Work: PeopleImportWork {
        static let upsert = BulkUpsert(table: PersonModel.schema, columns: PersonRow.columns, conflict: "employee_id", keep: ["id"])

        /// The plan's new and changed people, upserted by employee id; new people's ids made `at`. On
        /// PostgreSQL many new people are copied in (`BulkUpsert.copy`) and only the changed ones upserted;
        /// should someone be stored after all (a write that bypassed the import's lock), the copy is undone
        /// to its savepoint and every row upserted as before.
        static func writeRows(_ plan: PeopleImportPlan, at: Date, on db: any Database) async throws {
            let (created, updated) = (plan.created, plan.updated)
            if created.count >= 1_000, let sql = db as? any SQLDatabase, sql.dialect.name == "postgresql" {
                try await sql.raw("SAVEPOINT people_copy").run()
                do {
                    if try await upsert.copy(count: created.count, at: at, on: db, row: { PersonRow(created[$0], id: $1).cells }) {
                        try await sql.raw("RELEASE SAVEPOINT people_copy").run()
                        try await upsert.write(count: updated.count, at: at, on: db) { PersonRow(updated[$0], id: $1).cells }
                        return
                    }
                } catch where BulkUpsert.isUniqueViolation(error) {
                    try await sql.raw("ROLLBACK TO SAVEPOINT people_copy").run()
                }
            }
            try await upsert.write(count: created.count + updated.count, at: at, on: db) { index, id in
                PersonRow(index < created.count ? created[index] : updated[index - created.count], id: id).cells
            }
        }

        let tx: any Database
        var audit: AuditTrail

        func storedPeople() async throws -> StoredPeople { try await PeopleService(db: tx).stored() }

        func people(_ employeeIDs: [String]) async throws -> [String: Person] { try await PeopleService(db: tx).find(employeeIDs) }

        func peopleVersion() async throws -> Int64 { try await DataVersions.read(on: tx).people }

        func write(_ plan: PeopleImportPlan, existing: [String: Person]) async throws {
            try await audit.record(.peopleImported, "people", "import",
                                   "\(plan.created.count) created, \(plan.updated.count) updated, \(plan.unchanged) unchanged", on: tx)
            guard !(plan.created.isEmpty && plan.updated.isEmpty), let sql = tx as? any SQLDatabase else { return }
            // Emails that move between people in this file (A takes B's old address while B gets a new one)
            // would trip the unique email index row by row: park the changing ones on placeholders first
            // (no real address lacks an @).
            let moving = plan.updated.filter { person in
                existing[person.employeeID].map { $0.email.lowercased() != person.email.lowercased() } ?? false
            }
            for start in stride(from: 0, to: moving.count, by: 500) {
                let ids = moving[start..<min(start + 500, moving.count)].map(\.employeeID)
                try await sql.update(PersonModel.schema)
                    .set("email", to: SQLBinaryExpression(left: SQLLiteral.string("#"), op: SQLRaw("||"), right: SQLIdentifier("employee_id")))
                    .where("employee_id", .in, ids).run()
            }
            try await DataVersions.bumpingOnce(PersonModel.schema, rows: plan.created.count + plan.updated.count, on: sql) {
                try await Self.writeRows(plan, at: audit.clock.now, on: tx)
            }
        }

        func record(_ changes: [EmploymentChange], at: Date) async throws {
            try await EmploymentHistoryRows.record(changes, at: at, source: .import, on: tx as! any SQLDatabase)
        }

        func endAccess(for employeeIDs: [String]) async throws {
            try await AccessEnding.end(for: employeeIDs, on: tx)
            try await audit.record(.peopleLeft, "people", "import", "\(employeeIDs.count) people marked as left: their logins, sessions and links ended", on: tx)
        }

        func storedMapping(for signature: String) async throws -> ImportMapping? {
            try await ImportMappingTable.find(signature, on: tx as! any SQLDatabase)
        }

        func remember(_ mapping: ImportMapping, for signature: String, at: Date) async throws {
            struct Row: Encodable { var kind: String; var signature: String; var mapping: String; var updated_at: Double }
            try await (tx as! any SQLDatabase).insert(into: ImportMappingTable.name)
                .model(Row(kind: "people", signature: signature, mapping: try StoredJSON.encode(mapping), updated_at: at.timeIntervalSince1970))
                .onConflict(with: ["kind", "signature"]) { $0.set(excludedValueOf: "mapping").set(excludedValueOf: "updated_at") }
                .run()
        }

        func endPairs(of employeeIDs: [String], at: Date, reason: String) async throws {
            let sql = tx as! any SQLDatabase
            let current = PairStatus.allCases.filter(\.isCurrent).map(\.rawValue)
            for start in stride(from: 0, to: employeeIDs.count, by: 500) {
                let chunk = Array(employeeIDs[start..<min(start + 500, employeeIDs.count)])
                let ended = try await sql.raw("""
                    UPDATE \(ident: MatchingTables.pairs) SET status = \(bind: PairStatus.ended.rawValue)
                    WHERE status IN (\(binds: current)) AND (mentee_id IN (\(binds: chunk)) OR mentor_id IN (\(binds: chunk))) RETURNING id
                    """).all().map { try $0.decode(column: "id", as: UUID.self) }
                try await FluentMatchingStore.insert(ended.map { PairEvent(pairID: $0, status: .ended, at: at, actor: "system", reason: reason) }, on: sql)
            }
        }
    }
}

/// Core's `EnrolmentImportStore` on the database: a write transaction that takes the enrolment-import
/// lock first and holds the program's row.
struct FluentEnrolmentImportStore: EnrolmentImportStore {
    let db: any Database
    var audit: AuditTrail

    func atomically<T: Sendable>(_ body: @escaping @Sendable (any EnrolmentImportWork) async throws -> T) async throws -> T {
        try await FlipsideMetrics.shared.timingImport("enrolments") {
            try await WriteLock.enrolmentImport.transaction(on: db) { [audit] tx in try await body(Work(tx: tx, audit: audit)) }
        }
    }

    struct Work: EnrolmentImportWork {
        let tx: any Database
        var audit: AuditTrail

        func heldProgram(_ programID: UUID) async throws -> Program? { try await ProgramService.heldProgram(programID, on: tx) }
        func enrolments(in programID: UUID) async throws -> [Enrolment] { try await EnrolmentService(db: tx).all(in: programID) }
        func people(_ employeeIDs: [String]) async throws -> [String: Person] { try await PeopleService(db: tx).find(employeeIDs) }

        func insert(_ enrolments: [Enrolment]) async throws {
            for enrolment in enrolments { try await EnrolmentModel(enrolment).create(on: tx) }
            try await recordImport(enrolments, "created")
        }

        func replace(_ enrolments: [Enrolment]) async throws {
            for enrolment in enrolments {
                guard let model = try await EnrolmentModel.find(enrolment.id, on: tx) else { continue }
                model.copy(from: enrolment)
                try await model.save(on: tx)
            }
            try await recordImport(enrolments, "updated")
        }

        /// The audit line for enrolments the import `done` ("created", "updated") in their program.
        private func recordImport(_ enrolments: [Enrolment], _ done: String) async throws {
            guard let program = enrolments.first?.programID else { return }
            try await audit.record(.enrolmentsImported, "program", program.uuidString.lowercased(), "\(enrolments.count) enrolments \(done)", on: tx)
        }
    }
}

/// Core's `PendingImportStore` on the database: uploaded HR exports kept while they are mapped, one per
/// coordinator.
struct FluentPendingImportStore: PendingImportStore {
    let db: any Database
    var audit: AuditTrail
    var sql: any SQLDatabase { db as! any SQLDatabase }

    func keep(_ text: String, rows: Int, for owner: UUID, now: Date, expiredBefore: Date) async throws -> UUID {
        struct Row: Encodable { var id: UUID; var user_id: UUID; var text: String; var created_at: Double }
        let id = UUID()
        let audit = self.audit
        try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            try await sql.delete(from: PendingImportTable.name).where("user_id", .equal, owner)
                .orWhere("created_at", .lessThan, expiredBefore.timeIntervalSince1970).run()
            try await sql.insert(into: PendingImportTable.name).model(Row(id: id, user_id: owner, text: text, created_at: now.timeIntervalSince1970)).run()
            try await audit.record(.peopleImportKept, "import", id.uuidString.lowercased(), "\(rows) rows kept to map their columns", on: tx)
        }
        return id
    }

    func text(_ id: UUID, of owner: UUID, keptSince: Date) async throws -> String? {
        try await sql.select().column("text").from(PendingImportTable.name).where("id", .equal, id).where("user_id", .equal, owner)
            .where("created_at", .greaterThanOrEqual, keptSince.timeIntervalSince1970).first()?.decode(column: "text", as: String.self)
    }

    func forget(_ id: UUID) async throws {
        try await sql.delete(from: PendingImportTable.name).where("id", .equal, id).run()
    }

    func storedMapping(for signature: String) async throws -> ImportMapping? {
        try await ImportMappingTable.find(signature, on: sql)
    }
}
