import FlipsideCore
import Foundation
import MatchingEngine
import Vapor

/// What `MatchPreviewController`'s pages show: the contexts its templates render.
extension MatchPreviewController {
    struct PairRow: Encodable {
        var menteeName: String
        var menteeURL: String
        var menteeTitle: String
        var mentorName: String
        var mentorURL: String
        var mentorTitle: String
        var score: String
        var components: [ComponentCell]
        var covered: String
        var uncovered: String
    }

    struct ComponentCell: Encodable { var name: String; var points: String }

    struct UnmatchedRow: Encodable { var name: String; var url: String; var reason: String }

    /// A mentee's next best mentors and what each switch would do to the whole program.
    struct AlternativeRow: Encodable {
        var menteeName: String
        var menteeURL: String
        var current: String
        var options: [Option]
    }

    struct Option: Encodable {
        var name: String
        var url: String
        var score: String
        var forMentee: String
        var forProgram: String
    }

    struct Page: Encodable {
        var page: PageChrome
        var program: ProgramSummary
        var pairs: [PairRow]
        var unmatched: [UnmatchedRow]
        var openMentors: [UnmatchedRow]
        var alternatives: [AlternativeRow]
        var total: String
        var average: String
        var componentNames: [String]
        var weights: String
        var menteeCount: Int
        var mentorCount: Int
        var lowest: String
        var algorithms: [AlgorithmChoice]
        var algorithmSummary: String
    }

    struct AlgorithmChoice: Encodable { var value: String; var label: String; var selected: Bool }
}
