import Fluent
import FlipsideCore
import MatchingEngine
import SQLKit
import SQLiteNIO
import PostgresNIO
import NIOConcurrencyHelpers
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

/// People: reading and searching (the HR import is `Importing.people` on `FluentPeopleImportStore`).
struct PeopleService {
    let db: any Database
    /// Where searches and the department list are kept between requests (by the people table's version),
    /// if anywhere.
    var results: ResultCache? = nil

    /// Every stored person by employee id, read in bulk with SQLKit.
    func allByEmployeeID() async throws -> [String: Person] {
        if let lite = db as? any SQLiteDatabase { return try await Self.read(lite, ids: nil) }
        if let postgres = db as? any PostgresDatabase { return try await Self.read(postgres, ids: nil) }
        let rows = try await sql.select().columns(PersonRow.columns.map { SQLIdentifier($0) }).from(PersonModel.schema)
            .all(decoding: PersonRow.self)
        var result: [String: Person] = [:]
        result.reserveCapacity(rows.count)
        for row in rows { result[row.employee_id] = row.person }
        return result
    }

    /// Every stored person's entry, as an HR import checks a file against them (`StoredPeople`): the
    /// columns as stored, without making whole people.
    func stored() async throws -> StoredPeople {
        if let lite = db as? any SQLiteDatabase {
            let columns = ["employee_id", "email", "manager_id", "name", "title", "level", "hire_date", "department", "location",
                           "time_zone", "status", "exit_date", "attributes"]
            let query = "SELECT " + columns.map { "\"\($0)\"" }.joined(separator: ", ") + " FROM \"\(PersonModel.schema)\""
            // Each entry made on SQLite's thread as its row comes (as `read` below takes its rows).
            let entries = try await lite.withConnection { connection in
                nonisolated(unsafe) var entries: [StoredPeople.Entry] = []
                nonisolated(unsafe) var incomplete = false
                try await connection.query(query, []) { row in
                    let values = row.columns
                    guard values.count == 13, let employeeID = values[0].data.string, let email = values[1].data.string,
                          let name = values[3].data.string, let title = values[4].data.string, let level = values[5].data.integer,
                          let hireDate = values[6].data.string, let department = values[7].data.string,
                          let location = values[8].data.string, let timeZone = values[9].data.string,
                          let status = values[10].data.string, let attributes = values[12].data.string else {
                        incomplete = true
                        return
                    }
                    entries.append(PersonRow.storedEntry(employeeID: employeeID, email: email, managerID: values[2].data.string,
                                                         name: name, title: title, level: level, hireDate: hireDate, department: department,
                                                         location: location, timeZone: timeZone, status: status,
                                                         exitDate: values[11].data.string, attributes: attributes))
                }
                if incomplete { throw Self.incompleteRow }
                return entries
            }
            trace("stored people: entries")
            return StoredPeople(entries)
        }
        let entries = NIOLockedValueBox([StoredPeople.Entry]())
        if let postgres = db as? any PostgresDatabase {
            // PostgreSQL writes each row's text itself (in its own process): five values a row to decode
            // instead of thirteen. Were its text other than ours for someone, they would only count as
            // changed, then settle against their whole stored self (`PeopleImportPlan.settled`).
            let query = "SELECT \"employee_id\", \"email\", \"manager_id\", \(Self.fieldsSQL), \"attributes\" FROM \"\(PersonModel.schema)\""
            try await postgres.query(query, [], onRow: { row in
                // Cell by cell, a text's bytes taken as they come: decoding the row as a tuple looked up
                // the tuple type's metadata, and each decode cast its type, per row.
                var cells = row.makeIterator()
                func text() throws -> String? {
                    guard let cell = cells.next() else { return nil }
                    guard cell.dataType == .text || cell.dataType == .varchar else { return try cell.decode(String?.self) }
                    return cell.bytes.map { String(buffer: $0) }
                }
                guard let employeeID = try text(), let email = try text() else { throw Self.incompleteRow }
                let managerID = try text(), fields = try text()
                guard let attributes = try text() else { throw Self.incompleteRow }
                let entry = StoredPeople.Entry(employeeID: employeeID, email: email, managerID: managerID, fields: fields ?? "",
                                               attributes: attributes)
                entries.withLockedValue { $0.append(entry) }
            }).get()
            return StoredPeople(entries.withLockedValue { $0 })
        }
        let rows = try await sql.select().columns(PersonRow.columns.map { SQLIdentifier($0) }).from(PersonModel.schema)
            .all(decoding: PersonRow.self)
        return StoredPeople(rows.map(\.storedEntry))
    }

    /// A stored row without a value in a column every person has.
    static let incompleteRow = DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "a stored person lacks a required column"))

    /// `StoredPeople.fields` as PostgreSQL's SQL over the people table's columns: each value as its length
    /// in UTF-8 bytes, a colon and the value; "-" for NULL. A NULL in a required column makes the whole
    /// text NULL (read as "", which no person's text is).
    static let fieldsSQL: String = {
        func put(_ column: String, nullable: Bool = false) -> String {
            let value = column == "level" ? "CAST(\"level\" AS TEXT)" : "\"\(column)\""
            let piece = "CAST(octet_length(\(value)) AS TEXT) || ':' || \(value)"
            return nullable ? "COALESCE(\(piece), '-')" : piece
        }
        return [put("name"), put("title"), put("level"), put("hire_date"), put("department"), put("location"),
                put("time_zone"), put("manager_id", nullable: true), put("status"), put("exit_date", nullable: true)]
            .joined(separator: " || ")
    }()

    /// The same on SQLite (everyone, or the people with `ids`), each row read straight from SQLite's
    /// values: decoding 100,000 rows through `Codable` took 1.2 s of a re-import's 2.3 s, and a run's
    /// 4,000 people with their managers 75 ms. The rows are taken on SQLite's thread as they come
    /// (SQLiteNIO's futures-based query hands each row to the event loop as a task and a future of its
    /// own), then made people on both cores.
    private static func read(_ lite: any SQLiteDatabase, ids: [String]?) async throws -> [String: Person] {
        let columns = PersonRow.columns.filter { $0 != "id" && $0 != "search_key" }
        var query = "SELECT " + columns.map { "\"\($0)\"" }.joined(separator: ", ") + " FROM \"\(PersonModel.schema)\""
        if let ids { query += " WHERE employee_id IN (" + ids.map { _ in "?" }.joined(separator: ", ") + ")" }
        let rows = try await lite.withConnection { [query] connection in
            nonisolated(unsafe) var rows: [SQLiteRow] = []
            try await connection.query(query, (ids ?? []).map { SQLiteData.text($0) }) { rows.append($0) }
            return rows
        }
        trace("people read: rows")
        let parts = Parallelism.parts(rows.count, large: rows.count >= 4_096) { range in
            range.map { index -> Person? in
                let row = rows[index]
                guard let employeeID = row.column("employee_id")?.string, let name = row.column("name")?.string,
                      let email = row.column("email")?.string, let title = row.column("title")?.string,
                      let level = row.column("level")?.integer, let hireDate = row.column("hire_date")?.string,
                      let department = row.column("department")?.string, let location = row.column("location")?.string,
                      let timeZone = row.column("time_zone")?.string, let status = row.column("status")?.string,
                      let attributes = row.column("attributes")?.string else { return nil }
                return PersonRow.person(employeeID: employeeID, name: name, email: email, title: title, level: Int(level),
                                        hireDate: hireDate, department: department, location: location, timeZone: timeZone,
                                        managerID: row.column("manager_id")?.string, status: status,
                                        exitDate: row.column("exit_date")?.string, attributes: attributes)
            }
        }
        trace("people read: people")
        var result: [String: Person] = [:]
        result.reserveCapacity(rows.count)
        defer { trace("people read: keyed") }
        for part in parts {
            for person in part {
                guard let person else { throw Self.incompleteRow }
                result[person.employeeID] = person
            }
        }
        return result
    }

    /// The same on PostgreSQL, each row decoded by PostgresNIO as a tuple of its columns (1.5 s through
    /// `Codable` for 100,000 people).
    private static func read(_ postgres: any PostgresDatabase, ids: [String]?) async throws -> [String: Person] {
        let columns = ["employee_id", "name", "email", "title", "level", "hire_date", "department", "location",
                       "time_zone", "manager_id", "status", "exit_date", "attributes"]
        let people = NIOLockedValueBox([String: Person]())
        var query = "SELECT " + columns.map { "\"\($0)\"" }.joined(separator: ", ") + " FROM \"\(PersonModel.schema)\""
        if ids != nil { query += " WHERE employee_id = ANY($1)" }
        let binds = ids.map { [PostgresData(array: $0.map(PostgresData.init(string:)), elementType: .text)] } ?? []
        try await postgres.query(query, binds, onRow: { row in
            let (employeeID, name, email, title, level, hireDate, department, location, timeZone, managerID, status, exitDate, attributes)
                = try row.decode((String, String, String, String, Int, String, String, String, String, String?, String, String?, String).self)
            let person = PersonRow.person(employeeID: employeeID, name: name, email: email, title: title, level: level, hireDate: hireDate,
                                          department: department, location: location, timeZone: timeZone, managerID: managerID,
                                          status: status, exitDate: exitDate, attributes: attributes)
            people.withLockedValue { $0[employeeID] = person }
        }).get()
        return people.withLockedValue { $0 }
    }

    /// What the outcomes need of everyone in the HR data (no names or contact details), in bulk, with the
    /// HR history: the retention of 100,000 people reads these seven columns, not whole people.
    /// Kept by the versions of the people and of their history (one copy: a new import replaces it).
    func workforce() async throws -> Workforce {
        let sql = self.sql
        let compute: @Sendable () async throws -> Workforce = {
            Workforce(try await Self.employment(sql), history: try await EmploymentHistoryRows.all(on: sql))
        }
        guard let results else { return try await compute() }
        let versions = try await DataVersions.read(on: db)
        return try await results.current("workforce", version: "\(versions.people)|\(versions.employmentChanges)", compute: compute)
    }

    /// One person's HR history, in the order it took effect.
    func history(of employeeID: String) async throws -> [EmploymentChange] {
        try await EmploymentHistoryRows.of(employeeID, on: sql)
    }

    private static func employment(_ sql: any SQLDatabase) async throws -> [Employment] {
        struct Row: Decodable {
            var employee_id: String
            var level: Int
            var hire_date: String
            var department: String
            var location: String
            var status: String
            var exit_date: String?
        }
        return try await sql.select().columns("employee_id", "level", "hire_date", "department", "location", "status", "exit_date")
            .from(PersonModel.schema).all(decoding: Row.self).map { row in
                Employment(employeeID: row.employee_id, level: row.level, department: row.department, location: row.location,
                           hireDate: CalendarDate(iso: row.hire_date) ?? .unknown, status: EmploymentStatus(rawValue: row.status) ?? .active,
                           exitDate: row.exit_date.flatMap(CalendarDate.init(iso:)))
            }
    }

    /// Computes the kept employment facts and the teaching directory in the background (at start, after
    /// an import), unless the configuration says not to.
    static func warm(_ app: Application) {
        guard app.appConfig.warmCaches else { return }
        // Through the background connections on a SQLite file: SQLiteNIO hands every row to its
        // connection's event loop, and 100,000 rows on a server loop held the import's own answer
        // back by a second.
        let db = BackgroundDatabase.handle(for: app)
        let service = PeopleService(db: db, results: app.results), logger = app.logger
        let teaching = ServiceScope(actor: .system, clock: app.clock, db: db, audit: .system(app.clock), results: app.results).teaching
        Task {
            do { _ = try await service.workforce() } catch { logger.warning("Could not read the people for the outcomes ahead: \(String(describing: error))") }
            // "Who could teach me?" reads the compiled directory of teaching profiles: compiled ahead too.
            do { _ = try await teaching.directory() } catch { logger.warning("Could not compile the teaching directory ahead: \(String(describing: error))") }
        }
    }

    /// One person by employee id.
    func find(_ employeeID: String) async throws -> Person? {
        try await PersonModel.query(on: db).filter(\.$employeeID == employeeID).first()?.person
    }

    /// People by employee id, for a set of ids (read as `allByEmployeeID` reads them, 500 ids a query).
    func find(_ employeeIDs: [String]) async throws -> [String: Person] {
        var result: [String: Person] = [:]
        let db = self.db, sql = self.sql
        try await Self.inChunks(Array(Set(employeeIDs))) { chunk in
            if let lite = db as? any SQLiteDatabase {
                result.merge(try await Self.read(lite, ids: chunk)) { a, _ in a }
            } else if let postgres = db as? any PostgresDatabase {
                result.merge(try await Self.read(postgres, ids: chunk)) { a, _ in a }
            } else {
                let rows = try await sql.select().columns(PersonRow.columns.map { SQLIdentifier($0) }).from(PersonModel.schema)
                    .where("employee_id", .in, chunk).all(decoding: PersonRow.self)
                for row in rows { result[row.employee_id] = row.person }
            }
        }
        return result
    }

    /// The names of people by employee id (those that exist), reading two columns only: a run's 4,000
    /// names took 55 ms as whole people.
    func names(of employeeIDs: [String]) async throws -> [String: String] {
        var result: [String: String] = [:]
        let sql = self.sql
        try await Self.inChunks(Array(Set(employeeIDs))) { chunk in
            for row in try await sql.select().columns("employee_id", "name").from(PersonModel.schema).where("employee_id", .in, chunk).all() {
                result[try row.decode(column: "employee_id", as: String.self)] = try row.decode(column: "name", as: String.self)
            }
        }
        return result
    }

    /// `body` for each run of up to 500 of `ids`, in order (a query's binds stay few).
    private static func inChunks(_ ids: [String], _ body: ([String]) async throws -> Void) async throws {
        for start in stride(from: 0, to: ids.count, by: 500) {
            try await body(Array(ids[start..<min(start + 500, ids.count)]))
        }
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

    /// Stores a changed person.
    func replace(_ person: Person) async throws {
        guard let model = try await PersonModel.query(on: db).filter(\.$employeeID == person.employeeID).first() else {
            throw ProfileError.personNotFound(employeeID: person.employeeID)
        }
        model.copy(from: person)
        try await model.save(on: db)
    }

    private var sql: any SQLDatabase { db as! any SQLDatabase }
}

extension PeopleService: PeopleRepository {
    func people(_ employeeIDs: [String]) async throws -> [String: Person] { try await find(employeeIDs) }
}

extension PeopleService: ProfileStore {
    func person(_ employeeID: String) async throws -> Person? { try await find(employeeID) }
}
