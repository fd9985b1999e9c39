import Foundation

/// What an enrolment import will do once applied.
public struct EnrolmentImportPlan: Sendable {
    public var created: [Enrolment]
    public var updated: [Enrolment]
    public var unchanged: Int
    /// Accepted enrolments the coordinator should look at (e.g. a mentee no mentor can serve).
    public var warnings: [EnrolmentWarning]
    public var counts: ImportCounts { ImportCounts(created: created.count, updated: updated.count, unchanged: unchanged) }
}

/// Reads a CSV of enrolments for one program.
public enum EnrolmentImport {
    public static let requiredColumns = ["employee_id", "role", "offers", "wants", "industries", "channels", "cadence", "capacity"]
    public static let optionalColumns = ["availability"]

    /// Parses and validates `csv` for `program`. `people` maps employee ids to stored people (only those
    /// in the file and already enrolled are needed); `existing` maps employee ids to current enrolments.
    public static func plan(csv: String, program: Program, people: [String: Person],
                            existing: [String: Enrolment]) throws(ImportFailure) -> EnrolmentImportPlan {
        try requireOpen(program)
        return try plan(table: try CSVTable(text: csv), program: program, people: people, existing: existing)
    }

    /// The employee ids a parsed file names (to look up only those people before planning).
    public static func employeeIDs(in table: CSVTable) -> [String] {
        guard let i = table.header.firstIndex(of: "employee_id") else { return [] }
        return table.records.compactMap { i < $0.fields.count ? $0.fields[i].trimmed : nil }
    }

    /// As `plan(csv:…)`, for a file already parsed.
    public static func plan(table: CSVTable, program: Program, people: [String: Person],
                            existing: [String: Enrolment]) throws(ImportFailure) -> EnrolmentImportPlan {
        try requireOpen(program)
        let columns: [String: Int]
        switch table.columnIndex(required: requiredColumns) {
        case let .success(c): columns = c
        case let .failure(f): throw f
        }
        var problems: [ImportProblem] = []
        var rowOf: [String: Int] = [:]
        var incoming: [Enrolment] = []
        for (row, fields) in table.records {
            guard fields.count == table.header.count else {
                problems.append(ImportProblem(row: row, column: nil, reason: "the row has \(fields.count) fields but the header has \(table.header.count)"))
                continue
            }
            let cellProblems = TextLimits.cellProblems(row: row, header: table.header, fields: fields) {
                ["offers", "wants"].contains($0) ? TextLimits.topicsPerList * (TextLimits.topic + 3) : TextLimits.short * 4
            }
            guard cellProblems.isEmpty else {
                problems += cellProblems
                continue
            }
            var reader = RowReader(row: row, fields: fields, columns: columns)
            let id = reader.required("employee_id")
            if let id {
                if people[id] == nil {
                    reader.problem("employee_id", id, "no person with this employee id; import people first")
                } else if let first = rowOf[id] {
                    reader.problem("employee_id", id, "the person is enrolled twice (first in row \(first)); a person enrols once per program")
                } else {
                    rowOf[id] = row
                }
            }
            var role: EnrolmentRole?
            if let raw = reader.required("role") {
                role = EnrolmentRole(rawValue: raw.lowercased())
                if role == nil { reader.problem("role", raw, "must be mentor or mentee") }
            }
            let offers = reader.parsed("offers", EnrolmentFields.offers)
            let wants = reader.parsed("wants", EnrolmentFields.wants)
            let channels = reader.parsed("channels", EnrolmentFields.channels)
            let cadence = reader.parsed("cadence", EnrolmentFields.cadence)
            let availability = reader.parsed("availability", EnrolmentFields.availability)
            let capacity = reader.integer("capacity", in: 1...20, required: false)
            guard reader.problems.isEmpty, let id, let role, let offers, let wants, let channels, let cadence, let availability else {
                problems += reader.problems
                continue
            }
            let enrolment = Enrolment(
                id: existing[id]?.id ?? .random(), programID: program.id, employeeID: id, role: role,
                offers: offers, wants: wants, industries: EnrolmentFields.industries(reader.text("industries") ?? ""),
                channels: channels, cadence: cadence,
                capacity: capacity ?? program.defaultCapacity(for: role),
                availability: availability)
            for problem in EnrolmentRules.problems(in: enrolment) {
                problems.append(ImportProblem(row: row, column: problem.field, value: reader.text(RowReader.Column(problem.field)), reason: problem.reason))
            }
            incoming.append(enrolment)
        }
        if !problems.isEmpty { throw ImportFailure(problems: problems) }

        var plan = EnrolmentImportPlan(created: [], updated: [], unchanged: 0, warnings: [])
        var final = existing
        for enrolment in incoming {
            final[enrolment.employeeID] = enrolment
            switch existing[enrolment.employeeID] {
            case nil: plan.created.append(enrolment)
            case let old? where old == enrolment: plan.unchanged += 1
            default: plan.updated.append(enrolment)
            }
        }
        let levels = people.mapValues(\.level)
        plan.warnings = EnrolmentRules.warnings(enrolments: Array(final.values), levels: levels, gap: program.settings.minLevelGap)
            .sorted { $0.employeeID < $1.employeeID }
        return plan
    }
}

extension EnrolmentImport {
    static func requireOpen(_ program: Program) throws(ImportFailure) {
        guard program.status.acceptsEnrolments else {
            throw ImportFailure(problems: [ImportProblem(row: 1, column: nil, reason: ProgramError.closedForEnrolment(program.status).message)])
        }
    }
}

extension RowReader {
    /// Parses an optional text cell with `parse`, recording the reason when it fails.
    mutating func parsed<T>(_ column: RowReader.Column, _ parse: (String) -> Result<T, FieldReason>) -> T? {
        let raw = text(column) ?? ""
        switch parse(raw) {
        case let .success(value): return value
        case let .failure(reason):
            problem(column, raw, reason.text)
            return nil
        }
    }
}
