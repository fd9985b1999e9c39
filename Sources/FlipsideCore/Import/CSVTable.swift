import CSV
import Foundation

/// A CSV file read into a header and records, with the header names normalised (trimmed, lower case).
/// Parsing is done by CSV.swift: quoted fields may hold commas, quotes and line breaks.
public struct CSVTable: Sendable {
    public let header: [String]
    /// The header as the file writes it (trimmed, case kept): problems name columns this way.
    public let originalHeader: [String]
    /// Each record with its row number (header = 1).
    public let records: [(row: Int, fields: [String])]

    /// A table from a header and records already read (e.g. some records of a larger table).
    public init(header: [String], records: [(row: Int, fields: [String])], originalHeader: [String]? = nil) {
        self.header = header
        self.originalHeader = originalHeader ?? header
        self.records = records
    }

    /// The records holding the given people and everyone above them in their reporting lines (by the
    /// `employee_id` and `manager_id` columns), in file order: what matching a program needs of a large
    /// organisation. The table itself when those columns are missing (the plan then reports it).
    public func reportingLines(of employeeIDs: [String]) -> CSVTable {
        guard let idColumn = header.firstIndex(of: "employee_id"), let managerColumn = header.firstIndex(of: "manager_id") else { return self }
        var position: [String: Int] = [:]
        position.reserveCapacity(records.count)
        for (i, record) in records.enumerated() where idColumn < record.fields.count {
            position[record.fields[idColumn].trimmed] = position[record.fields[idColumn].trimmed] ?? i
        }
        var wanted = Set<Int>()
        for id in employeeIDs {
            var next: String? = id
            while let current = next, let i = position[current], wanted.insert(i).inserted {
                let fields = records[i].fields
                let manager = managerColumn < fields.count ? fields[managerColumn].trimmed : ""
                next = manager.isEmpty ? nil : manager
            }
        }
        return CSVTable(header: header, records: wanted.sorted().map { records[$0] }, originalHeader: originalHeader)
    }

    /// The field separator of a file, from its first line: `;` as spreadsheets in much of Europe save
    /// CSV, a tab, or `,` (quoted text does not count).
    public static func delimiter(of text: Substring) -> UnicodeScalar {
        var counts: [Character: Int] = [:], quoted = false
        for c in text.prefix(while: { $0 != "\n" && $0 != "\r\n" }) {
            if c == "\"" { quoted.toggle() } else if !quoted, c == "," || c == ";" || c == "\t" { counts[c, default: 0] += 1 }
        }
        let best = counts.max { ($0.value, $0.key == "," ? 1 : 0) < ($1.value, $1.key == "," ? 1 : 0) }
        return best.flatMap { $0.key.unicodeScalars.first } ?? ","
    }

    /// Reads text (the BOM already dropped or not), separated by `,`, `;` or tabs (sniffed from the
    /// header line). Blank lines are skipped.
    public init(text: String) throws(ImportFailure) {
        var text = text
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        guard !text.isBlank else {
            throw ImportFailure(problems: [ImportProblem(row: 1, column: nil, reason: "the file is empty; expected a header row")])
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true, delimiter: Self.delimiter(of: text[...]))
        } catch {
            throw ImportFailure(problems: [ImportProblem(row: 1, column: nil, reason: "the header row cannot be read")])
        }
        originalHeader = (reader.headerRow ?? []).map { $0.trimmed }
        header = originalHeader.map { $0.lowercased() }
        var records: [(Int, [String])] = []
        var row = 1
        while let fields = reader.next() {
            row += 1
            if fields.count == 1 && fields[0].isBlank { continue }
            records.append((row, fields))
        }
        self.records = records
    }

    /// Checks the header: every required column present, no column twice. Returns the column positions.
    public func columnIndex(required: [String]) -> Result<[String: Int], ImportFailure> {
        var index: [String: Int] = [:]
        var problems: [ImportProblem] = []
        for (i, name) in header.enumerated() {
            if name.isEmpty {
                problems.append(ImportProblem(row: 1, column: nil, reason: "column \(i + 1) has no name"))
            } else if index[name] != nil {
                problems.append(ImportProblem(row: 1, column: name, reason: "the column appears more than once"))
            } else {
                index[name] = i
            }
        }
        for name in required where index[name] == nil {
            problems.append(ImportProblem(row: 1, column: name, reason: "required column is missing (the header must have: \(required.joined(separator: ",")))"))
        }
        return problems.isEmpty ? .success(index) : .failure(ImportFailure(problems: problems))
    }
}
