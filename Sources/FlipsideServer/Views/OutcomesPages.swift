import FlipsideCore
import Foundation
import Vapor

/// What `OutcomesWebController`'s pages show: the contexts its templates render.
extension OutcomesWebController {
    /// The overview's body (the chrome is the request's own: `renderKept`).
    struct Overview: Encodable, Sendable {
        struct Row: Encodable, Sendable {
            var name: String; var url: String; var status: String; var start: String; var pairs: String
            var mentors: String; var mentees: String; var comparison: String; var test: String
            var crossing: String; var meetings: String; var checkIns: String; var insights: String; var actions: String
        }
        var censoredAt: String
        var employed: Int
        var participants: String
        var rows: [Row]
        var retentionChart: String
        var participationChart: String
        var participation: [OutcomesTable]
    }

    struct Page: Encodable, Sendable {
        struct Row: Encodable, Sendable { var name: String; var people: String; var exits: String; var six: String; var twelve: String }
        struct RiskRow: Encodable, Sendable { var name: String; var cells: [String] }
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
        /// The diversity and engagement tables (`OutcomesTable`), each with its chart and CSV link.
        var diversityTables: [OutcomesTable]? = nil
        var engagementTables: [OutcomesTable]? = nil
        var reportsNote: String? = nil
        var csvURL: String = ""
        /// Mentors' promotions against their comparison group: the chart, the table, the test in words.
        var promotion: Promotion? = nil
    }

    struct Promotion: Encodable, Sendable {
        var chart: String
        var tables: [OutcomesTable]
        var test: String
        var comparison: String
        var caveat: String?
    }
}
