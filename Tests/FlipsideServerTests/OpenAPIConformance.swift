import Foundation
@testable import FlipsideServer
import Testing

/// The served OpenAPI document, and a small JSON Schema checker for the keywords it uses
/// (type, required, properties, additionalProperties, items, enum, $ref, oneOf, allOf, minimum, maximum).
struct OpenAPIDocument {
    let root: [String: Any]

    init() throws {
        let data = try #require(ResourcePaths.data("Resources/openapi.json"))
        root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    var paths: [String: [String: Any]] { root["paths"] as? [String: [String: Any]] ?? [:] }

    /// Every documented operation as "METHOD /path/{param}".
    var operations: Set<String> {
        Set(paths.flatMap { path, item in item.keys.map { "\($0.uppercased()) \(path)" } })
    }

    /// The documented operation whose template matches a concrete path.
    func operation(_ method: String, _ concretePath: String) -> (template: String, op: [String: Any])? {
        let path = concretePath.split(separator: "?").first.map(String.init) ?? concretePath
        let parts = path.split(separator: "/")
        for (template, item) in paths {
            let t = template.split(separator: "/")
            guard t.count == parts.count else { continue }
            if zip(t, parts).allSatisfy({ $0.hasPrefix("{") || $0 == $1 }), let op = item[method.lowercased()] as? [String: Any] {
                return (template, op)
            }
        }
        return nil
    }

    /// Problems of `body` against the schema documented for `status`; a problem if the status is undocumented.
    func check(_ method: String, _ path: String, status: Int, body: String) -> [String] {
        guard let (template, op) = operation(method, path) else { return ["\(method) \(path) is not documented"] }
        guard let response = (op["responses"] as? [String: Any])?[String(status)] as? [String: Any] else {
            return ["\(method) \(template): status \(status) is not documented"]
        }
        guard let content = response["content"] as? [String: Any],
              let schema = (content["application/json"] as? [String: Any])?["schema"] else { return [] }
        guard let value = try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]) else {
            return ["\(method) \(template) \(status): body is not JSON"]
        }
        return validate(value, schema, at: "$")
    }

    func resolve(_ schema: Any) -> [String: Any] {
        guard let s = schema as? [String: Any] else { return [:] }
        if let ref = s["$ref"] as? String, ref.hasPrefix("#/") {
            var node: Any = root
            for key in ref.dropFirst(2).split(separator: "/") { node = (node as? [String: Any])?[String(key)] ?? [:] }
            return resolve(node)
        }
        return s
    }

    func validate(_ value: Any, _ rawSchema: Any, at path: String) -> [String] {
        let schema = resolve(rawSchema)
        var problems: [String] = []
        if let all = schema["allOf"] as? [Any] { for s in all { problems += validate(value, s, at: path) } }
        if let one = schema["oneOf"] as? [Any] {
            let passing = one.filter { validate(value, $0, at: path).isEmpty }.count
            if passing != 1 { problems.append("\(path): matches \(passing) of the oneOf schemas") }
        }
        if let type = schema["type"] {
            let types = (type as? [String]) ?? [type as? String ?? ""]
            if !types.contains(where: { Self.matches(value, type: $0) }) { problems.append("\(path): expected \(types) but got \(value)") }
        }
        if let choices = schema["enum"] as? [Any], !choices.contains(where: { "\($0)" == "\(value)" }) {
            problems.append("\(path): \(value) is not one of \(choices)")
        }
        if let number = value as? NSNumber {
            if let min = schema["minimum"] as? Double, number.doubleValue < min { problems.append("\(path): below minimum") }
            if let max = schema["maximum"] as? Double, number.doubleValue > max { problems.append("\(path): above maximum") }
        }
        if let object = value as? [String: Any] {
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { problems.append("\(path): missing required '\(key)'") }
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for (key, v) in object {
                if let s = properties[key] { problems += validate(v, s, at: "\(path).\(key)") }
                else if let extra = schema["additionalProperties"] as? [String: Any] { problems += validate(v, extra, at: "\(path).\(key)") }
            }
        }
        if let array = value as? [Any], let items = schema["items"] {
            for (i, v) in array.enumerated() { problems += validate(v, items, at: "\(path)[\(i)]") }
        }
        return problems
    }

    static func matches(_ value: Any, type: String) -> Bool {
        switch type {
        case "null": return value is NSNull
        case "object": return value is [String: Any]
        case "array": return value is [Any]
        case "string": return value is String
        case "boolean": return value is Bool
        case "integer":
            guard let n = value as? NSNumber else { return false }
            return n.doubleValue.rounded() == n.doubleValue
        case "number": return value is NSNumber
        default: return true
        }
    }
}
