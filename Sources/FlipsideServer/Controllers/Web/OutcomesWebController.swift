import FlipsideCore
import Foundation
import Vapor

/// A program's outcomes page: retention of mentors and mentees against a comparison group, as a chart
/// drawn on the server (SVG), a data table, the numbers at risk and the log-rank tests in words.
struct OutcomesWebController {
    func register(_ web: any RoutesBuilder) {
        web.get("programs", ":programID", "outcomes", use: page)
        web.get("programs", ":programID", "outcomes.csv", use: csv)
        web.get("outcomes", use: overview)
        web.get("outcomes.csv", use: overviewCSV)
    }

    static func point(_ p: RetentionDTO.Point?) -> String {
        guard let p else { return "—" }
        return String(format: "%.1f %% (%.1f–%.1f)", p.survival * 100, p.lower * 100, p.upper * 100)
    }

    static func overviewRows(_ o: OverviewDTO) -> [(OverviewDTO.ProgramRow, [String])] {
        o.programs.map { p in
            let shown = { (n: Int?) in p.pairs == nil ? "—" : n.map(String.init) ?? Suppression.Hidden.small.text }
            return (p, [p.name, p.status.rawValue, p.start ?? "", p.pairs.map(String.init) ?? Suppression.Hidden.small.text,
                        point(p.mentors_12_months), point(p.mentees_12_months), point(p.comparison_12_months),
                        p.mentors_vs_comparison.map { String(format: "p = %.2g", $0.p_value) } ?? "—",
                        p.pairs == nil ? "—" : p.crossing_departments.map { "\($0) of \(p.pairs!)" } ?? "not shown",
                        shown(p.meetings_held), shown(p.check_ins), shown(p.insights),
                        p.pairs == nil ? "—" : "\(p.actions_done ?? 0) of \(p.actions_planned ?? 0)"])
        }
    }

    /// The overview page: its body rendered once per data version and day (`renderKept`).
    func overview(req: Request) async throws -> Response {
        try req.authorize(.view, .outcomes)
        let censor = try req.censorDate()
        let outcomes = try await req.flipside.outcomes.reading()
        let day = censor ?? CalendarDate.today(now: req.flipside.now)
        return try await req.renderKept("overview-body", name: "overview-page.\(censor?.description ?? "today")", version: "\(try await outcomes.dataKey())|\(day)",
                                        chrome: PageChrome(request: req, title: "Outcomes across programs", nav: "outcomes")) {
            (Self.overviewPage(try await outcomes.overview(censor: censor)), .ok)
        }
    }

    static func overviewPage(_ o: OverviewDTO) -> Overview {
        let rows = Self.overviewRows(o).map { p, c in
            Overview.Row(name: c[0], url: SiteURL.program(p.id).path + "/outcomes", status: c[1], start: c[2], pairs: c[3], mentors: c[4], mentees: c[5],
                         comparison: c[6], test: c[7], crossing: c[8], meetings: c[9], checkIns: c[10], insights: c[11], actions: c[12])
        }
        let measured = o.programs.filter { $0.pairs != nil }
        let retentionChart = Charts.bars(
            measured.map { p in .init(label: p.name, bars: [p.mentors_12_months, p.mentees_12_months, p.comparison_12_months].enumerated().map { i, pt in
                .init(series: i, value: pt?.survival, lower: pt?.lower, upper: pt?.upper) }) },
            series: ["mentors (junior side)", "mentees (senior side)", "comparison group"], maximum: 1, format: Self.percent,
            axis: "still employed 12 months after the program started (95 % interval)", title: "Retention at 12 months, by program",
            description: measured.map { "\($0.name): mentors \(Self.point($0.mentors_12_months)), mentees \(Self.point($0.mentees_12_months)), comparison \(Self.point($0.comparison_12_months))" }
                .joined(separator: "; ") + ". A program not followed for 12 months yet shows no bar.", id: "overview-retention-chart")
        let participationChart = Self.participationChart(
            o.participation, series: ["share of places across programs", "share of the organisation"], title: "Who takes part across all programs, by department",
            description: "Each department's share of the places taken in all programs against its share of the organisation; figures in the tables below.", id: "overview-participation-chart")
        return Overview(
            censoredAt: o.censored_at, employed: o.employed,
            participants: o.participants.map(String.init) ?? Suppression.Hidden.small.text, rows: rows, retentionChart: retentionChart,
            participationChart: participationChart, participation: OutcomesTable.linked(Self.overviewParticipation(o), csvURL: "/outcomes.csv?table="))
    }

    /// The overview's participation tables: places across programs (the sums of the programs' own tables).
    static func overviewParticipation(_ o: OverviewDTO) -> [OutcomesTable] {
        OutcomesTable.participation(o.participation, id: "overview-places", took: "Places taken", key: "places",
                                    caption: { "Places taken in all programs, by \($0), against the organisation" }, total: "All places")
    }

    /// The overview's tables as CSV (`?table=programs` or `participation`).
    func overviewCSV(req: Request) async throws -> Response {
        try req.authorize(.view, .outcomes)
        let table = req.query[String.self, at: "table"] ?? ""
        guard ["programs", "participation"].contains(table) else {
            throw APIError.invalid([FieldProblem(field: "table", reason: "must be one of programs, participation")])
        }
        let o = try await req.flipside.outcomes.overview(censor: try req.censorDate())
        let header: [String], rows: [[String]]
        if table == "programs" {
            header = ["program", "status", "start", "pairs", "mentors_12_months", "mentees_12_months", "comparison_12_months", "log_rank_mentors",
                      "pairs_crossing_departments", "meetings_held", "check_ins", "insights", "actions_done_of_planned"]
            rows = Self.overviewRows(o).map(\.1)
        } else {
            return Self.csvResponse(OutcomesTable.csv(Self.overviewParticipation(o), name: "participation") ?? "", name: "outcomes-\(table).csv")
        }
        return Self.csvResponse(CSVExport.table(header: header, rows: rows), name: "outcomes-\(table).csv")
    }

    static func csvResponse(_ body: String, name: String) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentDisposition, value: "attachment; filename=\"\(name)\"")
        return Response(status: .ok, headers: headers, body: .init(string: body))
    }

    /// Every table of the outcomes page as CSV (`?table=` one of `tables`), the same suppressed figures.
    static let tables = ["retention", "at-risk", "promotion", "crossings", "level-gaps", "tenure-gaps", "topics", "participation", "summary", "months", "flags"]

    func csv(req: Request) async throws -> Response {
        try req.authorize(.view, .outcomes)
        let program = try await req.visibleProgram()
        let table = req.query[String.self, at: "table"] ?? ""
        guard Self.tables.contains(table) else {
            throw APIError.invalid([FieldProblem(field: "table", reason: "must be one of \(Self.tables.joined(separator: ", "))")])
        }
        let shown = { (n: Int?, hidden: Suppression.Hidden?) in OutcomesTable.cell(n, hidden) }
        let number = { (d: Double?) in d.map { String(format: "%.4f", $0) } ?? "" }
        switch table {
        case "retention", "at-risk":
            let r = try await req.flipside.outcomes.retention(program, censor: try req.censorDate())
            var header: [String] = [], rows: [[String]] = []
            if table == "retention" {
                header = ["group", "people", "exits", "day", "at_risk", "retention", "lower_95", "upper_95"]
                for g in r.groups {
                    let people = shown(g.people, g.people == nil ? .small : nil), exits = shown(g.exits, g.exits_hidden ?? (g.people == nil ? .small : nil))
                    if g.steps.isEmpty { rows.append([g.name, people, exits, "", "", "", "", ""]) }
                    for s in g.steps { rows.append([g.name, people, exits, String(format: "%g", s.time), String(s.at_risk), number(s.survival), number(s.lower), number(s.upper)]) }
                }
            } else {
                header = ["group", "day", "at_risk"]
                for g in r.groups { for a in g.at_risk { rows.append([g.name, String(a.day), shown(a.people, a.people == nil ? .small : nil)]) } }
            }
            return Self.csvResponse(CSVExport.table(header: header, rows: rows), name: "outcomes-\(table).csv")
        case "promotion":
            let p = try await req.flipside.outcomes.promotion(program, censor: try req.censorDate())
            return Self.csvResponse(OutcomesTable.csv([OutcomesTable.promotion(p)], name: table) ?? "", name: "outcomes-\(table).csv")
        case "summary", "months", "flags":
            let tables = OutcomesTable.engagement(try await req.flipside.outcomes.engagement(program))
            return Self.csvResponse(OutcomesTable.csv(tables, name: table) ?? "", name: "outcomes-\(table).csv")
        default:
            let tables = OutcomesTable.diversity(try await req.flipside.outcomes.diversity(program))
            return Self.csvResponse(OutcomesTable.csv(tables, name: table) ?? "", name: "outcomes-\(table).csv")
        }
    }

    /// The colour and dash of the mentors', the mentees' and the comparison group's curves.
    static let curveStyles: [(colour: String, dash: String?)] = [("#1f5fa8", nil), ("#a8431f", "6 3"), ("#4d4d4d", "2 3")]

    /// The groups' curves for `Charts.retention`, group `i` drawn in `curveStyles[styles[i]]`; a group
    /// whose curve is not shown draws nothing.
    static func curves(_ groups: [RetentionDTO.Group], styles: [Int]) -> [Charts.Series] {
        zip(groups, styles).filter { !$0.0.steps.isEmpty }.map { g, style in
            Charts.Series(name: g.name, colour: curveStyles[style].colour, dash: curveStyles[style].dash,
                          steps: g.steps.map { Charts.Step(time: $0.time, survival: $0.survival, lower: $0.lower, upper: $0.upper) })
        }
    }

    /// How a comparison group was formed, in words.
    static func formed(_ f: RetentionDTO.Formed) -> String {
        "\(f.description) \(f.strata_matched) of \(f.strata) participant groups had someone alike; \(f.participants_without_match) participants had nobody to compare with."
    }

    /// The diversity tables with their charts, each before its table.
    static func diversityTables(_ d: DiversityDTO) -> [OutcomesTable] {
        var tables = OutcomesTable.diversity(d)
        tables[0].chart = Charts.bars(
            d.crossings.map { c in .init(label: c.dimension, bars: [.init(series: 0, value: c.crossing.map { c.pairs > 0 ? Double($0) / Double(c.pairs) : 0 })]) },
            series: ["pairs that differ"], maximum: 1, format: percent, axis: "share of pairs whose two people differ",
            title: "Pairs that cross a line",
            description: d.crossings.map { c in "\(c.dimension): " + (c.crossing.map { "\($0) of \(c.pairs) pairs" } ?? "not shown (\(c.hidden?.text ?? ""))") }.joined(separator: "; ") + ".",
            id: "crossings-chart")
        tables[0].chartCaption = "Share of pairs whose two people differ; figures in the table below."
        let maxGap = Double((d.level_gaps + d.tenure_gaps).compactMap(\.count).max() ?? 1)
        func histogram(_ figures: [DiversityDTO.FigureDTO], title: String, id: String) -> String {
            Charts.bars(figures.map { .init(label: $0.label, bars: [.init(series: 0, value: $0.count.map(Double.init))]) }, series: ["pairs"],
                        maximum: maxGap, format: { String(Int($0.rounded())) }, axis: "pairs", title: title,
                        description: figures.map { "\($0.label): \($0.count.map { "\($0) pairs" } ?? $0.hidden?.text ?? "")" }.joined(separator: "; ") + ".", id: id)
        }
        tables[1].chart = histogram(d.level_gaps, title: "Level gap within the pairs", id: "level-gap-chart")
        tables[1].chartCaption = "Level gap within the pairs (the mentee's level minus the mentor's)."
        tables[2].chart = histogram(d.tenure_gaps, title: "Difference in tenure within the pairs", id: "tenure-gap-chart")
        tables[2].chartCaption = "Difference in tenure within the pairs."
        if let i = tables.firstIndex(where: { $0.id == "participation-department" }) {
            tables[i].chart = participationChart(
                d.participation, series: ["share of participants", "share of the organisation"], title: "Who takes part, by department, against the organisation",
                description: "A department whose share of participants is far below its share of the organisation is missing from the program. Figures are in the table below.",
                id: "participation-chart")
            tables[i].chartCaption = "Who takes part, by department: share of participants against share of the organisation."
        }
        return tables
    }

    /// Each department's share of the participants against its share of the organisation (a
    /// suppressed count draws no bar); empty when there is no department breakdown.
    static func participationChart(_ participation: [DiversityDTO.Participation], series: [String], title: String, description: String, id: String) -> String {
        guard let departments = participation.first(where: { $0.dimension == "department" }) else { return "" }
        let inProgram = Double(departments.total ?? departments.rows.compactMap(\.participants).reduce(0, +)), everyone = Double(departments.organisation_total)
        let share = { (n: Int?, of: Double) in n.map { of > 0 ? Double($0) / of : 0 } }
        return Charts.bars(
            departments.rows.map { r in .init(label: r.value, bars: [.init(series: 0, value: share(r.participants, inProgram)), .init(series: 1, value: share(r.organisation, everyone))]) },
            series: series, maximum: max(0.05, departments.rows.flatMap { [share($0.participants, inProgram), share($0.organisation, everyone)] }.compactMap { $0 }.max() ?? 1),
            format: percent, axis: "share of each group", title: title, description: description, id: id)
    }

    /// The engagement tables with their charts.
    static func engagementTables(_ e: EngagementDTO) -> [OutcomesTable] {
        var tables = OutcomesTable.engagement(e)
        tables[1].chart = Charts.bars(
            e.months.map { m in .init(label: m.month, bars: [.init(series: 0, value: m.satisfaction), .init(series: 1, value: m.listened)]) },
            series: ["satisfaction", "felt listened to (mentors only)"], maximum: 5, format: { String(format: "%.1f", $0) }, axis: "mean answer, 1 to 5",
            title: "Satisfaction and feeling listened to, by month",
            description: e.months.map { m in
                let satisfaction = m.satisfaction.map { String(format: "satisfaction %.1f", $0) } ?? "fewer than 5 answers"
                return "\(m.month): " + satisfaction + (m.listened.map { String(format: ", listened %.1f", $0) } ?? "")
            }.joined(separator: "; ") + ".", id: "months-chart")
        tables[1].chartCaption = "Mean satisfaction and “felt listened to” by month; a month with fewer than 5 answers shows no bar."
        tables[2].chart = Charts.bars(
            e.flagged.map { f in .init(label: (HealthFlag.Kind(rawValue: f.label)?.label ?? f.label), bars: [.init(series: 0, value: f.count.map(Double.init))]) }, series: ["partnerships"],
            maximum: Double(max(e.flagged.compactMap(\.count).max() ?? 1, 1)), format: { String(Int($0.rounded())) }, axis: "partnerships flagged now",
            title: "Partnerships flagged, by sign",
            description: e.flagged.map { "\((HealthFlag.Kind(rawValue: $0.label)?.label ?? $0.label)): \(OutcomesTable.cell($0.count, $0.hidden))" }.joined(separator: "; ") + ".",
            id: "flags-chart")
        tables[2].chartCaption = "Partnerships flagged now, by sign (a pair can show more than one)."
        return tables
    }

    static func percent(_ v: Double) -> String { String(format: "%.0f %%", v * 100) }

    /// A program's outcomes page: its body rendered once per data version, day and minute (`renderKept`).
    func page(req: Request) async throws -> Response {
        try req.authorize(.view, .outcomes)
        let program = try await req.visibleProgram()
        let censor = try req.censorDate()
        let outcomes = try await req.flipside.outcomes.reading()
        let now = req.flipside.now
        let version = "\(try await outcomes.dataKey())|\(censor ?? CalendarDate.today(now: now))|\(ResultCache.minute(of: now))"
        return try await req.renderKept("outcomes-body", name: "outcomes-page.\(program.id).\(censor?.description ?? "today")", version: version,
                                        chrome: PageChrome(request: req, title: "Outcomes · \(program.name)", nav: "programs")) {
            try await Self.build(outcomes, program: program, censor: censor)
        }
    }

    /// The outcomes page's model with `chrome` (`flipside report` renders it to a file).
    static func page(_ scope: ServiceScope, program: Program, censor: CalendarDate?, chrome: PageChrome) async throws -> (Page, HTTPStatus) {
        var (page, status) = try await build(try await scope.outcomes.reading(), program: program, censor: censor)
        page.page = chrome
        return (page, status)
    }

    private static func build(_ outcomes: OutcomesViews, program: Program, censor: CalendarDate?) async throws -> (Page, HTTPStatus) {
        let chrome = PageChrome(reportTitle: "")
        let dto: RetentionDTO
        // The reports read different tables: they run side by side.
        @Sendable func attempt<T: Sendable>(_ body: @Sendable () async throws -> T) async -> Result<T, any Error> {
            do { return .success(try await body()) } catch { return .failure(error) }
        }
        async let diversity = attempt { try await outcomes.diversity(program) }
        async let engagement = attempt { try await outcomes.engagement(program) }
        async let promotion = attempt { try await outcomes.promotion(program, censor: censor) }
        do {
            dto = try await outcomes.retention(program, censor: censor)
        } catch let error as OutcomesError {
            let answer = APIError.from(error)
            return (Page(page: chrome, programName: program.name, programURL: SiteURL.program(program.id).path, start: "", censoredAt: "",
                         chart: "", rows: [], riskDays: [], risk: [], comparison: "", tests: [], caveat: nil, message: answer.message), answer.status)
        }
        func pct(_ p: RetentionDTO.Point?, day: Double) -> String {
            if day > dto.days { return "not reached yet" }
            guard let p else { return "not shown (fewer than 5 followed, or fewer than 5 exits or stayed)" }
            return String(format: "%.1f %% (95 %% CI %.1f–%.1f)", p.survival * 100, p.lower * 100, p.upper * 100)
        }
        let series = Self.curves(dto.groups, styles: [0, 1, 2])
        let description = dto.groups.map { g in
            g.people == nil ? "\(g.name): fewer than 5 people, not shown." : "\(g.name): \(g.people!) people; retention at 6 months \(pct(g.six_months, day: RetentionAnalysis.sixMonths)), at 12 months \(pct(g.twelve_months, day: RetentionAnalysis.twelveMonths))."
        }.joined(separator: " ")
        func test(_ name: String, _ t: RetentionDTO.Test?, events: String = "an exit") -> String {
            guard let t else { return "\(name): not tested (a group shows no curve, or neither group has \(events) yet)." }
            return "\(name): log-rank χ² = \(String(format: "%.1f", t.statistic)), p = \(String(format: "%.2g", t.p_value)) — "
                + (t.p_value < RetentionFigures.significance ? "the curves differ more than chance would explain" : "no difference beyond chance")
        }
        let days = dto.groups.first?.at_risk.map(\.day) ?? []
        let page = Page(
            page: chrome, programName: program.name, programURL: SiteURL.program(program.id).path, start: dto.start, censoredAt: dto.censored_at,
            chart: Charts.retention(series, days: dto.days, title: "Retention since the program started", description: description, id: "retention-svg"),
            rows: dto.groups.map { .init(name: $0.name, people: OutcomesTable.cell($0.people, .small), exits: OutcomesTable.cell($0.exits, $0.exits_hidden ?? .small),
                                         six: pct($0.six_months, day: RetentionAnalysis.sixMonths), twelve: pct($0.twelve_months, day: RetentionAnalysis.twelveMonths)) },
            riskDays: days,
            risk: dto.groups.filter { $0.people != nil }.map { g in .init(name: g.name, cells: g.at_risk.map { $0.people.map(String.init) ?? Suppression.Hidden.small.short }) },
            comparison: Self.formed(dto.comparison_group),
            tests: [test("Mentors against the comparison group", dto.mentors_vs_comparison), test("Mentees against the comparison group", dto.mentees_vs_comparison)],
            caveat: dto.caveat, message: nil)
        var full = page
        full.csvURL = SiteURL.program(program.id).path + "/outcomes.csv?table="
        // Retention was shown, so promotion can be: the same start and follow-up.
        let p = try await promotion.get()
        // Mentors and the comparison group look as they do in the retention chart.
        let promotionSeries = Self.curves(p.groups, styles: [0, 2])
        let promotionDescription = p.groups.map { g in
            g.people == nil ? "\(g.name): fewer than 5 people, not shown."
                : "\(g.name): \(g.people!) people; promoted by 12 months \(OutcomesTable.promoted(g.twelve_months, day: RetentionAnalysis.twelveMonths, followed: p.days))."
        }.joined(separator: " ")
        full.promotion = Promotion(
            chart: Charts.retention(promotionSeries, days: p.days, title: "Not yet promoted since the program started", description: promotionDescription, id: "promotion-chart"),
            tables: OutcomesTable.linked([OutcomesTable.promotion(p)], csvURL: full.csvURL),
            test: test("Mentors against the comparison group", p.mentors_vs_comparison, events: "a promotion"),
            comparison: Self.formed(p.comparison_group), caveat: p.caveat)
        do {
            let d = try await diversity.get(), e = try await engagement.get()
            full.diversity = d
            full.diversityTables = OutcomesTable.linked(Self.diversityTables(d), csvURL: full.csvURL)
            full.engagementTables = OutcomesTable.linked(Self.engagementTables(e), csvURL: full.csvURL)
        } catch let error as OutcomesError where error == .tooFewPairs {
            full.reportsNote = error.message
        }
        return (full, .ok)
    }
}
