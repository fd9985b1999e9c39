import FlipsideCore
import Foundation

/// An attribute path (RFC 7644 §3.5.2 / §3.10): `[schema URN ":"] attribute ["[" type eq "value" "]"] ["." sub]`,
/// as providers write them: `active`, `name.givenName`, `emails[type eq "work"].value`,
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`.
struct SCIMPath: Equatable {
    /// The extension the attribute lives in; `nil` for the core schema.
    var schema: String?
    /// `nil` when the path names a whole extension.
    var attribute: String?
    var filter: (attribute: String, value: String)?
    var sub: String?

    static func == (a: SCIMPath, b: SCIMPath) -> Bool {
        a.schema == b.schema && a.attribute?.lowercased() == b.attribute?.lowercased() && a.sub?.lowercased() == b.sub?.lowercased()
            && a.filter?.attribute.lowercased() == b.filter?.attribute.lowercased() && a.filter?.value == b.filter?.value
    }

    static func parse(_ raw: String) throws(SCIMError) -> SCIMPath {
        var rest = raw.trimmed
        var schema: String?
        if rest.lowercased().hasPrefix("urn:") {
            guard let known = SCIMSchema.userSchemas.first(where: { rest.lowercased().hasPrefix($0.lowercased()) }) else {
                throw .invalidPath("\(raw): not an attribute of a schema this server serves")
            }
            rest = String(rest.dropFirst(known.count))
            if known != SCIMSchema.user { schema = known }
            if rest.isEmpty {
                guard schema != nil else { throw .invalidPath("\(raw): name an attribute") }
                return SCIMPath(schema: schema, attribute: nil, filter: nil, sub: nil)
            }
            guard rest.hasPrefix(":") else { throw .invalidPath("\(raw): not an attribute of a schema this server serves") }
            rest.removeFirst()
        }
        var path = SCIMPath(schema: schema, attribute: nil, filter: nil, sub: nil)
        if let open = rest.firstIndex(of: "[") {
            guard let close = rest.lastIndex(of: "]"), close > open else { throw .invalidPath("\(raw): an opening [ without its ]") }
            path.attribute = String(rest[..<open])
            let condition = try SCIMFilter.parse(String(rest[rest.index(after: open)..<close]))
            path.filter = (condition.attribute, condition.value)
            let after = rest[rest.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix("."), after.count > 1 else { throw .invalidPath("\(raw): expected .subAttribute after ]") }
                path.sub = String(after.dropFirst())
            }
        } else if let dot = rest.firstIndex(of: ".") {
            path.attribute = String(rest[..<dot])
            path.sub = String(rest[rest.index(after: dot)...])
        } else {
            path.attribute = rest
        }
        for part in [path.attribute, path.sub].compactMap({ $0 }) {
            guard !part.isEmpty, part.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "$" }) else {
                throw .invalidPath("\(raw): not an attribute path")
            }
        }
        return path
    }
}

/// A filter Flipside answers: one attribute `eq` one value (what identity providers send to find a
/// user: `userName eq "…"`, `externalId eq "…"`, `emails[type eq "work"].value eq "…"`).
struct SCIMFilter {
    var attribute: String
    var value: String

    static func parse(_ raw: String) throws(SCIMError) -> SCIMFilter {
        let text = raw.trimmed
        // attribute path, operator, value: the value is a JSON string (quotes, escapes) or a bare token.
        guard let firstSpace = text.firstIndex(where: { $0 == " " }) else {
            throw .invalidFilter("\(raw): expected attribute eq \"value\"")
        }
        var attribute = String(text[..<firstSpace])
        var rest = text[firstSpace...].drop { $0 == " " }
        // A value filter inside the attribute (emails[type eq "work"].value) has spaces: take it whole.
        if attribute.contains("["), !attribute.contains("]") {
            guard let close = text.firstIndex(of: "]") else { throw .invalidFilter("\(raw): an opening [ without its ]") }
            var end = text.index(after: close)
            while end < text.endIndex, text[end] != " " { end = text.index(after: end) }
            attribute = String(text[..<end])
            rest = text[end...].drop { $0 == " " }
        }
        guard let opEnd = rest.firstIndex(of: " ") else { throw .invalidFilter("\(raw): expected attribute eq \"value\"") }
        let op = rest[..<opEnd].lowercased()
        let valueText = String(rest[opEnd...].drop { $0 == " " })
        guard op == "eq" else {
            throw .invalidFilter("\(raw): this server filters users by eq (userName, externalId, id, employeeNumber, emails.value)")
        }
        let value: String
        if valueText.hasPrefix("\"") {
            guard let decoded = try? JSONDecoder().decode(String.self, from: Data(valueText.utf8)) else {
                throw .invalidFilter("\(raw): the value must be one quoted string (and/or are not supported)")
            }
            value = decoded
        } else {
            guard !valueText.isEmpty, !valueText.contains(" ") else { throw .invalidFilter("\(raw): the value must be one quoted string (and/or are not supported)") }
            value = valueText
        }
        return SCIMFilter(attribute: attribute, value: value)
    }

    /// The lookup this filter asks for over the people a provider sees.
    func lookup() throws(SCIMError) -> ProvisioningRows.Lookup {
        let path = try SCIMPath.parse(attribute)
        let name = (path.attribute ?? "").lowercased()
        switch (path.schema, name, path.sub?.lowercased()) {
        case (nil, "username", nil): return .userName(value)
        case (nil, "externalid", nil): return .externalID(value)
        case (nil, "id", nil): return .employeeID(value)
        case (SCIMSchema.enterprise?, "employeenumber", nil), (nil, "employeenumber", nil): return .employeeNumber(value)
        case (nil, "emails", "value"?), (nil, "emails", nil):
            if let filter = path.filter, !(filter.attribute.lowercased() == "type" && filter.value.lowercased() == "work") {
                throw .invalidFilter("\(attribute): Flipside keeps the work email only")
            }
            return .email(value)
        default:
            throw .invalidFilter("\(attribute): this server filters users by userName, externalId, id, employeeNumber or emails.value")
        }
    }
}

/// Applies PATCH operations (RFC 7644 §3.5.2) to a user's resource, in the shapes providers send:
/// `op` in any case, values as strings for booleans, a `value` object without `path`, URN-qualified keys.
enum SCIMPatch {
    static func apply(_ request: JSONValue, to resource: [String: JSONValue]) throws(SCIMError) -> [String: JSONValue] {
        guard let body = request.object else { throw .invalidSyntax("The body must be a PatchOp object.") }
        if let schemas = body[scim: "schemas"]?.array, !schemas.contains(.string(SCIMSchema.patchOp)) {
            throw .invalidSyntax("schemas must name \(SCIMSchema.patchOp)")
        }
        guard let operations = body[scim: "Operations"]?.array, !operations.isEmpty else {
            throw .invalidSyntax("Operations: give at least one operation")
        }
        guard operations.count <= 100 else { throw SCIMError(status: 413, detail: "At most 100 operations in one PATCH.") }
        var object = resource
        for operation in operations {
            guard let op = operation.object, let name = op[scim: "op"]?.string?.lowercased() else {
                throw .invalidSyntax("Each operation needs op: add, replace or remove")
            }
            let value = op[scim: "value"]
            let path = try op[scim: "path"].map { raw throws(SCIMError) -> SCIMPath in
                guard let text = raw.string else { throw .invalidPath("path: must be a string") }
                return try SCIMPath.parse(text)
            }
            switch name {
            case "add", "replace":
                guard let value else { throw .invalidValue("\(name): needs a value") }
                if let path {
                    try set(path, value, adding: name == "add", in: &object)
                } else {
                    guard let values = value.object else { throw .invalidValue("\(name) without a path: the value must be an object of attributes") }
                    for (key, inner) in values.sorted(by: { $0.key < $1.key }) {
                        if let schema = SCIMSchema.userSchemas.first(where: { $0.lowercased() == key.lowercased() }), schema != SCIMSchema.user {
                            guard let attributes = inner.object else { throw .invalidValue("\(key): must be an object") }
                            for (attribute, v) in attributes.sorted(by: { $0.key < $1.key }) {
                                try set(SCIMPath.parse(schema + ":" + attribute), v, adding: name == "add", in: &object)
                            }
                        } else {
                            try set(SCIMPath.parse(key), inner, adding: name == "add", in: &object)
                        }
                    }
                }
            case "remove":
                guard let path else { throw .noTarget("remove: needs a path") }
                remove(path, in: &object)
            default:
                throw .invalidSyntax("op: \(name) is not add, replace or remove")
            }
        }
        return object
    }

    private static func set(_ path: SCIMPath, _ value: JSONValue, adding: Bool, in object: inout [String: JSONValue]) throws(SCIMError) {
        guard let attribute = path.attribute else {
            // A whole extension: merge (add) or replace its attributes.
            guard let schema = path.schema, let values = value.object else { throw .invalidValue("the value of an extension must be an object") }
            var inner = adding ? (object[scim: schema]?.object ?? [:]) : [:]
            for (key, v) in values { inner.set(key, v) }
            object.set(schema, .object(inner))
            return
        }
        if let schema = path.schema {
            var inner = object[scim: schema]?.object ?? [:]
            try set(SCIMPath(schema: nil, attribute: attribute, filter: path.filter, sub: path.sub), value, adding: adding, in: &inner)
            object.set(schema, .object(inner))
            return
        }
        let current = object[scim: attribute]
        if let filter = path.filter {
            var items = current?.array ?? []
            let matching = items.indices.filter { matches(items[$0], filter) }
            if matching.isEmpty {
                var item: [String: JSONValue] = [filter.attribute: .string(filter.value)]
                if let sub = path.sub { item[sub] = value } else if let values = value.object { for (k, v) in values { item.set(k, v) } }
                items.append(.object(item))
            } else {
                for index in matching {
                    var item = items[index].object ?? [:]
                    if let sub = path.sub { item.set(sub, value) } else if let values = value.object { for (k, v) in values { item.set(k, v) } }
                    items[index] = .object(item)
                }
            }
            object.set(attribute, .array(items))
            return
        }
        if let sub = path.sub {
            if var items = current?.array {
                // A sub-attribute of a multi-valued attribute without a filter: every value (or a new one).
                if items.isEmpty { items = [.object([:])] }
                items = items.map { item in
                    var inner = item.object ?? [:]
                    inner.set(sub, value)
                    return .object(inner)
                }
                object.set(attribute, .array(items))
            } else {
                var inner = current?.object ?? [:]
                if case let .string(text)? = current { inner = ["value": .string(text)] }
                inner.set(sub, value)
                object.set(attribute, .object(inner))
            }
            return
        }
        switch (current, value) {
        case let (.array(items)?, .array(more)) where adding:
            object.set(attribute, .array(items + more))
        case let (.object(inner)?, .object(more)) where adding:
            var merged = inner
            for (k, v) in more { merged.set(k, v) }
            object.set(attribute, .object(merged))
        default:
            object.set(attribute, value)
        }
    }

    private static func remove(_ path: SCIMPath, in object: inout [String: JSONValue]) {
        guard let attribute = path.attribute else {
            if let schema = path.schema { object.set(schema, nil) }
            return
        }
        if let schema = path.schema {
            guard var inner = object[scim: schema]?.object else { return }
            remove(SCIMPath(schema: nil, attribute: attribute, filter: path.filter, sub: path.sub), in: &inner)
            object.set(schema, .object(inner))
            return
        }
        guard let current = object[scim: attribute] else { return }
        if let filter = path.filter, var items = current.array {
            if let sub = path.sub {
                items = items.map { item in
                    guard matches(item, filter), var inner = item.object else { return item }
                    inner.set(sub, nil)
                    return .object(inner)
                }
            } else {
                items.removeAll { matches($0, filter) }
            }
            object.set(attribute, items.isEmpty ? nil : .array(items))
        } else if let sub = path.sub, var inner = current.object {
            inner.set(sub, nil)
            object.set(attribute, inner.isEmpty ? nil : .object(inner))
        } else {
            object.set(attribute, nil)
        }
    }

    private static func matches(_ item: JSONValue, _ filter: (attribute: String, value: String)) -> Bool {
        guard let value = item.object?[scim: filter.attribute] else { return false }
        switch value {
        case let .string(text): return text.lowercased() == filter.value.lowercased()
        case let .bool(flag): return String(flag) == filter.value.lowercased()
        default: return false
        }
    }
}

/// `attributes` and `excludedAttributes` (RFC 7644 §3.4.2.5): `id` and `schemas` are always returned.
enum SCIMProjection {
    static func apply(_ resource: [String: JSONValue], attributes: [String], excluded: [String]) throws(SCIMError) -> [String: JSONValue] {
        var result = resource
        if !attributes.isEmpty {
            var kept: [String: JSONValue] = [:]
            for key in ["id", "schemas", "meta"] { if let value = resource[key] { kept[key] = value } }
            for raw in attributes {
                let path = try SCIMPath.parse(raw)
                copy(path, from: resource, into: &kept)
            }
            result = kept
        }
        for raw in excluded {
            let path = try SCIMPath.parse(raw)
            guard !(path.schema == nil && ["id", "schemas"].contains(path.attribute?.lowercased() ?? "")) else { continue }
            strip(path, from: &result)
        }
        return result
    }

    private static func copy(_ path: SCIMPath, from source: [String: JSONValue], into target: inout [String: JSONValue]) {
        if let schema = path.schema {
            guard let inner = source[scim: schema]?.object else { return }
            guard let attribute = path.attribute else { target[schema] = .object(inner); return }
            var kept = target[schema]?.object ?? [:]
            copy(SCIMPath(schema: nil, attribute: attribute, filter: nil, sub: path.sub), from: inner, into: &kept)
            if !kept.isEmpty { target[schema] = .object(kept) }
            return
        }
        guard let attribute = path.attribute, let key = source.key(for: attribute), let value = source[key] else { return }
        if let sub = path.sub, let inner = value.object, let subKey = inner.key(for: sub) {
            var kept = target[key]?.object ?? [:]
            kept[subKey] = inner[subKey]
            target[key] = .object(kept)
        } else if path.sub == nil {
            target[key] = value
        }
    }

    private static func strip(_ path: SCIMPath, from target: inout [String: JSONValue]) {
        if let schema = path.schema {
            guard let attribute = path.attribute else { target.set(schema, nil); return }
            guard var inner = target[scim: schema]?.object else { return }
            strip(SCIMPath(schema: nil, attribute: attribute, filter: nil, sub: path.sub), from: &inner)
            target.set(schema, .object(inner))
            return
        }
        guard let attribute = path.attribute else { return }
        if let sub = path.sub, var inner = target[scim: attribute]?.object {
            inner.set(sub, nil)
            target.set(attribute, .object(inner))
        } else if path.sub == nil {
            target.set(attribute, nil)
        }
    }
}
