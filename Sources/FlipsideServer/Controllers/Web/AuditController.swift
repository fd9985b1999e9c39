import FlipsideCore
import Vapor

/// The audit trail: a filterable page, its CSV export and the same list in the API — coordinators only.
struct AuditController {
    func register(web: any RoutesBuilder, api: any RoutesBuilder) {
        web.get("audit", use: page)
        web.get("audit.csv", use: csv)
        api.get("audit", use: list)
    }

    struct EventDTO: Content {
        var id: UUID
        var at: Date
        var actor: String
        var action: AuditAction
        var object_type: String
        var object_id: String
        var detail: String
        init(_ e: AuditEvent) {
            id = e.id
            at = e.at
            actor = e.actor
            action = e.action
            object_type = e.objectType
            object_id = e.objectID
            detail = e.detail
        }
    }

    struct ListDTO: Content {
        var items: [EventDTO]
        var page: Int
        var per: Int
        var total: Int
    }

    /// The filter from the query (`action`, `actor`, `from`, `to` as YYYY-MM-DD); a bad value is a 422 naming it.
    static func filter(_ req: Request) throws -> AuditTrail.Filter {
        var problems: [FieldProblem] = []
        var filter = AuditTrail.Filter()
        if let raw = req.query[String.self, at: "action"], !raw.isEmpty {
            if let action = AuditAction(rawValue: raw) { filter.action = action } else {
                problems.append(FieldProblem(field: "action", reason: "must be one of \(AuditAction.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        if let raw = req.query[String.self, at: "actor"], !raw.isEmpty {
            guard raw.count <= 254 else { throw APIError.invalid([FieldProblem(field: "actor", reason: "must be at most 254 characters")]) }
            filter.actor = raw
        }
        for (name, keyPath) in [("from", \AuditTrail.Filter.from), ("to", \AuditTrail.Filter.to)] {
            if let raw = req.query[String.self, at: name], !raw.isEmpty {
                if let date = CalendarDate(iso: raw) { filter[keyPath: keyPath] = date } else { problems.append(FieldProblem(field: name, reason: "must be a date YYYY-MM-DD")) }
            }
        }
        if !problems.isEmpty { throw APIError.invalid(problems) }
        return filter
    }

    func list(req: Request) async throws -> ListDTO {
        try req.authorize(.view, .audit)
        let per = try pageParameter(req, "per", default: 100, most: 500)
        let page = try pageParameter(req, "page", default: 1, most: PageLimits.pages)
        let (events, total) = try await AuditTrail.events(try Self.filter(req), limit: per, offset: (page - 1) * per, on: req.db)
        return ListDTO(items: events.map(EventDTO.init), page: page, per: per, total: total)
    }

    static func query(_ req: Request, page: Int? = nil) -> String {
        var items: [URLQueryItem] = []
        for name in ["action", "actor", "from", "to"] {
            if let value = req.query[String.self, at: name], !value.isEmpty { items.append(URLQueryItem(name: name, value: value)) }
        }
        if let page { items.append(URLQueryItem(name: "page", value: String(page))) }
        var components = URLComponents()
        components.queryItems = items
        return items.isEmpty ? "" : "?" + (components.percentEncodedQuery ?? "")
    }

    func page(req: Request) async throws -> View {
        try req.authorize(.view, .audit)
        let filter = try Self.filter(req)
        let number = try pageParameter(req, "page", default: 1, most: PageLimits.pages)
        let per = 50
        let (events, total) = try await AuditTrail.events(filter, limit: per, offset: (number - 1) * per, on: req.db)
        let pages = max(1, (total + per - 1) / per)
        let formatter = ISO8601DateFormatter()
        return try await req.view.render("audit", Page(
            page: PageChrome(request: req, title: "Audit trail", nav: "audit"),
            rows: events.map { .init(at: formatter.string(from: $0.at), actor: $0.actor, action: $0.action.label, object: "\($0.objectType) \($0.objectID)", detail: $0.detail) },
            actions: [.init(value: "", label: "every action", selected: filter.action == nil)]
                + AuditAction.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: filter.action == $0) },
            actor: filter.actor ?? "", from: filter.from?.description ?? "", to: filter.to?.description ?? "", total: total,
            pageNumber: number, pageCount: pages,
            previousURL: number > 1 ? "/audit" + Self.query(req, page: number - 1) : nil,
            nextURL: number < pages ? "/audit" + Self.query(req, page: number + 1) : nil,
            csvURL: "/audit.csv" + Self.query(req)))
    }

    /// Every event the filter selects (up to 100,000, newest first) as CSV; cells that would run as
    /// formulas in a spreadsheet are defused.
    func csv(req: Request) async throws -> Response {
        try req.authorize(.view, .audit)
        let (events, _) = try await AuditTrail.events(try Self.filter(req), limit: 100_000, on: req.db)
        let formatter = ISO8601DateFormatter()
        let body = CSVExport.table(header: ["at", "actor", "action", "object_type", "object_id", "detail"],
                                   rows: events.map { [formatter.string(from: $0.at), $0.actor, $0.action.rawValue, $0.objectType, $0.objectID, $0.detail] })
        return OutcomesWebController.csvResponse(body, name: "audit.csv")
    }
}
