import Fluent
import FlipsideCore
import SQLKit
import Vapor

/// A page of results with the total count.
struct Page<Item> {
    var items: [Item]
    var page: Int
    var per: Int
    var total: Int
    var pageCount: Int { max(1, (total + per - 1) / per) }

    enum CodingKeys: String, CodingKey { case items, page, per, total }
}

extension Page: Sendable where Item: Sendable {}
extension Page: Encodable where Item: Encodable {}
extension Page: Decodable where Item: Decodable {}
extension Page: Content, RequestDecodable, ResponseEncodable, AsyncRequestDecodable, AsyncResponseEncodable where Item: Content {}

extension Page {
    /// The same page with each item mapped (to a DTO).
    func map<T>(_ transform: (Item) -> T) -> Page<T> {
        Page<T>(items: items.map(transform), page: page, per: per, total: total)
    }
}

/// People: reading, searching and the HR import.
struct PeopleService {
    let db: any Database
    /// Where searches and the department list are kept between requests (by the people table's version),
    /// if anywhere.
    var results: ResultCache? = nil

    /// Every stored person by employee id, read in bulk with SQLKit.
    func allByEmployeeID() async throws -> [String: Person] {
        let rows = try await sql.select().columns(PersonRow.columns.map { SQLIdentifier($0) }).from(PersonModel.schema)
            .all(decoding: PersonRow.self)
        var result: [String: Person] = [:]
        result.reserveCapacity(rows.count)
        for row in rows { result[row.employee_id] = row.person }
        return result
    }

    /// Imports an HR export: all or nothing, upserting by employee id. Imports run one at a time (a
    /// write lock taken first in the transaction), and the checks against stored people (unique emails,
    /// reporting cycles) read them inside it, so two imports at once cannot both pass them; the database's
    /// unique indexes back the rules up. People marked `exited` lose every way in, in the same transaction.
    func importCSV(_ text: String) async throws -> ImportCounts {
        try await db.writeTransaction { tx in
            try await WriteLock.peopleImport.take(on: tx)
            let existing = try await PeopleService(db: tx).allByEmployeeID()
            let plan = try PeopleImport.plan(csv: text, existing: existing)
            try await Self.write(plan, existing: existing, on: tx)
            return plan.counts
        }
    }

    private static func write(_ plan: PeopleImportPlan, existing: [String: Person], on tx: any Database) async throws {
        let rows = plan.created.map { PersonRow($0) } + plan.updated.map { PersonRow($0) }
        guard !rows.isEmpty, let sql = tx as? any SQLDatabase else { return }
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
        let updateColumns = PersonRow.columns.filter { $0 != "id" && $0 != "employee_id" }
        // 1,000 rows × 15 columns stays under the bind-parameter limits of SQLite (32,766) and PostgreSQL (65,535).
        for start in stride(from: 0, to: rows.count, by: 1000) {
            let chunk = Array(rows[start..<min(start + 1000, rows.count)])
            try await sql.insert(into: PersonModel.schema)
                .models(chunk, nilEncodingStrategy: .asNil)
                .onConflict(with: ["employee_id"]) { update in
                    var update = update
                    for column in updateColumns { update = update.set(excludedValueOf: column) }
                    return update
                }
                .run()
        }
        let leavers = (plan.created + plan.updated).filter { !$0.status.keepsAccess }.map(\.employeeID)
        try await AccessEnding.end(for: leavers, on: tx)
    }

    /// One person by employee id.
    func find(_ employeeID: String) async throws -> Person? {
        try await PersonModel.query(on: db).filter(\.$employeeID == employeeID).first()?.person
    }

    /// People by employee id, for a set of ids (read with SQLKit: Fluent's models cost more per row).
    func find(_ employeeIDs: [String]) async throws -> [String: Person] {
        var result: [String: Person] = [:]
        for start in stride(from: 0, to: employeeIDs.count, by: 500) {
            let chunk = Array(employeeIDs[start..<min(start + 500, employeeIDs.count)])
            let rows = try await sql.select().columns(PersonRow.columns.map { SQLIdentifier($0) }).from(PersonModel.schema)
                .where("employee_id", .in, chunk).all(decoding: PersonRow.self)
            for row in rows { result[row.employee_id] = row.person }
        }
        return result
    }

    /// A page of people matching a free-text query (name, email, id, title) and a department. Read off
    /// the name index; kept in the result cache until the people table changes (the database bumps its
    /// version on every write), so repeated and paged searches do not scan 100,000 rows again.
    func search(query: String?, department: String?, page: Int, per: Int, key: String? = nil) async throws -> Page<Person> {
        let terms = SearchTerms(query: query, department: department, page: page, per: per)
        let db = self.db
        let compute: @Sendable () async throws -> Page<Person> = {
            let builder = PersonModel.query(on: db)
            if !terms.q.isEmpty { builder.searchKeyContains(terms.q) }
            if !terms.department.isEmpty { builder.filter(\.$department == terms.department) }
            let total = try await builder.copy().count()
            let offset = (terms.page - 1) * terms.per   // bounded by PageLimits: cannot overflow
            let rows = try await builder.sort(\.$name).sort(\.$employeeID).range(offset..<(offset + terms.per)).all()
            return Page(items: rows.map(\.person), page: terms.page, per: terms.per, total: total)
        }
        guard let results else { return try await compute() }
        let resolved: String
        if let key { resolved = key } else { resolved = try await terms.key(on: db) }
        return try await results.value(resolved, compute: compute)
    }

    /// The key a search's result is kept under: the people table's version and the search itself
    /// (`nil` without a cache).
    func searchKey(query: String?, department: String?, page: Int, per: Int) async throws -> String? {
        guard results != nil else { return nil }
        return try await SearchTerms(query: query, department: department, page: page, per: per).key(on: db)
    }

    /// A search as it is run: page and size within `PageLimits`, the query trimmed and lower-cased.
    private struct SearchTerms: Sendable {
        let q: String
        let department: String
        let page: Int
        let per: Int

        init(query: String?, department: String?, page: Int, per: Int) {
            q = query?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            self.department = department ?? ""
            self.page = min(max(1, page), PageLimits.pages)
            self.per = min(max(1, per), PageLimits.perPage)
        }

        func key(on db: any Database) async throws -> String {
            "people|\(try await DataVersions.read(on: db).people)|\(page)|\(per)|\(department.count)|\(department)|\(q)"
        }
    }

    /// Every department name, sorted (kept like searches).
    func departments() async throws -> [String] {
        let sql = self.sql
        let compute: @Sendable () async throws -> [String] = {
            let rows = try await sql.select().distinct().column("department").from(PersonModel.schema).orderBy("department").all()
            return try rows.map { try $0.decode(column: "department", as: String.self) }
        }
        guard let results else { return try await compute() }
        return try await results.value("departments|\(try await DataVersions.read(on: db).people)", compute: compute)
    }

    /// The managers above a person, nearest first, and the person's direct reports.
    func reportingLine(of employeeID: String) async throws -> (managers: [Person], reports: [Person]) {
        var managers: [Person] = []
        var seen: Set<String> = [employeeID]
        var current = try await find(employeeID)
        while let managerID = current?.managerID, !seen.contains(managerID), let manager = try await find(managerID) {
            managers.append(manager)
            seen.insert(managerID)
            current = manager
        }
        let reports = try await PersonModel.query(on: db).filter(\.$managerID == employeeID).sort(\.$name).all().map(\.person)
        return (managers, reports)
    }

    /// Updates what a person may edit about themselves: time zone and self-described attributes.
    func updateSelfDescribed(_ employeeID: String, timeZone: String?, attributes: [String: String?]) async throws -> Person {
        guard let model = try await PersonModel.query(on: db).filter(\.$employeeID == employeeID).first() else {
            throw APIError.notFound("Person \(employeeID)")
        }
        var person = model.person
        var problems: [FieldProblem] = []
        if let timeZone {
            if TimeZoneName.isValid(timeZone) { person.timeZone = timeZone } else {
                problems.append(FieldProblem(field: "time_zone", reason: "is not an IANA time zone (e.g. Europe/Berlin)"))
            }
        }
        for (key, value) in attributes {
            let key = key.trimmingCharacters(in: .whitespaces).lowercased()
            guard PersonProfile.selfDescribedAttributes.contains(key) else {
                problems.append(FieldProblem(field: "attributes.\(TextLimits.preview(key))", reason: "is not a self-described attribute (allowed: \(PersonProfile.selfDescribedAttributes.joined(separator: ", ")))"))
                continue
            }
            let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines)
            if let trimmed, let reason = TextLimits.problem(trimmed, most: TextLimits.short) {
                problems.append(FieldProblem(field: "attributes.\(key)", reason: reason))
                continue
            }
            person.attributes[key] = (trimmed?.isEmpty ?? true) ? nil : trimmed
        }
        if !problems.isEmpty { throw APIError.invalid(problems) }
        model.copy(from: person)
        try await model.save(on: db)
        return person
    }

    private var sql: any SQLDatabase { db as! any SQLDatabase }
}

/// What a person may say about themselves.
enum PersonProfile {
    /// Background attributes a participant may set on their own profile; everything else comes from HR.
    static let selfDescribedAttributes = ["pronouns", "career_path", "previous_industry", "background"]
}


extension PeopleService: PeopleRepository {
    func people(_ employeeIDs: [String]) async throws -> [String: Person] { try await find(employeeIDs) }
}
