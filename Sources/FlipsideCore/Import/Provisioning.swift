import Foundation

/// A user as an identity provider provisions it (SCIM's User, RFC 7643, in Flipside's words): what the
/// server's SCIM layer read from a request. `nil` means the request did not give it.
public struct ProvisionedUser: Sendable, Equatable {
    public var userName: String
    public var externalID: String?
    /// The enterprise extension's `employeeNumber`: the person's employee id when they are first provisioned.
    public var employeeNumber: String?
    public var formattedName: String?
    public var givenName: String?
    public var familyName: String?
    public var displayName: String?
    /// The work (or primary) email.
    public var email: String?
    /// The type the provider gave that email (`work` unless it said otherwise).
    public var emailType: String?
    /// Whether the provider marked it primary.
    public var emailPrimary: Bool?
    public var title: String?
    /// `nil`: not given (a new user is active).
    public var active: Bool?
    public var department: String?
    /// The manager's SCIM id, which is their employee id.
    public var managerID: String?
    public var location: String?
    public var timeZone: String?
    public var level: Int?
    public var hireDate: CalendarDate?

    public init(userName: String, externalID: String? = nil, employeeNumber: String? = nil, formattedName: String? = nil,
                givenName: String? = nil, familyName: String? = nil, displayName: String? = nil, email: String? = nil,
                emailType: String? = nil, title: String? = nil, active: Bool? = nil, department: String? = nil, managerID: String? = nil,
                location: String? = nil, timeZone: String? = nil, level: Int? = nil, hireDate: CalendarDate? = nil) {
        self.userName = userName
        self.externalID = externalID
        self.employeeNumber = employeeNumber
        self.formattedName = formattedName
        self.givenName = givenName
        self.familyName = familyName
        self.displayName = displayName
        self.email = email
        self.emailType = emailType
        self.title = title
        self.active = active
        self.department = department
        self.managerID = managerID
        self.location = location
        self.timeZone = timeZone
        self.level = level
        self.hireDate = hireDate
    }
}

/// What the identity provider knows of a person that the HR record does not hold: its user name, its
/// own id for them, the parts of their name, and a manager it named before that manager arrived.
public struct ProvisioningLink: Sendable, Equatable {
    public var employeeID: String
    public var userName: String
    public var externalID: String?
    /// The employee number the provider gives: the person's employee id when they were first provisioned.
    /// The employee id (the HR key, and the SCIM id) never changes through SCIM; a later number is kept
    /// as what the provider says.
    public var employeeNumber: String?
    public var emailType: String?
    public var emailPrimary: Bool?
    public var formattedName: String?
    public var givenName: String?
    public var familyName: String?
    public var displayName: String?
    /// A manager the provider named who is not provisioned yet: set as the manager when they arrive.
    public var pendingManagerID: String?
    /// Deleted through SCIM: the person stays (as someone who has left) but the provider no longer sees them.
    public var deleted: Bool
    public var created: Date?
    public var modified: Date?

    public init(employeeID: String, userName: String, externalID: String? = nil, employeeNumber: String? = nil,
                emailType: String? = nil, emailPrimary: Bool? = nil, formattedName: String? = nil,
                givenName: String? = nil, familyName: String? = nil, displayName: String? = nil,
                pendingManagerID: String? = nil, deleted: Bool = false, created: Date? = nil, modified: Date? = nil) {
        self.employeeID = employeeID
        self.userName = userName
        self.externalID = externalID
        self.employeeNumber = employeeNumber
        self.emailType = emailType
        self.emailPrimary = emailPrimary
        self.formattedName = formattedName
        self.givenName = givenName
        self.familyName = familyName
        self.displayName = displayName
        self.pendingManagerID = pendingManagerID
        self.deleted = deleted
        self.created = created
        self.modified = modified
    }

    /// The link a person imported from an HR file has before the provider ever touched them: their
    /// email is their user name (how providers find existing people).
    public static func implied(by person: Person) -> ProvisioningLink {
        ProvisioningLink(employeeID: person.employeeID, userName: person.email, employeeNumber: person.employeeID, formattedName: person.name)
    }
}

/// A person as the identity provider sees them: the HR record and the provider's link.
public struct ProvisionedAccount: Sendable, Equatable {
    public var person: Person
    public var link: ProvisioningLink
    /// A manager named but not provisioned yet.
    public var pendingManagerID: String? { link.pendingManagerID }

    public init(person: Person, link: ProvisioningLink) {
        self.person = person
        self.link = link
    }
}

/// What a new person gets for what providers rarely send (documented in the README's SCIM section).
public struct ProvisioningDefaults: Sendable, Equatable {
    public var level: Int
    public var timeZone: String
    public init(level: Int = 1, timeZone: String = "UTC") {
        self.level = level
        self.timeZone = timeZone
    }
}

/// Why a provisioning request changes nothing; the SCIM layer answers each with its status and `scimType`.
public enum ProvisioningError: Error, Equatable, Sendable {
    /// 400 `invalidValue`: a value breaks a rule of the HR record.
    case invalid(attribute: String, reason: String)
    /// 409 `uniqueness`: the user name, email or employee number belongs to someone else.
    case uniqueness(attribute: String, reason: String)
    /// 400 `mutability`: the employee number cannot change, a value a person always has cannot be removed.
    case mutability(attribute: String, reason: String)
    /// 404: no such user (or deleted through SCIM).
    case notFound
    /// 412: the resource changed since the version the request names (`If-Match`).
    case versionChanged
}

/// How a request's absent attributes are read.
public enum ProvisioningMode: Sendable {
    /// POST and PUT: what the provider does not send, it does not manage — the HR record keeps it (a
    /// company may send departments and levels by HR file and joiners and leavers by SCIM).
    case keepUnsent
    /// The result of a PATCH applied to the whole resource: an attribute missing was removed.
    case removeMissing
}

/// The unit of work of a SCIM request: reads and writes of one person, their link and their neighbours
/// in the reporting chain, under the people-import lock (so SCIM and HR imports take turns).
public protocol ProvisioningWork: Sendable {
    func person(_ employeeID: String) async throws -> Person?
    func link(_ employeeID: String) async throws -> ProvisioningLink?
    /// The employee id of the person with this email (case aside), if any.
    func owner(ofEmail email: String) async throws -> String?
    /// The employee id linked to this user name (case aside), deleted links aside.
    func owner(ofUserName userName: String) async throws -> String?
    /// Every stored email (for look-alike checks of an address that is not plain ASCII).
    func allEmails() async throws -> [String]
    /// People whose link waits for a manager who is there now, with that manager.
    func waitingReports() async throws -> [(report: String, manager: String)]
    /// Stores the person (new or changed) and their link; `before` is what was stored.
    func save(_ person: Person, before: Person?, link: ProvisioningLink, at: Date) async throws
    /// Records changes of placement in the HR history (`EmploymentChange`), in the same unit of work.
    func record(_ changes: [EmploymentChange], at: Date) async throws
    /// Ends every way in (tokens, sessions, sign-in links) for these people: the HR import's own path.
    func endAccess(for employeeIDs: [String]) async throws
    /// Ends these people's current pairs and open requests, as the HR import does for leavers.
    func endPairs(of employeeIDs: [String], at: Date, reason: String) async throws
}

public protocol ProvisioningStore: Sendable {
    func atomically<T: Sendable>(_ body: @escaping @Sendable (any ProvisioningWork) async throws -> T) async throws -> T
}

/// SCIM provisioning under the HR import's rules: one person, one record (the employee id is the SCIM
/// id), unique emails and user names, no reporting cycles, text limits; `active: false` and DELETE are
/// the HR import's leaving (every way in closed at once, current pairs ended), `active: true` restores.
/// A manager not provisioned yet is kept waiting and set when they arrive, never into a cycle.
public enum Provisioning {
    /// The account a provider sees under this id.
    public static func account(_ employeeID: String, actor: Actor, store: any ProvisioningStore) async throws -> ProvisionedAccount {
        try AccessPolicy.require(actor, .view, .directory)
        return try await store.atomically { work in try await visible(employeeID, work) }
    }

    /// POST: a new person, or an HR-imported person the provider now names (same employee number, no
    /// live link yet), or one deleted through SCIM coming back.
    public static func create(_ user: ProvisionedUser, actor: Actor, now: Date, defaults: ProvisioningDefaults,
                              store: any ProvisioningStore) async throws -> ProvisionedAccount {
        try AccessPolicy.require(actor, .change, .directory)
        let id = try employeeID(of: user)
        return try await store.atomically { work in
            let old = try await work.person(id)
            let oldLink = try await work.link(id)
            if old != nil, let oldLink, !oldLink.deleted {
                throw ProvisioningError.uniqueness(attribute: "employeeNumber", reason: "a user with employee number \(id) exists already (id \(id))")
            }
            var user = user
            if user.active == nil { user.active = true }
            return try await write(user, id: id, old: old, oldLink: oldLink, mode: .keepUnsent, now: now, defaults: defaults, work: work)
        }
    }

    /// PUT, or PATCH (`edit` applies the operations to the current user): `expect` may refuse the
    /// current version (`If-Match`).
    public static func change(_ employeeID: String, mode: ProvisioningMode, actor: Actor, now: Date, defaults: ProvisioningDefaults,
                              store: any ProvisioningStore,
                              expect: @escaping @Sendable (ProvisionedAccount) throws -> Void = { _ in },
                              _ edit: @escaping @Sendable (ProvisionedAccount) throws -> ProvisionedUser) async throws -> ProvisionedAccount {
        try AccessPolicy.require(actor, .change, .directory)
        return try await store.atomically { work in
            let current = try await visible(employeeID, work)
            try expect(current)
            let user = try edit(current)
            return try await write(user, id: employeeID, old: current.person, oldLink: current.link, mode: mode, now: now, defaults: defaults, work: work)
        }
    }

    /// DELETE: the person has left (exit date today, every way in closed) and the provider no longer sees them.
    public static func delete(_ employeeID: String, actor: Actor, now: Date, store: any ProvisioningStore,
                              expect: @escaping @Sendable (ProvisionedAccount) throws -> Void = { _ in }) async throws {
        try AccessPolicy.require(actor, .change, .directory)
        try await store.atomically { work in
            let current = try await visible(employeeID, work)
            try expect(current)
            var person = current.person
            var link = current.link
            link.deleted = true
            link.modified = now
            let leaving = person.status != .exited
            if leaving { leave(&person, today: CalendarDate.today(now: now)) }
            try await work.save(person, before: current.person, link: link, at: now)
            if leaving {
                try await work.endAccess(for: [employeeID])
                try await work.endPairs(of: [employeeID], at: now, reason: "left the organisation")
            }
        }
    }

    /// The id a new user is stored under: the employee number, else the provider's external id, else the user name.
    static func employeeID(of user: ProvisionedUser) throws(ProvisioningError) -> String {
        let id = (user.employeeNumber ?? user.externalID ?? user.userName).trimmed
        guard !id.isEmpty else { throw .invalid(attribute: "employeeNumber", reason: "must not be empty") }
        if let reason = TextLimits.problem(id, most: TextLimits.short) { throw .invalid(attribute: "employeeNumber", reason: reason) }
        if let hidden = UnicodeSafety.hiddenInIdentifier(id) {
            throw .invalid(attribute: "employeeNumber", reason: "must not contain invisible characters (found \(hidden))")
        }
        return id
    }

    private static func visible(_ employeeID: String, _ work: any ProvisioningWork) async throws -> ProvisionedAccount {
        guard let person = try await work.person(employeeID) else { throw ProvisioningError.notFound }
        let link = try await work.link(employeeID) ?? .implied(by: person)
        guard !link.deleted else { throw ProvisioningError.notFound }
        return ProvisionedAccount(person: person, link: link)
    }

    static func leave(_ person: inout Person, today: CalendarDate) {
        person.status = .exited
        person.exitDate = max(today, person.hireDate)
    }

    // MARK: - One write, every rule

    private static func write(_ user: ProvisionedUser, id: String, old: Person?, oldLink: ProvisioningLink?, mode: ProvisioningMode,
                              now: Date, defaults: ProvisioningDefaults, work: any ProvisioningWork) async throws -> ProvisionedAccount {
        let today = CalendarDate.today(now: now)
        var person = try record(user, id: id, old: old, mode: mode, today: today, defaults: defaults)
        let userName = user.userName.trimmed
        try check(userName, "userName", required: true)
        if let owner = try await work.owner(ofUserName: userName), owner != id {
            throw ProvisioningError.uniqueness(attribute: "userName", reason: "\(userName) is the user name of another user (id \(owner))")
        }
        if let owner = try await work.owner(ofEmail: person.email), owner != id {
            throw ProvisioningError.uniqueness(attribute: "emails", reason: "\(person.email) is the email of another person (employee id \(owner))")
        }
        if !person.email.isAllASCII,
           let (_, other) = UnicodeSafety.lookAlikes(candidates: [person.email], others: try await work.allEmails().filter { $0.lowercased() != old?.email.lowercased() }).first {
            throw ProvisioningError.invalid(attribute: "emails", reason: "\(person.email) looks like \(other) but is another address (look-alike characters)")
        }

        // The manager: known (and not into a cycle), or waiting for them to arrive.
        var pending: String?
        let named = mode == .keepUnsent && user.managerID == nil ? (old?.managerID ?? oldLink?.pendingManagerID) : user.managerID?.trimmed
        person.managerID = nil
        if let manager = named, !manager.isEmpty {
            try check(manager, "manager")
            guard manager != id else { throw ProvisioningError.invalid(attribute: "manager", reason: "a person cannot be their own manager") }
            if try await work.person(manager) != nil {
                if let path = try await chain(from: manager, reaching: id, work) {
                    throw ProvisioningError.invalid(attribute: "manager",
                                                    reason: "cycle in the reporting chain: \((path + [id]).joined(separator: " → "))")
                }
                person.managerID = manager
            } else {
                pending = manager
            }
        }

        var link = oldLink ?? ProvisioningLink(employeeID: id, userName: userName, created: now)
        if link.created == nil { link.created = now }
        link.userName = userName
        link.deleted = false
        link.modified = now
        link.pendingManagerID = pending
        func kept(_ given: String?, _ current: String?) -> String? {
            mode == .keepUnsent && given == nil ? current : given?.trimmed.nilIfEmpty
        }
        link.externalID = kept(user.externalID, oldLink?.externalID)
        link.employeeNumber = kept(user.employeeNumber, oldLink?.employeeNumber)
        link.emailType = kept(user.emailType, oldLink?.emailType)
        link.emailPrimary = mode == .keepUnsent && user.emailPrimary == nil ? oldLink?.emailPrimary : user.emailPrimary
        link.formattedName = kept(user.formattedName, oldLink?.formattedName)
        link.givenName = kept(user.givenName, oldLink?.givenName)
        link.familyName = kept(user.familyName, oldLink?.familyName)
        link.displayName = kept(user.displayName, oldLink?.displayName)
        for (attribute, value) in [("externalId", link.externalID), ("employeeNumber", link.employeeNumber), ("emails.type", link.emailType),
                                   ("name.formatted", link.formattedName), ("name.givenName", link.givenName),
                                   ("name.familyName", link.familyName), ("displayName", link.displayName)] {
            if let value { try check(value, attribute) }
        }

        let leaving = person.status == .exited && old?.status != .exited
        try await work.save(person, before: old, link: link, at: now)
        // A new level, department or location: the HR history, effective today.
        if let change = EmploymentChange(from: old, to: person, on: CalendarDate.today(now: now)) { try await work.record([change], at: now) }
        try await settleWaitingReports(work: work, at: now)
        if leaving {
            try await work.endAccess(for: [id])
            try await work.endPairs(of: [id], at: now, reason: "left the organisation")
        }
        return ProvisionedAccount(person: person, link: link)
    }

    /// The HR record the request describes, every value checked as the HR import checks it.
    static func record(_ user: ProvisionedUser, id: String, old: Person?, mode: ProvisioningMode, today: CalendarDate,
                       defaults: ProvisioningDefaults) throws(ProvisioningError) -> Person {
        let keep = mode == .keepUnsent
        func joined(_ parts: [String?]) -> String? {
            let text = parts.compactMap { $0?.trimmed.nilIfEmpty }.joined(separator: " ")
            return text.isEmpty ? nil : text
        }
        let name = user.formattedName?.trimmed.nilIfEmpty ?? joined([user.givenName, user.familyName]) ?? user.displayName?.trimmed.nilIfEmpty
            ?? old?.name ?? user.userName.trimmed
        try check(name, "name", required: true)

        let email: String
        if let given = user.email?.trimmed.nilIfEmpty {
            email = given
        } else if keep, let old {
            email = old.email
        } else if keep, EmailAddress.isPlausible(user.userName.trimmed) {
            email = user.userName.trimmed
        } else {
            throw .invalid(attribute: "emails", reason: "a work email is needed: Flipside writes to people and finds them by it")
        }
        guard email.count <= 254, EmailAddress.isPlausible(email) else { throw .invalid(attribute: "emails", reason: "\(email) is not an email address") }
        try check(email, "emails")

        func text(_ given: String?, _ current: String?, _ attribute: String) throws(ProvisioningError) -> String {
            let value = keep && given == nil ? (current ?? "") : (given?.trimmed ?? "")
            try check(value, attribute)
            return value
        }
        let title = try text(user.title, old?.title, "title")
        let department = try text(user.department, old?.department, "department")
        let location = try text(user.location, old?.location, "location")

        let level: Int
        if let given = user.level {
            guard (0...100).contains(given) else { throw .invalid(attribute: "level", reason: "must be between 0 and 100") }
            level = given
        } else if keep || old == nil {
            level = old?.level ?? defaults.level
        } else {
            throw .mutability(attribute: "level", reason: "a person always has a level in Flipside: replace it instead of removing it")
        }

        let zone: String
        if let given = user.timeZone?.trimmed.nilIfEmpty {
            guard TimeZoneName.isValid(given) else { throw .invalid(attribute: "timezone", reason: "\(given) is not an IANA time zone (e.g. Europe/Berlin)") }
            zone = given
        } else if keep || old == nil {
            zone = old?.timeZone ?? defaults.timeZone
        } else {
            throw .mutability(attribute: "timezone", reason: "a person always has a time zone in Flipside: replace it instead of removing it")
        }

        let hire: CalendarDate
        if let given = user.hireDate {
            hire = given
        } else if keep || old == nil {
            hire = old?.hireDate ?? today
        } else {
            throw .mutability(attribute: "hireDate", reason: "a person always has a hire date in Flipside: replace it instead of removing it")
        }

        var person = Person(employeeID: id, name: name, email: email, title: title, level: level, hireDate: hire,
                            department: department, location: location, timeZone: zone, managerID: old?.managerID,
                            status: old?.status ?? .active, exitDate: old?.exitDate, attributes: old?.attributes ?? [:])
        switch user.active {
        case false?:
            if person.status != .exited { leave(&person, today: today) }
        case true?:
            if person.status == .exited {
                person.status = .active
                person.exitDate = nil
            }
        case nil:
            break
        }
        if let exit = person.exitDate, exit < hire {
            throw .invalid(attribute: "hireDate", reason: "\(hire) is after the exit date \(exit)")
        }
        return person
    }

    private static func check(_ value: String, _ attribute: String, required: Bool = false) throws(ProvisioningError) {
        if required && value.isEmpty { throw .invalid(attribute: attribute, reason: "must not be empty") }
        let most = attribute == "emails" ? 254 : TextLimits.short
        if let reason = TextLimits.problem(value, most: most) { throw .invalid(attribute: attribute, reason: reason) }
    }

    /// The chain of managers from `start` upward, if it reaches `target` (then setting `target`'s manager
    /// to `start` would close a cycle).
    private static func chain(from start: String, reaching target: String, _ work: any ProvisioningWork) async throws -> [String]? {
        var path = [target]
        var seen: Set<String> = [target]
        var next: String? = start
        while let current = next {
            if current == target { return path }
            guard seen.insert(current).inserted else { return nil }   // a cycle above (never stored), not through target
            path.append(current)
            next = try await work.person(current)?.managerID
        }
        return nil
    }

    /// Reports that named a manager before the manager arrived now report to them, unless that would
    /// close a cycle; then they keep waiting, and are settled after any later change that lifts it.
    private static func settleWaitingReports(work: any ProvisioningWork, at now: Date) async throws {
        for (report, managerID) in try await work.waitingReports() {
            guard var person = try await work.person(report), var link = try await work.link(report), !link.deleted else { continue }
            if try await chain(from: managerID, reaching: report, work) != nil { continue }
            let before = person
            person.managerID = managerID
            link.pendingManagerID = nil
            link.modified = now
            try await work.save(person, before: before, link: link, at: now)
        }
    }
}
