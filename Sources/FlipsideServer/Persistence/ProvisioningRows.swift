import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// The SQL of SCIM provisioning, in one place: the tokens providers use and the links between a person
/// and what the provider knows of them.
enum ProvisioningRows {
    static let tokens = "scim_tokens"
    static let links = "scim_links"

    struct LinkRow: Codable, Sendable {
        var employee_id: String
        var user_name: String
        var user_name_key: String
        var external_id: String?
        var employee_number: String?
        var email_type: String?
        var email_primary: Bool?
        var formatted_name: String?
        var given_name: String?
        var family_name: String?
        var display_name: String?
        var pending_manager: String?
        var deleted: Bool
        var created_at: Double?
        var modified_at: Double?

        init(_ link: ProvisioningLink) {
            employee_id = link.employeeID
            user_name = link.userName
            user_name_key = link.userName.lowercased()
            external_id = link.externalID
            employee_number = link.employeeNumber
            email_type = link.emailType
            email_primary = link.emailPrimary
            formatted_name = link.formattedName
            given_name = link.givenName
            family_name = link.familyName
            display_name = link.displayName
            pending_manager = link.pendingManagerID
            deleted = link.deleted
            created_at = link.created?.timeIntervalSince1970
            modified_at = link.modified?.timeIntervalSince1970
        }

        var link: ProvisioningLink {
            ProvisioningLink(employeeID: employee_id, userName: user_name, externalID: external_id, employeeNumber: employee_number,
                             emailType: email_type, emailPrimary: email_primary, formattedName: formatted_name,
                             givenName: given_name, familyName: family_name, displayName: display_name, pendingManagerID: pending_manager,
                             deleted: deleted, created: created_at.map(Date.init(timeIntervalSince1970:)),
                             modified: modified_at.map(Date.init(timeIntervalSince1970:)))
        }
    }

    static func links(_ employeeIDs: [String], on sql: any SQLDatabase) async throws -> [String: ProvisioningLink] {
        var result: [String: ProvisioningLink] = [:]
        for start in stride(from: 0, to: employeeIDs.count, by: 500) {
            let chunk = Array(employeeIDs[start..<min(start + 500, employeeIDs.count)])
            for row in try await sql.select().column("*").from(links).where("employee_id", .in, chunk).all(decoding: LinkRow.self) {
                result[row.employee_id] = row.link
            }
        }
        return result
    }

    static func save(_ link: ProvisioningLink, on sql: any SQLDatabase) async throws {
        let row = LinkRow(link)
        try await sql.insert(into: links).model(row)
            .onConflict(with: ["employee_id"]) { conflict in
                var conflict = conflict
                for column in ["user_name", "user_name_key", "external_id", "employee_number", "email_type", "email_primary", "formatted_name", "given_name", "family_name",
                               "display_name", "pending_manager", "deleted", "created_at", "modified_at"] {
                    conflict = conflict.set(excludedValueOf: column)
                }
                return conflict
            }.run()
    }

    /// Erasure: what the provider told us about the person goes with them.
    static func forget(_ employeeID: String, on sql: any SQLDatabase) async throws {
        try await sql.delete(from: links).where("employee_id", .equal, employeeID).run()
    }

    // MARK: Reading what a provider sees

    /// What a list or search asks for: one attribute equal to a value, or everyone.
    enum Lookup: Equatable, Sendable {
        case everyone
        case userName(String)
        case externalID(String)
        case employeeID(String)
        case employeeNumber(String)
        case email(String)
    }

    /// A page of the people a provider sees (those deleted through SCIM aside), in employee-id order, and how many there are.
    static func accounts(_ lookup: Lookup, offset: Int, limit: Int, on db: any Database) async throws -> (accounts: [ProvisionedAccount], total: Int) {
        let sql = db as! any SQLDatabase
        let live = SQLRaw("(l.deleted IS NULL OR l.deleted = \(sql.dialect.name == "sqlite" ? "0" : "false"))")
        func base(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
            var query = select.from(SQLAlias(SQLIdentifier(PersonModel.schema), as: SQLIdentifier("p")))
                .join(SQLAlias(SQLIdentifier(links), as: SQLIdentifier("l")), method: SQLJoinMethod.left,
                      on: SQLColumn("employee_id", table: "l"), .equal, SQLColumn("employee_id", table: "p"))
                .where(live)
            switch lookup {
            case .everyone: break
            case let .userName(name):
                // A linked person by their user name; an HR-imported person (no link yet) by their email.
                query = query.where(SQLGroupExpression(SQLBinaryExpression(
                    left: SQLBinaryExpression(left: SQLColumn("user_name_key", table: "l"), op: SQLBinaryOperator.equal, right: SQLBind(name.lowercased())),
                    op: SQLBinaryOperator.or,
                    right: SQLGroupExpression(SQLBinaryExpression(
                        left: SQLRaw("l.employee_id IS NULL"), op: SQLBinaryOperator.and,
                        right: SQLBinaryExpression(left: SQLFunction("LOWER", args: SQLColumn("email", table: "p")), op: SQLBinaryOperator.equal,
                                                   right: SQLBind(name.lowercased())))))))
            case let .externalID(value): query = query.where(SQLColumn("external_id", table: "l"), .equal, SQLBind(value))
            case let .employeeID(value): query = query.where(SQLColumn("employee_id", table: "p"), .equal, SQLBind(value))
            case let .employeeNumber(value):
                // The number the provider gave; an HR-imported person's (no link yet) is their employee id.
                query = query.where(SQLGroupExpression(SQLBinaryExpression(
                    left: SQLBinaryExpression(left: SQLColumn("employee_number", table: "l"), op: SQLBinaryOperator.equal, right: SQLBind(value)),
                    op: SQLBinaryOperator.or,
                    right: SQLGroupExpression(SQLBinaryExpression(
                        left: SQLRaw("l.employee_id IS NULL"), op: SQLBinaryOperator.and,
                        right: SQLBinaryExpression(left: SQLColumn("employee_id", table: "p"), op: SQLBinaryOperator.equal, right: SQLBind(value)))))))
            case let .email(value):
                query = query.where(SQLFunction("LOWER", args: SQLColumn("email", table: "p")), .equal, SQLBind(value.lowercased()))
            }
            return query
        }
        let total = try await base(sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")).first()?.decode(column: "n", as: Int.self) ?? 0
        guard limit > 0, offset < total else { return ([], total) }
        let ids = try await base(sql.select().column(SQLColumn("employee_id", table: "p"), as: "employee_id"))
            .orderBy(SQLColumn("employee_id", table: "p")).limit(limit).offset(offset).all()
            .map { try $0.decode(column: "employee_id", as: String.self) }
        let people = try await PeopleService(db: db).find(ids)
        let linked = try await Self.links(ids, on: sql)
        let accounts = ids.compactMap { id in
            people[id].map { ProvisionedAccount(person: $0, link: linked[id] ?? .implied(by: $0)) }
        }
        return (accounts, total)
    }

    // MARK: Tokens

    struct TokenRow: Codable, Sendable {
        var id: UUID
        var name: String
        var token_hash: String
        var created_by: String
        var created_at: Double
        var last_used_at: Double?
        var revoked_at: Double?

        init(_ token: ProvisioningToken, hash: String) {
            id = token.id
            name = token.name
            token_hash = hash
            created_by = token.createdBy
            created_at = token.created.timeIntervalSince1970
            last_used_at = token.lastUsed?.timeIntervalSince1970
            revoked_at = token.revoked?.timeIntervalSince1970
        }

        var token: ProvisioningToken {
            ProvisioningToken(id: id, name: name, createdBy: created_by, created: Date(timeIntervalSince1970: created_at),
                              lastUsed: last_used_at.map(Date.init(timeIntervalSince1970:)), revoked: revoked_at.map(Date.init(timeIntervalSince1970:)))
        }
    }

    /// A token that may be used: its id and name.
    static func liveToken(hash: String, on sql: any SQLDatabase) async throws -> TokenRow? {
        try await sql.select().column("*").from(tokens).where("token_hash", .equal, hash).where(SQLRaw("revoked_at IS NULL"))
            .first(decoding: TokenRow.self)
    }

    static func allTokens(on sql: any SQLDatabase) async throws -> [TokenRow] {
        try await sql.select().column("*").from(tokens).orderBy("created_at", .descending).all(decoding: TokenRow.self)
    }

    /// Notes when a token was last used (at most once a minute, so a sync of thousands is not as many writes).
    static func touch(_ id: UUID, at now: Date, on sql: any SQLDatabase) async throws {
        let at = now.timeIntervalSince1970
        try await sql.update(tokens).set("last_used_at", to: at).where("id", .equal, id)
            .where(SQLGroupExpression(SQLBinaryExpression(left: SQLRaw("last_used_at IS NULL"), op: SQLBinaryOperator.or,
                                                          right: SQLBinaryExpression(left: SQLIdentifier("last_used_at"), op: SQLBinaryOperator.lessThan,
                                                                                     right: SQLBind(at - 60))))).run()
    }
}

/// Core's `ProvisioningStore` on the database: a write transaction that takes the people-import lock
/// first, so SCIM requests and HR imports take turns and read what they check inside it.
struct FluentProvisioningStore: ProvisioningStore {
    let db: any Database
    var audit: AuditTrail

    func atomically<T: Sendable>(_ body: @escaping @Sendable (any ProvisioningWork) async throws -> T) async throws -> T {
        try await WriteLock.peopleImport.transaction(on: db) { [audit] tx in try await body(Work(tx: tx, audit: audit)) }
    }

    struct Work: ProvisioningWork {
        let tx: any Database
        var audit: AuditTrail
        var sql: any SQLDatabase { tx as! any SQLDatabase }

        func person(_ employeeID: String) async throws -> Person? { try await PeopleService(db: tx).find([employeeID])[employeeID] }

        func link(_ employeeID: String) async throws -> ProvisioningLink? { try await ProvisioningRows.links([employeeID], on: sql)[employeeID] }

        func owner(ofEmail email: String) async throws -> String? {
            try await sql.select().column("employee_id").from(PersonModel.schema)
                .where(SQLFunction("LOWER", args: SQLIdentifier("email")), .equal, SQLBind(email.lowercased()))
                .first()?.decode(column: "employee_id", as: String.self)
        }

        /// A linked person by their user name, or an HR-imported person (no link yet) whose email it is.
        func owner(ofUserName userName: String) async throws -> String? {
            if let linked = try await sql.select().column("employee_id").from(ProvisioningRows.links)
                .where("user_name_key", .equal, userName.lowercased()).where("deleted", .equal, false)
                .first()?.decode(column: "employee_id", as: String.self) {
                return linked
            }
            return try await sql.raw("""
                SELECT p.employee_id FROM \(ident: PersonModel.schema) p LEFT JOIN \(ident: ProvisioningRows.links) l ON l.employee_id = p.employee_id
                WHERE l.employee_id IS NULL AND LOWER(p.email) = \(bind: userName.lowercased())
                """).first()?.decode(column: "employee_id", as: String.self)
        }

        func allEmails() async throws -> [String] {
            try await sql.select().column("email").from(PersonModel.schema).all().map { try $0.decode(column: "email", as: String.self) }
        }

        func waitingReports() async throws -> [(report: String, manager: String)] {
            try await sql.raw("""
                SELECT l.employee_id, l.pending_manager FROM \(ident: ProvisioningRows.links) l
                JOIN \(ident: PersonModel.schema) m ON m.employee_id = l.pending_manager
                WHERE l.pending_manager IS NOT NULL ORDER BY l.employee_id
                """).all().map { (try $0.decode(column: "employee_id", as: String.self), try $0.decode(column: "pending_manager", as: String.self)) }
        }

        func save(_ person: Person, before: Person?, link: ProvisioningLink, at: Date) async throws {
            if person != before {
                let plan = PeopleImportPlan(created: before == nil ? [person] : [], updated: before == nil ? [] : [person], unchanged: 0)
                try await FluentPeopleImportStore.Work.writeRows(plan, at: at, on: tx)
            }
            try await ProvisioningRows.save(link, on: sql)
            let what: String
            switch (before, person.status) {
            case (nil, _): what = "created"
            case (let old?, .exited) where old.status != .exited: what = link.deleted ? "deleted: marked as left" : "deactivated: marked as left"
            case (let old?, let status) where old.status == .exited && status != .exited: what = "reactivated"
            default: what = link.deleted ? "deleted" : "updated"
            }
            try await audit.record(.personProvisioned, "person", person.employeeID, what, at: at, on: tx)
        }

        func record(_ changes: [EmploymentChange], at: Date) async throws {
            try await EmploymentHistoryRows.record(changes, at: at, source: .provisioning, on: sql)
        }

        func endAccess(for employeeIDs: [String]) async throws {
            try await AccessEnding.end(for: employeeIDs, on: tx)
            try await audit.record(.peopleLeft, "people", "scim", "\(employeeIDs.count) people marked as left: their logins, sessions and links ended", on: tx)
        }

        func endPairs(of employeeIDs: [String], at: Date, reason: String) async throws {
            try await FluentPeopleImportStore.Work(tx: tx, audit: audit).endPairs(of: employeeIDs, at: at, reason: reason)
        }
    }
}

/// Core's `ProvisioningTokenStore` on the database: the token's hash only, each change in the audit trail.
struct FluentProvisioningTokenStore: ProvisioningTokenStore {
    let db: any Database
    var audit: AuditTrail

    func atomically<T: Sendable>(_ body: @escaping @Sendable (any ProvisioningTokenWork) async throws -> T) async throws -> T {
        try await db.writeTransaction { [audit] tx in try await body(Work(sql: tx as! any SQLDatabase, tx: tx, audit: audit)) }
    }

    func all() async throws -> [ProvisioningToken] { try await ProvisioningRows.allTokens(on: db as! any SQLDatabase).map(\.token) }

    struct Work: ProvisioningTokenWork {
        let sql: any SQLDatabase
        let tx: any Database
        var audit: AuditTrail

        func liveCount() async throws -> Int {
            try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(ProvisioningRows.tokens)
                .where(SQLRaw("revoked_at IS NULL")).first()?.decode(column: "n", as: Int.self) ?? 0
        }

        func insert(_ token: ProvisioningToken, secret: String) async throws {
            try await sql.insert(into: ProvisioningRows.tokens).model(ProvisioningRows.TokenRow(token, hash: TokenHash.of(secret))).run()
            try await audit.record(.provisioningTokenCreated, "provisioning_token", token.id.uuidString.lowercased(), token.name, on: tx)
        }

        func token(_ id: UUID) async throws -> ProvisioningToken? {
            try await sql.select().column("*").from(ProvisioningRows.tokens).where("id", .equal, id).first(decoding: ProvisioningRows.TokenRow.self)?.token
        }

        func revoke(_ token: ProvisioningToken) async throws {
            try await sql.update(ProvisioningRows.tokens).set("revoked_at", to: token.revoked?.timeIntervalSince1970).where("id", .equal, token.id).run()
            try await audit.record(.provisioningTokenRevoked, "provisioning_token", token.id.uuidString.lowercased(), token.name, on: tx)
        }
    }
}
