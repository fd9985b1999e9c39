/// What a login may do; `AccessPolicy` decides what that means for each thing.
public enum UserRole: String, Codable, Sendable, CaseIterable {
    /// Runs programs: sees people and program data.
    case coordinator
    /// A person with a login: sees and edits only their own profile and enrolments.
    case participant
}
