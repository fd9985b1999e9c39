import Foundation

/// A CSV file read into a header and records, with the header names normalised (trimmed, lower case).
/// Quoted fields may hold separators, quotes (doubled) and line breaks (`CSVRecords`).
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
        var rows = CSVRecords(text: text, delimiter: Self.delimiter(of: text[...]))
        guard let headerRow = rows.next() else {
            throw ImportFailure(problems: [ImportProblem(row: 1, column: nil, reason: "the header row cannot be read")])
        }
        originalHeader = headerRow.map { $0.trimmed }
        header = originalHeader.map { $0.lowercased() }
        var records: [(Int, [String])] = []
        var row = 1
        while let fields = rows.next() {
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

/// The records of CSV text, read over its UTF-8 bytes (separators, quotes and line ends are ASCII, which
/// UTF-8 never uses inside another character). RFC 4180 with what spreadsheets write besides: `\n`,
/// `\r\n` or `\r` end a record; a field that starts with `"` is quoted, `""` inside it is a quote, and
/// a quote followed by other text is kept and the field goes on unquoted; a quote inside an unquoted
/// field is text; a quoted field left open runs to the end of the file. (CSV.swift, used before, read the
/// same way scalar by scalar and took a tenth of a 100,000-row import.)
public struct CSVRecords: IteratorProtocol {
    private let bytes: [UInt8]
    private let delimiter: UInt8
    private var position = 0

    public init(text: String, delimiter: UnicodeScalar) {
        bytes = Array(text.utf8)
        self.delimiter = delimiter.isASCII ? UInt8(delimiter.value) : UInt8(ascii: ",")
    }

    private static let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

    public mutating func next() -> [String]? {
        guard position < bytes.count else { return nil }
        var fields: [String] = []
        while true {
            let (field, ended) = position < bytes.count && bytes[position] == Self.quote ? quotedField() : plainField()
            fields.append(field)
            if ended { return fields }
        }
    }

    /// At a line end: past `\r\n`, `\n` or `\r`.
    private mutating func skipLineEnd() {
        if bytes[position] == Self.cr, position + 1 < bytes.count, bytes[position + 1] == Self.lf { position += 2 } else { position += 1 }
    }

    private mutating func plainField() -> (String, Bool) {
        let start = position
        while position < bytes.count {
            let byte = bytes[position]
            if byte == delimiter {
                let field = text(start..<position)
                position += 1
                return (field, false)
            }
            if byte == Self.lf || byte == Self.cr {
                let field = text(start..<position)
                skipLineEnd()
                return (field, true)
            }
            position += 1
        }
        return (text(start..<position), true)
    }

    private mutating func quotedField() -> (String, Bool) {
        position += 1
        var field: [UInt8] = []
        var start = position
        while position < bytes.count {
            guard bytes[position] == Self.quote else { position += 1; continue }
            field.append(contentsOf: bytes[start..<position])
            position += 1
            guard position < bytes.count else { return (String(decoding: field, as: UTF8.self), true) }
            let next = bytes[position]
            if next == delimiter {
                position += 1
                return (String(decoding: field, as: UTF8.self), false)
            }
            if next == Self.lf || next == Self.cr {
                skipLineEnd()
                return (String(decoding: field, as: UTF8.self), true)
            }
            field.append(Self.quote)
            if next == Self.quote {     // `""` is one quote
                position += 1
                start = position
                continue
            }
            // A quote before other text is kept, and the field goes on unquoted to the next separator.
            let (rest, ended) = plainField()
            field.append(contentsOf: rest.utf8)
            return (String(decoding: field, as: UTF8.self), ended)
        }
        field.append(contentsOf: bytes[start..<position])
        return (String(decoding: field, as: UTF8.self), true)
    }

    private func text(_ range: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[range]), as: UTF8.self) }
    }
}
