/// One problem in an uploaded file: where it is and what is wrong.
public struct ImportProblem: Hashable, Codable, Sendable, CustomStringConvertible {
    /// The record number as a spreadsheet shows it: the header is row 1, the first data row is row 2.
    public var row: Int
    /// The column's header name, or `nil` for a problem with the whole row or file.
    public var column: String?
    /// The value as it was in the file, when there was one.
    public var value: String?
    public var reason: String

    public init(row: Int, column: String?, value: String? = nil, reason: String) {
        self.row = row
        self.column = column
        self.value = value
        self.reason = reason
    }

    public var description: String {
        "row \(row)" + (column.map { ", column \($0)" } ?? "") + (value.map { " ('\($0)')" } ?? "") + ": \(reason)"
    }
}

/// An import that was refused as a whole; nothing was changed.
public struct ImportFailure: Error, Sendable, Equatable {
    public var problems: [ImportProblem]
    public init(problems: [ImportProblem]) {
        self.problems = problems.sorted { ($0.row, $0.column ?? "") < ($1.row, $1.column ?? "") }
    }
}

/// How many records an import created, changed and left as they were.
public struct ImportCounts: Hashable, Codable, Sendable {
    public var created: Int
    public var updated: Int
    public var unchanged: Int
    public init(created: Int, updated: Int, unchanged: Int) {
        self.created = created
        self.updated = updated
        self.unchanged = unchanged
    }
}
