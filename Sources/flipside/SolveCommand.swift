import ArgumentParser
import Foundation
#if canImport(Glibc)
import Glibc
private let readBytes = Glibc.read
#elseif canImport(Darwin)
import Darwin
private let readBytes = Darwin.read
#endif
import MatchingEngine

/// `flipside solve`: the matching engine on a raw score matrix (the benchmark format).
struct Solve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Solve a raw score matrix (RMSC binary or CSV; rows = mentees, columns = mentors; non-finite = forbidden).",
        discussion: "Prints one JSON line {\"pairs\", \"total\", \"solve_seconds\"}; solve_seconds times the solve alone, not reading the file.")


    @ArgumentParser.Option(help: "The score matrix: .csv, or the binary RMSC format.") var matrix: String
    @ArgumentParser.Option(help: "Mentees each mentor may take.") var capacity: Int = 1
    @ArgumentParser.Option(help: "optimal, stable or fair.") var algorithm: MatchingAlgorithm = .optimal
    @ArgumentParser.Option(help: "For optimal: participation (most pairs, then total) or quality (total; pairs optional).")
    var objective: String = "participation"
    @ArgumentParser.Option(help: "For stable: which side proposes (mentees or mentors).") var proposing: String = "mentees"
    @ArgumentParser.Option(help: "Write the pairs as CSV (row,col,score; 0-based).") var out: String?

    func validate() throws {
        guard capacity >= 1 else { throw ValidationError("--capacity must be at least 1") }
        guard Objective(rawValue: objective) != nil else { throw ValidationError("--objective must be participation or quality") }
        guard StableMatcher.Proposer(rawValue: proposing) != nil else { throw ValidationError("--proposing must be mentees or mentors") }
    }

    /// Reads a matrix file. An RMSC file is read straight into the matrix's storage, so a run holds one
    /// dense copy (8 bytes a pair), never the file's bytes beside it.
    static func read(_ matrix: String) throws -> ScoreMatrix {
        if matrix.lowercased().hasSuffix(".csv") {
            guard let data = FileManager.default.contents(atPath: matrix) else { throw ValidationError("Cannot read \(matrix).") }
            guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("\(matrix) is not UTF-8 text.") }
            do { return try ScoreMatrix(csv: text) } catch { throw ValidationError("\(matrix): \(error)") }
        }
        guard let handle = FileHandle(forReadingAtPath: matrix) else { throw ValidationError("Cannot read \(matrix).") }
        defer { try? handle.close() }
        let header = [UInt8](try handle.read(upToCount: 12) ?? Data())
        let shape: ScoreMatrix
        do { shape = try ScoreMatrix(rmsc: header + [UInt8](repeating: 0, count: 0), headerOnly: true) } catch {
            throw ValidationError("\(matrix): \(error)")
        }
        var values = [Double](repeating: 0, count: shape.rows * shape.cols)
        let expected = values.count * 8
        var filled = 0
        try values.withUnsafeMutableBytes { buffer in
            while filled < expected {
                let n = readBytes(handle.fileDescriptor, buffer.baseAddress! + filled, min(1 << 26, expected - filled))
                if n < 0 { throw ValidationError("Cannot read \(matrix).") }
                if n == 0 { break }
                filled += n
            }
        }
        let extra = (try handle.read(upToCount: 1))?.count ?? 0
        guard filled == expected, extra == 0 else {
            throw ValidationError("\(matrix): RMSC header says \(shape.rows) × \(shape.cols) but the payload is \(filled + extra) bytes (expected \(expected))")
        }
        #if _endian(big)
        for i in values.indices { values[i] = Double(bitPattern: values[i].bitPattern.byteSwapped) }
        #endif
        return ScoreMatrix(rows: shape.rows, cols: shape.cols, values: values)
    }

    func run() throws {
        let scores = try Self.read(matrix)
        let capacities = Array(repeating: capacity, count: scores.cols)
        let clock = ContinuousClock()
        var blocking: Int?
        var result = Matching(pairs: [])
        let elapsed: Duration
        do {
            elapsed = try clock.measure {
                result = try Matcher.solve(scores, capacity: capacities,
                                           MatchRequest(algorithm, objective: Objective(rawValue: objective)!,
                                                        proposing: StableMatcher.Proposer(rawValue: proposing)!)).matching
            }
        } catch let error as MatchRequestError {
            throw ValidationError("\(matrix): \(error)")
        }
        // Counted after the clock stops: `solve_seconds` times the solve alone.
        if algorithm == .stable { blocking = StableMatcher.blockingPairs(scores, capacity: capacities, matching: result) }
        guard result.total.isFinite else {
            throw ValidationError("\(matrix): the total score overflows a double; rescale the scores (e.g. to 0–100)")
        }
        let seconds = elapsed.seconds
        var line = "{\"pairs\":\(result.count),\"total\":\(result.total),\"solve_seconds\":\(seconds)"
        if let blocking { line += ",\"blocking_pairs\":\(blocking)" }
        print(line + "}")
        if let out {
            var csv = "row,col,score\n"
            for p in result.pairs { csv += "\(p.row),\(p.col),\(p.score)\n" }
            guard FileManager.default.createFile(atPath: out, contents: Data(csv.utf8)) else { throw ValidationError("Cannot write \(out).") }
        }
    }
}

extension Duration {
    /// The duration in seconds, as printed in the commands' JSON lines.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension MatchingAlgorithm: ExpressibleByArgument {}
