import Foundation
import MatchingEngine

/// A background in which the answer should differ from the asker ("someone from another department").
public enum Perspective: String, CaseIterable, Sendable, Codable {
    case department, location
    case careerPath = "career_path"
    case previousIndustry = "previous_industry"
    case generation

    /// "someone from another department".
    public var label: String {
        switch self {
        case .department: return "another department"
        case .location: return "another location"
        case .careerPath: return "a different career path"
        case .previousIndustry: return "another industry before this one"
        case .generation: return "another generation"
        }
    }

    /// The person's value, when known.
    func value(of p: Person) -> String? {
        switch self {
        case .department: return p.department.isEmpty ? nil : p.department
        case .location: return p.location.isEmpty ? nil : p.location
        case .careerPath, .previousIndustry, .generation: return p.attributes[rawValue].flatMap { $0.isEmpty ? nil : $0.lowercased() }
        }
    }
}

/// "Who could teach me X?": topics (one or more), optionally an industry someone worked in, a
/// perspective they should bring and a language they speak.
public struct TeachingQuestion: Sendable, Equatable {
    public static let mostTopics = 10
    public static let mostAnswers = 100

    public var topics: [Topic]
    public var industry: Topic?
    public var perspective: Perspective?
    public var language: String?
    public var limit: Int

    /// Reads a question as the page, the API and the command give it (topics separated by `;` or `,`),
    /// with every problem at once.
    public static func parse(topics rawTopics: [String], industry: String?, perspective: String?, language: String?,
                             limit: Int?) -> Result<TeachingQuestion, ProfileError> {
        var problems: [FieldProblem] = []
        var topics: [Topic] = []
        for raw in rawTopics.flatMap({ $0.split(whereSeparator: { $0 == ";" || $0 == "," }).map(String.init) }) where !raw.trimmed.isEmpty {
            if let reason = TextLimits.problem(raw.trimmed, most: TextLimits.topic) {
                problems.append(FieldProblem(field: "topic", reason: "a topic \(reason)"))
            } else if let topic = Topic(raw), !topics.contains(topic) {
                topics.append(topic)
            }
        }
        var industryTopic: Topic?
        if let industry = industry?.trimmed, !industry.isEmpty {
            if let reason = TextLimits.problem(industry, most: TextLimits.short) { problems.append(FieldProblem(field: "industry", reason: reason)) }
            industryTopic = Topic(industry)
        }
        if topics.isEmpty && industryTopic == nil { problems.append(FieldProblem(field: "topic", reason: "name at least one topic (or an industry) to learn about")) }
        if topics.count > mostTopics { problems.append(FieldProblem(field: "topic", reason: "names \(topics.count) topics; at most \(mostTopics)")) }
        var lens: Perspective?
        if let perspective = perspective?.trimmed, !perspective.isEmpty {
            lens = Perspective(rawValue: perspective)
            if lens == nil {
                problems.append(FieldProblem(field: "perspective", reason: "must be one of \(Perspective.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        var tongue: String?
        if let language = language?.trimmed, !language.isEmpty {
            if let reason = TextLimits.problem(language, most: TextLimits.topic) { problems.append(FieldProblem(field: "language", reason: reason)) }
            tongue = language
        }
        let limit = limit ?? 20
        if !(1...mostAnswers).contains(limit) { problems.append(FieldProblem(field: "limit", reason: "must be from 1 to \(mostAnswers)")) }
        guard problems.isEmpty else { return .failure(.invalid(problems)) }
        return .success(TeachingQuestion(topics: topics, industry: industryTopic, perspective: lens, language: tongue, limit: limit))
    }
}

/// Everyone who keeps a teaching profile, compiled once per change of people or profiles: each as the
/// score model's mentor, and an index from topic to the people who list it. Exited people and people
/// on leave are not in it; everyone's manager is (for the reporting-chain rule).
public struct TeachingDirectory: Sendable {
    public struct Entry: Sendable {
        public var person: Person
        public var profile: TeachingProfile
        public var participant: MatchParticipant
    }

    public let entries: [Entry]
    let byTopic: [String: [Int]]
    public let tree: ReportingTree
    let reference: Date

    /// - Parameters:
    ///   - people: the people who keep a profile (others are ignored).
    ///   - managers: everyone's manager.
    ///   - reference: the moment time-zone offsets are taken at (today).
    public init(people: [Person], profiles: [TeachingProfile], managers: ReportingTree, reference: Date) {
        let byID = Dictionary(people.map { ($0.employeeID, $0) }, uniquingKeysWith: { a, _ in a })
        var offsets: [String: Int] = [:]
        var entries: [Entry] = []
        var index: [String: [Int]] = [:]
        for profile in profiles.sorted(by: { $0.employeeID < $1.employeeID }) {
            guard let person = byID[profile.employeeID], person.status == .active else { continue }
            let offset = offsets[person.timeZone] ?? MatchInput.utcOffsetMinutes(person.timeZone, at: reference)
            offsets[person.timeZone] = offset
            let participant = MatchInput.participant(person, Self.enrolment(profile), managementChain: managers.managementChain(of: person.employeeID),
                                                     utcOffsetMinutes: offset)
            guard !participant.topics.isEmpty else { continue }
            for topic in participant.topics.keys { index[topic, default: []].append(entries.count) }
            entries.append(Entry(person: person, profile: profile, participant: participant))
        }
        self.entries = entries
        byTopic = index
        tree = managers
        self.reference = reference
    }

    /// The profile as a mentor's enrolment (the form in which the score model reads it).
    public static func enrolment(_ profile: TeachingProfile) -> Enrolment {
        Enrolment(programID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), employeeID: profile.employeeID, role: .mentor,
                  offers: profile.offers, industries: profile.industries, channels: profile.channels, availability: profile.availability)
    }

    /// The asker as a mentee wanting the question's topics (each at the highest priority) and industry.
    public static func enrolment(asking question: TeachingQuestion, _ askerID: String, profile: TeachingProfile?) -> Enrolment {
        var wants = question.topics.map { TopicWant(topic: $0, priority: 3) }
        if let industry = question.industry, !question.topics.contains(industry) { wants.append(TopicWant(topic: industry, priority: 3)) }
        return Enrolment(programID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), employeeID: askerID, role: .mentee,
                         wants: wants, channels: profile?.channels ?? Channel.allCases, availability: profile?.availability ?? [])
    }

    /// Entries listing any of these topics, each once, in directory order.
    func listing(_ topics: [String]) -> [Int] {
        var seen = Set<Int>()
        for topic in topics { for i in byTopic[topic] ?? [] { seen.insert(i) } }
        return seen.sorted()
    }
}

/// One person who could teach the asker, with why, in words.
public struct TeachingCandidate: Sendable, Equatable {
    public var employeeID: String
    public var name: String
    /// 0 to 100, the engine's score of the pair under the rules used.
    public var score: Double
    /// Each component 0 to 1, in `ScoreComponent.allCases` order.
    public var components: [Double]
    /// What they know of what was asked, with their proficiency (1–5).
    public var knows: [TopicOffer]
    /// Why they are here, in sentences.
    public var reasons: [String]
}

/// The answer: open people best first; people who fit but are not open to being asked only counted.
public struct TeachingAnswer: Sendable {
    public var askerID: String
    public var question: TeachingQuestion
    public var candidates: [TeachingCandidate]
    /// Open people who fit, of whom `candidates` are the best `question.limit`.
    public var openCount: Int
    /// People who fit and break no rule but are not open to being asked: never named.
    public var notOpenCount: Int
    /// Whose rules were applied (a program's name, or the organisation's defaults).
    public var rulesFrom: String

    /// "3 more people list this topic but are not open to being asked."
    public var notOpenSentence: String? {
        guard notOpenCount > 0 else { return nil }
        return notOpenCount == 1 ? "1 more person lists this but is not open to being asked."
            : "\(notOpenCount) more people list this but are not open to being asked."
    }
}

/// The question "who in your organisation would make a good reverse mentor for me?", across everyone
/// who keeps a teaching profile. The program's hard rules apply (a real level gap, never in one's own
/// reporting chain either way; people who left or are on leave are not asked), and the ranking is the
/// engine's own score of the pair, so it agrees with what a program's matching would say.
public enum WhoCouldTeach {
    public static func ask(_ question: TeachingQuestion, asker: Person, askerProfile: TeachingProfile?, rules: MatchRules, rulesFrom: String,
                           directory: TeachingDirectory, actor: Actor, now: Date) throws -> TeachingAnswer {
        try AccessPolicy.require(actor, .view, .whoCouldTeach(askerID: asker.employeeID))
        guard asker.status.keepsAccess else { throw ProfileError.personNotFound(employeeID: asker.employeeID) }
        let me = MatchInput.participant(asker, TeachingDirectory.enrolment(asking: question, asker.employeeID, profile: askerProfile),
                                        managementChain: directory.tree.managementChain(of: asker.employeeID),
                                        utcOffsetMinutes: MatchInput.utcOffsetMinutes(asker.timeZone, at: directory.reference))
        let wanted = question.topics.map(\.key) + (question.industry.map { [$0.key] } ?? [])
        let language = question.language?.lowercased()
        let pool = directory.listing(wanted).filter { i in
            let entry = directory.entries[i]
            guard entry.person.employeeID != asker.employeeID else { return false }
            if let industry = question.industry, !Self.workedIn(industry, entry) { return false }
            if let lens = question.perspective {
                guard let mine = lens.value(of: asker), let theirs = lens.value(of: entry.person), mine.lowercased() != theirs.lowercased() else { return false }
            }
            if let language, !entry.profile.languages.contains(where: { $0.lowercased() == language }) { return false }
            return true
        }
        let problem = ScoringProblem(mentees: [me], mentors: pool.map { directory.entries[$0].participant }, rules: rules)
        var ranked: [(index: Int, score: Double)] = []
        var notOpen = 0
        for (j, i) in pool.enumerated() where problem.brokenRule(mentee: 0, mentor: j) == nil {
            if directory.entries[i].profile.openToRequests {
                ranked.append((j, problem.scoreIgnoringRules(mentee: 0, mentor: j)))
            } else {
                notOpen += 1
            }
        }
        ranked.sort { $0.score > $1.score || ($0.score == $1.score && $0.index < $1.index) }
        let today = CalendarDate.today(now: now)
        let candidates = ranked.prefix(question.limit).map { j, score -> TeachingCandidate in
            let entry = directory.entries[pool[j]]
            let knows = entry.participant.topics.filter { wanted.contains($0.key) }.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                .compactMap { key, level in Topic(key).map { TopicOffer(topic: $0, proficiency: level) } }
            return TeachingCandidate(employeeID: entry.person.employeeID, name: entry.person.name, score: score,
                                     components: problem.components(mentee: 0, mentor: j), knows: knows,
                                     reasons: reasons(knows: knows, entry: entry, asker: asker, me: me, askerProfile: askerProfile, question: question,
                                                      rules: rules, today: today))
        }
        return TeachingAnswer(askerID: asker.employeeID, question: question, candidates: Array(candidates), openCount: ranked.count,
                              notOpenCount: notOpen, rulesFrom: rulesFrom)
    }

    /// Whether the person lists the industry on their profile or their HR background names it.
    static func workedIn(_ industry: Topic, _ entry: TeachingDirectory.Entry) -> Bool {
        entry.profile.industries.contains { Topic($0) == industry } || entry.person.attributes["previous_industry"].flatMap(Topic.init) == industry
    }

    /// Why this person, in words a colleague may read: what they know and how well, how their
    /// background differs (never its values), level and tenure relative to the asker, shared channels,
    /// hours and languages.
    static func reasons(knows: [TopicOffer], entry: TeachingDirectory.Entry, asker: Person, me: MatchParticipant, askerProfile: TeachingProfile?,
                        question: TeachingQuestion, rules: MatchRules, today: CalendarDate) -> [String] {
        var out: [String] = []
        out.append("Knows " + Self.list(knows.map { "\($0.topic) (\(ProficiencyScale.label($0.proficiency)))" }) + ".")
        if let industry = question.industry, workedIn(industry, entry) { out.append("Worked in \(industry).") }
        var different: [String] = []
        let p = entry.person
        if p.department != asker.department { different.append("department") }
        if p.location != asker.location { different.append("location") }
        for attribute in rules.perspectiveAttributes {
            if let a = asker.attributes[attribute], let b = p.attributes[attribute], a != b { different.append(attribute.replacingOccurrences(of: "_", with: " ")) }
        }
        if !different.isEmpty { out.append("Brings another perspective: a different \(Self.list(different)).") }
        let gap = asker.level - p.level
        out.append("\(gap) level\(gap == 1 ? "" : "s") more junior than you; \(Self.tenure(since: p.hireDate, today: today)) at the organisation.")
        let common = Channel.allCases.filter { entry.profile.channels.contains($0) && (askerProfile?.channels ?? Channel.allCases).contains($0) }
        if !common.isEmpty { out.append("You could meet " + Self.list(common.map(Self.words), joiner: "or") + ".") }
        let mine = ScoringProblem.utcMask(me), theirs = ScoringProblem.utcMask(entry.participant)
        if mine != 0 && theirs != 0 {
            let shared = (mine & theirs).nonzeroBitCount
            out.append(shared == 0 ? "Your available hours do not overlap." : "\(shared) of your available hours overlap.")
        } else {
            let hours = abs(me.utcOffsetMinutes - entry.participant.utcOffsetMinutes) / 60
            out.append(hours == 0 ? "Same time zone as you." : "Time zones \(hours) hour\(hours == 1 ? "" : "s") apart.")
        }
        let shared = entry.profile.languages.filter { l in (askerProfile?.languages ?? []).contains { $0.lowercased() == l.lowercased() } }
        if !shared.isEmpty { out.append("Speaks \(Self.list(shared)), as you do.") }
        return out
    }

    static func words(_ channel: Channel) -> String {
        switch channel {
        case .inPerson: return "in person"
        case .video: return "by video"
        case .chat: return "by chat"
        }
    }

    /// "less than a year", "1 year", "7 years".
    static func tenure(since hire: CalendarDate, today: CalendarDate) -> String {
        var years = today.year - hire.year
        if (today.month, today.day) < (hire.month, hire.day) { years -= 1 }
        return years < 1 ? "less than a year" : years == 1 ? "1 year" : "\(years) years"
    }

    /// "a", "a and b", "a, b and c".
    public static func list(_ items: [String], joiner: String = "and") -> String {
        guard let last = items.last else { return "" }
        return items.count == 1 ? last : items.dropLast().joined(separator: ", ") + " \(joiner) " + last
    }
}
