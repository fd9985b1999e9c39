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
            let shown = { (n: Int?) in p.pairs == nil ? "—" : n.map(String.init) ?? Suppression.hiddenText }
            return (p, [p.name, p.status.rawValue, p.start ?? "", p.pairs.map(String.init) ?? Suppression.hiddenText,
                        point(p.mentors_12_months), point(p.mentees_12_months), point(p.comparison_12_months),
                        p.mentors_vs_comparison.map { String(format: "p = %.2g", $0.p_value) } ?? "—",
                        p.pairs == nil ? "—" : p.crossing_departments.map { "\($0) of \(p.pairs!)" } ?? "not shown",
                        shown(p.meetings_held), shown(p.check_ins), shown(p.insights),
                        p.pairs == nil ? "—" : "\(p.actions_done ?? 0) of \(p.actions_planned ?? 0)"])
        }
    }

    func overview(req: Request) async throws -> View {
        try req.authorize(.view, .outcomes)
        let o = try await req.flipside.outcomes.overview(censor: try req.censorDate())
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
            o.participation, series: ["share of everyone who took part", "share of the organisation"], title: "Who takes part across all programs, by department",
            description: "Each department's share of all participants against its share of the organisation; figures in the tables below.", id: "overview-participation-chart")
        return try await req.view.render("overview", Overview(
            page: PageChrome(request: req, title: "Outcomes across programs", nav: "outcomes"), censoredAt: o.censored_at, employed: o.employed,
            participants: o.participants.map(String.init) ?? Suppression.hiddenText, rows: rows, retentionChart: retentionChart,
            participationChart: participationChart, participation: o.participation))
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
            header = ["dimension", "value", "took_part", "in_organisation"]
            rows = o.participation.flatMap { p in p.rows.map { [p.dimension, $0.value, $0.participants.map(String.init) ?? Suppression.hiddenText, $0.organisation.map(String.init) ?? Suppression.hiddenText] } }
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
    static let tables = ["retention", "at-risk", "crossings", "level-gaps", "tenure-gaps", "topics", "participation", "months", "flags"]

    func csv(req: Request) async throws -> Response {
        try req.authorize(.view, .outcomes)
        let program = try await req.visibleProgram()
        let table = req.query[String.self, at: "table"] ?? ""
        guard Self.tables.contains(table) else {
            throw APIError.invalid([FieldProblem(field: "table", reason: "must be one of \(Self.tables.joined(separator: ", "))")])
        }
        let shown = { (n: Int?) in n.map(String.init) ?? Suppression.hiddenText }
        let number = { (d: Double?) in d.map { String(format: "%.4f", $0) } ?? "" }
        let mean = { (d: Double?) in d.map { String(format: "%.1f", $0) } ?? "" }
        var header: [String] = [], rows: [[String]] = []
        switch table {
        case "retention", "at-risk":
            let r = try await req.flipside.outcomes.retention(program, censor: try req.censorDate())
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
                rows = e.months.map { [$0.month, shown($0.answers), mean($0.satisfaction), mean($0.listened)] }
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
        return Self.csvResponse(CSVExport.table(header: header, rows: rows), name: "outcomes-\(table).csv")
    }

    static func percent(_ v: Double) -> String { String(format: "%.0f %%", v * 100) }

    static func diversityCharts(_ d: DiversityDTO, into page: inout Page) {
        page.crossingsChart = Charts.bars(
            d.crossings.map { c in .init(label: c.dimension, bars: [.init(series: 0, value: c.crossing.map { c.pairs > 0 ? Double($0) / Double(c.pairs) : 0 })]) },
            series: ["pairs that differ"], maximum: 1, format: percent, axis: "share of pairs whose two people differ",
            title: "Pairs that cross a line",
            description: d.crossings.map { c in "\(c.dimension): " + (c.crossing.map { "\($0) of \(c.pairs) pairs" } ?? "not shown (\(Suppression.hiddenText))") }.joined(separator: "; ") + ".",
            id: "crossings-chart")
        let maxGap = Double((d.level_gaps + d.tenure_gaps).compactMap(\.count).max() ?? 1)
        func histogram(_ figures: [DiversityDTO.FigureDTO], title: String, axisLabel: String, id: String) -> String {
            Charts.bars(figures.map { .init(label: $0.label, bars: [.init(series: 0, value: $0.count.map(Double.init))]) }, series: ["pairs"],
                        maximum: maxGap, format: { String(Int($0.rounded())) }, axis: axisLabel, title: title,
                        description: figures.map { "\($0.label): \($0.count.map { "\($0) pairs" } ?? Suppression.hiddenText)" }.joined(separator: "; ") + ".", id: id)
        }
        page.levelGapChart = histogram(d.level_gaps, title: "Level gap within the pairs", axisLabel: "pairs", id: "level-gap-chart")
        page.tenureGapChart = histogram(d.tenure_gaps, title: "Difference in tenure within the pairs", axisLabel: "pairs", id: "tenure-gap-chart")
        page.participationChart = participationChart(
            d.participation, series: ["share of participants", "share of the organisation"], title: "Who takes part, by department, against the organisation",
            description: "A department whose share of participants is far below its share of the organisation is missing from the program. Figures are in the table below.",
            id: "participation-chart")
    }

    /// Each department's share of the participants against its share of the organisation (a
    /// suppressed count draws no bar); empty when there is no department breakdown.
    static func participationChart(_ participation: [DiversityDTO.Participation], series: [String], title: String, description: String, id: String) -> String {
        guard let departments = participation.first(where: { $0.dimension == "department" }) else { return "" }
        let inProgram = Double(departments.rows.compactMap(\.participants).reduce(0, +)), everyone = Double(departments.rows.compactMap(\.organisation).reduce(0, +))
        let share = { (n: Int?, of: Double) in n.map { of > 0 ? Double($0) / of : 0 } }
        return Charts.bars(
            departments.rows.map { r in .init(label: r.value, bars: [.init(series: 0, value: share(r.participants, inProgram)), .init(series: 1, value: share(r.organisation, everyone))]) },
            series: series, maximum: max(0.05, departments.rows.flatMap { [share($0.participants, inProgram), share($0.organisation, everyone)] }.compactMap { $0 }.max() ?? 1),
            format: percent, axis: "share of each group", title: title, description: description, id: id)
    }

    static func engagementCharts(_ e: EngagementDTO, into page: inout Page) {
        page.monthsChart = Charts.bars(
            e.months.map { m in .init(label: m.month, bars: [.init(series: 0, value: m.satisfaction), .init(series: 1, value: m.listened)]) },
            series: ["satisfaction", "felt listened to (mentors)"], maximum: 5, format: { String(format: "%.1f", $0) }, axis: "mean answer, 1 to 5",
            title: "Satisfaction and feeling listened to, by month",
            description: e.months.map { m in "\(m.month): " + (m.satisfaction.map { String(format: "satisfaction %.1f", $0) } ?? "\(Suppression.hiddenText) answers")
                + (m.listened.map { String(format: ", listened %.1f", $0) } ?? "") }.joined(separator: "; ") + ".", id: "months-chart")
        page.flagsChart = Charts.bars(
            e.flagged.map { f in .init(label: (HealthFlag.Kind(rawValue: f.label)?.label ?? f.label), bars: [.init(series: 0, value: f.count.map(Double.init))]) }, series: ["partnerships"],
            maximum: Double(max(e.flagged.compactMap(\.count).max() ?? 1, 1)), format: { String(Int($0.rounded())) }, axis: "partnerships flagged now",
            title: "Partnerships flagged, by sign", description: e.flagged.map { "\((HealthFlag.Kind(rawValue: $0.label)?.label ?? $0.label)): \($0.count.map(String.init) ?? Suppression.hiddenText)" }.joined(separator: "; ") + ".",
            id: "flags-chart")
    }

    func page(req: Request) async throws -> Response {
        try req.authorize(.view, .outcomes)
        let program = try await req.visibleProgram()
        let (page, status) = try await Self.page(req.flipside.service, program: program, censor: try req.censorDate(),
                                                 chrome: PageChrome(request: req, title: "Outcomes · \(program.name)", nav: "programs"))
        return try await req.render("outcomes", page, status: status)
    }

    /// The outcomes page's model (the page and `flipside report` render the same).
    static func page(_ scope: ServiceScope, program: Program, censor: CalendarDate?, chrome: PageChrome) async throws -> (Page, HTTPStatus) {
        let dto: RetentionDTO
        let outcomes = scope.outcomes
        let pairs = try await outcomes.tookPart(program)
        // The three reports read different tables: they run side by side.
        @Sendable func attempt<T: Sendable>(_ body: @Sendable () async throws -> T) async -> Result<T, any Error> {
            do { return .success(try await body()) } catch { return .failure(error) }
        }
        async let diversity = attempt { try await outcomes.diversity(program, pairs: pairs) }
        async let engagement = attempt { try await outcomes.engagement(program, pairs: pairs) }
        do {
            dto = try await outcomes.retention(program, censor: censor, pairs: pairs)
        } catch let error as OutcomesError {
            let answer = APIError.from(error)
            return (Page(page: chrome, programName: program.name, programURL: SiteURL.program(program.id).path, start: "", censoredAt: "",
                         chart: "", rows: [], riskDays: [], risk: [], comparison: "", tests: [], caveat: nil, message: answer.message), answer.status)
        }
        func pct(_ p: RetentionDTO.Point?, day: Double) -> String {
            if day > dto.days { return "not reached yet" }
            guard let p else { return "not shown (\(Suppression.hiddenText) followed, or \(Suppression.hiddenText) exits)" }
            return String(format: "%.1f %% (95 %% CI %.1f–%.1f)", p.survival * 100, p.lower * 100, p.upper * 100)
        }
        let colours = ["#1f5fa8", "#a8431f", "#4d4d4d"], dashes: [String?] = [nil, "6 3", "2 3"]
        let series = dto.groups.enumerated().filter { !$0.element.steps.isEmpty }.map { i, g in
            Charts.Series(name: g.name, colour: colours[i], dash: dashes[i],
                          steps: g.steps.map { Charts.Step(time: $0.time, survival: $0.survival, lower: $0.lower, upper: $0.upper) })
        }
        let description = dto.groups.map { g in
            g.people == nil ? "\(g.name): \(Suppression.hiddenText) people, not shown." : "\(g.name): \(g.people!) people; retention at 6 months \(pct(g.six_months, day: RetentionAnalysis.sixMonths)), at 12 months \(pct(g.twelve_months, day: RetentionAnalysis.twelveMonths))."
        }.joined(separator: " ")
        func test(_ name: String, _ t: RetentionDTO.Test?) -> String {
            guard let t else { return "\(name): not tested (a group shows no curve, or neither group has an exit yet)." }
            return "\(name): log-rank χ² = \(String(format: "%.1f", t.statistic)), p = \(String(format: "%.2g", t.p_value)) — "
                + (t.p_value < RetentionFigures.significance ? "the curves differ more than chance would explain" : "no difference beyond chance")
        }
        let days = dto.groups.first?.at_risk.map(\.day) ?? []
        let page = Page(
            page: chrome, programName: program.name, programURL: SiteURL.program(program.id).path, start: dto.start, censoredAt: dto.censored_at,
            chart: Charts.retention(series, days: dto.days, title: "Retention since the program started", description: description),
            rows: dto.groups.map { .init(name: $0.name, people: $0.people.map(String.init) ?? Suppression.hiddenText, exits: $0.exits.map(String.init) ?? Suppression.hiddenText,
                                         six: pct($0.six_months, day: RetentionAnalysis.sixMonths), twelve: pct($0.twelve_months, day: RetentionAnalysis.twelveMonths)) },
            riskDays: days,
            risk: dto.groups.filter { $0.people != nil }.map { g in .init(name: g.name, cells: g.at_risk.map { $0.people.map(String.init) ?? Suppression.hiddenShort }) },
            comparison: "\(dto.comparison_group.description) \(dto.comparison_group.strata_matched) of \(dto.comparison_group.strata) participant groups had someone alike; \(dto.comparison_group.participants_without_match) participants had nobody to compare with.",
            tests: [test("Mentors against the comparison group", dto.mentors_vs_comparison), test("Mentees against the comparison group", dto.mentees_vs_comparison)],
            caveat: dto.caveat, message: nil)
        var full = page
        full.csvURL = SiteURL.program(program.id).path + "/outcomes.csv?table="
        do {
            full.diversity = try await diversity.get()
            full.engagement = try await engagement.get()
        } catch let error as OutcomesError where error == .tooFewPairs {
            full.reportsNote = error.message
        }
        if let d = full.diversity { Self.diversityCharts(d, into: &full) }
        if let e = full.engagement { Self.engagementCharts(e, into: &full) }
        return (full, .ok)
    }
}
