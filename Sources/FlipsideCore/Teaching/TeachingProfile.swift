import Foundation

/// What a person could teach, outside any program, and whether colleagues may ask them: topics with
/// proficiency, industries they worked in, languages they speak, the ways and hours they could meet.
/// Only the person keeps it; `openToRequests` (off unless they switch it on) decides whether a
/// colleague who asks "who could teach me?" sees their name.
public struct TeachingProfile: Hashable, Codable, Sendable {
    public var employeeID: String
    public var offers: [TopicOffer]
    public var industries: [String]
    public var languages: [String]
    public var channels: [Channel]
    public var availability: [HourRange]
    public var openToRequests: Bool
    public var changedAt: Date

    public init(employeeID: String, offers: [TopicOffer] = [], industries: [String] = [], languages: [String] = [],
                channels: [Channel] = Channel.allCases, availability: [HourRange] = [], openToRequests: Bool = false,
                changedAt: Date = Date(timeIntervalSince1970: 0)) {
        self.employeeID = employeeID
        self.offers = offers
        self.industries = industries
        self.languages = languages
        self.channels = channels
        self.availability = availability
        self.openToRequests = openToRequests
        self.changedAt = changedAt
    }

    /// A profile nobody has filled in yet: nothing to teach, not open to being asked.
    public static func empty(_ employeeID: String) -> TeachingProfile { TeachingProfile(employeeID: employeeID) }

    /// The person as a mentor enrolling in a program: the enrolment starts from what the profile says
    /// (the person still sees and changes it on the form before anything is saved).
    public func mentorDraft() -> EnrolmentDraft {
        var draft = EnrolmentDraft()
        draft.role = .mentor
        draft.offers = offers
        draft.industries = industries
        draft.channels = channels
        draft.availability = availability
        return draft
    }

    enum CodingKeys: String, CodingKey {
        case employeeID = "employee_id", offers, industries, languages, channels, availability
        case openToRequests = "open_to_requests", changedAt = "changed_at"
    }
}

/// A change to a teaching profile from the page or the API: what is absent stays as it is.
public struct TeachingProfileDraft: Sendable, Equatable {
    public var offers: [TopicOffer]?
    public var industries: [String]?
    public var languages: [String]?
    public var channels: [Channel]?
    public var availability: [HourRange]?
    public var openToRequests: Bool?

    public init(offers: [TopicOffer]? = nil, industries: [String]? = nil, languages: [String]? = nil, channels: [Channel]? = nil,
                availability: [HourRange]? = nil, openToRequests: Bool? = nil) {
        self.offers = offers
        self.industries = industries
        self.languages = languages
        self.channels = channels
        self.availability = availability
        self.openToRequests = openToRequests
    }

    /// What an enrolment says the person can teach (a mentor's topics and industries) and how they
    /// meet, to keep on their profile when they ask for it.
    public init(keeping enrolment: Enrolment) {
        if enrolment.role == .mentor {
            offers = enrolment.offers
            industries = enrolment.industries
        }
        channels = enrolment.channels
        availability = enrolment.availability
    }

    public func apply(to profile: inout TeachingProfile) {
        if let offers { profile.offers = offers }
        if let industries { profile.industries = Self.distinct(industries) }
        if let languages { profile.languages = Self.distinct(languages) }
        if let channels { profile.channels = Array(Set(channels)).sorted() }
        if let availability { profile.availability = availability.sorted { $0.start < $1.start } }
        if let openToRequests { profile.openToRequests = openToRequests }
    }

    /// Trimmed, blanks dropped, each once (case-insensitive), in the order given.
    static func distinct(_ items: [String]) -> [String] {
        var seen: Set<String> = []
        return items.map(\.trimmed).filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
    }
}

public enum TeachingProfileRules {
    /// At most this many languages.
    public static let languages = 10

    /// Problems with a profile, each naming its field.
    public static func problems(in profile: TeachingProfile) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if profile.offers.contains(where: { !(1...5).contains($0.proficiency) }) {
            problems.append(FieldProblem(field: "offers", reason: "proficiency must be from 1 to 5"))
        }
        if Set(profile.offers.map(\.topic)).count != profile.offers.count { problems.append(FieldProblem(field: "offers", reason: "a topic is listed twice")) }
        if profile.openToRequests && profile.offers.isEmpty && profile.industries.isEmpty {
            problems.append(FieldProblem(field: "open_to_requests", reason: "needs at least one topic or industry you could teach"))
        }
        // The same bounds as an enrolment's lists.
        let asEnrolment = Enrolment(programID: UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)), employeeID: profile.employeeID,
                                    role: .mentor, offers: profile.offers, industries: profile.industries, channels: profile.channels,
                                    availability: profile.availability)
        problems += EnrolmentRules.limitProblems(in: asEnrolment)
        if profile.languages.count > languages {
            problems.append(FieldProblem(field: "languages", reason: "lists \(profile.languages.count) languages; at most \(languages)"))
        }
        if let reason = profile.languages.lazy.compactMap({ TextLimits.problem($0, most: TextLimits.topic) }).first {
            problems.append(FieldProblem(field: "languages", reason: "a language \(reason)"))
        }
        if profile.channels.isEmpty { problems.append(FieldProblem(field: "channels", reason: "at least one channel is needed")) }
        return problems
    }
}

/// Where teaching profiles are kept.
public protocol TeachingProfileStore: Sendable {
    func person(_ employeeID: String) async throws -> Person?
    func teachingProfile(of employeeID: String) async throws -> TeachingProfile?
    /// Stores the profile (insert or replace).
    func save(_ profile: TeachingProfile) async throws
}

/// Reading and changing one's teaching profile.
public enum TeachingProfiles {
    /// The person's profile (an empty one until they fill it in), for themselves or a coordinator.
    public static func profile(of employeeID: String, actor: Actor, store: any TeachingProfileStore) async throws -> TeachingProfile {
        try AccessPolicy.require(actor, .view, .teachingProfile(employeeID: employeeID))
        guard let person = try await store.person(employeeID), person.status.keepsAccess else { throw ProfileError.personNotFound(employeeID: employeeID) }
        return try await store.teachingProfile(of: person.employeeID) ?? .empty(person.employeeID)
    }

    /// Applies a change the person makes to their own profile; nobody else changes it.
    public static func update(_ employeeID: String, with draft: TeachingProfileDraft, actor: Actor, now: Date,
                              store: any TeachingProfileStore) async throws -> TeachingProfile {
        try AccessPolicy.require(actor, .change, .teachingProfile(employeeID: employeeID))
        var profile = try await profile(of: employeeID, actor: actor, store: store)
        draft.apply(to: &profile)
        let problems = TeachingProfileRules.problems(in: profile)
        if !problems.isEmpty { throw ProfileError.invalid(problems) }
        profile.changedAt = now
        try await store.save(profile)
        return profile
    }
}
