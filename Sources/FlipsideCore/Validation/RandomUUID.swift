import Foundation
#if canImport(Glibc)
import Glibc
#endif

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

/// Many random (version 4) UUIDs from one read of the kernel's generator: a bulk write of 100,000 rows
/// made 200,000 `getrandom` calls, one per eight bytes.
public struct RandomUUIDs: RandomAccessCollection, Sendable {
    private let bytes: [UInt8]
    public let startIndex = 0
    public let endIndex: Int

    public init(count: Int) {
        endIndex = Swift.max(0, count)
        var bytes = [UInt8](repeating: 0, count: endIndex * 16)
        bytes.withUnsafeMutableBytes { buffer in
            // The kernel's generator, read at once; should it not open, eight bytes at a time from the
            // system's generator.
            var filled = 0
            let device = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
            if device >= 0 {
                while filled < buffer.count {
                    let got = read(device, buffer.baseAddress! + filled, buffer.count - filled)
                    guard got > 0 else { break }
                    filled += got
                }
                close(device)
            }
            var generator = SystemRandomNumberGenerator()
            while filled < buffer.count {
                buffer[filled] = UInt8(truncatingIfNeeded: generator.next() as UInt64)
                filled += 1
            }
        }
        self.bytes = bytes
    }

    public subscript(position: Int) -> UUID {
        var uuid: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &uuid) { out in
            bytes.withUnsafeBytes { out.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[position * 16..<position * 16 + 16])) }
            out[6] = out[6] & 0x0F | 0x40   // version 4
            out[8] = out[8] & 0x3F | 0x80   // RFC 4122 variant
        }
        return UUID(uuid: uuid)
    }
}

/// Ids for the new rows of one bulk write, increasing in the order of the rows (UUID version 7, RFC 9562):
/// 48 bits of Unix milliseconds, then the row's place in the write (26 bits, a counter: RFC 9562's
/// "fixed bit-length dedicated counter"), then 48 random bits. An index over ids takes such ids at its
/// end, where random ones land all over it: a 100,000-person import spent a fifth of its inserts
/// splitting and rewriting the pages of the id index (`BENCHMARKS.md`). The random bits come from one
/// read of the kernel's generator, as `RandomUUIDs`.
public struct TimeOrderedUUIDs: RandomAccessCollection, Sendable {
    private let random: RandomUUIDs
    private let milliseconds: UInt64
    private let first: Int
    public let startIndex = 0
    public var endIndex: Int { random.endIndex }

    /// The ids of rows `first..<first + count` of a write made at `milliseconds` since 1970.
    public init(count: Int, first: Int, milliseconds: UInt64) {
        random = RandomUUIDs(count: count)
        self.milliseconds = milliseconds & 0xFFFF_FFFF_FFFF
        self.first = first
    }

    /// The milliseconds since 1970 of `date`, for ids made now (an id's time, not a time the product shows).
    public static func milliseconds(of date: Date) -> UInt64 { UInt64(Swift.max(0, date.timeIntervalSince1970 * 1000)) }

    public subscript(position: Int) -> UUID {
        let counter = UInt64(first + position) & 0x3FF_FFFF
        var uuid = random[position].uuid   // bytes 10-15 (48 bits) stay random
        withUnsafeMutableBytes(of: &uuid) { bytes in
            for k in 0..<6 { bytes[k] = UInt8(truncatingIfNeeded: milliseconds >> (40 - 8 * UInt64(k))) }
            bytes[6] = 0x70 | UInt8(truncatingIfNeeded: counter >> 22)          // version 7, counter bits 25-22
            bytes[7] = UInt8(truncatingIfNeeded: counter >> 14)                 // counter bits 21-14
            bytes[8] = 0x80 | UInt8(truncatingIfNeeded: counter >> 8) & 0x3F   // variant, counter bits 13-8
            bytes[9] = UInt8(truncatingIfNeeded: counter)                       // counter bits 7-0
        }
        return UUID(uuid: uuid)
    }
}
