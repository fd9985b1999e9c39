/// Reading and writing the benchmark score-matrix formats (see `shared/bench/README.md`): pure
/// functions over bytes and text, so the engine does no I/O itself.
extension ScoreMatrix {
    /// The binary `RMSC` format: magic, uint32 rows, uint32 cols (little-endian), then rows × cols
    /// float64 little-endian, row-major. The payload is not 8-byte aligned, so it is copied.
    public init(rmsc bytes: [UInt8]) throws(MatchingError) {
        let parsed: Result<ScoreMatrix, MatchingError> = bytes.withUnsafeBytes { raw in
            do throws(MatchingError) { return .success(try ScoreMatrix(rmsc: raw)) } catch { return .failure(error) }
        }
        self = try parsed.get()
    }

    /// Only the 12-byte `RMSC` header: an empty matrix of the stated shape (for readers that fill the payload themselves).
    public init(rmsc header: [UInt8], headerOnly: Bool) throws(MatchingError) {
        guard header.count >= 12, header[0] == 0x52, header[1] == 0x4D, header[2] == 0x53, header[3] == 0x43 else {
            throw .invalidFile("not an RMSC file (the first four bytes must be 'RMSC')")
        }
        func u32(_ at: Int) -> Int { Int(header[at]) | Int(header[at + 1]) << 8 | Int(header[at + 2]) << 16 | Int(header[at + 3]) << 24 }
        let (_, overflow) = u32(4).multipliedReportingOverflow(by: u32(8) * 8)
        guard !overflow else { throw .invalidFile("RMSC header states an impossible size") }
        self.init(rows: u32(4), cols: u32(8), values: [])
    }

    /// The binary `RMSC` format read from raw bytes (e.g. a file mapped or loaded once), copied once.
    public init(rmsc bytes: UnsafeRawBufferPointer) throws(MatchingError) {
        let shape = try ScoreMatrix(rmsc: Array(bytes.prefix(12)), headerOnly: true)
        let count = shape.rows * shape.cols
        guard bytes.count - 12 == count * 8 else {
            throw .invalidFile("RMSC header says \(shape.rows) × \(shape.cols) but the file holds \(max(0, bytes.count - 12)) payload bytes (expected \(count) × 8)")
        }
        var values = [Double](repeating: 0, count: count)
        values.withUnsafeMutableBytes { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[12...]))
        }
        #if _endian(big)
        for i in values.indices { values[i] = Double(bitPattern: values[i].bitPattern.byteSwapped) }
        #endif
        self.init(rows: shape.rows, cols: shape.cols, values: values)
    }

    /// The CSV form: rows lines of cols comma-separated numbers, no header; `-inf`, `inf`, `nan`
    /// and an empty cell are forbidden pairs.
    public init(csv text: String) throws(MatchingError) {
        var values: [Double] = []
        var cols = -1
        var rows = 0
        for (lineNumber, line) in text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).enumerated() {
            let trimmed = line.hasSuffix("\r") ? line.dropLast() : line[...]
            if trimmed.allSatisfy({ $0 == " " }) { continue }
            var count = 0
            for field in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
                let f = field.trimmingSpaces
                if f.isEmpty || f == "-inf" || f == "inf" || f == "nan" || f == "-nan" || f == "+inf" {
                    values.append(-.infinity)
                } else if let v = Double(f) {
                    values.append(v.isFinite ? v : -.infinity)
                } else {
                    throw .invalidFile("line \(lineNumber + 1), field \(count + 1): '\(f)' is not a number")
                }
                count += 1
            }
            if cols == -1 { cols = count } else if count != cols {
                throw .invalidFile("line \(lineNumber + 1) has \(count) values but the first line has \(cols)")
            }
            rows += 1
        }
        self.init(rows: rows, cols: max(cols, 0), values: values)
    }

    /// The RMSC bytes of this matrix.
    public var rmscBytes: [UInt8] {
        var out: [UInt8] = [0x52, 0x4D, 0x53, 0x43]
        for v in [UInt32(rows), UInt32(cols)] { withUnsafeBytes(of: v.littleEndian) { out += $0 } }
        out.reserveCapacity(12 + values.count * 8)
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { out += $0 } }
        return out
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " || s.first == "\t" { s.removeFirst() }
        while s.last == " " || s.last == "\t" { s.removeLast() }
        return s
    }
}
