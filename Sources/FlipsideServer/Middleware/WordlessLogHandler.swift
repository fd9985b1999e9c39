import Logging
import FluentPostgresDriver

/// A log handler that passes on what a log line may hold and nothing else, at every level: the
/// database libraries log each statement's bound values at `debug` and `trace` (SQLiteKit's and
/// PostgresKit's `binds`, PostgresNIO's `psql_binds` and wire payloads, Fluent's query `input` and
/// `filters`), which would put participants' notes, feedback and concerns — and, under one request id,
/// the employee id of a concern's author — into the log. Only metadata named here is kept: the
/// statement's SQL (placeholders, no values), its kind and table, the request id, the migration.
/// A self-hoster can turn on `LOG_LEVEL=trace` to chase a problem without breaking the privacy model.
public struct WordlessLogHandler: LogHandler {
    /// Metadata keys whose values are never anyone's words or identifiers.
    static let kept: Set<String> = ["request-id", "sql", "psql_query", "action", "schema", "migration", "database-id",
                                    "psql_connection_id", "psql_connection_state", "psql_command_tag",
                                    "psql_database", "psql_username", "psql_name", "unique", "source"]

    private var inner: any LogHandler

    public init(_ inner: any LogHandler) { self.inner = inner }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = Self.filtered(newValue) ?? [:] }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = Self.kept.contains(key) ? newValue : nil }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public func log(event: LogEvent) {
        var event = event
        event.metadata = Self.filtered(event.metadata)
        inner.log(event: event)
    }

    static func filtered(_ metadata: Logger.Metadata?) -> Logger.Metadata? {
        guard let metadata, !metadata.isEmpty else { return metadata }
        return metadata.filter { kept.contains($0.key) }
    }
}

/// What of an error may go into the log: PostgreSQL's `detail` (and `where`) repeat row values — a
/// failing row's note, an email that clashed — so a database error is logged by its code, SQL state,
/// message (which names a constraint, not values), table, column and constraint alone.
enum LoggedError {
    static func text(_ error: any Error) -> String {
        guard let psql = error as? PSQLError else { return String(reflecting: error) }
        var parts = ["code: \(psql.code)"]
        if let info = psql.serverInfo {
            for (name, field) in [("sqlState", PSQLError.ServerInfo.Field.sqlState), ("message", .message), ("table", .tableName),
                                  ("column", .columnName), ("constraint", .constraintName)] {
                if let value = info[field] { parts.append("\(name): \(value)") }
            }
        }
        return "PSQLError(\(parts.joined(separator: ", ")))"
    }
}
