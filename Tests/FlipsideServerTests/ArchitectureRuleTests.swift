import Foundation
import Testing

/// Claims ARCHITECTURE.md makes about the code, held by reading the code.
@Suite struct ArchitectureRuleTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources")

    /// Every Swift file under `Sources/`, with its path relative to it.
    static func swiftFiles() throws -> [(path: String, text: String)] {
        let enumerator = try #require(FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil))
        var out: [(String, String)] = []
        for case let url as URL in enumerator where url.pathExtension == "swift" {
            out.append((String(url.path.dropFirst(sources.path.count + 1)), try String(contentsOf: url, encoding: .utf8)))
        }
        return out
    }

    /// "Now" comes from the clock (`WallClock`): no `Date()` or `Date(timeIntervalSinceNow:)` elsewhere, so
    /// a test's `ManualClock` reaches every time the product records or compares. Two places may: the
    /// system clock itself, and the SQLite writer lock's stamp (written to take the lock, never read).
    @Test func everyNowComesFromTheClock() throws {
        let allowed: Set<String> = ["FlipsideCore/Time/WallClock.swift", "FlipsideServer/Persistence/WriteLock.swift"]
        let files = try Self.swiftFiles()
        #expect(files.count > 100)
        var offenders: [String] = []
        for (path, text) in files where !allowed.contains(path) {
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = line.trimmingCharacters(in: .whitespaces)
                if code.hasPrefix("//") { continue }
                if code.range(of: #"(?<![A-Za-z0-9_])Date(\(\)|\(timeIntervalSinceNow|\.now\b)"#, options: .regularExpression) != nil {
                    offenders.append("\(path):\(number + 1): \(code)")
                }
            }
        }
        #expect(offenders.isEmpty, "\(offenders.joined(separator: "\n"))")
    }

    /// A whole partnership (with every word in it) reaches the server only sealed: the stores return
    /// `Unredacted<Partnership>`, and Core's `PartnershipReading` is the one way to a readable one.
    @Test func partnershipsLeaveTheStoresSealed() throws {
        let files = try Self.swiftFiles().filter { $0.path.hasPrefix("FlipsideServer/") }
        for (path, text) in files {
            #expect(!text.contains("-> Partnership?") && !text.contains("-> [Partnership]") || path == "FlipsideServer/Persistence/PartnershipReads.swift",
                    "\(path) returns an unsealed partnership")
            #expect(!text.contains(".seen(by: "), "\(path) redacts a partnership itself: use PartnershipReading")
        }
    }

    /// Services work for a scope (actor, clock, stores), not a request, and throw Core's errors: the API's
    /// answer to an error (`APIError`) is decided at the edge, once, by `APIError.from`.
    @Test func servicesHoldNoRequestAndThrowCoreErrors() throws {
        let files = try Self.swiftFiles().filter { $0.path.hasPrefix("FlipsideServer/Services/") }
        #expect(files.count >= 10)
        for (path, text) in files {
            let code = text.split(separator: "\n").filter { !$0.trimmingCharacters(in: .whitespaces).hasPrefix("//") }.joined(separator: "\n")
            #expect(code.range(of: #"\bAPIError\b"#, options: .regularExpression) == nil, "\(path) uses APIError")
            #expect(code.range(of: #"\bRequest\b"#, options: .regularExpression) == nil, "\(path) holds a Request")
        }
    }

    /// A response is an explicit DTO: no Core type is made `Content` by the server, and no route handler
    /// (`(req: Request)`) returns a Core type as it is.
    @Test func noCoreTypeIsEncodedAsItIs() throws {
        let all = try Self.swiftFiles()
        var coreTypes = Set<String>()
        for (path, text) in all where path.hasPrefix("FlipsideCore/") {
            let pattern = try NSRegularExpression(pattern: #"public (?:final )?(?:struct|enum|class|actor) ([A-Z][A-Za-z0-9]*)"#)
            for m in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                coreTypes.insert(String(text[Range(m.range(at: 1), in: text)!]))
            }
        }
        #expect(coreTypes.contains("Partnership") && coreTypes.contains("Program") && coreTypes.count > 50)
        var offenders: [String] = []
        let conformance = try NSRegularExpression(pattern: #"extension ([A-Z][A-Za-z0-9.]*)\s*:[^{]*\b(Content|ResponseEncodable|AsyncResponseEncodable)\b"#)
        let handler = try NSRegularExpression(pattern: #"\(req: Request\) async throws -> \[?(?:Page<)?([A-Z][A-Za-z0-9]*)"#)
        for (path, text) in all where path.hasPrefix("FlipsideServer/") {
            for regex in [conformance, handler] {
                for m in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                    let name = String(text[Range(m.range(at: 1), in: text)!])
                    if coreTypes.contains(name) { offenders.append("\(path): \(name)") }
                }
            }
        }
        #expect(offenders.isEmpty, "\(offenders.joined(separator: "\n"))")
    }

    /// One answer per error code: every machine code the server writes goes with one HTTP status.
    @Test func everyErrorCodeHasOneStatus() throws {
        let regex = try NSRegularExpression(pattern: #"APIError\(\.([a-zA-Z]+), code: "([a-z_]+)""#)
        var statuses: [String: Set<String>] = [:]
        for (_, text) in try Self.swiftFiles() where text.contains("APIError(") {
            for m in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                statuses[String(text[Range(m.range(at: 2), in: text)!]), default: []].insert(String(text[Range(m.range(at: 1), in: text)!]))
            }
        }
        #expect(statuses.count > 30)
        let several = statuses.filter { $0.value.count > 1 }
        #expect(several.isEmpty, "\(several)")
    }
}
