import ArgumentParser
import FlipsideCore
import Foundation
import MatchingEngine

/// `flipside match`: the whole model on HR and enrolment CSV files, without a server.
struct Match: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score every eligible mentee–mentor pair from CSV files and match them.",
        discussion: "People and enrolments use the import formats. Writes matches.csv (mentee_id,mentor_id,score).")

    @ArgumentParser.Option(help: "People CSV (the HR import format).") var people: String
    @ArgumentParser.Option(help: "Enrolments CSV (the enrolment import format).") var enrolments: String
    @ArgumentParser.Option(help: "Rules and weights as JSON (every field optional).") var rules: String?
    @ArgumentParser.Option(help: "optimal, stable or fair.") var algorithm: MatchingAlgorithm = .optimal
    @ArgumentParser.Option(help: "For optimal: participation or quality.") var objective: String = "participation"
    @ArgumentParser.Option(help: "Where to write the pairs.") var out: String
    @ArgumentParser.Option(help: "Write every pair's components, every unmatched person's reason and alternatives as JSON.") var explain: String?
    @ArgumentParser.Option(help: "Write the score matrix used, as CSV (a forbidden pair is an empty cell).") var scores: String?

    func run() throws {
        guard let objective = Objective(rawValue: objective) else { throw ValidationError("--objective must be participation or quality") }
        let started = ContinuousClock.now
        let matchRules = try readRules()
        let (input, peopleByID) = try readInput(matchRules)
        trace("match: read \(ContinuousClock.now - started)")
        let problem = ScoringProblem(mentees: input.mentees, mentors: input.mentors, rules: matchRules)
        let matrix = problem.matrix()
        trace("match: scored \(ContinuousClock.now - started)")
        let locks = try matchRules.locks.map { pair -> (row: Int, col: Int) in
            guard let i = input.mentees.firstIndex(where: { $0.id == pair[0] }) else { throw ValidationError("locks: \(pair[0]) is not an enrolled mentee") }
            guard let j = input.mentors.firstIndex(where: { $0.id == pair[1] }) else { throw ValidationError("locks: \(pair[1]) is not an enrolled mentor") }
            if let rule = problem.brokenRule(mentee: i, mentor: j) {
                throw ValidationError("locks: \(pair[0])–\(pair[1]) breaks the \(rule.rawValue) rule; to pair them anyway, add "
                                      + "{\"mentee_id\": \"\(pair[0])\", \"mentor_id\": \"\(pair[1])\", \"reason\": \"…\"} to overrides")
            }
            return (i, j)
        }
        if !locks.isEmpty && algorithm != .optimal { throw ValidationError("locks are supported with --algorithm optimal") }
        let result = try Matcher.solve(matrix, capacity: problem.capacity,
                                       MatchRequest(algorithm, objective: objective, locks: locks, switchingCosts: explain != nil))
        let (matching, switching) = (result.matching, result.switching)
        try writeMatches(matching, input)
        if let scores { try MatchFiles.writeScores(matrix, input, to: scores) }
        if let explain {
            let report = MatchExplanation(problem: problem, matrix: matrix, matching: matching, people: peopleByID, switching: switching)
            try MatchFiles.write(report.json(), to: explain)
        }
        let seconds = (ContinuousClock.now - started).seconds
        print("{\"mentees\":\(input.mentees.count),\"mentors\":\(input.mentors.count),\"pairs\":\(matching.count),\"total\":\(matching.total),\"seconds\":\(seconds)}")
    }

    func readRules() throws -> MatchRules {
        guard let rules else { return MatchRules() }
        guard let data = FileManager.default.contents(atPath: rules) else { throw ValidationError("Cannot read \(rules).") }
        let decoded: MatchRules
        do { decoded = try JSONDecoder().decode(MatchRules.self, from: data) } catch {
            throw ValidationError("\(rules) is not valid rules JSON: \(error)")
        }
        let problems = decoded.problems()
        guard problems.isEmpty else { throw ValidationError("\(rules): " + problems.joined(separator: "; ")) }
        return decoded
    }

    /// Reads the enrolments and, of the people file, only the enrolled people and their reporting lines
    /// (checked as the HR import checks them): the cost follows the program, not the organisation.
    func readInput(_ rules: MatchRules) throws -> (MatchInput, [String: Person]) {
        let began = ContinuousClock.now
        let enrolmentTable = try reportingFailure(enrolments) { try CSVTable(text: try readCSV(enrolments)) }
        trace("match: enrolments file parsed \(ContinuousClock.now - began)")
        let fullTable = try reportingFailure(people) { try CSVTable(text: try readCSV(people)) }
        trace("match: people file parsed \(ContinuousClock.now - began)")
        let peopleTable = fullTable.reportingLines(of: EnrolmentImport.employeeIDs(in: enrolmentTable))
        trace("match: reporting lines found \(ContinuousClock.now - began)")
        let peoplePlan = try reportingFailure(people) { try PeopleImport.plan(table: peopleTable, existing: [:]) }
        trace("match: people checked \(ContinuousClock.now - began)")
        var byID: [String: Person] = [:]
        for p in peoplePlan.created { byID[p.employeeID] = p }
        let program = Program(name: "match", status: .enrolling,
                              settings: MatchingSettings(minLevelGap: rules.minLevelGap, defaultCapacity: rules.defaultCapacity))
        let enrolmentPlan = try reportingFailure(enrolments) {
            try EnrolmentImport.plan(table: enrolmentTable, program: program, people: byID, existing: [:])
        }
        trace("match: enrolments checked \(ContinuousClock.now - began)")
        return (MatchInput(people: byID, enrolments: enrolmentPlan.created, rules: rules, reference: program.referenceDay(now: SystemClock().now).startUTC), byID)
    }

    private func reportingFailure<T>(_ file: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let failure as ImportFailure {
            var stderr = StandardError()
            print("\(file) has \(failure.problems.count) problem(s):", to: &stderr)
            for problem in failure.problems.prefix(200) { print("  \(problem)", to: &stderr) }
            throw ExitCode(1)
        }
    }

    private func writeMatches(_ matching: Matching, _ input: MatchInput) throws {
        var lines = ["mentee_id,mentor_id,score"]
        for p in matching.pairs.sorted(by: { input.mentees[$0.row].id < input.mentees[$1.row].id }) {
            lines.append("\(PeopleCSV.escape(input.mentees[p.row].id)),\(PeopleCSV.escape(input.mentors[p.col].id)),\(p.score)")
        }
        try MatchFiles.write(lines.joined(separator: "\n") + "\n", to: out)
    }
}

enum MatchFiles {
    static func write(_ text: String, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { throw ValidationError("Cannot write \(path).") }
    }

    /// The score matrix as CSV, written in blocks so that a 10,000 × 10,000 matrix never sits in memory as text.
    static func writeScores(_ matrix: ScoreMatrix, _ input: MatchInput, to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw ValidationError("Cannot write \(path).")
        }
        defer { try? handle.close() }
        var block = "mentee_id," + input.mentors.map { PeopleCSV.escape($0.id) }.joined(separator: ",") + "\n"
        for i in 0..<matrix.rows {
            block += PeopleCSV.escape(input.mentees[i].id)
            for j in 0..<matrix.cols {
                let s = matrix[i, j]
                block += s.isFinite ? ",\(s)" : ","
            }
            block += "\n"
            if block.utf8.count > 1 << 22 {
                try handle.write(contentsOf: Data(block.utf8))
                block = ""
            }
        }
        try handle.write(contentsOf: Data(block.utf8))
    }
}
