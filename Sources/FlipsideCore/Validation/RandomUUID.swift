import Foundation

extension UUID {
    /// A random (version 4) UUID from the system's generator (`getrandom`). Foundation's `UUID()` opens
    /// `/dev/urandom` for every one on Linux: a tenth of the write of a 100,000-person import.
    public static func random() -> UUID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> UUID {
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let high = generator.next() as UInt64, low = generator.next() as UInt64
        withUnsafeMutableBytes(of: &uuid) { bytes in
            bytes.storeBytes(of: high, as: UInt64.self)
            bytes.storeBytes(of: low, toByteOffset: 8, as: UInt64.self)
            bytes[6] = bytes[6] & 0x0F | 0x40   // version 4
            bytes[8] = bytes[8] & 0x3F | 0x80   // RFC 4122 variant
        }
        return UUID(uuid: uuid)
    }
}
