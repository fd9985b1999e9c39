import Foundation

/// A JSON value as SCIM sends it: shapes vary by provider (a boolean as `"False"`, a manager as a string
/// or an object), so requests are read as values first and then into Flipside's terms.
enum JSONValue: Codable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(value): try container.encode(value)
        case let .number(value):
            if value == value.rounded(), abs(value) < 1e15 { try container.encode(Int64(value)) } else { try container.encode(value) }
        case let .string(value): try container.encode(value)
        case let .array(value): try container.encode(value)
        case let .object(value): try container.encode(value)
        }
    }

    var object: [String: JSONValue]? { if case let .object(value) = self { return value } else { return nil } }
    var array: [JSONValue]? { if case let .array(value) = self { return value } else { return nil } }
    var string: String? { if case let .string(value) = self { return value } else { return nil } }
    var isNull: Bool { self == .null }

    static func parse(_ data: Data) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: data) }

    func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    /// SCIM attribute names are case-insensitive (RFC 7643 §2.1): the key as stored for `name`, if any.
    func key(for name: String) -> String? {
        if self[name] != nil { return name }
        let lowered = name.lowercased()
        return keys.first { $0.lowercased() == lowered }
    }

    /// The value under `name`, case aside; `null` reads as absent.
    subscript(scim name: String) -> JSONValue? {
        guard let key = key(for: name), let value = self[key], !value.isNull else { return nil }
        return value
    }

    /// Sets (or removes, for nil) the value under `name`, keeping the spelling already there.
    mutating func set(_ name: String, _ value: JSONValue?) {
        let key = self.key(for: name) ?? name
        self[key] = value
    }
}
