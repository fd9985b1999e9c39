import Foundation
import MatchingEngine

/// "Why you two", in plain language, for one side of a pair: the topics one can teach the other, the
/// perspectives they differ in, and how well their channels, rhythm and hours fit. Built from the same
/// scoring the matching used, under the program's rules.
public enum PairStory {
    public static func sentences(mentee: Enrolment, mentor: Enrolment, directory: [String: Person], settings: MatchingSettings,
                                 viewer: EnrolmentRole, reference: Date) -> [String] {
        let input = MatchInput(people: directory, enrolments: [mentee, mentor], rules: settings.rules, reference: reference)
        guard let me = directory[mentee.employeeID], let mo = directory[mentor.employeeID],
              input.mentees.count == 1, input.mentors.count == 1 else { return [] }
        let problem = ScoringProblem(mentees: input.mentees, mentors: input.mentors, rules: settings.rules)
        var lines: [String] = []
        let covered = problem.coveredTopics(mentee: 0, mentor: 0).sorted { $0.priority > $1.priority || ($0.priority == $1.priority && $0.topic < $1.topic) }
        let topics = covered.map { "\($0.topic) (\(proficiencyWords($0.proficiency)))" }
        let mentorName = firstName(mo.name), menteeName = firstName(me.name)
        if topics.isEmpty {
            lines.append(viewer == .mentee ? "\(mentorName) does not list a topic you want to learn; the pairing rests on the other fits below."
                                           : "\(menteeName) wants topics you do not list; the pairing rests on the other fits below.")
        } else if viewer == .mentee {
            lines.append("\(mentorName) can teach you \(list(topics)).")
        } else {
            lines.append("\(menteeName) wants to learn \(list(covered.map(\.topic))), which you know: \(list(topics)).")
        }
        var differences: [String] = []
        if me.department != mo.department { differences.append("departments (\(me.department) and \(mo.department))") }
        if me.location != mo.location { differences.append("locations (\(me.location) and \(mo.location))") }
        for attribute in settings.perspectiveAttributes {
            if let a = me.attributes[attribute], let b = mo.attributes[attribute], a != b {
                differences.append("\(attribute.replacingOccurrences(of: "_", with: " ")) (\(a) and \(b))")
            }
        }
        if me.level > mo.level { differences.append("seniority (levels \(me.level) and \(mo.level))") }
        lines.append(differences.isEmpty ? "You work in the same corner of the organisation." : "You bring different perspectives: \(list(differences)).")
        let common = Channel.allCases.filter { mentee.channels.contains($0) && mentor.channels.contains($0) }
        if common.isEmpty {
            lines.append("You have no meeting channel in common yet; agree on one.")
        } else {
            lines.append("You can both meet \(list(common.map(channelWords))).")
        }
        if mentee.cadence == mentor.cadence {
            lines.append("You both prefer to meet \(mentee.cadence.rawValue).")
        } else {
            lines.append("One of you prefers to meet \(mentee.cadence.rawValue), the other \(mentor.cadence.rawValue): agree on a rhythm.")
        }
        let menteeHours = hours(mentee.availability), mentorHours = hours(mentor.availability)
        let offset = abs(input.mentees[0].utcOffsetMinutes - input.mentors[0].utcOffsetMinutes) / 60
        if !menteeHours.isEmpty && !mentorHours.isEmpty {
            let overlap = Int((problem.components(mentee: 0, mentor: 0)[ScoreComponent.allCases.firstIndex(of: .availability)!]
                               * Double(min(menteeHours.count, mentorHours.count))).rounded())
            lines.append(overlap > 0 ? "Your available hours overlap by about \(overlap) hour\(overlap == 1 ? "" : "s") a day."
                                     : "Your available hours do not overlap; one of you will need to move.")
        } else {
            lines.append(offset == 0 ? "You are in the same time zone." : "Your time zones are \(offset) hour\(offset == 1 ? "" : "s") apart.")
        }
        return lines
    }

    static func proficiencyWords(_ level: Int) -> String {
        ProficiencyScale.label(level)
    }

    static func channelWords(_ channel: Channel) -> String {
        switch channel {
        case .inPerson: return "in person"
        case .video: return "by video"
        case .chat: return "by chat"
        }
    }

    static func hours(_ ranges: [HourRange]) -> Set<Int> {
        Set(ranges.flatMap { Array($0.start..<$0.end) })
    }

    static func firstName(_ name: String) -> String {
        String(name.split(separator: " ").first ?? Substring(name))
    }

    /// "a", "a and b", "a, b and c".
    static func list(_ items: [String]) -> String {
        guard items.count > 1 else { return items.first ?? "" }
        return items.dropLast().joined(separator: ", ") + " and " + items.last!
    }
}

/// The labelled scales people choose from instead of typing numbers.
public enum ProficiencyScale {
    /// How well a mentor knows a topic, 1–5.
    public static let levels: [(value: Int, label: String)] = [
        (1, "1 — I've used it"), (2, "2 — I use it now and then"), (3, "3 — I use it regularly"),
        (4, "4 — I know it well"), (5, "5 — I could teach it"),
    ]

    public static func label(_ level: Int) -> String {
        levels.first { $0.value == level }?.label ?? "\(level)/5"
    }
}

/// How much a mentee wants a topic, 1–3.
public enum PriorityScale {
    public static let levels: [(value: Int, label: String)] = [
        (1, "1 — nice to have"), (2, "2 — would help"), (3, "3 — the reason I am here"),
    ]
}
