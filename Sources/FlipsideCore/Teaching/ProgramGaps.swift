import Foundation
import MatchingEngine

/// Where a program falls short, and who across the organisation could fill it: topics its mentees want
/// that no mentor they may be paired with offers well enough, mentees with no eligible mentor at all
/// (with why), and for each topic the people best placed to teach it — open profiles first; then,
/// apart, people whose HR record fits but who have said nothing ("might be asked", for coordinators).
public struct ProgramGaps: Sendable {
    /// A mentor offers a topic "at the wanted level" from this proficiency on ("I use it regularly").
    public static let wantedLevel = 3
    /// People named per topic, in each list.
    public static let perTopic = 10

    public struct Candidate: Sendable, Equatable {
        public var employeeID: String
        public var name: String
        public var title: String
        /// Their proficiency in the topic (nil for people who said nothing).
        public var proficiency: Int?
        /// How many of the topic's unserved mentees they could be paired with under the program's rules.
        public var serves: Int
        /// Why they are here, in words.
        public var reason: String
    }

    public struct TopicGap: Sendable {
        public var topic: Topic
        /// Mentees who want it and have no eligible mentor offering it at the wanted level.
        public var mentees: [String]
        /// The best proficiency any enrolled mentor offers for it (whatever the rules), if any.
        public var bestOffered: Int?
        public var open: [Candidate]
        /// People with a profile listing it well who are not open to being asked: counted, never named.
        public var notOpenCount: Int
        public var mightBeAsked: [Candidate]
    }

    public struct Unserved: Sendable, Equatable {
        public var employeeID: String
        public var name: String
        /// Why no enrolled mentor fits, in words.
        public var reason: String
    }

    public var programID: UUID
    public var mentees: Int
    public var mentors: Int
    public var topics: [TopicGap]
    public var unserved: [Unserved]

    /// Words from a topic that a job title or a previous industry may share ("data", "visualisation").
    public static func words(_ topic: Topic) -> [String] {
        topic.key.split(separator: "-").map(String.init).filter { $0.count >= 4 }
    }

    /// Why a person who said nothing might be asked to teach a topic, from their HR record only.
    public static func hrFit(_ p: Person, _ topic: Topic) -> String? {
        if let industry = p.attributes["previous_industry"], Topic(industry) == topic { return "worked in \(industry) before" }
        let title = p.title.lowercased()
        if let word = words(topic).first(where: { title.contains($0) }) { return "their job title mentions “\(word)”" }
        return nil
    }

    /// - Parameters:
    ///   - people: everyone enrolled in the program.
    ///   - enrolledIDs: everyone enrolled in the program (nobody in it is suggested).
    ///   - hrPool: people without a teaching profile who might fit (the server's first cut; each is checked here).
    public static func make(program: Program, enrolments: [Enrolment], people: [String: Person], tree: ReportingTree,
                            directory: TeachingDirectory, hrPool: [Person], actor: Actor, now: Date) throws -> ProgramGaps {
        try AccessPolicy.require(actor, .view, .recruiting)
        let rules = program.settings.rules
        let input = MatchInput(people: people, enrolments: enrolments, rules: rules, reference: now, tree: tree)
        let problem = ScoringProblem(mentees: input.mentees, mentors: input.mentors, rules: rules)
        // Mentors by topic they offer at the wanted level.
        var offering: [String: [Int]] = [:]
        var best: [String: Int] = [:]
        for (j, m) in input.mentors.enumerated() {
            for (topic, level) in m.topics {
                best[topic] = max(best[topic] ?? 0, level)
                if level >= wantedLevel { offering[topic, default: []].append(j) }
            }
        }
        var uncovered: [String: [Int]] = [:]
        var unserved: [Unserved] = []
        for (i, mentee) in input.mentees.enumerated() {
            try WorkDeadline.check()
            var eligible = false
            var broken: [EligibilityRule: Int] = [:]
            for j in input.mentors.indices {
                if let rule = problem.brokenRule(mentee: i, mentor: j) { broken[rule, default: 0] += 1 } else { eligible = true; break }
            }
            let name = people[mentee.id]?.name ?? mentee.id
            if !eligible {
                unserved.append(Unserved(employeeID: mentee.id, name: name,
                                         reason: input.mentors.isEmpty ? "no mentor is enrolled yet" : "no enrolled mentor fits: " + Self.sentence(broken, gap: rules.minLevelGap)))
            }
            var coversAny = false
            for topic in mentee.topics.keys.sorted() {
                if offering[topic, default: []].contains(where: { problem.brokenRule(mentee: i, mentor: $0) == nil }) {
                    coversAny = true
                } else {
                    uncovered[topic, default: []].append(i)
                }
            }
            if eligible && !coversAny {
                unserved.append(Unserved(employeeID: mentee.id, name: name, reason: "mentors fit the rules, but none offers what they want to learn at level \(wantedLevel) or more"))
            }
        }
        let enrolled = Set(enrolments.map(\.employeeID))
        var gaps: [TopicGap] = []
        for (key, menteeIndices) in uncovered.sorted(by: { $0.value.count > $1.value.count || ($0.value.count == $1.value.count && $0.key < $1.key) }) {
            try WorkDeadline.check()
            guard let topic = Topic(key) else { continue }
            let gapMentees = menteeIndices.map { input.mentees[$0] }
            // Profiles listing the topic well, outside the program.
            let listed = directory.listing([key]).filter { i in
                let e = directory.entries[i]
                return !enrolled.contains(e.person.employeeID) && (e.participant.topics[key] ?? 0) >= wantedLevel
            }
            let fit = ScoringProblem(mentees: gapMentees, mentors: listed.map { directory.entries[$0].participant }, rules: rules)
            var open: [Candidate] = [], notOpen = 0
            for (j, i) in listed.enumerated() {
                let entry = directory.entries[i]
                let serves = gapMentees.indices.filter { fit.brokenRule(mentee: $0, mentor: j) == nil }.count
                guard serves > 0 else { continue }
                guard entry.profile.openToRequests else { notOpen += 1; continue }
                let level = entry.participant.topics[key] ?? 0
                open.append(Candidate(employeeID: entry.person.employeeID, name: entry.person.name, title: entry.person.title, proficiency: level, serves: serves,
                                      reason: "knows \(key) (\(ProficiencyScale.label(level))); could be paired with \(serves) of the \(gapMentees.count)"))
            }
            // People who said nothing, whose HR record fits; channels are theirs to say, so not a rule here.
            var said = Set(directory.entries.map(\.person.employeeID))
            said.formUnion(enrolled)
            let pool = hrPool.filter { $0.status == .active && !said.contains($0.employeeID) && hrFit($0, topic) != nil }
            let silent = pool.map { p -> MatchParticipant in
                var m = MatchInput.participant(p, Enrolment(programID: program.id, employeeID: p.employeeID, role: .mentor), managementChain: tree.managementChain(of: p.employeeID),
                                               utcOffsetMinutes: 0)
                m.channels = [.inPerson, .video, .chat]
                return m
            }
            let silentFit = ScoringProblem(mentees: gapMentees.map { var m = $0; m.channels = [.inPerson, .video, .chat]; return m }, mentors: silent, rules: rules)
            var might: [Candidate] = []
            for (j, p) in pool.enumerated() {
                let serves = gapMentees.indices.filter { silentFit.brokenRule(mentee: $0, mentor: j) == nil }.count
                guard serves > 0, let why = hrFit(p, topic) else { continue }
                might.append(Candidate(employeeID: p.employeeID, name: p.name, title: p.title, proficiency: nil, serves: serves,
                                       reason: "\(why); could be paired with \(serves) of the \(gapMentees.count)"))
            }
            func ranked(_ list: [Candidate]) -> [Candidate] {
                Array(list.sorted { ($0.serves, $0.proficiency ?? 0, $1.employeeID) > ($1.serves, $1.proficiency ?? 0, $0.employeeID) }.prefix(perTopic))
            }
            gaps.append(TopicGap(topic: topic, mentees: menteeIndices.map { input.mentees[$0].id }, bestOffered: best[key], open: ranked(open),
                                 notOpenCount: notOpen, mightBeAsked: ranked(might)))
        }
        return ProgramGaps(programID: program.id, mentees: input.mentees.count, mentors: input.mentors.count, topics: gaps,
                           unserved: unserved.sorted { $0.name < $1.name || ($0.name == $1.name && $0.employeeID < $1.employeeID) })
    }

    /// "12 not junior enough (the program asks for a gap of 2 levels), 3 in their reporting line".
    static func sentence(_ broken: [EligibilityRule: Int], gap: Int) -> String {
        let words: [(EligibilityRule, String)] = [
            (.levelGap, "not junior enough (the program asks for a gap of \(gap) level\(gap == 1 ? "" : "s"))"),
            (.sameReportingChain, "in their reporting line"), (.sharedManager, "sharing their manager"),
            (.noCommonChannel, "without a way to meet in common"), (.excluded, "excluded by the program team"), (.pairedBefore, "paired with them before"),
        ]
        return WhoCouldTeach.list(words.compactMap { rule, text in broken[rule].map { "\($0) \(text)" } })
    }
}

/// Whom a program reaches: invited → opened → enrolled → paired → active → completed, in all and by
/// department, level band and location, small groups hidden as on the outcomes pages.
public struct ProgramFunnel: Sendable {
    public enum Stage: String, CaseIterable, Sendable {
        case reached, opened, enrolled, paired, active, completed

        public var label: String {
            switch self {
            case .reached: return "Invited or enrolled"
            case .opened: return "Opened the invitation"
            case .enrolled: return "Enrolled"
            case .paired: return "Paired"
            case .active: return "Became partners"
            case .completed: return "Completed"
            }
        }
    }

    public enum Breakdown: String, CaseIterable, Sendable {
        case department, levelBand = "level_band", location
        public var label: String {
            switch self {
            case .department: return "Department"
            case .levelBand: return "Level band"
            case .location: return "Location"
            }
        }
    }

    public struct Table: Sendable {
        public var breakdown: Breakdown
        /// Group names, in order.
        public var groups: [String]
        /// [stage][group] as shown.
        public var cells: [[Suppression.Shown]]
    }

    /// Each stage's count in all.
    public var totals: [Suppression.Shown]
    public var tables: [Table]

    /// "1–2", "3–4", "5–6", "7+".
    public static func band(_ level: Int) -> String {
        level >= 7 ? "7+" : level <= 2 ? "1–2" : level <= 4 ? "3–4" : "5–6"
    }

    public static func make(invitations: [Ask], enrolments: [Enrolment], pairs: [MentoringPair], people: [String: Person], actor: Actor) throws -> ProgramFunnel {
        try AccessPolicy.require(actor, .view, .recruiting)
        let invited = Set(invitations.map(\.toID))
        let opened = Set(invitations.filter { $0.openedAt != nil }.map(\.toID))
        let enrolled = Set(enrolments.map(\.employeeID))
        var paired = Set<String>(), active = Set<String>(), completed = Set<String>()
        for pair in pairs where !pair.status.wasRefused && pair.status != .requested {
            paired.formUnion([pair.menteeID, pair.mentorID])
            if pair.becamePartners { active.formUnion([pair.menteeID, pair.mentorID]) }
            if pair.status == .completed { completed.formUnion([pair.menteeID, pair.mentorID]) }
        }
        let reached = invited.union(enrolled)
        let stages: [Stage: Set<String>] = [.reached: reached, .opened: opened.union(enrolled), .enrolled: enrolled, .paired: paired.intersection(enrolled),
                                             .active: active.intersection(enrolled), .completed: completed.intersection(enrolled)]
        func group(_ id: String, _ b: Breakdown) -> String {
            guard let p = people[id] else { return "unknown" }
            switch b {
            case .department: return p.department
            case .levelBand: return band(p.level)
            case .location: return p.location
            }
        }
        let totals = Stage.allCases.map { Suppression.Shown.single(stages[$0]?.count ?? 0) }
        let tables = Breakdown.allCases.map { b -> Table in
            let groups = Array(Set(reached.map { group($0, b) })).sorted()
            let cells = Stage.allCases.enumerated().map { s, stage -> [Suppression.Shown] in
                var counts = Dictionary(uniqueKeysWithValues: groups.map { ($0, 0) })
                for id in stages[stage] ?? [] { counts[group(id, b), default: 0] += 1 }
                // The stage's total is shown above every breakdown (or hidden there): not decided again here.
                let (parts, _) = Suppression.parts(groups.map { counts[$0] ?? 0 }, total: totals[s].isHidden ? .unpublished : .fixed)
                return parts
            }
            return Table(breakdown: b, groups: groups, cells: cells)
        }
        return ProgramFunnel(totals: totals, tables: tables)
    }
}
