import Fluent
import FlipsideCore
import Foundation

/// A stored program.
final class ProgramModel: Model, @unchecked Sendable {
    static let schema = "programs"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "purpose") var purpose: String
    @OptionalField(key: "start_date") var startDate: String?
    @OptionalField(key: "end_date") var endDate: String?
    @Field(key: "status") var status: String
    @Field(key: "min_level_gap") var minLevelGap: Int
    @Field(key: "default_capacity") var defaultCapacity: Int
    /// The rest of the program's `MatchingSettings`, as JSON (the two above stay columns).
    @Field(key: "matching_rules") var matchingRules: String
    /// The program's topic catalogue as a JSON list.
    @Field(key: "topic_catalogue") var topicCatalogue: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Children(for: \.$program) var enrolments: [EnrolmentModel]

    init() {}

    init(_ program: Program) {
        id = program.id
        copy(from: program)
    }

    func copy(from program: Program) {
        name = program.name
        purpose = program.purpose
        startDate = program.startDate?.description
        endDate = program.endDate?.description
        status = program.status.rawValue
        minLevelGap = program.settings.minLevelGap
        defaultCapacity = program.settings.defaultCapacity
        matchingRules = Self.encode(program.settings)
        topicCatalogue = (try? StoredJSON.encode(program.topicCatalogue)) ?? "[]"
    }

    static func encode(_ settings: MatchingSettings) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(settings)).flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }

    var settings: MatchingSettings {
        var settings = (try? JSONDecoder().decode(MatchingSettings.self, from: Data(matchingRules.utf8))) ?? MatchingSettings()
        settings.minLevelGap = minLevelGap
        settings.defaultCapacity = defaultCapacity
        return settings
    }

    var program: Program {
        Program(id: id!, name: name, purpose: purpose, startDate: startDate.flatMap(CalendarDate.init(iso:)),
                endDate: endDate.flatMap(CalendarDate.init(iso:)), status: ProgramStatus(rawValue: status) ?? .draft,
                settings: settings, topicCatalogue: (try? StoredJSON.decode([Topic].self, topicCatalogue)) ?? [])
    }
}
