import Foundation

/// How the columns and values of an HR system's export read as Flipside's people: the header names
/// of the usual exports are recognised without configuration; what is not is mapped once by a
/// coordinator (`ImportMapping`) and the mapping is kept for the next upload.
public enum HRExport {
    /// Flipside's columns, as a mapping may name them. `first_name` and `last_name` make `name` when the
    /// file has no full name; a column mapped to `ignore` is left out (unmapped unknown columns become
    /// custom attributes, as before).
    public static let fields = PeopleImport.requiredColumns + PeopleImport.optionalColumns + ["first_name", "last_name"]
    public static let ignore = "ignore"

    /// A header name reduced to what identifies it: lower case letters and digits only
    /// (`Email - Work`, `email_work` and `EMAIL WORK` are all `emailwork`).
    public static func key(_ header: String) -> String {
        // ASCII (nearly every header and value): letters lower-cased, digits kept, the rest dropped.
        guard header.isAllASCII else { return generalKey(header) }
        return String(decoding: header.utf8.compactMap { byte -> UInt8? in
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"): return byte
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte + 32
            default: return nil
            }
        }, as: UTF8.self)
    }

    /// `key` of any text, scalar by scalar.
    static func generalKey(_ header: String) -> String {
        String(header.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(Character.init))
    }

    /// Header names of common HRIS exports (Workday, BambooHR, SAP SuccessFactors, Personio, HiBob and
    /// others), by Flipside column, already reduced by `key`.
    public static let synonyms: [String: [String]] = [
        "employee_id": ["employeeid", "employeenumber", "employeeno", "employeenr", "employeecode", "workerid", "personid", "personnelnumber",
                        "personnelno", "staffid", "staffnumber", "userid", "empid", "eeid", "id"],
        "name": ["name", "fullname", "employeename", "workername", "displayname", "legalname", "preferredfullname"],
        "first_name": ["firstname", "givenname", "legalfirstname", "preferredfirstname", "preferredname", "forename"],
        "last_name": ["lastname", "surname", "familyname", "legallastname"],
        "email": ["email", "emailaddress", "workemail", "emailwork", "workemailaddress", "businessemail", "businessemailaddress",
                  "primaryworkemail", "companyemail", "officeemail"],
        "title": ["title", "jobtitle", "businesstitle", "positiontitle", "position", "jobprofile", "jobname"],
        "level": ["level", "joblevel", "grade", "jobgrade", "paygrade", "careerlevel", "managementlevel", "band", "jobband"],
        "hire_date": ["hiredate", "originalhiredate", "dateofhire", "startdate", "employmentstartdate", "joiningdate", "dateofjoining",
                      "joindate", "continuousservicedate"],
        "department": ["department", "dept", "departmentname", "supervisoryorganization", "supervisoryorganisation", "organizationalunit",
                       "organisationalunit", "orgunit", "division", "team"],
        "location": ["location", "worklocation", "office", "officelocation", "site", "worksite", "primaryworklocation"],
        "time_zone": ["timezone", "tz", "worktimezone", "timezoneid"],
        "manager_id": ["managerid", "manageremployeeid", "managernumber", "manageremployeenumber", "supervisorid", "supervisoremployeeid",
                       "supervisornumber", "reportsto", "reportstoid", "reportstoemployeeid", "linemanagerid", "managerworkerid"],
        "status": ["status", "workerstatus", "employmentstatus", "employeestatus", "employeestatuscode"],
        "exit_date": ["exitdate", "terminationdate", "terminationeffectivedate", "enddate", "leavingdate", "leavedate", "lastdayofwork",
                      "lastworkingday", "separationdate", "contractenddate"],
    ]

    /// What identifies one kind of export: its column names, reduced by `key`, in order.
    public static func signature(_ header: [String]) -> String { header.map { key($0) }.joined(separator: ",") }

    /// Status words of HR exports: still employed (on leave is still employed) or gone.
    public static let statusSynonyms: [String: EmploymentStatus] = [
        "active": .active, "employed": .active, "current": .active, "hired": .active, "working": .active,
        "onleave": .onLeave, "leaveofabsence": .onLeave, "loa": .onLeave, "leave": .onLeave, "parentalleave": .onLeave,
        "maternityleave": .onLeave, "paternityleave": .onLeave, "sabbatical": .onLeave, "suspended": .onLeave,
        "exited": .exited, "terminated": .exited, "inactive": .exited, "left": .exited, "withdrawn": .exited, "resigned": .exited,
        "retired": .exited, "separated": .exited, "former": .exited, "dismissed": .exited, "deceased": .exited,
    ]

    /// The status a cell says, by synonym or by the mapping; `nil` when unknown.
    public static func status(_ raw: String, mapping: ImportMapping) -> EmploymentStatus? {
        if let mapped = mapping.status(for: raw) { return mapped }
        // Our own words as they are (nearly every file Flipside wrote or a coordinator filled in) need no key.
        return EmploymentStatus(rawValue: raw) ?? statusSynonyms[key(raw)]
    }

    /// Which file column is which Flipside column. `header` is the file's, as written.
    public struct Columns: Sendable, Equatable {
        /// Flipside column → position in the file.
        public var index: [String: Int]
        /// Flipside column → the file's own name for it (problems name the column as the file does).
        public var original: [String: String]
        /// Unrecognised columns kept as custom attributes: position → attribute key.
        public var attributes: [(Int, String)]
        /// Two file columns that both claim one Flipside column, and empty names.
        public var problems: [ImportProblem]

        public static func == (a: Columns, b: Columns) -> Bool {
            a.index == b.index && a.original == b.original && a.attributes.map(\.0) == b.attributes.map(\.0)
                && a.attributes.map(\.1) == b.attributes.map(\.1) && a.problems == b.problems
        }
    }

    /// Recognises the header: the mapping first (by the file's name for a column), then our own names,
    /// then the synonyms, earlier ones before later ones (when a file has both `Department` and `Team`,
    /// `Department` is the department and `Team` a custom attribute). Anything else becomes a custom
    /// attribute under its lower-case name.
    public static func columns(_ header: [String], mapping: ImportMapping) -> Columns {
        var problems: [ImportProblem] = []
        var rankOf: [String: (field: String, rank: Int)] = [:]
        for (field, names) in synonyms { for (rank, name) in names.enumerated() { rankOf[name] = (field, rank + 1) } }
        // Each column's claim: (field, rank), lower rank first; nil for an attribute.
        var claims: [(i: Int, name: String, field: String?, rank: Int)] = []
        for (i, raw) in header.enumerated() {
            let name = raw.trimmed
            guard !name.isEmpty else {
                problems.append(ImportProblem(row: 1, column: nil, reason: "column \(i + 1) has no name"))
                continue
            }
            let k = key(name)
            if let field = mapping.field(forColumn: name) {
                if field != ignore { claims.append((i, name, field, -1)) }
            } else if fields.contains(name.lowercased()) {
                claims.append((i, name, name.lowercased(), 0))
            } else if let synonym = rankOf[k] {
                claims.append((i, name, synonym.field, synonym.rank))
            } else {
                claims.append((i, name, nil, 0))
            }
        }
        var index: [String: Int] = [:], original: [String: String] = [:], attributes: [(Int, String)] = []
        var winner: [String: (i: Int, rank: Int)] = [:]
        for claim in claims { if let field = claim.field, claim.rank < (winner[field]?.rank ?? .max) { winner[field] = (claim.i, claim.rank) } }
        var seenAttributes = Set<String>()
        for claim in claims {
            if let field = claim.field, let best = winner[field] {
                if best.i == claim.i {
                    index[field] = claim.i
                    original[field] = claim.name
                    continue
                }
                if best.rank == claim.rank {
                    let first = header[best.i].trimmed
                    problems.append(ImportProblem(row: 1, column: claim.name, reason: key(first) == key(claim.name)
                        ? "the column appears more than once"
                        : "both '\(first)' and '\(claim.name)' read as \(field); map one of them to another column or to ignore"))
                    continue
                }
            }
            let attribute = claim.name.lowercased()
            if !seenAttributes.insert(attribute).inserted {
                problems.append(ImportProblem(row: 1, column: claim.name, reason: "the column appears more than once"))
            } else {
                attributes.append((claim.i, attribute))
            }
        }
        return Columns(index: index, original: original, attributes: attributes, problems: problems)
    }
}

/// A coordinator's answers for one kind of export: which column is which, what its text grades and
/// status words mean, how it writes dates, and the time zone when it has none. Kept and applied again
/// to the next upload with the same columns.
public struct ImportMapping: Codable, Sendable, Equatable {
    /// The file's column name → a Flipside column (`HRExport.fields`) or `ignore`.
    public var columns: [String: String] { didSet { columnKeys = Self.keyed(columns) } }
    /// Text grades → level numbers (`L5` → 5, `IC3` → 3, `M2` → 7).
    public var levels: [String: Int] { didSet { levelKeys = Self.keyed(levels) } }
    /// Status words → `active`, `on_leave` or `exited`, beyond the ones known.
    public var statuses: [String: EmploymentStatus] { didSet { statusKeys = Self.keyed(statuses) } }
    // The answers by `HRExport.key`, so a lookup is one dictionary probe, not a scan of every answer.
    private var columnKeys: [String: String] = [:], levelKeys: [String: Int] = [:], statusKeys: [String: EmploymentStatus] = [:]
    /// The most answers of each kind a mapping may hold (an HR export has far fewer columns, grades or words).
    public static let answerLimit = 10_000
    /// How dates are written, when not `YYYY-MM-DD`.
    public var dateFormat: DateFormat
    /// Everyone's time zone when the file has no time zone column (IANA, e.g. `Europe/Berlin`).
    public var timeZone: String?

    public init(columns: [String: String] = [:], levels: [String: Int] = [:], statuses: [String: EmploymentStatus] = [:],
                dateFormat: DateFormat = .iso, timeZone: String? = nil) {
        self.columns = columns
        self.levels = levels
        self.statuses = statuses
        self.dateFormat = dateFormat
        self.timeZone = timeZone
        (columnKeys, levelKeys, statusKeys) = (Self.keyed(columns), Self.keyed(levels), Self.keyed(statuses))
    }

    enum CodingKeys: String, CodingKey { case columns, levels, statuses, dateFormat = "date_format", timeZone = "time_zone" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        columns = try c.decodeIfPresent([String: String].self, forKey: .columns) ?? [:]
        levels = try c.decodeIfPresent([String: Int].self, forKey: .levels) ?? [:]
        statuses = try c.decodeIfPresent([String: EmploymentStatus].self, forKey: .statuses) ?? [:]
        dateFormat = try c.decodeIfPresent(DateFormat.self, forKey: .dateFormat) ?? .iso
        timeZone = try c.decodeIfPresent(String.self, forKey: .timeZone)
        (columnKeys, levelKeys, statusKeys) = (Self.keyed(columns), Self.keyed(levels), Self.keyed(statuses))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(columns, forKey: .columns)
        try c.encode(levels, forKey: .levels)
        try c.encode(statuses, forKey: .statuses)
        try c.encode(dateFormat, forKey: .dateFormat)
        try c.encodeIfPresent(timeZone, forKey: .timeZone)
    }

    public static func == (a: ImportMapping, b: ImportMapping) -> Bool {
        a.columns == b.columns && a.levels == b.levels && a.statuses == b.statuses && a.dateFormat == b.dateFormat && a.timeZone == b.timeZone
    }

    /// The answers by their reduced key (the first answer in key order wins when two reduce alike).
    private static func keyed<T>(_ answers: [String: T]) -> [String: T] {
        var out: [String: T] = [:]
        for (text, value) in answers.sorted(by: { $0.key < $1.key }) where out[HRExport.key(text)] == nil { out[HRExport.key(text)] = value }
        return out
    }

    public static let none = ImportMapping()

    // Answers are looked up by the file's own text, then as `HRExport.key` reduces it ("IC 3" is "ic3").
    public func field(forColumn name: String) -> String? { columns[name] ?? columnKeys[HRExport.key(name)] }
    public func level(for grade: String) -> Int? { levels.isEmpty ? nil : levels[grade] ?? levelKeys[HRExport.key(grade)] }
    public func status(for word: String) -> EmploymentStatus? { statuses.isEmpty ? nil : statuses[word] ?? statusKeys[HRExport.key(word)] }

    /// What is wrong with the mapping itself (before any row is read), named by field.
    public var problems: [FieldProblem] {
        var out: [FieldProblem] = []
        for (name, count) in [("columns", columns.count), ("levels", levels.count), ("statuses", statuses.count)] where count > Self.answerLimit {
            out.append(FieldProblem(field: name, reason: "has \(count) answers; a mapping holds at most \(Self.answerLimit)"))
        }
        guard out.isEmpty else { return out }
        for (column, field) in columns.sorted(by: { $0.key < $1.key }) where field != HRExport.ignore && !HRExport.fields.contains(field) {
            out.append(FieldProblem(field: "columns.\(column)", reason: "must be one of \((HRExport.fields + [HRExport.ignore]).joined(separator: ", "))"))
        }
        for (grade, level) in levels.sorted(by: { $0.key < $1.key }) where !(0...100).contains(level) {
            out.append(FieldProblem(field: "levels.\(grade)", reason: "must be between 0 and 100"))
        }
        if let timeZone, !TimeZoneName.isValid(timeZone) {
            out.append(FieldProblem(field: "time_zone", reason: "is not an IANA time zone (e.g. Europe/Berlin)"))
        }
        return out
    }
}

/// How an export writes its dates.
public enum DateFormat: String, Codable, Sendable, CaseIterable {
    case iso = "YYYY-MM-DD"
    case us = "MM/DD/YYYY"
    case dayMonthSlash = "DD/MM/YYYY"
    case dayMonthDot = "DD.MM.YYYY"

    /// The date a cell holds in this format (ISO dates are always read too); `nil` when it is none.
    public func date(_ raw: String) -> CalendarDate? {
        if let iso = CalendarDate(iso: raw) { return iso }
        // Spreadsheets append a midnight time to dates ("2021-03-01 00:00:00", "3/1/2021 0:00").
        let day = raw.split(separator: " ", maxSplits: 1).first.map(String.init) ?? raw
        if day != raw, let iso = CalendarDate(iso: day) { return iso }
        let separator: Character
        switch self {
        case .iso: return nil
        case .us, .dayMonthSlash: separator = "/"
        case .dayMonthDot: separator = "."
        }
        let parts = day.split(separator: separator, omittingEmptySubsequences: false)
        guard parts.count == 3, parts.allSatisfy({ !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isASCII) }),
              let a = Int(parts[0]), let b = Int(parts[1]), let y = Int(parts[2]), parts[2].count == 4 else { return nil }
        return self == .us ? CalendarDate(year: y, month: a, day: b) : CalendarDate(year: y, month: b, day: a)
    }
}

/// Text as HR systems and spreadsheets save it: UTF-8 with or without a byte-order mark, or UTF-16
/// (little or big endian) with one.
public enum UploadedText {
    /// An uploaded file as text: an `.xlsx` workbook's first sheet as CSV, or the text itself; `nil`
    /// when it is neither a workbook nor UTF-8 / UTF-16 text.
    public static func read<Bytes: Collection>(_ bytes: Bytes) throws(ImportFailure) -> String? where Bytes.Element == UInt8 {
        if Spreadsheet.isWorkbook(bytes) { return try Spreadsheet.csv(Data(bytes)) }
        return decode(bytes)
    }

    public static func decode<Bytes: Collection>(_ bytes: Bytes) -> String? where Bytes.Element == UInt8 {
        let data = Data(bytes)
        if data.starts(with: [0xFF, 0xFE]) { return String(data: data.dropFirst(2), encoding: .utf16LittleEndian) }
        if data.starts(with: [0xFE, 0xFF]) { return String(data: data.dropFirst(2), encoding: .utf16BigEndian) }
        return String(data: data, encoding: .utf8)
    }
}

/// What a coordinator has to answer before a file imports: how each column reads now, which of our
/// columns none reads as, the text grades, status words and dates it cannot read yet, and whether it
/// needs a time zone for everyone.
public struct MappingQuestions: Sendable, Equatable {
    public struct Column: Sendable, Equatable {
        public var index: Int
        public var name: String
        /// The Flipside column it reads as, `nil` for a custom attribute, `ignore` when left out.
        public var readsAs: String?
    }
    public var columns: [Column]
    public var missing: [String]
    /// Level cells that are not numbers, distinct, in file order: those not answered yet, then the mapped ones with their number.
    public var grades: [(text: String, level: Int?)]
    /// Status cells that are not known, distinct, in file order: those not answered yet, then the mapped ones.
    public var statuses: [(text: String, status: EmploymentStatus?)]
    /// A few date cells that are not `YYYY-MM-DD`, to choose the format by.
    public var dateSamples: [String]
    public var needsTimeZone: Bool

    public static func == (a: MappingQuestions, b: MappingQuestions) -> Bool {
        a.columns == b.columns && a.missing == b.missing && a.grades.map(\.text) == b.grades.map(\.text) && a.grades.map(\.level) == b.grades.map(\.level)
            && a.statuses.map(\.text) == b.statuses.map(\.text) && a.statuses.map(\.status) == b.statuses.map(\.status)
            && a.dateSamples == b.dateSamples && a.needsTimeZone == b.needsTimeZone
    }

    /// How many grades (and how many status words) a form asks at once; the rest come in the next round.
    public static let askedAtOnce = 50

    /// The values not answered yet first (in the file's order), then the answered ones.
    static func unansweredFirst<T>(_ values: [T], answered: (T) -> Bool) -> [T] {
        values.filter { !answered($0) } + values.filter(answered)
    }

    /// Reads the file's header and cells under `mapping`: every distinct grade and status word that needs
    /// an answer, those not answered yet first.
    public init(table: CSVTable, mapping: ImportMapping) {
        let recognised = HRExport.columns(table.originalHeader, mapping: mapping)
        columns = table.originalHeader.enumerated().map { i, name in
            if mapping.field(forColumn: name) == HRExport.ignore { return Column(index: i, name: name, readsAs: HRExport.ignore) }
            return Column(index: i, name: name, readsAs: recognised.index.first { $0.value == i }?.key)
        }
        missing = PeopleImport.missingColumns(recognised, mapping: mapping)
        needsTimeZone = recognised.index["time_zone"] == nil
        func cells(_ field: String) -> [String] {
            guard let i = recognised.index[field] else { return [] }
            var seen = Set<String>(), out: [String] = []
            for record in table.records where i < record.fields.count {
                let value = record.fields[i].trimmed
                if !value.isEmpty, seen.insert(value).inserted { out.append(value) }
            }
            return out
        }
        grades = Self.unansweredFirst(cells("level").filter { Int($0) == nil }.map { (text: $0, level: mapping.level(for: $0)) }) { $0.level != nil }
        statuses = Self.unansweredFirst(cells("status").filter { HRExport.statusSynonyms[HRExport.key($0)] == nil }
            .map { (text: $0, status: mapping.status(for: $0)) }) { $0.status != nil }
        dateSamples = Array((cells("hire_date") + cells("exit_date")).filter { CalendarDate(iso: $0) == nil }.prefix(5))
    }

    /// Whether anything is left to answer (the file may still have other problems).
    public var isComplete: Bool {
        missing.isEmpty && grades.allSatisfy { $0.level != nil } && statuses.allSatisfy { $0.status != nil }
    }
}
