import CSV
import Foundation

/// A CSV file read into a header and records, with the header names normalised (trimmed, lower case).
/// Parsing is done by CSV.swift: quoted fields may hold commas, quotes and line breaks.
public struct CSVTable: Sendable {
    public let header: [String]
    /// Each record with its row number (header = 1).
    public let records: [(row: Int, fields: [String])]

    /// Reads UTF-8 text, with or without a byte-order mark. Blank lines are skipped.
    public init(text: String) throws(ImportFailure) {
        var text = text
        if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
        guard !text.isBlank else {
            throw ImportFailure(problems: [ImportProblem(row: 1, column: nil, reason: "the file is empty; expected a header row")])
        }
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true)
        } catch {
            throw ImportFailure(problems: [ImportProblem(row: 1, column: nil, reason: "the header row cannot be read")])
        }
        header = (reader.headerRow ?? []).map { $0.trimmed.lowercased() }
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
