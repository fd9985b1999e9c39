import FlipsideCore
import Foundation
import Vapor

/// A program's outcomes page: retention of mentors and mentees against a comparison group, as a chart
/// drawn on the server (SVG), a data table, the numbers at risk and the log-rank tests in words.
struct OutcomesWebController {
    func register(_ web: any RoutesBuilder) {
        web.get("programs", ":programID", "outcomes", use: page)
        web.get("programs", ":programID", "outcomes.csv", use: csv)
    }

    /// Every table of the outcomes page as CSV (`?table=` one of `tables`), the same suppressed figures.
    static let tables = ["retention", "at-risk", "crossings", "level-gaps", "tenure-gaps", "topics", "participation", "months", "flags"]

    func csv(req: Request) async throws -> Response {
        try req.authorize(.view, .outcomes)
        let program = try await req.visibleProgram()
        let table = req.query[String.self, at: "table"] ?? ""
        guard Self.tables.contains(table) else {
            throw APIError.invalid([FieldProblem(field: "table", reason: "must be one of \(Self.tables.joined(separator: ", "))")])
        }
        let shown = { (n: Int?) in n.map(String.init) ?? "fewer than 5" }
        let number = { (d: Double?) in d.map { String(format: "%.4f", $0) } ?? "" }
        var header: [String] = [], rows: [[String]] = []
        switch table {
        case "retention", "at-risk":
            let r = try await req.flipside.outcomes.retention(program, censor: req.query[String.self, at: "censor"].flatMap(CalendarDate.init(iso:)))
            if table == "retention" {
                header = ["group", "people", "exits", "day", "at_risk", "retention", "lower_95", "upper_95"]
                for g in r.groups {
                    if g.steps.isEmpty { rows.append([g.name, shown(g.people), shown(g.exits), "", "", "", "", ""]) }
                    for s in g.steps { rows.append([g.name, shown(g.people), shown(g.exits), String(format: "%g", s.time), String(s.at_risk), number(s.survival), number(s.lower), number(s.upper)]) }
                }
            } else {
                header = ["group", "day", "at_risk"]
                for g in r.groups { for a in g.at_risk { rows.append([g.name, String(a.day), shown(a.people)]) } }
            }
        case "months", "flags":
            let e = try await req.flipside.outcomes.engagement(program)
            if table == "months" {
                header = ["month", "answers", "satisfaction_mean", "felt_listened_to_mean"]
                rows = e.months.map { [$0.month, shown($0.answers), number($0.satisfaction), number($0.listened)] }
            } else {
                header = ["sign", "partnerships"]
                rows = e.flagged.map { [$0.label, shown($0.count)] }
            }
        default:
            let d = try await req.flipside.outcomes.diversity(program)
            switch table {
            case "crossings":
                header = ["differ_in", "pairs_differing", "pairs_known"]
                rows = d.crossings.map { [$0.dimension, shown($0.crossing), String($0.pairs)] }
            case "level-gaps", "tenure-gaps":
                header = ["gap", "pairs"]
                rows = (table == "level-gaps" ? d.level_gaps : d.tenure_gaps).map { [$0.label, shown($0.count)] }
            case "topics":
                header = ["topic", "mentor_level_band", "pairs"]
                rows = d.topics.flatMap { t in t.by_level.map { [t.topic, $0.label, shown($0.count)] } }
            default:
                header = ["dimension", "value", "in_program", "in_organisation"]
                rows = d.participation.flatMap { p in p.rows.map { [p.dimension, $0.value, shown($0.participants), shown($0.organisation)] } }
            }
        }
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"outcomes-\(table).csv\"")
        return Response(status: .ok, headers: headers, body: .init(string: CSVExport.table(header: header, rows: rows)))
    }

    struct Page: Encodable {
        struct Row: Encodable { var name: String; var people: String; var exits: String; var six: String; var twelve: String }
        struct RiskRow: Encodable { var name: String; var cells: [String] }
        var page: PageChrome
        var programName: String
        var programURL: String
        var start: String
        var censoredAt: String
        var chart: String
        var rows: [Row]
        var riskDays: [Int]
        var risk: [RiskRow]
        var comparison: String
        var tests: [String]
        var caveat: String?
        var message: String?
        var diversity: DiversityDTO? = nil
        var engagement: EngagementDTO? = nil
        var levelBands: [String] = ["levels 1–2", "levels 3–4", "levels 5–6", "levels 7+"]
        var reportsNote: String? = nil
        var csvURL: String = ""
    }

    func page(req: Request) async throws -> Response {
        try req.authorize(.view, .outcomes)
        let program = try await req.visibleProgram()
        let (page, status) = try await Self.page(req, program: program, chrome: PageChrome(request: req, title: "Outcomes · \(program.name)", nav: "programs"))
        return try await req.render("outcomes", page, status: status)
    }

    /// The outcomes page's model (the page and `flipside report` render the same).
    static func page(_ req: Request, program: Program, chrome: PageChrome) async throws -> (Page, HTTPStatus) {
        let dto: RetentionDTO
        do {
            dto = try await req.flipside.outcomes.retention(program, censor: req.query[String.self, at: "censor"].flatMap(CalendarDate.init(iso:)))
        } catch let error as APIError {
            return (Page(page: chrome, programName: program.name, programURL: SiteURL.program(program.id).path, start: "", censoredAt: "",
                         chart: "", rows: [], riskDays: [], risk: [], comparison: "", tests: [], caveat: nil, message: error.message), error.status)
        }
        func pct(_ p: RetentionDTO.Point?, day: Double) -> String {
            if day > dto.days { return "not reached yet" }
            guard let p else { return "not shown (fewer than 5 followed, or fewer than 5 exits)" }
            return String(format: "%.1f %% (95 %% CI %.1f–%.1f)", p.survival * 100, p.lower * 100, p.upper * 100)
        }
        let colours = ["#1f5fa8", "#a8431f", "#4d4d4d"], dashes: [String?] = [nil, "6 3", "2 3"]
        let series = dto.groups.enumerated().filter { !$0.element.steps.isEmpty }.map { i, g in
            Charts.Series(name: g.name, colour: colours[i], dash: dashes[i],
                          steps: g.steps.map { Charts.Step(time: $0.time, survival: $0.survival, lower: $0.lower, upper: $0.upper) })
        }
        let description = dto.groups.map { g in
            g.people == nil ? "\(g.name): fewer than 5 people, not shown." : "\(g.name): \(g.people!) people; retention at 6 months \(pct(g.six_months, day: 183)), at 12 months \(pct(g.twelve_months, day: 365))."
        }.joined(separator: " ")
        func test(_ name: String, _ t: RetentionDTO.Test?) -> String {
            guard let t else { return "\(name): not tested (a group has fewer than 5 people)." }
            return "\(name): log-rank χ² = \(String(format: "%.2f", t.statistic)), p = \(String(format: "%.3g", t.p_value)) — "
                + (t.p_value < 0.05 ? "the curves differ more than chance would explain" : "no difference beyond chance")
        }
        let days = dto.groups.first?.at_risk.map(\.day) ?? []
        let page = Page(
            page: chrome, programName: program.name, programURL: SiteURL.program(program.id).path, start: dto.start, censoredAt: dto.censored_at,
            chart: Charts.retention(series, days: dto.days, title: "Retention since the program started", description: description),
            rows: dto.groups.map { .init(name: $0.name, people: $0.people.map(String.init) ?? "fewer than 5", exits: $0.exits.map(String.init) ?? "fewer than 5",
                                         six: pct($0.six_months, day: 183), twelve: pct($0.twelve_months, day: 365)) },
            riskDays: days,
            risk: dto.groups.filter { $0.people != nil }.map { g in .init(name: g.name, cells: g.at_risk.map { $0.people.map(String.init) ?? "<5" }) },
            comparison: "\(dto.comparison_group.description) \(dto.comparison_group.strata_matched) of \(dto.comparison_group.strata) participant groups had someone alike; \(dto.comparison_group.participants_without_match) participants had nobody to compare with.",
            tests: [test("Mentors against the comparison group", dto.mentors_vs_comparison), test("Mentees against the comparison group", dto.mentees_vs_comparison)],
            caveat: dto.caveat, message: nil)
        var full = page
        full.csvURL = SiteURL.program(program.id).path + "/outcomes.csv?table="
        do {
            full.diversity = try await req.flipside.outcomes.diversity(program)
            full.engagement = try await req.flipside.outcomes.engagement(program)
        } catch let error as APIError where error.status == .conflict {
            full.reportsNote = error.message
        }
        return (full, .ok)
    }
}
