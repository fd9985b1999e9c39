import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import ZIPFoundation

/// An Excel workbook (`.xlsx`) read as the rows of its first sheet, so that an HR export saved from a
/// spreadsheet imports like its CSV. The ZIP container is read by ZIPFoundation, its XML parts by
/// Foundation's XML parser. Dates stored as day numbers (with a date format) come out as `YYYY-MM-DD`.
public enum Spreadsheet {
    /// Whether the bytes are a ZIP container (as `.xlsx` files are).
    public static func isWorkbook<Bytes: Collection>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        Array(bytes.prefix(4)) == [0x50, 0x4B, 0x03, 0x04]
    }

    /// The most a workbook may unpack to (a small file that unpacks to gigabytes is refused).
    public static let unpackedLimit = 256 * 1_024 * 1_024

    /// The first sheet's rows as CSV text (RFC 4180 quoting), ready for the importers.
    public static func csv(_ data: Data) throws(ImportFailure) -> String {
        try rows(data).map { row in
            row.map { cell in
                cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                    ? "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : cell
            }.joined(separator: ",")
        }.joined(separator: "\n") + "\n"
    }

    /// The first sheet's rows, each as many cells as its last filled column (empty cells as "").
    public static func rows(_ data: Data) throws(ImportFailure) -> [[String]] {
        func refuse(_ reason: String) -> ImportFailure { ImportFailure(problems: [ImportProblem(row: 1, column: nil, reason: reason)]) }
        let archive: Archive
        do { archive = try Archive(data: data, accessMode: .read) } catch { throw refuse("the file is not a readable .xlsx workbook") }
        var unpacked = 0
        func part(_ path: String) throws(ImportFailure) -> Data? {
            guard let entry = archive[path] else { return nil }
            var out = Data()
            do {
                _ = try archive.extract(entry, skipCRC32: false) { chunk in
                    unpacked += chunk.count
                    guard unpacked <= unpackedLimit else { throw Archive.ArchiveError.cancelledOperation }
                    out.append(chunk)
                }
            } catch {
                throw refuse(unpacked > unpackedLimit ? "the workbook unpacks to more than \(unpackedLimit / 1_048_576) MB" : "the workbook's \(path) cannot be read")
            }
            return out
        }
        // The first sheet: the workbook's first <sheet>, through the relationships; sheet1 otherwise.
        var sheetPath = "xl/worksheets/sheet1.xml"
        if let workbook = try part("xl/workbook.xml"), let rels = try part("xl/_rels/workbook.xml.rels") {
            let first = XMLElements(workbook, named: ["sheet"]).elements.first?.attributes["r:id"]
            if let first, let target = XMLElements(rels, named: ["Relationship"]).elements.first(where: { $0.attributes["Id"] == first })?.attributes["Target"] {
                sheetPath = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
            }
        }
        guard let sheet = try part(sheetPath) else { throw refuse("the workbook has no sheet") }
        let shared = try part("xl/sharedStrings.xml").map(SharedStrings.init)?.strings ?? []
        let dateStyles = try part("xl/styles.xml").map(DateStyles.init)?.isDate ?? []
        var rows = SheetRows(sheet, shared: shared, dateStyles: dateStyles).rows
        // Trailing empty cells are not stored: every row is as wide as the header at least.
        let width = rows.first?.count ?? 0
        for i in rows.indices where rows[i].count < width && !rows[i].isEmpty { rows[i] += Array(repeating: "", count: width - rows[i].count) }
        return rows
    }

    /// The column index of a cell reference (`A1` → 0, `AB7` → 27).
    public static func column(_ reference: String) -> Int? {
        var n = 0, letters = 0
        for c in reference.unicodeScalars {
            guard c.value >= 65, c.value <= 90 else { break }
            n = n * 26 + Int(c.value - 64)
            letters += 1
        }
        return letters == 0 || letters > 3 ? nil : n - 1
    }

    /// An Excel day number (1900 date system, as spreadsheets save it) as a date.
    public static func date(serial: Double) -> CalendarDate? {
        guard serial >= 1, serial < 2_958_466 else { return nil }
        // Day 25,569 is 1970-01-01 (Excel counts the nonexistent 1900-02-29, hence the usual offset).
        return CalendarDate(dayNumber: Int(serial.rounded(.down)) - 25_569)
    }
}

/// Runs Foundation's SAX parser over `data` with `delegate` (a part that is not XML yields nothing).
private func parseXML(_ data: Data, _ delegate: any XMLParserDelegate) {
    let parser = XMLParser(data: data)
    parser.delegate = delegate
    _ = parser.parse()   // a part that is not XML leaves the delegate with what it read so far
}

/// Elements of the given names with their attributes (a small SAX pass; enough for workbook parts).
private final class XMLElements: NSObject, XMLParserDelegate {
    struct Element { var name: String; var attributes: [String: String] }
    private(set) var elements: [Element] = []
    private let names: Set<String>

    init(_ data: Data, named names: Set<String>) {
        self.names = names
        super.init()
        parseXML(data, self)
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if names.contains(name) { elements.append(Element(name: name, attributes: attributes)) }
    }
}

/// `xl/sharedStrings.xml`: each `<si>`'s text (runs joined, phonetic hints left out).
private final class SharedStrings: NSObject, XMLParserDelegate {
    private(set) var strings: [String] = []
    private var current = "", inText = false, inPhonetic = false

    init(_ data: Data) {
        super.init()
        parseXML(data, self)
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "si": current = ""
        case "rPh": inPhonetic = true
        case "t": inText = !inPhonetic
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if inText { current += string } }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "si": strings.append(current)
        case "rPh": inPhonetic = false
        case "t": inText = false
        default: break
        }
    }
}

/// `xl/styles.xml`: which cell styles (`<cellXfs>` entries) show a date.
private final class DateStyles: NSObject, XMLParserDelegate {
    private(set) var isDate: [Bool] = []
    private var customDates = Set<Int>(), inCellXfs = false
    /// Excel's built-in date and date-time formats.
    private static let builtIn: Set<Int> = [14, 15, 16, 17, 22, 27, 30, 36, 45, 46, 47, 50, 57]

    init(_ data: Data) {
        super.init()
        parseXML(data, self)
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "numFmt":
            // A custom format is a date when it has day, month or year codes outside quoted text.
            if let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"] {
                var quoted = false, date = false
                for c in code.lowercased() {
                    if c == "\"" { quoted.toggle() } else if !quoted, c == "d" || c == "y" || c == "m" { date = true }
                }
                if date && !code.lowercased().contains("[h]") { customDates.insert(id) }
            }
        case "cellXfs": inCellXfs = true
        case "xf" where inCellXfs:
            let id = attributes["numFmtId"].flatMap(Int.init) ?? 0
            isDate.append(Self.builtIn.contains(id) || customDates.contains(id))
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "cellXfs" { inCellXfs = false }
    }
}

/// A worksheet's `<sheetData>` as rows of text.
private final class SheetRows: NSObject, XMLParserDelegate {
    private(set) var rows: [[String]] = []
    private let shared: [String], dateStyles: [Bool]
    private var row: [Int: String] = [:], rowNumber = 0
    private var cellColumn = 0, cellType = "", cellStyle = 0, value = "", inValue = false, nextColumn = 0

    init(_ data: Data, shared: [String], dateStyles: [Bool]) {
        self.shared = shared
        self.dateStyles = dateStyles
        super.init()
        parseXML(data, self)
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        switch name {
        case "row":
            row = [:]
            nextColumn = 0
            // Rows the sheet skips are blank rows of the file.
            if let r = attributes["r"].flatMap(Int.init) {
                while rowNumber + 1 < r { rows.append([]); rowNumber += 1 }
                rowNumber = r
            } else {
                rowNumber += 1
            }
        case "c":
            cellColumn = attributes["r"].flatMap(Spreadsheet.column) ?? nextColumn
            cellType = attributes["t"] ?? "n"
            cellStyle = attributes["s"].flatMap(Int.init) ?? 0
            value = ""
        case "v", "t": inValue = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if inValue { value += string } }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "v", "t": inValue = false
        case "c":
            let text: String
            switch cellType {
            case "s": text = Int(value).flatMap { $0 >= 0 && $0 < shared.count ? shared[$0] : nil } ?? ""
            case "b": text = value == "1" ? "TRUE" : "FALSE"
            case "n" where cellStyle < dateStyles.count && dateStyles[cellStyle]:
                text = Double(value).flatMap(Spreadsheet.date(serial:))?.description ?? value
            case "n":
                // Whole numbers as integers ("7", not "7.0"); others as written.
                if let d = Double(value), d == d.rounded(), abs(d) < 1e15 { text = String(Int(d)) } else { text = value }
            default: text = value
            }
            row[cellColumn] = text
            nextColumn = cellColumn + 1
        case "row":
            let width = (row.keys.max() ?? -1) + 1
            rows.append((0..<width).map { row[$0] ?? "" })
        default: break
        }
    }
}
