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

