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
    /// Excel's own limits: 1,048,576 rows and 16,384 columns (`XFD`). A reference beyond them is a
    /// damaged or hostile file.
    public static let rowLimit = 1_048_576
    public static let columnLimit = 16_384
    /// How wide an HR export may be: more columns than this is not a people export.
    public static let widthLimit = 1_024
    /// How many cells the sheet may span (rows with data × the widest row): memory stays bounded by
    /// this whatever the file claims.
    public static let cellLimit = 10_000_000

    /// The first sheet's rows as CSV text (RFC 4180 quoting), ready for the importers.
    public static func csv(_ data: Data) throws(ImportFailure) -> String {
        let rows = try rows(data)
        var out = ""
        for row in rows {
            var first = true
            for cell in row {
                if !first { out += "," }
                first = false
                out += PeopleCSV.escape(cell)
            }
            out += "\n"
        }
        return out
    }

    /// The first sheet's rows, each as many cells as its last filled column (empty cells as ""), rows
    /// with data padded to the header's width. Any part that is not well-formed XML, that declares a
    /// DTD, or that goes past a limit above refuses the whole file: nothing is imported from half a sheet.
    public static func rows(_ data: Data) throws(ImportFailure) -> [[String]] {
        let archive: Archive
        do { archive = try Archive(data: data, accessMode: .read) } catch { throw refusal("the file is not a readable .xlsx workbook") }
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
                throw refusal(unpacked > unpackedLimit ? "the workbook unpacks to more than \(unpackedLimit / 1_048_576) MB" : "the workbook's \(path) cannot be read")
            }
            // A workbook never needs a document type declaration; one can define entities that expand
            // to gigabytes (or reach outside the file), so a part that declares one is refused unread.
            if out.range(of: Data("<!DOCTYPE".utf8)) != nil || out.range(of: Data("<!ENTITY".utf8)) != nil {
                throw refusal("the workbook's \(path) declares a DTD, which no spreadsheet needs")
            }
            return out
        }
        // The first sheet: the workbook's first <sheet>, through the relationships; sheet1 otherwise.
        var sheetPath = "xl/worksheets/sheet1.xml"
        if let workbook = try part("xl/workbook.xml"), let rels = try part("xl/_rels/workbook.xml.rels") {
            let first = try XMLElements(workbook, named: ["sheet"], path: "xl/workbook.xml").elements.first?.attributes["r:id"]
            if let first, let target = try XMLElements(rels, named: ["Relationship"], path: "xl/_rels/workbook.xml.rels").elements
                .first(where: { $0.attributes["Id"] == first })?.attributes["Target"] {
                sheetPath = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
            }
        }
        guard let sheet = try part(sheetPath) else { throw refusal("the workbook has no sheet") }
        let shared = try part("xl/sharedStrings.xml").map { data throws(ImportFailure) in try SharedStrings(data).strings } ?? []
        let dateStyles = try part("xl/styles.xml").map { data throws(ImportFailure) in try DateStyles(data).isDate } ?? []
        var rows = try SheetRows(sheet, path: sheetPath, shared: shared, dateStyles: dateStyles).rows
        // Trailing empty cells are not stored: every row is as wide as the header at least.
        let width = rows.first?.count ?? 0
        for i in rows.indices where rows[i].count < width && !rows[i].isEmpty { rows[i] += Array(repeating: "", count: width - rows[i].count) }
        return rows
    }

    static func refusal(_ reason: String) -> ImportFailure { ImportFailure(problems: [ImportProblem(row: 1, column: nil, reason: reason)]) }

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

/// A reason a delegate stopped the parse for (a limit), read out as the file's problem.
private protocol StoppingDelegate: XMLParserDelegate { var stopped: String? { get } }

/// Runs Foundation's SAX parser over `data` with `delegate`. A part that is not well-formed XML (cut
/// short, damaged anywhere) refuses the whole workbook, as does a limit the delegate stopped at.
private func parseXML(_ data: Data, _ delegate: any StoppingDelegate, path: String) throws(ImportFailure) {
    let parser = XMLParser(data: data)
    parser.delegate = delegate
    parser.shouldResolveExternalEntities = false
    let ok = parser.parse()
    if let stopped = delegate.stopped { throw Spreadsheet.refusal(stopped) }
    // Foundation's parser on Linux can return true after an error (a document cut short, a tag left
    // open): the error it recorded counts too.
    guard ok, parser.parserError == nil else {
        throw Spreadsheet.refusal("the workbook's \(path) is damaged (not well-formed XML near line \(parser.lineNumber)): nothing was imported")
    }
}

/// Elements of the given names with their attributes (a small SAX pass; enough for workbook parts).
private final class XMLElements: NSObject, StoppingDelegate {
    struct Element { var name: String; var attributes: [String: String] }
    private(set) var elements: [Element] = []
    private let names: Set<String>
    let stopped: String? = nil

    init(_ data: Data, named names: Set<String>, path: String) throws(ImportFailure) {
        self.names = names
        super.init()
        try parseXML(data, self, path: path)
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        if names.contains(name) { elements.append(Element(name: name, attributes: attributes)) }
    }
}

/// `xl/sharedStrings.xml`: each `<si>`'s text (runs joined, phonetic hints left out).
private final class SharedStrings: NSObject, StoppingDelegate {
    private(set) var strings: [String] = []
    private var current = "", inText = false, inPhonetic = false
    let stopped: String? = nil

    init(_ data: Data) throws(ImportFailure) {
        super.init()
        try parseXML(data, self, path: "xl/sharedStrings.xml")
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
private final class DateStyles: NSObject, StoppingDelegate {
    private(set) var isDate: [Bool] = []
    private var customDates = Set<Int>(), inCellXfs = false
    /// Excel's built-in date and date-time formats.
    private static let builtIn: Set<Int> = [14, 15, 16, 17, 22, 27, 30, 36, 45, 46, 47, 50, 57]
    let stopped: String? = nil

    init(_ data: Data) throws(ImportFailure) {
        super.init()
        try parseXML(data, self, path: "xl/styles.xml")
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

/// A worksheet's `<sheetData>` as rows of text, read sparsely: only the cells present are kept, and
/// row numbers, columns, width and cell count are checked against `Spreadsheet`'s limits as they come,
/// so memory follows the data actually there and a hostile reference stops the parse at once.
private final class SheetRows: NSObject, StoppingDelegate {
    private(set) var rows: [[String]] = []
    private(set) var stopped: String?
    private let shared: [String], dateStyles: [Bool]
    private var row: [(column: Int, text: String)] = [], rowNumber = 0, rowWidth = 0
    private var widest = 0, rowsWithData = 0
    private var cellColumn = 0, cellType = "", cellStyle = 0, value = "", inValue = false, nextColumn = 0

    init(_ data: Data, path: String, shared: [String], dateStyles: [Bool]) throws(ImportFailure) {
        self.shared = shared
        self.dateStyles = dateStyles
        super.init()
        try parseXML(data, self, path: path)
    }

    private func stop(_ parser: XMLParser, _ reason: String) {
        if stopped == nil { stopped = reason }
        parser.abortParsing()
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]) {
        guard stopped == nil else { return }
        switch name {
        case "row":
            row = []
            rowWidth = 0
            nextColumn = 0
            // Rows the sheet skips are blank rows of the file.
            if let raw = attributes["r"] {
                guard let r = Int(raw), r > rowNumber, r <= Spreadsheet.rowLimit else {
                    return stop(parser, Int(raw).map { $0 > Spreadsheet.rowLimit } == true
                        ? "the sheet has a row numbered \(raw), beyond a spreadsheet's \(Spreadsheet.rowLimit) rows"
                        : "the sheet's row number \(raw.prefix(20)) is not a row after row \(rowNumber)")
                }
                while rowNumber + 1 < r { rows.append([]); rowNumber += 1 }
                rowNumber = r
            } else {
                rowNumber += 1
                if rowNumber > Spreadsheet.rowLimit { return stop(parser, "the sheet has more than \(Spreadsheet.rowLimit) rows") }
            }
        case "c":
            if let reference = attributes["r"] {
                guard let column = Spreadsheet.column(reference), column < Spreadsheet.columnLimit else {
                    return stop(parser, "the sheet has a cell at \(reference.prefix(20)), beyond a spreadsheet's last column XFD")
                }
                cellColumn = column
            } else {
                cellColumn = nextColumn
            }
            guard cellColumn < Spreadsheet.widthLimit else {
                return stop(parser, "the sheet has a cell in column \(cellColumn + 1) (row \(rowNumber)); an HR export has at most \(Spreadsheet.widthLimit) columns")
            }
            cellType = attributes["t"] ?? "n"
            cellStyle = attributes["s"].flatMap(Int.init) ?? 0
            value = ""
        case "v", "t": inValue = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { if inValue && stopped == nil { value += string } }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        guard stopped == nil else { return }
        switch name {
        case "v", "t": inValue = false
        case "c":
            let text: String
            switch cellType {
            case "s": text = Int(value).flatMap { $0 >= 0 && $0 < shared.count ? shared[$0] : nil } ?? ""
            case "b": text = value == "1" ? "TRUE" : "FALSE"
            case "n" where cellStyle >= 0 && cellStyle < dateStyles.count && dateStyles[cellStyle]:
                text = Double(value).flatMap(Spreadsheet.date(serial:))?.description ?? value
            case "n":
                // Whole numbers as integers ("7", not "7.0"); others as written.
                if let d = Double(value), d == d.rounded(), abs(d) < 1e15 { text = String(Int(d)) } else { text = value }
            default: text = value
            }
            row.append((cellColumn, text))
            rowWidth = max(rowWidth, cellColumn + 1)
            nextColumn = cellColumn + 1
        case "row":
            guard !row.isEmpty else { rows.append([]); return }
            rowsWithData += 1
            widest = max(widest, rowWidth)
            // Every row with data is padded to the widest row at the end: that grid must stay bounded.
            guard rowsWithData * widest <= Spreadsheet.cellLimit else {
                return stop(parser, "the sheet spans \(rowsWithData) rows of up to \(widest) columns, more than \(Spreadsheet.cellLimit) cells")
            }
            var cells = Array(repeating: "", count: rowWidth)
            for cell in row { cells[cell.column] = cell.text }
            rows.append(cells)
        default: break
        }
    }
}
