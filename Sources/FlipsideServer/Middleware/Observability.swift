import Fluent
import Foundation
import Prometheus
import SQLKit
import Vapor

/// This process's metrics in Prometheus's text format (`GET /metrics`): requests by method, route
/// pattern and status with their latencies, import and match-run durations, and the depth of the
/// work queue (read from the database when scraped).
final class FlipsideMetrics: Sendable {
    static let shared = FlipsideMetrics()
    let registry = PrometheusCollectorRegistry()
    private static let latencyBuckets: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                                     .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10)]
    private static let workBuckets: [Duration] = [.milliseconds(100), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5), .seconds(10),
                                                  .seconds(30), .seconds(60), .seconds(120), .seconds(300)]

    func request(method: String, route: String, status: UInt, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(descriptor: .init(namespace: "flipside", metricName: "http_requests", unitName: "total",
                                               helpText: "HTTP requests by method, route pattern and status"), labels: labels).increment()
        registry.makeDurationHistogram(descriptor: .init(namespace: "flipside", metricName: "http_request_duration", unitName: "seconds",
                                                         helpText: "HTTP request latency by method and route pattern"),
                                       labels: [("method", method), ("route", route)], buckets: Self.latencyBuckets).record(duration)
    }

    /// An import (people or enrolments), whether it landed or was refused.
    func imported(_ kind: String, outcome: String, duration: Duration) {
        registry.makeDurationHistogram(descriptor: .init(namespace: "flipside", metricName: "import_duration", unitName: "seconds",
                                                         helpText: "CSV/XLSX import durations by kind and outcome"),
                                       labels: [("kind", kind), ("outcome", outcome)], buckets: Self.workBuckets).record(duration)
    }

    /// The computation of one match run (scoring, solving, explaining).
    func matchRun(background: Bool, duration: Duration) {
        registry.makeDurationHistogram(descriptor: .init(namespace: "flipside", metricName: "match_run_duration", unitName: "seconds",
                                                         helpText: "Match run computation time"),
                                       labels: [("mode", background ? "background" : "request")], buckets: Self.workBuckets).record(duration)
    }

    /// The queue's depth as the database has it now, then everything as text.
    func exposition(db: any Database) async throws -> String {
        let sql = db as! any SQLDatabase
        let due = try await sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(Outbox.table)
            .where("done_at", .is, SQLLiteral.null).where("failed_at", .is, SQLLiteral.null).first()?.decode(column: "n", as: Int.self) ?? 0
        registry.makeGauge(descriptor: .init(namespace: "flipside", metricName: "queue_depth", unitName: "jobs",
                                             helpText: "Jobs waiting in the outbox (clean-ups, background match runs)")).set(Double(due))
        return registry.emitToString()
    }

    /// Times `body` as an import of `kind`.
    func timingImport<T>(_ kind: String, _ body: () async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        do {
            let result = try await body()
            imported(kind, outcome: "imported", duration: ContinuousClock.now - started)
            return result
        } catch {
            imported(kind, outcome: "refused", duration: ContinuousClock.now - started)
            throw error
        }
    }
}

/// Every request gets an id: the client's `X-Request-Id` when it is a plain token (letters, digits,
/// `-`, `_`, `.`, up to 64), a new one otherwise. It is in every log line of the request, in the
/// response's `X-Request-Id` header and in error bodies and pages. The request is counted and timed
/// by its route pattern (`/api/v1/programs/:programID`, never the ids in it).
struct RequestObservation: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let id = request.headers.first(name: "X-Request-Id").flatMap(Self.acceptable) ?? UUID().uuidString.lowercased()
        request.logger[metadataKey: "request-id"] = .string(id)
        request.storage[RequestIDKey.self] = id
        let started = ContinuousClock.now
        var status: UInt = 500   // what an error that passes every middleware becomes
        defer {
            FlipsideMetrics.shared.request(method: request.method.rawValue, route: Self.route(of: request), status: status, duration: ContinuousClock.now - started)
        }
        let response = try await next.respond(to: request)
        response.headers.replaceOrAdd(name: "X-Request-Id", value: id)
        status = response.status.code
        return response
    }

    static func acceptable(_ value: String) -> String? {
        guard (1...64).contains(value.count), value.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) })
        else { return nil }
        return value
    }

    static func route(of request: Request) -> String {
        guard let route = request.route else { return "unmatched" }
        return "/" + route.path.map(\.description).joined(separator: "/")
    }
}

struct RequestIDKey: StorageKey { typealias Value = String }

extension Request {
    /// This request's id (see `RequestObservation`).
    var requestID: String { storage[RequestIDKey.self] ?? "-" }
}
