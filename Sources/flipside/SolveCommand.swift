import ArgumentParser
import Foundation
import MatchingEngine

/// `flipside solve`: the matching engine on a raw score matrix (the benchmark format).
struct Solve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Solve a raw score matrix (RMSC binary or CSV; rows = mentees, columns = mentors; non-finite = forbidden).",
        discussion: "Prints one JSON line {\"pairs\", \"total\", \"solve_seconds\"}; solve_seconds times the solve alone, not reading the file.")

    enum Algorithm: String, ExpressibleByArgument, CaseIterable { case optimal, stable, fair }

    @ArgumentParser.Option(help: "The score matrix: .csv, or the binary RMSC format.") var matrix: String
    @ArgumentParser.Option(help: "Mentees each mentor may take.") var capacity: Int = 1
    @ArgumentParser.Option(help: "optimal, stable or fair.") var algorithm: Algorithm = .optimal
    @ArgumentParser.Option(help: "For optimal: participation (most pairs, then total) or quality (total; pairs optional).")
    var objective: String = "participation"
    @ArgumentParser.Option(help: "For stable: which side proposes (mentees or mentors).") var proposing: String = "mentees"
    @ArgumentParser.Option(help: "Write the pairs as CSV (row,col,score; 0-based).") var out: String?

    func validate() throws {
        guard capacity >= 1 else { throw ValidationError("--capacity must be at least 1") }
        guard Objective(rawValue: objective) != nil else { throw ValidationError("--objective must be participation or quality") }
        guard StableMatcher.Proposer(rawValue: proposing) != nil else { throw ValidationError("--proposing must be mentees or mentors") }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: matrix) else { throw ValidationError("Cannot read \(matrix).") }
        let scores: ScoreMatrix
        do {
            if matrix.lowercased().hasSuffix(".csv") {
                guard let text = String(data: data, encoding: .utf8) else { throw ValidationError("\(matrix) is not UTF-8 text.") }
                scores = try ScoreMatrix(csv: text)
            } else {
                scores = try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) throws(MatchingError) in try ScoreMatrix(rmsc: raw) }
            }
        } catch let error as MatchingError {
            throw ValidationError("\(matrix): \(error)")
        }
        let capacities = Array(repeating: capacity, count: scores.cols)
        let clock = ContinuousClock()
        var blocking: Int?
        var result = Matching(pairs: [])
        let elapsed = try clock.measure {
            switch algorithm {
            case .optimal: result = try OptimalMatcher.solve(scores, capacity: capacities, objective: Objective(rawValue: objective)!)
            case .stable: result = try StableMatcher.solve(scores, capacity: capacities, proposing: StableMatcher.Proposer(rawValue: proposing)!)
            case .fair: result = try FairMatcher.solve(scores, capacity: capacities)
            }
        }
        if algorithm == .stable { blocking = StableMatcher.blockingPairs(scores, capacity: capacities, matching: result) }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
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
