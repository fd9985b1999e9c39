import Foundation

/// A program as a person asked to create or change it, whether it came as the API's JSON or the web
/// form: every field optional, and what is absent stays as it is. Both decode into this one draft and
/// apply it here, so they read the same fields the same way and report the same problems.
public struct ProgramDraft: Sendable, Equatable {
    public var name: String?
    public var purpose: String?
    /// `nil`: unchanged; `.some(nil)`: cleared (the form's empty date field).
    public var startDate: CalendarDate??
    public var endDate: CalendarDate??
    public var settings = SettingsDraft()
    /// Replaces the topic catalogue, one topic per item (empty: seeded from the enrolments again).
    public var topicCatalogue: [String]?

    /// Matching settings to change; `weights`, when given, replaces the weights (a component it leaves
    /// out weighs 0).
    public struct SettingsDraft: Sendable, Equatable {
        public var minLevelGap: Int?
        public var defaultCapacity: Int?
        public var forbidSharedManager: Bool?
        public var requireCommonChannel: Bool?
        public var perspectiveAttributes: [String]?
        public var weights: [String: Double]?
        public var mode: MatchingMode?
        public var pairsNeedAcceptance: Bool?
        public var requestDays: Int?
        public var allowRepeatPairs: Bool?

        public init() {}

        func apply(to s: inout MatchingSettings) {
            if let minLevelGap { s.minLevelGap = minLevelGap }
            if let defaultCapacity { s.defaultCapacity = defaultCapacity }
            if let forbidSharedManager { s.forbidSharedManager = forbidSharedManager }
            if let requireCommonChannel { s.requireCommonChannel = requireCommonChannel }
            if let perspectiveAttributes { s.perspectiveAttributes = perspectiveAttributes.map { $0.trimmed.lowercased() }.filter { !$0.isEmpty } }
            if let weights { s.weights = weights }
            if let mode { s.mode = mode }
            if let pairsNeedAcceptance { s.pairsNeedAcceptance = pairsNeedAcceptance }
            if let requestDays { s.requestDays = requestDays }
            if let allowRepeatPairs { s.allowRepeatPairs = allowRepeatPairs }
        }
    }

    public init() {}

    /// Applies what is given to `program` and returns the problems found on the way (a catalogue topic
    /// that breaks a text limit); the program's own rules are `Program.validate`, checked by the use case.
    public func apply(to program: inout Program) -> [FieldProblem] {
        if let name { program.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
        if let purpose { program.purpose = purpose }
        if let startDate { program.startDate = startDate }
        if let endDate { program.endDate = endDate }
        settings.apply(to: &program.settings)
        guard let topicCatalogue else { return [] }
        let parsed = TopicCatalogue.parse(items: topicCatalogue)
        program.topicCatalogue = parsed.topics
        return parsed.problems
    }

    /// The draft applied to `program`, with every problem: those of reading the input (`unread`, fields
    /// that could not be read at all), of the draft, and of the program's rules — each field once, in
    /// this order. Empty problems: the program may be saved.
    public func applied(to program: Program, unread: [FieldProblem] = []) -> (program: Program, problems: [FieldProblem]) {
        var program = program
        var problems = unread
        for p in apply(to: &program) where !problems.contains(p) { problems.append(p) }
        if !problems.isEmpty {
            do { try program.validate() } catch {
                if case let .invalid(more) = error { problems += more.filter { m in !problems.contains { $0.field == m.field } } }
            }
        }
        return (program, problems)
    }
}
