import Crypto
import FlipsideCore
import Foundation

/// A SCIM error (RFC 7644 §3.12): its status, `scimType` where one fits, and what went wrong in words.
struct SCIMError: Error, Equatable {
    var status: Int
    var scimType: String?
    var detail: String

    static func invalidValue(_ detail: String) -> SCIMError { SCIMError(status: 400, scimType: "invalidValue", detail: detail) }
    static func invalidSyntax(_ detail: String) -> SCIMError { SCIMError(status: 400, scimType: "invalidSyntax", detail: detail) }
    static func invalidPath(_ detail: String) -> SCIMError { SCIMError(status: 400, scimType: "invalidPath", detail: detail) }
    static func invalidFilter(_ detail: String) -> SCIMError { SCIMError(status: 400, scimType: "invalidFilter", detail: detail) }
    static func noTarget(_ detail: String) -> SCIMError { SCIMError(status: 400, scimType: "noTarget", detail: detail) }

    init(status: Int, scimType: String? = nil, detail: String) {
        self.status = status
        self.scimType = scimType
        self.detail = detail
    }

    init(_ error: ProvisioningError) {
        switch error {
        case let .invalid(attribute, reason): self.init(status: 400, scimType: "invalidValue", detail: "\(attribute): \(reason)")
        case let .uniqueness(attribute, reason): self.init(status: 409, scimType: "uniqueness", detail: "\(attribute): \(reason)")
        case let .mutability(attribute, reason): self.init(status: 400, scimType: "mutability", detail: "\(attribute): \(reason)")
        case .notFound: self.init(status: 404, detail: "No such user.")
        case .versionChanged: self.init(status: 412, detail: "The user changed since the version in If-Match: read it again.")
        }
    }

    var body: JSONValue {
        var object: [String: JSONValue] = ["schemas": .array([.string(SCIMSchema.error)]), "status": .string(String(status)), "detail": .string(detail)]
        if let scimType { object["scimType"] = .string(scimType) }
        return .object(object)
    }
}

enum SCIMSchema {
    static let user = "urn:ietf:params:scim:schemas:core:2.0:User"
    static let enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
    /// Flipside's own extension: what the HR record needs that the standard schemas lack.
    static let flipside = "urn:flipside:params:scim:schemas:extension:flipside:2.0:User"
    static let error = "urn:ietf:params:scim:api:messages:2.0:Error"
    static let listResponse = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    static let patchOp = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
    static let searchRequest = "urn:ietf:params:scim:api:messages:2.0:SearchRequest"
    /// The schemas a user's attributes live in, longest first (so a path names the right one).
    static let userSchemas = [enterprise, flipside, user]
}

/// A person as SCIM shows them, and SCIM's requests read into Flipside's terms.
enum SCIMUser {
    // MARK: Showing

    /// The whole resource, `meta` with its location and version included.
    static func resource(_ account: ProvisionedAccount, base: String) -> [String: JSONValue] {
        var object = body(account, base: base)
        let location = base + "/Users/" + percentEncoded(account.person.employeeID)
        var meta: [String: JSONValue] = ["resourceType": .string("User"), "location": .string(location), "version": .string(version(of: object))]
        if let created = account.link.created { meta["created"] = .string(timestamp(created)) }
        if let modified = account.link.modified ?? account.link.created { meta["lastModified"] = .string(timestamp(modified)) }
        object["meta"] = .object(meta)
        return object
    }

    /// The resource without `meta`: what PATCH works on and what the version is computed from.
    static func body(_ account: ProvisionedAccount, base: String) -> [String: JSONValue] {
        let person = account.person, link = account.link
        var object: [String: JSONValue] = [
            "schemas": .array([.string(SCIMSchema.user), .string(SCIMSchema.enterprise), .string(SCIMSchema.flipside)]),
            "id": .string(person.employeeID),
            "userName": .string(link.userName),
            "active": .bool(person.status != .exited),
            "emails": .array([.object(["value": .string(person.email), "type": .string(link.emailType ?? "work"), "primary": .bool(link.emailPrimary ?? true)])]),
            "timezone": .string(person.timeZone),
        ]
        if let external = link.externalID { object["externalId"] = .string(external) }
        if link.formattedName != nil || link.givenName != nil || link.familyName != nil {
            var name: [String: JSONValue] = ["formatted": .string(person.name)]
            if let given = link.givenName { name["givenName"] = .string(given) }
            if let family = link.familyName { name["familyName"] = .string(family) }
            object["name"] = .object(name)
        }
        if let display = link.displayName { object["displayName"] = .string(display) }
        if !person.title.isEmpty { object["title"] = .string(person.title) }
        var enterprise: [String: JSONValue] = [:]
        if let number = link.employeeNumber { enterprise["employeeNumber"] = .string(number) }
        if !person.department.isEmpty { enterprise["department"] = .string(person.department) }
        if let manager = person.managerID ?? link.pendingManagerID {
            enterprise["manager"] = .object(["value": .string(manager), "$ref": .string(base + "/Users/" + percentEncoded(manager))])
        }
        if !enterprise.isEmpty { object[SCIMSchema.enterprise] = .object(enterprise) }
        var flipside: [String: JSONValue] = ["level": .string(String(person.level)), "hireDate": .string(person.hireDate.description)]
        if !person.location.isEmpty { flipside["location"] = .string(person.location) }
        object[SCIMSchema.flipside] = .object(flipside)
        return object
    }

    /// A weak ETag of what the resource says (so an HR import's change shows as a new version too).
    static func version(of body: [String: JSONValue]) -> String {
        let data = (try? JSONValue.object(body).encoded()) ?? Data()
        let digest = SHA256.hash(data: data).prefix(8).map { String(format: "%02x", $0) }.joined()
        return "W/\"\(digest)\""
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static func percentEncoded(_ id: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return id.addingPercentEncoding(withAllowedCharacters: allowed) ?? id
    }

    // MARK: Reading

    /// A POST or PUT body (or a patched resource) in Flipside's terms. Attributes Flipside does not keep
    /// (phone numbers, addresses but a work address's locality, photos) are read past, never stored.
    static func read(_ value: JSONValue) throws(SCIMError) -> ProvisionedUser {
        guard let object = value.object else { throw .invalidSyntax("The body must be a JSON object (a SCIM User).") }
        guard let userName = try string(object, "userName")?.trimmed, !userName.isEmpty else {
            throw .invalidValue("userName: is required")
        }
        var user = ProvisionedUser(userName: userName)
        user.externalID = try string(object, "externalId")
        if let name = object[scim: "name"] {
            guard let parts = name.object else { throw .invalidValue("name: must be an object (formatted, givenName, familyName)") }
            user.formattedName = try string(parts, "formatted", in: "name")
            user.givenName = try string(parts, "givenName", in: "name")
            user.familyName = try string(parts, "familyName", in: "name")
        }
        user.displayName = try string(object, "displayName")
        user.title = try string(object, "title")
        user.timeZone = try string(object, "timezone")
        if let active = object[scim: "active"] { user.active = try boolean(active, "active") }
        if let emails = object[scim: "emails"], let (address, type, primary) = try workEmail(emails) {
            user.email = address
            user.emailType = type
            user.emailPrimary = primary
        }
        if let addresses = object[scim: "addresses"]?.array {
            let work = addresses.first { $0.object?[scim: "type"]?.string?.lowercased() == "work" } ?? addresses.first
            if let locality = work?.object?[scim: "locality"]?.string { user.location = locality }
        }
        if let enterprise = try extensionObject(object, SCIMSchema.enterprise) {
            user.employeeNumber = try string(enterprise, "employeeNumber", in: SCIMSchema.enterprise)
            user.department = try string(enterprise, "department", in: SCIMSchema.enterprise)
            if let manager = enterprise[scim: "manager"] {
                switch manager {
                case let .string(id): user.managerID = id
                case let .object(parts): user.managerID = try string(parts, "value", in: "manager")
                default: throw .invalidValue("manager: must be an object with the manager's id as value")
                }
            }
        }
        if let own = try extensionObject(object, SCIMSchema.flipside) {
            if let location = try string(own, "location", in: SCIMSchema.flipside) { user.location = location }
            if let level = own[scim: "level"] {
                switch level {
                case let .number(n) where n == n.rounded() && abs(n) <= 1_000_000: user.level = Int(n)
                case let .string(text) where Int(text.trimmed) != nil: user.level = Int(text.trimmed)
                default: throw .invalidValue("level: must be a whole number (higher is more senior)")
                }
            }
            if let hire = own[scim: "hireDate"] {
                guard let text = hire.string, let date = CalendarDate(iso: String(text.trimmed.prefix(10))) else {
                    throw .invalidValue("hireDate: must be a date (YYYY-MM-DD) or a dateTime")
                }
                user.hireDate = date
            }
        }
        return user
    }

    private static func string(_ object: [String: JSONValue], _ name: String, in parent: String? = nil) throws(SCIMError) -> String? {
        guard let value = object[scim: name] else { return nil }
        switch value {
        case let .string(text): return text
        case let .number(n): return n == n.rounded() ? String(Int64(n)) : String(n)
        default: throw .invalidValue("\(parent.map { $0 + "." } ?? "")\(name): must be a string")
        }
    }

    /// `true`, `false`, or the strings Entra ID sends (`"True"`, `"False"`), case aside.
    static func boolean(_ value: JSONValue, _ name: String) throws(SCIMError) -> Bool {
        switch value {
        case let .bool(flag): return flag
        case let .string(text) where text.lowercased() == "true": return true
        case let .string(text) where text.lowercased() == "false": return false
        default: throw .invalidValue("\(name): must be true or false")
        }
    }

    /// The work email, else the primary one, else the first, with its type.
    private static func workEmail(_ value: JSONValue) throws(SCIMError) -> (String, String?, Bool?)? {
        guard let emails = value.array else { throw .invalidValue("emails: must be a list of {value, type, primary}") }
        var objects: [[String: JSONValue]] = []
        for item in emails {
            guard let object = item.object else { throw .invalidValue("emails: each must be an object with a value") }
            objects.append(object)
        }
        let chosen = objects.first { $0[scim: "type"]?.string?.lowercased() == "work" }
            ?? objects.first { (try? $0[scim: "primary"].map { try boolean($0, "primary") }) == true }
            ?? objects.first
        guard let chosen else { return nil }
        guard let address = chosen[scim: "value"]?.string else { throw .invalidValue("emails.value: must be a string") }
        let primary = try chosen[scim: "primary"].map { v throws(SCIMError) in try boolean(v, "emails.primary") }
        return (address, chosen[scim: "type"]?.string, primary)
    }

    private static func extensionObject(_ object: [String: JSONValue], _ urn: String) throws(SCIMError) -> [String: JSONValue]? {
        guard let value = object[scim: urn] else { return nil }
        guard let inner = value.object else { throw .invalidValue("\(urn): must be an object") }
        return inner
    }
}
