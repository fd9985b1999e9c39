import Foundation

/// Which side of the partnership a person is on. In reverse mentoring the mentor is the junior side.
public enum EnrolmentRole: String, Codable, Sendable, CaseIterable {
    case mentor, mentee
}

/// How a pair prefers to communicate.
public enum Channel: String, Codable, Sendable, CaseIterable, Comparable {
    case inPerson = "in_person", video, chat
    public static func < (a: Channel, b: Channel) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// How often a pair prefers to meet.
public enum Cadence: String, Codable, Sendable, CaseIterable {
    case weekly, biweekly, monthly
}

/// A topic a mentor offers, with proficiency 1–5.
public struct TopicOffer: Hashable, Codable, Sendable {
    public var topic: Topic
    public var proficiency: Int
    public init(topic: Topic, proficiency: Int) {
        self.topic = topic
        self.proficiency = proficiency
    }
}

/// A topic a mentee wants to learn, with priority 1–3 (3 = most important).
public struct TopicWant: Hashable, Codable, Sendable {
    public var topic: Topic
    public var priority: Int
    public init(topic: Topic, priority: Int) {
        self.topic = topic
        self.priority = priority
    }
}

/// A range of whole hours in the person's own time zone, e.g. 9–12 means 09:00 to 12:00.
public struct HourRange: Hashable, Codable, Sendable, CustomStringConvertible {
    public var start: Int
    public var end: Int
    public init?(start: Int, end: Int) {
        guard (0...23).contains(start), (1...24).contains(end), start < end else { return nil }
        self.start = start
        self.end = end
    }
    public var description: String { "\(start)-\(end)" }

    enum CodingKeys: String, CodingKey { case start, end }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let start = try container.decode(Int.self, forKey: .start), end = try container.decode(Int.self, forKey: .end)
        guard let range = HourRange(start: start, end: end) else {
            throw DecodingError.dataCorruptedError(forKey: .end, in: container, debugDescription: "hours must be 0–24 with start before end")
        }
        self = range
    }
}

/// A person's participation in one program.
public struct Enrolment: Hashable, Codable, Sendable {
    public var id: UUID
    public var programID: UUID
    public var employeeID: String
    public var role: EnrolmentRole
    public var offers: [TopicOffer]
    public var wants: [TopicWant]
    public var industries: [String]
    public var channels: [Channel]
    public var cadence: Cadence
    public var capacity: Int
    public var availability: [HourRange]

    public init(id: UUID = UUID(), programID: UUID, employeeID: String, role: EnrolmentRole,
                offers: [TopicOffer] = [], wants: [TopicWant] = [], industries: [String] = [],
                channels: [Channel] = Channel.allCases, cadence: Cadence = .biweekly, capacity: Int = 1,
                availability: [HourRange] = []) {
        self.id = id
        self.programID = programID
        self.employeeID = employeeID
        self.role = role
        self.offers = offers
        self.wants = wants
        self.industries = industries
        self.channels = channels
        self.cadence = cadence
        self.capacity = capacity
        self.availability = availability
    }

    enum CodingKeys: String, CodingKey {
        case id, programID = "program_id", employeeID = "employee_id", role, offers, wants, industries
        case channels, cadence, capacity, availability
    }
}

/// A topic with a level: an offer (proficiency) or a want (priority).
public protocol TopicLevel {
    var topic: Topic { get }
}

extension TopicOffer: TopicLevel {}
extension TopicWant: TopicLevel {}
