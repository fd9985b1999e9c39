import Fluent
import FlipsideCore
import Foundation
import SQLKit
import Vapor

/// Who the stores record actions for (a request's login, or `system` for commands and background
/// work), and the table the trail is kept in. Stores record inside the transaction of the change
/// itself: the trail holds exactly what happened.
struct AuditTrail: Sendable {
    static let table = "audit_events"

    var actor: String
    /// Where each line's time comes from (the application's clock, so a test's `ManualClock` reaches it).
    var clock: any WallClock

    /// Commands, the demo loader and background work.
    static func system(_ clock: any WallClock) -> AuditTrail { AuditTrail(actor: "system", clock: clock) }

    struct Row: Codable, Sendable {
        var id: UUID
        var at: Double
        var actor: String
        var action: String
        var object_type: String
        var object_id: String
        var detail: String

        init(_ e: AuditEvent) {
            id = e.id
            at = e.at.timeIntervalSince1970
            actor = e.actor
            action = e.action.rawValue
            object_type = e.objectType
            object_id = e.objectID
            detail = e.detail
        }

        var event: AuditEvent? {
            AuditAction(rawValue: action).map {
                AuditEvent(id: id, at: Date(timeIntervalSince1970: at), actor: actor, action: $0, objectType: object_type, objectID: object_id, detail: detail)
            }
        }
    }

    func record(_ action: AuditAction, _ objectType: String, _ objectID: String, _ detail: String = "", at: Date? = nil, on db: any Database) async throws {
        let event = AuditEvent(at: at ?? clock.now, actor: actor, action: action, objectType: objectType, objectID: objectID, detail: String(detail.prefix(500)))
        try await (db as! any SQLDatabase).insert(into: Self.table).model(Row(event)).run()
    }

    /// A page of the trail, newest first, filtered.
    struct Filter: Sendable {
        var action: AuditAction?
        var actor: String?
        var from: CalendarDate?
        var to: CalendarDate?
    }

    static func events(_ filter: Filter, limit: Int, offset: Int = 0, on db: any Database) async throws -> (events: [AuditEvent], total: Int) {
        let sql = db as! any SQLDatabase
        func filtered(_ query: SQLSelectBuilder) -> SQLSelectBuilder {
            var query = query
            if let action = filter.action { query = query.where("action", .equal, action.rawValue) }
            if let actor = filter.actor?.trimmingCharacters(in: .whitespaces).lowercased(), !actor.isEmpty {
                query = query.where(SQLFunction("LOWER", args: SQLIdentifier("actor")), .like, SQLBind("%" + actor.replacingOccurrences(of: "%", with: "") + "%"))
            }
            if let from = filter.from { query = query.where("at", .greaterThanOrEqual, Double(from.dayNumber) * 86_400) }
            if let to = filter.to { query = query.where("at", .lessThan, Double(to.dayNumber + 1) * 86_400) }
            return query
        }
        let total = try await filtered(sql.select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(table)).first()?
            .decode(column: "n", as: Int.self) ?? 0
        let rows = try await filtered(sql.select().column("*").from(table)).orderBy("at", .descending).orderBy("id")
            .limit(limit).offset(offset).all(decoding: Row.self)
        return (rows.compactMap(\.event), total)
    }
}

extension Request {
    /// The audit trail's actor for this request: the signed-in login's email.
    var auditTrail: AuditTrail {
        AuditTrail(actor: (auth.get(UserModel.self)?.email).map { $0 } ?? "anonymous", clock: application.clock)
    }
}
