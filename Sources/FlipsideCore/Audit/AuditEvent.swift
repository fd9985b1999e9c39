import Foundation

/// One coordinator or system action, as the audit trail keeps it: who, when, what, on which object,
/// and a short factual detail (counts, a status change, an override's reason) — never words a
/// participant wrote.
public struct AuditEvent: Sendable, Hashable, Codable {
    public var id: UUID
    public var at: Date
    /// The login's email, `system` for commands and background work.
    public var actor: String
    public var action: AuditAction
    /// What it was done to: `people`, `program`, `run`, `pair_rule`, `person`, `login`, `database`.
    public var objectType: String
    public var objectID: String
    public var detail: String

    public init(id: UUID = UUID(), at: Date, actor: String, action: AuditAction, objectType: String, objectID: String, detail: String = "") {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.objectType = objectType
        self.objectID = objectID
        self.detail = detail
    }
}

/// What the audit trail records.
public enum AuditAction: String, Sendable, Hashable, Codable, CaseIterable {
    case peopleImported = "people.imported"
    case peopleLeft = "people.left"
    case peopleImportKept = "people.import_kept"
    case enrolmentsImported = "enrolments.imported"
    case programCreated = "program.created"
    case programChanged = "program.changed"
    case programStatusChanged = "program.status_changed"
    case programDeleted = "program.deleted"
    case guidanceChanged = "program.guidance_changed"
    case runStarted = "run.started"
    case runPublished = "run.published"
    case pairRuleAdded = "pair_rule.added"
    case pairRuleOverridden = "pair_rule.overridden"
    case pairRuleRemoved = "pair_rule.removed"
    case signedIn = "login.signed_in"
    case tokenIssued = "login.token_issued"
    case invitationQueued = "login.invitation_queued"
    case personExported = "person.exported"
    case personErased = "person.erased"
    case restored = "database.restored"
    case personProvisioned = "people.provisioned"
    case provisioningTokenCreated = "provisioning.token_created"
    case provisioningTokenRevoked = "provisioning.token_revoked"

    /// In words, for the audit page.
    public var label: String {
        switch self {
        case .peopleImported: return "HR import"
        case .peopleLeft: return "leavers' access ended"
        case .peopleImportKept: return "HR file kept while its columns are mapped"
        case .enrolmentsImported: return "enrolments imported"
        case .programCreated: return "program created"
        case .programChanged: return "program changed"
        case .programStatusChanged: return "program status changed"
        case .programDeleted: return "program deleted"
        case .guidanceChanged: return "program guidance changed"
        case .runStarted: return "match run started"
        case .runPublished: return "match run published"
        case .pairRuleAdded: return "lock or exclusion added"
        case .pairRuleOverridden: return "hard rule overridden"
        case .pairRuleRemoved: return "lock or exclusion removed"
        case .signedIn: return "signed in"
        case .tokenIssued: return "API token issued"
        case .invitationQueued: return "sign-in invitation queued"
        case .personExported: return "personal data exported"
        case .personErased: return "personal data erased"
        case .restored: return "database restored from a backup"
        case .personProvisioned: return "person provisioned by the identity provider"
        case .provisioningTokenCreated: return "provisioning token made"
        case .provisioningTokenRevoked: return "provisioning token revoked"
        }
    }
}
