import Foundation
import NIOCore
import Vapor

/// The API's JSON encoder: Vapor's (ISO 8601 dates), with every id written in lower case, as RFC 4122 asks of
/// output and as page links and calendar UIDs already are (Foundation writes a `UUID` in upper case, and
/// has no option for it). A JSON string that is exactly a UUID is lowered; nothing else changes. Ids are
/// read in either case.
struct LowercaseUUIDEncoder: ContentEncoder {
    private let base = JSONEncoder.custom(dates: .iso8601)

    func encode<E: Encodable>(_ encodable: E, to body: inout ByteBuffer, headers: inout HTTPHeaders) throws {
        try encode(encodable, to: &body, headers: &headers, userInfo: [:])
    }

    func encode<E: Encodable>(_ encodable: E, to body: inout ByteBuffer, headers: inout HTTPHeaders, userInfo: [CodingUserInfoKey: any Sendable]) throws {
        var encoded = ByteBuffer()
        try base.encode(encodable, to: &encoded, headers: &headers, userInfo: userInfo)
        var bytes = Array(encoded.readableBytesView)
        Self.lowerUUIDs(&bytes)
        body.writeBytes(bytes)
    }

    /// JSON written by another encoder (with its own key or output settings), its ids lowered the same way.
    static func lowered(_ data: Data) -> Data {
        var bytes = [UInt8](data)
        lowerUUIDs(&bytes)
        return Data(bytes)
    }

    /// Lowers the hex letters of every `"xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"` string (not an escaped quote's).
    static func lowerUUIDs(_ bytes: inout [UInt8]) {
        let quote = UInt8(ascii: "\""), dash = UInt8(ascii: "-"), backslash = UInt8(ascii: "\\")
        func isHex(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 65 && b <= 70) || (b >= 97 && b <= 102) }
        var i = 0
        while i + 37 < bytes.count {
            guard bytes[i] == quote, bytes[i + 37] == quote, i == 0 || bytes[i - 1] != backslash else { i += 1; continue }
            var uuid = true
            for k in 1...36 {
                let b = bytes[i + k]
                if [9, 14, 19, 24].contains(k) ? b != dash : !isHex(b) { uuid = false; break }
            }
            guard uuid else { i += 1; continue }
            for k in 1...36 where bytes[i + k] >= 65 && bytes[i + k] <= 70 { bytes[i + k] += 32 }
            i += 38
        }
    }
}
