import Foundation

/// Tables written as CSV for download (RFC 4180 quoting). A cell that a spreadsheet would run as a
/// formula (starting with `=`, `+`, `-` or `@`, and not a plain number) is prefixed with `'`.
public enum CSVExport {
    public static func table(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(cell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    public static func cell(_ value: String) -> String {
        var v = value
        if let first = v.first, "=+-@".contains(first), Double(v) == nil { v = "'" + v }
        if let first = v.first, first == "\t" || first == "\r" { v = "'" + v }
        return PeopleCSV.escape(v)
    }
}
