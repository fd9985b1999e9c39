import Foundation

/// A record as it is stored, with words that not every reader may see. A store makes one; only Core opens
/// it (`value` is internal to this module), in a read model or use case that decides what of it the actor
/// gets. So no page, route or command can show a private word the policy has not let through: the types
/// do not let it reach one.
public struct Unredacted<Value: Sendable>: Sendable {
    let value: Value
    public init(_ value: Value) { self.value = value }
}
