import FlipsideCore
import Foundation

/// One table of the outcomes pages and its CSV, built once from the DTO: the page and the download show
/// the same cells, and a hidden figure says why in both.
struct OutcomesTable: Encodable, Sendable {
    struct Row: Encodable, Sendable {
        var head: String
        var cells: [String]
    }

    /// The table's HTML id.
    var id: String
    /// The CSV it belongs to (`?table=`); several tables may make one CSV (participation).
    var csvName: String
    var caption: String
    /// The header as shown, the row header's first.
    var columns: [String]
    /// The CSV's header, the same columns (after `csvPrefix`'s).
    var keys: [String]
    var rows: [Row]
    /// Cells put before each CSV row (the dimension of a participation table).
    var csvPrefix: [String] = []
    /// What a term in the table means.
    var note: String? = nil
    /// A chart drawn on the server (SVG), shown before the table.
    var chart: String? = nil
    var chartCaption: String? = nil
    /// The download link on the page (set by the page, on the last table of a CSV).
    var csvURL: String? = nil
    var csvLabel = "Download this table (CSV)"

    /// A count as shown: the number, or why it is hidden.
    static func cell(_ count: Int?, _ hidden: Suppression.Hidden?) -> String {
        count.map(String.init) ?? hidden?.text ?? ""
    }

    static func mean(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "" }

    /// The CSV of every table in `tables` named `name` (`nil` when there is none).
    static func csv(_ tables: [OutcomesTable], name: String) -> String? {
        let chosen = tables.filter { $0.csvName == name }
        guard let first = chosen.first else { return nil }
        return CSVExport.table(header: first.keys, rows: chosen.flatMap { t in t.rows.map { t.csvPrefix + [$0.head] + $0.cells } })
    }

    /// Download links on the page: one per CSV, on its last table.
    static func linked(_ tables: [OutcomesTable], csvURL: String) -> [OutcomesTable] {
        var tables = tables
        for i in tables.indices where !tables[(i + 1)...].contains(where: { $0.csvName == tables[i].csvName }) {
            tables[i].csvURL = csvURL + tables[i].csvName
            if tables.filter({ $0.csvName == tables[i].csvName }).count > 1 { tables[i].csvLabel = "Download these tables (CSV)" }
        }
        return tables
    }

    /// Hidden figures explained once under a table that has any.
    static let hiddenNote = "“Fewer than 5”: too few people to show. “Hidden so that another small group cannot be worked out”: shown, this figure and the others beside it would give a small group away."
}

extension OutcomesTable {
    static let levelBands = Bands.levels

    /// The diversity section's tables: crossings, level and tenure gaps, topics, and who takes part.
    static func diversity(_ d: DiversityDTO) -> [OutcomesTable] {
        func figures(_ id: String, caption: String, label: String, _ figures: [DiversityDTO.FigureDTO]) -> OutcomesTable {
            OutcomesTable(id: id, csvName: id, caption: caption, columns: [label, "Pairs"], keys: ["gap", "pairs"],
                          rows: figures.map { Row(head: $0.label, cells: [cell($0.count, $0.hidden)]) },
                          note: figures.contains { $0.hidden != nil } ? hiddenNote : nil)
        }
        var tables = [
            OutcomesTable(id: "crossings", csvName: "crossings", caption: "Pairs whose two people differ (of \(d.pairs) pairs)",
                          columns: ["Differ in", "Pairs", "Of pairs with both known"], keys: ["differ_in", "pairs_differing", "pairs_known"],
                          rows: d.crossings.map { Row(head: $0.dimension, cells: [cell($0.crossing, $0.hidden), String($0.pairs)]) },
                          note: d.crossings.contains { $0.hidden != nil } ? "A count is hidden when fewer than 5 pairs differ, or fewer than 5 do not." : nil),
            figures("level-gaps", caption: "Level gap within the pairs (the mentee's level minus the mentor's)", label: "Gap", d.level_gaps),
            figures("tenure-gaps", caption: "Difference in tenure within the pairs", label: "Difference", d.tenure_gaps),
            OutcomesTable(id: "topics-taught", csvName: "topics", caption: "Topics taught, by the mentor's level", columns: ["Topic"] + levelBands,
                          keys: ["topic"] + levelBands.map { $0.replacingOccurrences(of: " ", with: "_").replacingOccurrences(of: "–", with: "_").replacingOccurrences(of: "+", with: "_and_above") },
                          rows: d.topics.map { t in Row(head: t.topic, cells: t.by_level.map { cell($0.count, $0.hidden) }) },
                          note: d.topics.contains { $0.by_level.contains { $0.hidden != nil } } ? hiddenNote : nil),
        ]
        tables += participation(d.participation, id: "participation", took: "In the program", key: "in_program",
                                caption: { "Who takes part, by \($0), against the organisation" }, total: "All participants")
        return tables
    }

    /// Participation tables, one per dimension, with their totals (one CSV).
    static func participation(_ participation: [DiversityDTO.Participation], id: String, took: String, key: String,
                              caption: (String) -> String, total: String) -> [OutcomesTable] {
        participation.map { p in
            let hidden = p.rows.contains { $0.participants_hidden != nil || $0.organisation_hidden != nil } || p.total_hidden != nil
            return OutcomesTable(
                id: "\(id)-\(p.dimension.replacingOccurrences(of: " ", with: "-"))", csvName: "participation", caption: caption(p.dimension),
                columns: [p.dimension.prefix(1).uppercased() + p.dimension.dropFirst(), took, "In the organisation"], keys: ["dimension", "value", key, "in_organisation"],
                rows: p.rows.map { Row(head: $0.value, cells: [cell($0.participants, $0.participants_hidden), cell($0.organisation, $0.organisation_hidden)]) }
                    + [Row(head: total, cells: [cell(p.total, p.total_hidden), String(p.organisation_total)])],
                csvPrefix: [p.dimension], note: hidden ? hiddenNote : nil)
        }
    }

    /// The engagement section's tables: the summary, the months, the flags.
    static func engagement(_ e: EngagementDTO) -> [OutcomesTable] {
        [
            OutcomesTable(
                id: "engagement", csvName: "summary", caption: "Across \(e.partnerships) partnerships", columns: ["Measure", "So far"], keys: ["measure", "value"],
                rows: [
                    Row(head: "Meetings held", cells: [String(e.meetings_held)]),
                    Row(head: "Meetings planned", cells: [String(e.meetings_planned)]),
                    Row(head: "Check-ins answered", cells: [String(e.check_ins_answered)]),
                    Row(head: "Check-ins expected", cells: [String(e.check_ins_expected)]),
                    Row(head: "Insights recorded", cells: [String(e.insights)]),
                    Row(head: "Actions done", cells: [String(e.actions_done)]),
                    Row(head: "Actions planned", cells: [String(e.actions_planned)]),
                    Row(head: "Median days from insight to action", cells: [e.median_days_insight_to_action.map { String(format: "%.1f", $0) } ?? "fewer than 5 actions from insights"]),
                ],
                note: "Meetings planned and check-ins expected count the pairs' agreed rhythm up to today, cancelled meetings left out: each planned meeting expects two check-ins, one from each person."),
            OutcomesTable(
                id: "by-month", csvName: "months", caption: "Satisfaction and “did you feel listened to?”, mean of 1–5, by month",
                columns: ["Month", "Answers", "Satisfaction", "Felt listened to (mentors only)"], keys: ["month", "answers", "satisfaction_mean", "felt_listened_to_mean"],
                rows: e.months.map { Row(head: $0.month, cells: [cell($0.answers, $0.answers_hidden), mean($0.satisfaction), mean($0.listened)]) },
                note: "Satisfaction is everyone's answer; “felt listened to” is asked of mentors only — the junior side — about their senior mentee. A mean over fewer than 5 answers is left blank."
                    + (e.months.contains { $0.answers_hidden != nil } ? " " + hiddenNote : "")),
            OutcomesTable(
                id: "flags-count", csvName: "flags", caption: "Partnerships flagged, by sign", columns: ["Sign", "Partnerships"], keys: ["sign", "partnerships"],
                rows: e.flagged.map { Row(head: HealthFlag.Kind(rawValue: $0.label)?.label ?? $0.label, cells: [cell($0.count, $0.hidden)]) },
                note: e.flagged.contains { $0.hidden != nil } ? hiddenNote : nil),
        ]
    }
}

extension OutcomesTable {
    /// "12.3 % (95 % CI 8.1–17.9)" of a promotion curve's point: the share promoted (one minus the share
    /// not yet promoted, the band turned over with it).
    static func promoted(_ p: RetentionDTO.Point?, day: Double, followed: Double) -> String {
        if day > followed { return "not reached yet" }
        guard let p else { return "not shown (fewer than 5 followed, or fewer than 5 promoted or not)" }
        return String(format: "%.1f %% (95 %% CI %.1f–%.1f)", (1 - p.survival) * 100, (1 - p.upper) * 100, (1 - p.lower) * 100)
    }

    /// The promotion section's table: mentors and their comparison group, how many were promoted, and
    /// the share promoted by 6 and 12 months.
    static func promotion(_ p: PromotionDTO) -> OutcomesTable {
        OutcomesTable(
            id: "promotion-table", csvName: "promotion", caption: "First promotion since the start, by group",
            columns: ["Group", "People", "Promoted", "By 6 months", "By 12 months"], keys: ["group", "people", "promoted", "promoted_6_months", "promoted_12_months"],
            rows: p.groups.map { g in
                Row(head: g.name, cells: [cell(g.people, g.people == nil ? .small : nil), cell(g.exits, g.exits_hidden ?? (g.people == nil ? .small : nil)),
                                          promoted(g.six_months, day: RetentionAnalysis.sixMonths, followed: p.days),
                                          promoted(g.twelve_months, day: RetentionAnalysis.twelveMonths, followed: p.days)])
            },
            note: "A promotion is a move to a higher level in the HR history, counted from the program's start; someone who left unpromoted counts until they left. "
                + "Everyone is placed by their level, department and tenure on the start day. " + hiddenNote)
    }
}
