import Foundation

/// What a person may say about themselves; everything else about them comes from HR.
public enum PersonProfile {
    /// Background attributes a participant may set on their own profile.
    public static let selfDescribedAttributes = ["pronouns", "career_path", "previous_industry", "background"]
}

/// A change a person makes to their own profile: a time zone and self-described attributes (a value
/// that is `nil` or blank removes the attribute).
public struct ProfileDraft: Sendable, Equatable {
    public var timeZone: String?
    public var attributes: [String: String?]
    public init(timeZone: String? = nil, attributes: [String: String?] = [:]) {
        self.timeZone = timeZone
        self.attributes = attributes
    }
}

/// Where the profile use case reads and writes people.
public protocol ProfileStore: Sendable {
    func person(_ employeeID: String) async throws -> Person?
    func replace(_ person: Person) async throws
}

public enum ProfileError: Error, Equatable, Sendable {
    case personNotFound(employeeID: String)
    case invalid([FieldProblem])

    /// A sentence for a person.
    public var message: String {
        switch self {
        case let .personNotFound(id): return "Person \(id) was not found."
        case let .invalid(problems): return problems.map { "\($0.field) \($0.reason)" }.joined(separator: "; ")
        }
    }
}

public enum Profiles {
    /// Applies `draft` to the person's record: their own, or anyone's for a coordinator.
    public static func update(_ employeeID: String, with draft: ProfileDraft, actor: Actor, store: any ProfileStore) async throws -> Person {
        try AccessPolicy.require(actor, .change, .person(employeeID: employeeID))
        guard var person = try await store.person(employeeID) else { throw ProfileError.personNotFound(employeeID: employeeID) }
        let problems = apply(draft, to: &person)
        if !problems.isEmpty { throw ProfileError.invalid(problems) }
        try await store.replace(person)
        return person
    }

    /// Applies a draft to a person, returning the problems with it (the person is then only partly changed).
    public static func apply(_ draft: ProfileDraft, to person: inout Person) -> [FieldProblem] {
        var problems: [FieldProblem] = []
        if let timeZone = draft.timeZone {
            if TimeZoneName.isValid(timeZone) { person.timeZone = timeZone } else {
                problems.append(FieldProblem(field: "time_zone", reason: "is not an IANA time zone (e.g. Europe/Berlin)"))
            }
        }
        for (rawKey, value) in draft.attributes.sorted(by: { $0.key < $1.key }) {
            let key = rawKey.trimmed.lowercased()
            guard PersonProfile.selfDescribedAttributes.contains(key) else {
                problems.append(FieldProblem(field: "attributes.\(TextLimits.preview(key))",
                                             reason: "is not a self-described attribute (allowed: \(PersonProfile.selfDescribedAttributes.joined(separator: ", ")))"))
                continue
            }
            let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines)
            if let trimmed, let reason = TextLimits.problem(trimmed, most: TextLimits.short) {
                problems.append(FieldProblem(field: "attributes.\(key)", reason: reason))
                continue
            }
            person.attributes[key] = (trimmed?.isEmpty ?? true) ? nil : trimmed
        }
        return problems
    }
}
