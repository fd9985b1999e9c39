import Foundation

/// Tables written as CSV for download. Every cell is quoted (a `;`-separated spreadsheet, the default in
/// much of Europe, would otherwise split `x;=cmd` and run the second half). A cell that a spreadsheet
/// would run as a formula — one that starts with `=`, `+`, `-`, `@`, a tab or a line break, or their
/// full-width forms, once invisible and text-direction characters are taken out — is prefixed with
/// `'`; plain numbers (`-3`) are kept as they are.
public enum CSVExport {
    public static func table(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { $0.map(cell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// Characters that start a formula in Excel, LibreOffice or Google Sheets.
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r", "\n", "\u{FF1D}", "\u{FF0B}", "\u{FF0D}", "\u{FF20}"]

    public static func cell(_ value: String) -> String {
        // What the spreadsheet sees first once what cannot be seen is gone.
        var visible = String.UnicodeScalarView()
        visible.append(contentsOf: value.unicodeScalars.filter { !UnicodeSafety.isHiddenInIdentifier($0) })
        var v = String(visible)
        let first = v.unicodeScalars.first(where: { $0 != " " })
        if let first, formulaStarts.contains(first), Double(v.trimmingCharacters(in: .whitespaces)) == nil { v = "'" + v }
        return "\"" + v.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
