import Foundation
import Testing
@testable import FlipsideCore

/// The HR import's readers: the CSV records, and the ASCII fast paths against the general ones.
@Suite struct ImportReadingTests {
    /// A field as a spreadsheet writes it: quoted when it must be (or at random), quotes doubled.
    static func written(_ field: String, delimiter: String, quoteAnyway: Bool) -> String {
        let must = field.contains(delimiter) || field.contains("\"") || field.contains("\n") || field.contains("\r") || field.hasPrefix("\"")
        return must || quoteAnyway ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
    }

    /// Random tables of awkward fields, written with every separator and line end, read back the same.
    @Test func readsBackWhatASpreadsheetWrites() {
        let pool = ["a", "Zoë", "名前", "🙂", " ", ",", ";", "\t", "\"", "\"\"", "\n", "\r\n", "\r", "x\"y", "é", "1.5", ""]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let delimiter = [",", ";", "\t"].randomElement(using: &generator)!
            let lineEnd = ["\n", "\r\n", "\r"].randomElement(using: &generator)!
            let width = Int.random(in: 1...5, using: &generator)
            let rows: [[String]] = (0..<Int.random(in: 1...6, using: &generator)).map { _ in
                (0..<width).map { _ in (0..<Int.random(in: 0...4, using: &generator)).map { _ in pool.randomElement(using: &generator)! }.joined() }
            }
            // A one-field row that is empty is written quoted: an empty line is no record.
            let text = rows.map { row in
                row.map { Self.written($0, delimiter: delimiter, quoteAnyway: Bool.random(using: &generator) || (row.count == 1 && $0.isEmpty)) }
                    .joined(separator: delimiter)
            }.joined(separator: lineEnd) + (Bool.random(using: &generator) ? lineEnd : "")
            var records = CSVRecords(text: text, delimiter: delimiter.unicodeScalars.first!)
            var read: [[String]] = []
            while let record = records.next() { read.append(record) }
            #expect(read == rows, "\(text.debugDescription)")
        }
    }

    @Test func readsWhatIsNotQuiteCSVAsSpreadsheetsDo() {
        func read(_ text: String) -> [[String]] {
            var records = CSVRecords(text: text, delimiter: ",")
            var out: [[String]] = []
            while let record = records.next() { out.append(record) }
            return out
        }
        #expect(read("a,b\n\nc,d\n") == [["a", "b"], [""], ["c", "d"]])        // an empty line: one empty field (skipped by the table)
        #expect(read("a\"b,c") == [["a\"b", "c"]])                              // a quote inside an unquoted field is text
        #expect(read("\"ab\"c,d") == [["ab\"c", "d"]])                          // a quote before other text is kept
        #expect(read("\"open,x\ny") == [["open,x\ny"]])                         // a quoted field left open runs to the end
        #expect(read("a,") == [["a", ""]])
        #expect(read("\"\"") == [[""]])
    }

    /// The table counts rows as records (a quoted line break stays in its row) and skips blank lines.
    @Test func numbersRecordsAndSkipsBlankLines() throws {
        let table = try CSVTable(text: "\u{FEFF}ID , Name\r\n1,\"two\nlines\"\r\n\r\n   \r\n3,x")
        #expect(table.originalHeader == ["ID", "Name"])
        #expect(table.records.map(\.row) == [2, 5])
        #expect(table.records.map(\.fields) == [["1", "two\nlines"], ["3", "x"]])
    }

    /// Random ASCII addresses: the byte check answers as the character check does.
    @Test func asciiEmailCheckAgreesWithTheGeneralOne() {
        let pool: [String] = ["a", "b", "@", ".", " ", ",", ";", "\t", "\n", "\r", "-", "+", "\u{01}", "\u{7F}", "x"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20000 {
            let value = (0..<Int.random(in: 0...9, using: &generator)).map { _ in pool.randomElement(using: &generator)! }.joined()
            #expect(EmailAddress.isPlausible(ascii: value.utf8) == EmailAddress.isPlausible(scalars: value), "\(value.debugDescription)")
        }
        #expect(EmailAddress.isPlausible(String(repeating: "a", count: 250) + "@b.co") == false)
        #expect(EmailAddress.isPlausible("ann@example.org"))
    }

    @Test func asciiKeyAgreesWithTheGeneralOne() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5000 {
            let value = String(decoding: (0..<Int.random(in: 0...12, using: &generator)).map { _ in UInt8.random(in: 0..<0x80, using: &generator) }, as: UTF8.self)
            #expect(HRExport.key(value) == HRExport.generalKey(value), "\(value.debugDescription)")
        }
    }

    @Test func randomUUIDsAreVersion4() {
        var seen = Set<UUID>()
        for _ in 0..<1000 {
            let id = UUID.random()
            #expect(id.uuidString.dropFirst(14).first == "4")
            #expect("89AB".contains(id.uuidString.dropFirst(19).first!))
            seen.insert(id)
        }
        #expect(seen.count == 1000)
    }

    /// The ids of one bulk write: version 7 with its variant, the write's milliseconds in front, distinct,
    /// and increasing with the row (as text too, which is how SQLite stores and orders them), across the
    /// statements a write is split into.
    @Test func timeOrderedUUIDsIncreaseRowByRow() {
        let milliseconds: UInt64 = 0x0198_7654_3210
        let parts = [TimeOrderedUUIDs(count: 3000, first: 0, milliseconds: milliseconds),
                     TimeOrderedUUIDs(count: 3000, first: 3000, milliseconds: milliseconds)]
        let ids = parts.flatMap { Array($0) }
        #expect(Set(ids).count == 6000)
        for id in ids {
            let text = id.uuidString
            #expect(text.hasPrefix("01987654-3210-7"))
            #expect("89AB".contains(text.dropFirst(19).first!))
        }
        let texts = ids.map(\.uuidString)
        #expect(zip(texts, texts.dropFirst()).allSatisfy { $0 < $1 })
        // The row's place is in the id: row 5,000 of the write reads 5,000 back.
        let row5000 = ids[5000].uuid
        let counter = (Int(row5000.6 & 0x0F) << 22) | (Int(row5000.7) << 14) | (Int(row5000.8 & 0x3F) << 8) | Int(row5000.9)
        #expect(counter == 5000)
    }
}
