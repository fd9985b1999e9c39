import Foundation
@testable import MatchingEngine
import Testing

/// Larger instances whose optimum the reference solvers (SciPy and OR-Tools min-cost flow, run by
/// `shared/bench/anchors.py`) computed once; the fixture records their answer.
@Suite struct ReferenceSolverTests {
    struct Expected: Decodable {
        struct Instance: Decodable { var file: String; var cap: Int; var rows: Int; var cols: Int; var pairs: Int; var total: Double }
        var instances: [String: Instance]
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/anchors")

    static func expected() throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: directory.appendingPathComponent("expected.json")))
    }

    @Test(arguments: ["dense_120", "rect_80x200", "wide_200x70", "cap2_150x60", "uniform_100_forbid30"])
    func optimumEqualsTheReferenceSolvers(name: String) throws {
        let instance = try #require(try Self.expected().instances[name])
        let text = try String(contentsOf: Self.directory.appendingPathComponent(instance.file), encoding: .utf8)
        let scores = try ScoreMatrix(csv: text)
        #expect(scores.rows == instance.rows && scores.cols == instance.cols)
        let m = try OptimalMatcher.solve(scores, capacity: instance.cap)
        #expect(m.count == instance.pairs)
        #expect(abs(m.total - instance.total) <= 1e-9 * abs(instance.total), "\(m.total) vs \(instance.total)")
        // Same input, same output.
        #expect(try OptimalMatcher.solve(scores, capacity: instance.cap) == m)
    }
}
