import Foundation
import MatchingEngine

/// An HR export of people read on its own (`PeopleImport.read(table:mapping:)`): every record checked,
/// and what holds between records (one row per employee id and per email). It needs nothing stored, so
/// an import reads its file while the stored people are read.
public struct PeopleImportFile: Sendable {
    /// The valid people, in file order.
    let incoming: [Person]
    /// The row of each employee id the file gives first (rows with problems too).
    let rowOf: [String: Int]
    /// Who claimed each email (case aside) first.
    let emailOwner: [String: (row: Int, id: String)]
    /// Every manager the file names, also in rows with other problems (checked against the stored people).
    let managerRefs: [(row: Int, manager: String)]
    /// What is wrong with the file on its own.
    let problems: [ImportProblem]
    /// The columns read as attributes: (index, key).
    let attributeColumns: [(Int, String)]
    /// The file's name for the email column.
    let emailColumn: String
}

/// What a people import will do once it is applied: the people to create and to update.
public struct PeopleImportPlan: Sendable {
    public var created: [Person]
    public var updated: [Person]
    public var unchanged: Int
    public var counts: ImportCounts { ImportCounts(created: created.count, updated: updated.count, unchanged: unchanged) }

    public init(created: [Person], updated: [Person], unchanged: Int) {
        self.created = created
        self.updated = updated
        self.unchanged = unchanged
    }
}

/// Reads an HR export of people and checks it against the people already stored.
public enum PeopleImport {
    public static let requiredColumns = ["employee_id", "name", "email", "title", "level", "hire_date",
                                         "department", "location", "time_zone", "manager_id"]
    public static let optionalColumns = ["status", "exit_date"]

    /// Parses and validates `csv`, then compares it with `existing` (keyed by employee id).
    /// Every problem in the file is reported at once; a file with any problem yields no plan.
    /// Column names of HR exports are recognised (`HRExport`); `mapping` answers what is not.
    public static func plan(csv: String, existing: [String: Person], mapping: ImportMapping = .none) throws(ImportFailure) -> PeopleImportPlan {
        try plan(table: try CSVTable(text: csv), existing: existing, mapping: mapping)
    }

    /// What the file's header leaves unanswered: Flipside columns no file column reads as (with
    /// `first_name` + `last_name` standing for `name`, and the mapping's time zone for `time_zone`).
    public static func missingColumns(_ recognised: HRExport.Columns, mapping: ImportMapping) -> [String] {
        requiredColumns.filter { field in
            guard recognised.index[field] == nil else { return false }
            if field == "name", recognised.index["first_name"] != nil || recognised.index["last_name"] != nil { return false }
            if field == "time_zone", mapping.timeZone != nil { return false }
            return true
        }
    }

    /// As `plan(csv:existing:)`, for a file already read (or some of its records).
    public static func plan(table: CSVTable, existing: [String: Person], mapping: ImportMapping = .none) throws(ImportFailure) -> PeopleImportPlan {
        try plan(table: table, stored: StoredPeople(existing), mapping: mapping).settled(against: existing)
    }

    /// As `plan(table:existing:)`, against the stored people's entries: `updated` holds everyone whose
    /// stored text differs, to be settled against them read whole (`PeopleImportPlan.settled(against:)`).
    public static func plan(table: CSVTable, stored: StoredPeople, mapping: ImportMapping = .none) throws(ImportFailure) -> PeopleImportPlan {
        try plan(read(table: table, mapping: mapping), stored: stored)
    }

    /// The file on its own, nothing stored looked at yet: its header (whose problems are thrown at
    /// once), each record, and what holds between records. Its other problems are thrown by
    /// `plan(_:stored:)` with those against the stored people, so that all show at once.
    public static func read(table: CSVTable, mapping: ImportMapping = .none) throws(ImportFailure) -> PeopleImportFile {
        let recognised = HRExport.columns(table.originalHeader, mapping: mapping)
        var headerProblems = recognised.problems
        for field in missingColumns(recognised, mapping: mapping) {
            let hint: String
            switch field {
            case "time_zone": hint = "add a time zone column, or choose everyone's time zone when mapping the file"
            case "name": hint = "give a full name column, or first and last name columns"
            default: hint = "map one of the file's columns to it"
            }
            headerProblems.append(ImportProblem(row: 1, column: field, reason: "required column is missing: no column of the file reads as \(field) (\(hint))"))
        }
        if !headerProblems.isEmpty { throw ImportFailure(problems: headerProblems) }
        let attributeColumns = recognised.attributes
        let emailColumn = recognised.original["email"]

        // Each record on its own, on both cores (a 100,000-row file spends most of its plan here)…
        let deadline = WorkDeadline.current
        let records = table.records
        let parts: [[RecordRead]] = Parallelism.parts(records.count, large: records.count >= 2_048) { range in
            // One reader per part, its header and mapping taken once: made per record, it took a reference
            // to each of their dictionaries, and the two cores' counts of those references on one cache
            // line made both parts as slow as the whole file on one core.
            var reader = RowReader(row: 0, fields: [], columns: recognised.index, original: recognised.original, mapping: mapping)
            let columns = Columns(reader)
            var zoneCache: [String: Bool] = [:]
            var out: [RecordRead] = []
            out.reserveCapacity(range.count)
            for index in range {
                // A request past its deadline was answered already: stop planning (nothing is written).
                if index & 1023 == 1023, let deadline, ContinuousClock.now >= deadline {
                    out.append(RecordRead(row: records[index].row, stopped: true))
                    break
                }
                out.append(readRecord(records[index].row, records[index].fields, reader: &reader, columns: columns, header: table,
                                      attributeColumns: attributeColumns, emailColumn: emailColumn, zoneCache: &zoneCache))
            }
            return out
        }
        if let stopped = parts.lazy.compactMap({ $0.first(where: \.stopped) }).first ?? (WorkDeadline.isPassed ? parts.last?.last : nil) {
            throw ImportFailure(problems: [ImportProblem(row: stopped.row, column: nil, reason: "the import was stopped: it took longer than one request may")])
        }

        trace("plan: records read")
        // …then, in file order, what holds between records: one row per employee id and per email.
        var problems: [ImportProblem] = []
        var rowOf: [String: Int] = [:]
        var incoming: [Person] = []
        // Every manager reference, also from rows with other problems, so that all problems show at once.
        var managerRefs: [(row: Int, manager: String)] = []
        var emailOwner: [String: (row: Int, id: String)] = [:]
        let count = parts.reduce(0) { $0 + $1.count }
        incoming.reserveCapacity(count)
        rowOf.reserveCapacity(count)
        emailOwner.reserveCapacity(count)
        for part in parts {
            for record in part {
                var own = record.problems
                if let manager = record.manager { managerRefs.append((record.row, manager)) }
                if let email = record.email, let key = record.emailKey,
                   let first = emailOwner.firstClaim(key, by: record.id.map { (record.row, $0) }) {
                    own.append(ImportProblem(row: record.row, column: recognised.original["email"] ?? "email", value: email,
                                             reason: "duplicate email: also used by \(first.id) (row \(first.row))"))
                }
                if let id = record.id, let first = rowOf.firstClaim(id, by: record.row) {
                    own.append(ImportProblem(row: record.row, column: recognised.original["employee_id"] ?? "employee_id", value: id,
                                             reason: "duplicate employee id (first seen in row \(first))"))
                }
                if own.isEmpty, let person = record.person {
                    incoming.append(person)
                } else {
                    problems += own
                }
            }
        }
        trace("plan: between records")
        return PeopleImportFile(incoming: incoming, rowOf: rowOf, emailOwner: emailOwner, managerRefs: managerRefs, problems: problems,
                                attributeColumns: attributeColumns, emailColumn: recognised.original["email"] ?? "email")
    }

    /// The file read (`read(table:mapping:)`) against the stored people's entries: every problem of the
    /// file and of the organisation it makes, thrown at once; else the plan, whose `updated` is to be
    /// settled as `plan(table:stored:mapping:)` says.
    public static func plan(_ file: PeopleImportFile, stored: StoredPeople) throws(ImportFailure) -> PeopleImportPlan {
        let (incoming, rowOf, emailOwner, attributeColumns) = (file.incoming, file.rowOf, file.emailOwner, file.attributeColumns)
        var problems = file.problems
        let organisation = Organisation(incoming: incoming, rowOf: rowOf, emailOwner: emailOwner, stored: stored)
        // `number` holds the file's valid people and everyone stored; the file's other rows are in `rowOf`.
        for ref in file.managerRefs where rowOf[ref.manager] == nil && organisation.number[ref.manager] == nil {
            problems.append(ImportProblem(row: ref.row, column: "manager_id", value: ref.manager,
                                          reason: "unknown manager: no person with employee id \(ref.manager) in the file or already stored"))
        }
        problems += organisation.problems
        trace("plan: organisation")
        // An address that only looks like another one (a Cyrillic "а" in a colleague's domain) is refused.
        for (email, other) in UnicodeSafety.lookAlikes(candidates: incoming.map(\.email),
                                                       others: stored.entries.lazy.filter { rowOf[$0.employeeID] == nil }.map(\.email)) {
            problems.append(ImportProblem(row: emailOwner[email.lowercased()]?.row ?? 1, column: file.emailColumn, value: email,
                                          reason: "looks like \(other) but is another address (look-alike characters); use the address as it is spelled"))
        }
        if !problems.isEmpty { throw ImportFailure(problems: problems) }

        trace("plan: look-alikes")
        guard !stored.isEmpty else { return PeopleImportPlan(created: incoming, updated: [], unchanged: 0) }
        // Each person in the file against their stored self, on both cores, the parts kept in file order.
        let storedOf = organisation.storedOf
        let compared = Parallelism.parts(incoming.count, large: incoming.count >= 4_096) { range in
            var plan = PeopleImportPlan(created: [], updated: [], unchanged: 0)
            for index in range {
                let at = storedOf[index]
                guard at >= 0 else { plan.created.append(incoming[index]); continue }
                switch Self.compared(incoming[index], with: stored.entries[Int(at)], attributeColumns: attributeColumns) {
                case nil: plan.unchanged += 1
                case let changed?: plan.updated.append(changed)
                }
            }
            return [plan]
        }
        var plan = PeopleImportPlan(created: [], updated: [], unchanged: 0)
        for part in compared.joined() {
            plan.created += part.created
            plan.updated += part.updated
            plan.unchanged += part.unchanged
        }
        trace("plan: compared")
        return plan
    }

    /// `person` as the file gives them, against their stored entry: nil when nothing the file gives
    /// differs, else the person to write. The file's attribute columns replace those attributes; the
    /// others stay as stored.
    static func compared(_ person: Person, with entry: StoredPeople.Entry, attributeColumns: [(Int, String)]) -> Person? {
        var person = person
        var same = person.email == entry.email && StoredPeople.fields(of: person) == entry.fields
        if attributeColumns.isEmpty {
            if same { return nil }
            person.attributes = PersonAttributes.read(entry.attributes)
        } else if PersonAttributes.json(person.attributes) != entry.attributes {
            let stored = PersonAttributes.read(entry.attributes)
            var merged = stored
            for (_, key) in attributeColumns { merged[key] = person.attributes[key] }
            same = same && merged == stored
            person.attributes = merged
        }
        return same ? nil : person
    }

    /// One record as read on its own: its problems, and the person when it has none (before the checks
    /// between records).
    struct RecordRead {
        var row: Int
        var id: String?
        var email: String?
        /// The email as addresses are compared (case aside).
        var emailKey: String?
        /// Another person named as manager (checked once every record is read).
        var manager: String?
        var problems: [ImportProblem] = []
        var person: Person?
        /// Reading stopped here: the deadline passed.
        var stopped = false
    }

    /// The columns a people file is read by, each looked up in its header once.
    struct Columns {
        let employeeID, name, email, title, level, hireDate, department, location, timeZone, managerID, status, exitDate: RowReader.Column

        init(_ reader: RowReader) {
            (employeeID, name, email, title) = (reader.column("employee_id"), reader.column("name"), reader.column("email"), reader.column("title"))
            (level, hireDate, department, location) = (reader.column("level"), reader.column("hire_date"), reader.column("department"), reader.column("location"))
            (timeZone, managerID, status, exitDate) = (reader.column("time_zone"), reader.column("manager_id"), reader.column("status"), reader.column("exit_date"))
        }
    }

    /// `reader` reads the file's columns as its header and mapping say; it starts afresh on this record.
    static func readRecord(_ row: Int, _ fields: [String], reader: inout RowReader, columns c: Columns, header table: CSVTable,
                           attributeColumns: [(Int, String)], emailColumn: String?, zoneCache: inout [String: Bool]) -> RecordRead {
        guard fields.count == table.header.count else {
            return RecordRead(row: row, problems: [ImportProblem(row: row, column: nil, reason: "the row has \(fields.count) fields but the header has \(table.header.count)")])
        }
        // Every cell, known column or custom attribute: bounded length, no control characters.
        let cellProblems = TextLimits.cellProblems(row: row, header: table.originalHeader, fields: fields) { $0 == emailColumn ? 254 : TextLimits.short }
        guard cellProblems.isEmpty else { return RecordRead(row: row, problems: cellProblems) }
        reader.begin(row: row, fields: fields)
        var id = reader.required(c.employeeID)
        if let raw = id, let hidden = UnicodeSafety.hiddenInIdentifier(raw) {
            reader.problem(c.employeeID, raw, "must not contain invisible characters (found \(hidden))")
            id = nil
        }
        let name = reader.has(c.name) ? reader.required(c.name) : reader.fullName()
        let email = reader.email(c.email)
        let title = reader.text(c.title)
        let level = reader.level(c.level)
        let hire = reader.date(c.hireDate, required: true)
        let department = reader.required(c.department)
        let location = reader.required(c.location)
        let zone = reader.has(c.timeZone) ? reader.required(c.timeZone) : reader.mapping.timeZone
        if let zone, !TimeZoneName.isValid(zone, cache: &zoneCache) {
            reader.problem(c.timeZone, zone, "is not an IANA time zone (e.g. Europe/Berlin)")
        }
        let manager = reader.text(c.managerID)
        let status = reader.status(c.status)
        let exit = reader.date(c.exitDate, required: false)
        if let hire, let exit, exit < hire { reader.problem(c.exitDate, exit.description, "is before the hire date \(hire)") }
        var read = RecordRead(row: row, id: id, email: email, emailKey: email?.lowercased())
        if let id, manager == id {
            reader.problem(c.managerID, manager, "a person cannot be their own manager")
        } else {
            read.manager = manager
        }
        read.problems = reader.problems
        guard reader.problems.isEmpty, let id, let name, let email, let level, let hire,
              let department, let location, let zone else { return read }
        // The file's attributes only: those it has no column for stay as stored (`compared`).
        var attributes: [String: String] = [:]
        for (i, key) in attributeColumns {
            let value = fields[i].trimmed
            if !value.isEmpty { attributes[key] = value }
        }
        read.person = Person(employeeID: id, name: name, email: email, title: title ?? "", level: level,
                             hireDate: hire, department: department, location: location, timeZone: zone,
                             managerID: manager, status: status ?? .active, exitDate: exit, attributes: attributes)
        return read
    }
}

/// Who reports to whom once a file is in, everyone numbered: the file's valid people (the manager it
/// gives, or none), then stored people it does not name (or names only in rows with problems), who
/// keep theirs. With it, the checks that hold across valid rows and stored people: unique emails, no
/// reporting cycles.
struct Organisation {
    var problems: [ImportProblem] = []
    /// Everyone's number: the file's valid people first, in file order, then the stored people it does not give.
    var number: [String: Int32] = [:]
    /// For each of the file's valid people, where their stored entry is (-1: not stored).
    var storedOf: [Int32]

    init(incoming: [Person], rowOf: [String: Int], emailOwner: [String: (row: Int, id: String)], stored: StoredPeople) {
        var ids = incoming.map(\.employeeID)
        var managers = incoming.map(\.managerID)
        storedOf = Array(repeating: -1, count: incoming.count)
        number.reserveCapacity(stored.count + incoming.count)
        for (index, id) in ids.enumerated() { number[id] = Int32(index) }
        for (at, entry) in stored.entries.enumerated() {
            let id = entry.employeeID
            // A stored person keeps their email unless this file gives them another one.
            if rowOf[id] == nil, let claim = emailOwner[entry.email.lowercased()], claim.id != id {
                problems.append(ImportProblem(row: claim.row, column: "email", value: entry.email,
                                              reason: "duplicate email: already used by \(id)"))
            }
            if let index = number[id] {
                storedOf[Int(index)] = Int32(at)
            } else {
                number[id] = Int32(ids.count)
                ids.append(id)
                managers.append(entry.managerID)
            }
        }
        let next = managers.map { manager in manager.flatMap { number[$0] } ?? -1 }
        for cycle in ReportingTree.cycles(ids: ids, next: next) {
            let path = (cycle + [cycle[0]]).joined(separator: " → ")
            for id in cycle {
                if let row = rowOf[id] {
                    problems.append(ImportProblem(row: row, column: "manager_id", value: number[id].flatMap { managers[Int($0)] },
                                                  reason: "cycle in the reporting chain: \(path)"))
                }
            }
        }
    }
}

extension Dictionary {
    /// The value `key` holds; when it holds none, it is given `value` (if any) and nil is returned. One
    /// lookup where a read and then a write took two (a file of 100,000 records claims ids and emails).
    mutating func firstClaim(_ key: Key, by value: Value?) -> Value? {
        func claiming(_ slot: inout Value?) -> Value? {
            if let held = slot { return held }
            slot = value
            return nil
        }
        return claiming(&self[key])
    }
}

/// Reads typed fields from one CSV record and collects what is wrong with them.
struct RowReader {
    private(set) var row: Int
    private(set) var fields: [String]
    let columns: [String: Int]
    /// Flipside column → the file's name for it (problems name columns as the file does).
    var original: [String: String] = [:]
    var mapping: ImportMapping = .none
    var problems: [ImportProblem] = []

    init(row: Int, fields: [String], columns: [String: Int], original: [String: String] = [:], mapping: ImportMapping = .none) {
        self.row = row
        self.fields = fields
        self.columns = columns
        self.original = original
        self.mapping = mapping
    }

    /// Starts on another record of the same file: its fields, none of the last one's problems.
    mutating func begin(row: Int, fields: [String]) {
        self.row = row
        self.fields = fields
        problems.removeAll()
    }

    /// A column by its Flipside name, and where the file has it once looked up (`column(_:)`); a
    /// name written as a literal is looked up where it is read.
    struct Column: ExpressibleByStringLiteral {
        enum Place { case unknown, absent, at(Int) }
        let name: String
        fileprivate let place: Place

        init(_ name: String) { (self.name, place) = (name, .unknown) }
        init(stringLiteral name: String) { self.init(name) }
        fileprivate init(_ name: String, at index: Int?) { (self.name, place) = (name, index.map(Place.at) ?? .absent) }
    }

    /// The column `name`, looked up in the header now: a file of many records reads it without
    /// hashing its name for each one.
    func column(_ name: String) -> Column { Column(name, at: columns[name]) }

    private func index(_ column: Column) -> Int? {
        switch column.place {
        case .unknown: columns[column.name]
        case .absent: nil
        case .at(let index): index
        }
    }

    /// Whether the file has this column.
    func has(_ column: Column) -> Bool { index(column) != nil }

    /// The trimmed value, `nil` when the column is absent or the cell empty.
    func text(_ column: Column) -> String? {
        guard let i = index(column), i < fields.count else { return nil }
        let value = fields[i].trimmed
        return value.isEmpty ? nil : value
    }

    mutating func problem(_ column: Column, _ value: String?, _ reason: String) {
        problems.append(ImportProblem(row: row, column: original[column.name] ?? column.name, value: value, reason: reason))
    }

    /// `first_name` and `last_name` joined, for files without a full name.
    mutating func fullName() -> String? {
        let name = [text("first_name"), text("last_name")].compactMap { $0 }.joined(separator: " ")
        guard !name.isEmpty else {
            problem(columns["first_name"] != nil ? "first_name" : "last_name", nil, "must not be empty (first and last name are both empty)")
            return nil
        }
        return name
    }

    /// A level number, or a text grade the mapping gives a number (`L5` → 5).
    mutating func level(_ column: Column) -> Int? {
        guard let raw = required(column) else { return nil }
        if let mapped = mapping.level(for: raw) { return mapped }
        guard let value = Int(raw) else {
            problem(column, raw, "is not a level number; give text grades such as this one a number when mapping the file")
            return nil
        }
        guard (0...100).contains(value) else {
            problem(column, raw, "must be between 0 and 100")
            return nil
        }
        return value
    }

    mutating func required(_ column: Column) -> String? {
        guard let value = text(column) else {
            problem(column, nil, "must not be empty")
            return nil
        }
        return value
    }

    mutating func email(_ column: Column) -> String? {
        guard let value = required(column) else { return nil }
        guard EmailAddress.isPlausible(value) else {
            problem(column, value, "is not an email address")
            return nil
        }
        return value
    }

    mutating func integer(_ column: Column, in range: ClosedRange<Int>, required: Bool = true) -> Int? {
        guard let raw = required ? self.required(column) : text(column) else { return nil }
        guard let value = Int(raw) else {
            problem(column, raw, "is not an integer")
            return nil
        }
        guard range.contains(value) else {
            problem(column, raw, "must be between \(range.lowerBound) and \(range.upperBound)")
            return nil
        }
        return value
    }

    mutating func date(_ column: Column, required: Bool) -> CalendarDate? {
        guard let raw = required ? self.required(column) : text(column) else { return nil }
        guard let date = mapping.dateFormat.date(raw) else {
            problem(column, raw, mapping.dateFormat == .iso
                    ? "is not a date (expected YYYY-MM-DD; for another format, choose it when mapping the file)"
                    : "is not a date (expected \(mapping.dateFormat.rawValue) or YYYY-MM-DD)")
            return nil
        }
        return date
    }

    mutating func status(_ column: Column) -> EmploymentStatus? {
        guard let raw = text(column) else { return nil }
        guard let status = HRExport.status(raw, mapping: mapping) else {
            problem(column, raw, "is not a status we know (\(EmploymentStatus.allCases.map(\.rawValue).joined(separator: ", ")), "
                    + "or Active, Terminated, Inactive, Left, Leave of Absence...); say what it means when mapping the file")
            return nil
        }
        return status
    }
}

/// A light plausibility check on email addresses: one `@`, something before it, a dotted domain, no spaces.
public enum EmailAddress {
    public static func isPlausible(_ value: String) -> Bool {
        value.isAllASCII ? isPlausible(ascii: value.utf8) : isPlausible(scalars: value)
    }

    /// Any address, character by character.
    static func isPlausible(scalars value: String) -> Bool {
        let parts = value.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, value.count <= 254, UnicodeSafety.hiddenInIdentifier(value) == nil else { return false }
        let domain = parts[1]
        guard domain.contains("."), !domain.hasPrefix("."), !domain.hasSuffix(".") else { return false }
        return !value.contains(where: { $0.isWhitespace || $0 == "," || $0 == ";" })
    }

    /// The same check over the bytes of an ASCII address (nearly every address; no hidden characters
    /// are ASCII, and ASCII white space is tab to carriage return and the space).
    static func isPlausible(ascii bytes: String.UTF8View) -> Bool {
        guard bytes.count <= 254 else { return false }
        var at: Int?, index = 0, lastDot = -1, firstDotAfterAt: Int?
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "@"):
                if at != nil { return false }
                at = index
            case UInt8(ascii: "."):
                if at != nil, firstDotAfterAt == nil { firstDotAfterAt = index }
                lastDot = index
            case 0x09...0x0D, UInt8(ascii: " "), UInt8(ascii: ","), UInt8(ascii: ";"):
                return false
            default: break
            }
            index += 1
        }
        guard let at, at > 0, let firstDot = firstDotAfterAt else { return false }
        // The domain has a dot, and neither starts nor ends with one.
        return firstDot != at + 1 && lastDot != index - 1
    }
}

/// IANA time zone names, as the system's tz database knows them.
public enum TimeZoneName {
    /// Whether `name` is an IANA zone such as `Europe/Berlin` or `UTC` (abbreviations like `CET` are refused).
    public static func isValid(_ name: String) -> Bool {
        (name.contains("/") || name == "UTC") && TimeZone(identifier: name) != nil
    }

    static func isValid(_ name: String, cache: inout [String: Bool]) -> Bool {
        if let known = cache[name] { return known }
        let ok = isValid(name)
        cache[name] = ok
        return ok
    }
}
