import Foundation

/// What `/ServiceProviderConfig`, `/ResourceTypes` and `/Schemas` publish (RFC 7643 §5–7): users with
/// the enterprise extension and Flipside's own, PATCH, filters (eq), ETags; no bulk, sorting or passwords.
enum SCIMDiscovery {
    static func list(_ resources: [JSONValue]) -> JSONValue {
        .object(["schemas": .array([.string(SCIMSchema.listResponse)]), "totalResults": .number(Double(resources.count)),
                 "startIndex": .number(1), "itemsPerPage": .number(Double(resources.count)), "Resources": .array(resources)])
    }

    static func serviceProviderConfig(base: String) -> [String: JSONValue] {
        [
            "schemas": .array([.string("urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig")]),
            "documentationUri": .string("https://github.com/flipside-mentoring/flipside#provisioning-scim-20"),
            "patch": .object(["supported": .bool(true)]),
            "bulk": .object(["supported": .bool(false), "maxOperations": .number(0), "maxPayloadSize": .number(0)]),
            "filter": .object(["supported": .bool(true), "maxResults": .number(Double(SCIMController.maxResults))]),
            "changePassword": .object(["supported": .bool(false)]),
            "sort": .object(["supported": .bool(false)]),
            "etag": .object(["supported": .bool(true)]),
            "authenticationSchemes": .array([.object([
                "type": .string("oauthbearertoken"), "name": .string("Provisioning token"), "primary": .bool(true),
                "description": .string("A bearer token a coordinator makes under People → Provisioning (shown once, stored hashed, revocable)."),
            ])]),
            "meta": .object(["resourceType": .string("ServiceProviderConfig"), "location": .string(base + "/ServiceProviderConfig")]),
        ]
    }

    static func userResourceType(base: String) -> [String: JSONValue] {
        [
            "schemas": .array([.string("urn:ietf:params:scim:schemas:core:2.0:ResourceType")]),
            "id": .string("User"), "name": .string("User"), "endpoint": .string("/Users"),
            "description": .string("A person in the organisation: their HR record in Flipside."),
            "schema": .string(SCIMSchema.user),
            "schemaExtensions": .array([
                .object(["schema": .string(SCIMSchema.enterprise), "required": .bool(false)]),
                // Every Flipside user carries it (a person always has a level, a hire date and a time zone).
                .object(["schema": .string(SCIMSchema.flipside), "required": .bool(true)]),
            ]),
            "meta": .object(["resourceType": .string("ResourceType"), "location": .string(base + "/ResourceTypes/User")]),
        ]
    }

    /// Common IANA zones, offered as suggestions (any IANA zone is accepted).
    static let suggestedZones = ["UTC", "Europe/London", "Europe/Berlin", "Europe/Paris", "America/New_York", "America/Chicago",
                                 "America/Los_Angeles", "America/Sao_Paulo", "Asia/Singapore", "Asia/Kolkata", "Asia/Tokyo", "Australia/Sydney"]

    static func schemas(base: String) -> [[String: JSONValue]] {
        func schema(_ id: String, _ name: String, _ description: String, _ attributes: [JSONValue]) -> [String: JSONValue] {
            ["schemas": .array([.string("urn:ietf:params:scim:schemas:core:2.0:Schema")]), "id": .string(id), "name": .string(name),
             "description": .string(description), "attributes": .array(attributes),
             "meta": .object(["resourceType": .string("Schema"), "location": .string(base + "/Schemas/" + id)])]
        }
        let user = schema(SCIMSchema.user, "User", "A person's account, as the identity provider sees it.", [
            attribute("userName", description: "Unique (case aside) among users; how providers find a person. An HR-imported person's is their email.",
                      required: true, uniqueness: "server"),
            attribute("name", type: "complex", description: "The person's name; formatted, else given and family name, else displayName, is the name Flipside shows.",
                      subAttributes: [attribute("formatted", description: "The full name."),
                                      attribute("familyName", description: "The family name."),
                                      attribute("givenName", description: "The given name.")]),
            attribute("displayName", description: "The name shown when no other is given."),
            attribute("title", description: "The job title."),
            attribute("active", type: "boolean", description: "false: the person has left (every way into Flipside ends at once, as with an HR import); true restores them. Always shown; a new user without it is active.",
                      required: true),
            attribute("timezone", description: "An IANA time zone (e.g. Europe/Berlin). A person always has one: SCIM_DEFAULT_TIME_ZONE (UTC) when none is sent.",
                      required: true, canonicalValues: suggestedZones.map(JSONValue.string)),
            attribute("emails", type: "complex", multiValued: true,
                      description: "Flipside keeps one address: the work one (else the primary, else the first). Unique among people.",
                      required: true,
                      subAttributes: [attribute("value", description: "The address.", required: true),
                                      attribute("type", description: "work, home or other.", canonicalValues: [.string("work"), .string("home"), .string("other")]),
                                      attribute("primary", type: "boolean", description: "The preferred address.")]),
        ])
        let enterprise = schema(SCIMSchema.enterprise, "EnterpriseUser", "The enterprise extension's HR attributes.", [
            attribute("employeeNumber", description: "When a user is made, their employee id in Flipside (the HR key, and their SCIM id; without it, externalId, else userName). The employee id never changes afterwards: a later number is kept as what the provider says.",
                      caseExact: true),
            attribute("department", description: "The department."),
            attribute("manager", type: "complex", description: "The manager's id. A manager not provisioned yet is kept and set when they arrive (never into a reporting cycle).",
                      subAttributes: [attribute("value", description: "The manager's id (their employee number).", caseExact: true),
                                      attribute("$ref", type: "reference", description: "The manager's resource.", referenceTypes: ["User"]),
                                      attribute("displayName", description: "The manager's name.", mutability: "readOnly")]),
        ])
        let flipside = schema(SCIMSchema.flipside, "FlipsideUser", "What Flipside's matching needs beyond the standard schemas.", [
            // Strings, as identity providers' custom attributes are (a JSON number is accepted too).
            attribute("level", description: "Seniority, a whole number from 0 to 100: higher is more senior. A person always has one: SCIM_DEFAULT_LEVEL (1) when none is sent.",
                      required: true, canonicalValues: (1...9).map { .string(String($0)) }),
            // The suggestions are examples of the form (any date is accepted); checkers that fill attributes
            // from the schema take them rather than random text.
            attribute("hireDate", description: "The hire date, YYYY-MM-DD (a dateTime is read by its date). A person always has one: the day they were provisioned when none is sent.",
                      required: true, canonicalValues: ["2019-04-01", "2022-09-01", "2025-01-06"].map(JSONValue.string)),
            attribute("location", description: "Where the person works (or a work address's locality)."),
        ])
        return [user, enterprise, flipside]
    }

    static func attribute(_ name: String, type: String = "string", multiValued: Bool = false, description: String, required: Bool = false,
                          mutability: String = "readWrite", caseExact: Bool = false, uniqueness: String = "none",
                          canonicalValues: [JSONValue]? = nil, referenceTypes: [String]? = nil, subAttributes: [JSONValue]? = nil) -> JSONValue {
        var object: [String: JSONValue] = [
            "name": .string(name), "type": .string(type), "multiValued": .bool(multiValued), "description": .string(description),
            "required": .bool(required), "mutability": .string(mutability), "returned": .string("default"),
        ]
        if type == "string" || type == "reference" {
            object["caseExact"] = .bool(caseExact)
            object["uniqueness"] = .string(uniqueness)
        }
        if let canonicalValues { object["canonicalValues"] = .array(canonicalValues) }
        if let referenceTypes { object["referenceTypes"] = .array(referenceTypes.map(JSONValue.string)) }
        if let subAttributes { object["subAttributes"] = .array(subAttributes) }
        return .object(object)
    }
}
