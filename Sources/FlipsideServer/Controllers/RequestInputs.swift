import FlipsideCore
import Vapor

// What a request brings besides its decoded body: the uploaded file (bounded) and query parameters.

/// The largest file each upload route reads.
enum UploadLimits {
    /// An HR export: 100,000 people take about 15 MB.
    static let people = 64 * 1024 * 1024
    static let enrolments = 16 * 1024 * 1024
}

extension Request {
    /// Reads the streamed request body, up to `limit` bytes (a 413 beyond). Upload routes stream their
    /// bodies and call this only after the login check, so an anonymous or participant's upload is
    /// refused before a byte of it is held in memory.
    func collectBody(upTo limit: Int) async throws {
        let buffer = try await body.collect(max: limit).get()
        // A client that hangs up mid-upload ends the stream early rather than with an error: never import
        // the part that arrived.
        if let declared = headers.first(name: .contentLength).flatMap(Int.init), declared != (buffer?.readableBytes ?? 0) {
            throw ClientAbort()
        }
    }
}

/// The client went away before its request was complete (an aborted upload, a closed connection).
/// Nobody is left to answer; logged at debug level, never as a server error.
struct ClientAbort: Error {}

extension Request {
    /// The `censor` query parameter (follow people up to this day), for pages and the API alike.
    func censorDate() throws -> CalendarDate? {
        guard let raw = query[String.self, at: "censor"], !raw.isEmpty else { return nil }
        guard let date = CalendarDate(iso: raw) else { throw OutcomesError.invalid([FieldProblem(field: "censor", reason: "must be a date YYYY-MM-DD")]) }
        return date
    }
}
