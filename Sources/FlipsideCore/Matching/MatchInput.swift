import Foundation
import MatchingEngine

/// Turns people and their enrolments in one program into the matching engine's participants.
public struct MatchInput: Sendable {
    public var mentees: [MatchParticipant]
    public var mentors: [MatchParticipant]

    /// - Parameters:
    ///   - reference: the date at which time-zone offsets are taken (the program's start, or today).
    ///   - tree: the organisation's reporting lines, when `people` is not everyone (read from `people` otherwise).
    public init(people: [String: Person], enrolments: [Enrolment], rules: MatchRules, reference: Date, tree: ReportingTree? = nil) {
        let tree = tree ?? ReportingTree(people: people.values)
        var offsets: [String: Int] = [:]
        func participant(_ e: Enrolment) -> MatchParticipant? {
            guard let p = people[e.employeeID] else { return nil }
            let offset = offsets[p.timeZone] ?? {
                let minutes = Self.utcOffsetMinutes(p.timeZone, at: reference)
                offsets[p.timeZone] = minutes
                return minutes
            }()
            return Self.participant(p, e, managementChain: tree.managementChain(of: p.employeeID), utcOffsetMinutes: offset)
        }
        let sorted = enrolments.sorted { $0.employeeID < $1.employeeID }
        mentees = sorted.filter { $0.role == .mentee }.compactMap(participant)
        mentors = sorted.filter { $0.role == .mentor }.compactMap(participant)
    }

    /// The offset from UTC of an IANA zone at a moment, in minutes (0 for a zone the system does not know).
    public static func utcOffsetMinutes(_ zone: String, at reference: Date) -> Int {
        (TimeZone(identifier: zone)?.secondsFromGMT(for: reference) ?? 0) / 60
    }

    /// One person with one enrolment as the score model sees them: every path that scores a pair
    /// (a program's matching, "who could teach me?") builds its participants here.
    public static func participant(_ p: Person, _ e: Enrolment, managementChain: [String], utcOffsetMinutes offset: Int) -> MatchParticipant {
        var channels = ChannelSet()
        for c in e.channels {
            switch c {
            case .inPerson: channels.insert(.inPerson)
            case .video: channels.insert(.video)
            case .chat: channels.insert(.chat)
            }
        }
        var hours: UInt32 = 0
        for range in e.availability { for h in range.start..<range.end { hours |= 1 << UInt32(h) } }
        var topics: [String: Int] = [:]
        switch e.role {
        case .mentor:
            // Industries a mentor worked in are knowledge they can share: a topic at proficiency 3
            // unless they listed it themselves.
            for industry in e.industries { if let t = Topic(industry) { topics[t.key] = 3 } }
            for offer in e.offers { topics[offer.topic.key] = offer.proficiency }
        case .mentee:
            for want in e.wants { topics[want.topic.key] = want.priority }
        }
        return MatchParticipant(
            id: p.employeeID, level: p.level, department: p.department, location: p.location, utcOffsetMinutes: offset,
            managerID: p.managerID, managementChain: managementChain, attributes: p.attributes,
            channels: channels, cadence: Cadence.allCases.firstIndex(of: e.cadence) ?? 1, availableHours: hours,
            topics: topics, capacity: e.role == .mentor ? e.capacity : 1)
    }
}
