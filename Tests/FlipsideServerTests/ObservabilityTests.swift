import FlipsideCore
import Foundation
import Logging
@testable import FlipsideServer
import Testing
import VaporTesting

/// `/readyz`, `/metrics` and request ids.
@Suite(.serialized) struct ObservabilityTests {
    static let token = "metrics-token-0123456789"

    @Test func readinessAndMetrics() async throws {
        try await TestWorld.run(adjust: { $0.metricsToken = Self.token }) { world in
            let ready = try await world.app.testing().sendRequest(.GET, "/readyz")
            #expect(ready.status == .ok && ready.body.string == "ready")
            _ = try await world.app.testing().sendRequest(.GET, "/healthz")
            _ = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: TestWorld.peopleCSV)
            _ = try await world.api(.GET, "/api/v1/programs/\(pathID(world.program.id))", as: .coordinator)
            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: Self.token)
            let metrics = try await world.app.testing().sendRequest(.GET, "/metrics", headers: headers)
            let text = metrics.body.string
            #expect(metrics.status == .ok && metrics.headers.first(name: .contentType)?.hasPrefix("text/plain") == true)
            #expect(text.contains(#"flipside_http_requests_total{method="GET",route="/healthz",status="200"}"#), "\(text.prefix(2000))")
            // Routes are counted by their pattern, never by the ids in them.
            #expect(text.contains(#"route="/api/v1/programs/:programID""#) && !text.contains(world.program.id.uuidString))
            #expect(text.contains("flipside_http_request_duration_seconds_bucket") && text.contains(#"flipside_import_duration_seconds_count{kind="people",outcome="imported"}"#))
            #expect(text.contains("flipside_queue_depth_jobs "))
            headers.bearerAuthorization = BearerAuthorization(token: "wrong-token-0123456789")
            #expect(try await world.app.testing().sendRequest(.GET, "/metrics", headers: headers).status == .unauthorized)
            #expect(try await world.app.testing().sendRequest(.GET, "/metrics").status == .unauthorized)
        }
        // Without a token, only a local scraper that did not come through a proxy reads them.
        try await TestWorld.run { world in
            var headers = HTTPHeaders()
            headers.replaceOrAdd(name: .xForwardedFor, value: "203.0.113.9")
            let proxied = try await world.app.testing().sendRequest(.GET, "/metrics", headers: headers)
            #expect(proxied.status == .forbidden)
        }
    }

    @Test func everyResponseAndErrorCarriesTheRequestID() async throws {
        try await TestWorld.run { world in
            let plain = try await world.app.testing().sendRequest(.GET, "/healthz")
            let generated = try #require(plain.headers.first(name: "X-Request-Id"))
            #expect(generated.count == 36)
            var headers = world.headers(.coordinator)
            headers.replaceOrAdd(name: "X-Request-Id", value: "trace-42.abc_DEF")
            let missing = try await world.app.testing().sendRequest(.GET, "/api/v1/programs/\(UUID().uuidString.lowercased())", headers: headers)
            #expect(missing.status == .notFound && missing.headers.first(name: "X-Request-Id") == "trace-42.abc_DEF")
            #expect(missing.body.string.contains(#""request_id":"trace-42.abc_DEF""#), "\(missing.body.string)")
            #expect(try OpenAPIDocument().check("GET", "/api/v1/programs/{programID}", status: 404, body: missing.body.string).isEmpty)
            // An id that is not a plain token (here with a line break and markup) is replaced, not echoed.
            headers.replaceOrAdd(name: "X-Request-Id", value: "<script>\nforged")
            let replaced = try await world.app.testing().sendRequest(.GET, "/healthz", headers: headers)
            #expect(replaced.headers.first(name: "X-Request-Id")?.contains("script") == false)
            // Pages show it on their error page.
            let web = try await WebClient.signedIn(world, as: "coord@example.com")
            let page = try await web.get("/programs/\(UUID().uuidString)")
            #expect(page.status == .notFound && page.body.string.contains("id=\"request-id\""))
        }
    }
}

/// The log handler every line goes through keeps only named metadata: the database libraries' bound
/// values (SQLiteKit/PostgresKit `binds`, PostgresNIO `psql_binds`, Fluent's `input` and `filters`)
/// never reach the console, at any level. (End to end: `scripts/log-privacy-check.sh`.)
@Suite struct WordlessLogHandlerTests {
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var stored: [(String, Logger.Metadata)] = []
        func add(_ message: String, _ metadata: Logger.Metadata) { lock.withLock { stored.append((message, metadata)) } }
        var all: [(String, Logger.Metadata)] { lock.withLock { stored } }
    }

    struct Capture: LogHandler {
        let lines: Lines
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            lines.add(event.message.description, metadata.merging(event.metadata ?? [:]) { $1 })
        }
    }

    @Test func boundValuesAndQueryInputNeverPass() {
        let lines = Lines()
        var logger = Logger(label: "test") { _ in WordlessLogHandler(Capture(lines: lines)) }
        logger.logLevel = .trace
        logger[metadataKey: "request-id"] = "r1"
        logger[metadataKey: "author"] = "P00004"
        logger.debug("Executing query", metadata: ["sql": "INSERT INTO pair_texts (body) VALUES ($1)", "binds": ["My manager shouts"]])
        logger.trace("Run action", metadata: ["psql_query": "SELECT 1", "psql_binds": ["P00004"], "psql_message_payload": "secret"])
        logger.debug("Running query", metadata: ["action": "create", "schema": "concerns", "input": ["I felt unheard"], "filters": ["employee_id = P00004"]])
        let seen = lines.all
        #expect(seen.count == 3)
        let text = seen.map { "\($0.0) \($0.1)" }.joined(separator: "\n")
        for secret in ["My manager shouts", "P00004", "secret", "I felt unheard"] { #expect(!text.contains(secret), "\(secret) in \(text)") }
        #expect(seen[0].1["sql"] != nil && seen[0].1["request-id"] == "r1" && seen[2].1["schema"] == "concerns")
    }
}
