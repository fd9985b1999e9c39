import CUnicodeSecurity

/// Characters that change how text looks without being seen, and look-alike letters: what a name or an
/// identifier must not hide (Unicode TS #39). A right-to-left override can make "Kofi Mensah" display as
/// something else in the directory; a zero-width space makes a second login for an email that looks the
/// same; a Cyrillic "а" in a domain makes an address that reads as a colleague's.
public enum UnicodeSafety {
    /// Invisible and text-direction characters refused in names, titles, program names and attributes:
    /// bidi embeddings, overrides, isolates and marks, zero-width space, word joiner and invisible
    /// operators, soft hyphen, byte-order mark, Mongolian vowel separator, interlinear annotations, tags.
    /// Zero-width (non-)joiners stay allowed in names: scripts such as Persian and Devanagari need them.
    public static func isHiddenInName(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00AD, 0x061C, 0x180E, 0x200B, 0x200E, 0x200F, 0x202A...0x202E, 0x2060...0x2064, 0x2066...0x2069,
             0xFEFF, 0xFFF9...0xFFFB, 0xE0000...0xE007F:
            return true
        default:
            return false
        }
    }

    /// In identifiers (employee ids, emails) every invisible formatting character is refused, the joiners too.
    public static func isHiddenInIdentifier(_ scalar: Unicode.Scalar) -> Bool {
        isHiddenInName(scalar) || scalar.properties.generalCategory == .format
    }

    /// The first invisible character of an identifier, as `U+XXXX`, or nil.
    public static func hiddenInIdentifier(_ value: some StringProtocol) -> String? {
        // No ASCII character is invisible formatting.
        if value.utf8.allSatisfy({ $0 < 0x80 }) { return nil }
        return value.unicodeScalars.first(where: isHiddenInIdentifier).map(code)
    }

    /// A character as problems name it: `U+202E`.
    static func code(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// The TS #39 skeleton of `text` (lower-cased first, as emails compare): two texts with the same
    /// skeleton look alike ("pаypal.com" with a Cyrillic "а" and "paypal.com"). From ICU's spoof checker;
    /// nil only if ICU fails.
    public static func skeleton(_ text: String) -> String? {
        let input = Array(text.lowercased().utf8)
        var capacity = max(64, input.count * 4 + 1)
        for _ in 0..<2 {
            var out = [CChar](repeating: 0, count: capacity)
            let written = input.withUnsafeBufferPointer { bytes in
                bytes.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(1, bytes.count)) {
                    flipside_confusable_skeleton($0, Int32(bytes.count), &out, Int32(capacity))
                }
            }
            if written >= 0 { return String(decoding: out.prefix(Int(written)).map { UInt8(bitPattern: $0) }, as: UTF8.self) }
            capacity *= 4
        }
        return nil
    }

    /// Emails that look alike but are not the same address: for each email of `candidates` that is not
    /// plain ASCII (ASCII-only pairs such as "clara"/"dara" are real, different names), the other email of
    /// `candidates` or `others` with the same skeleton. Skeletons are computed only when a candidate
    /// is not ASCII, so a plain file costs nothing.
    public static func lookAlikes(candidates: [String], others: some Sequence<String>) -> [(email: String, lookAlike: String)] {
        let unusual = candidates.filter { !$0.isAllASCII }
        guard !unusual.isEmpty else { return [] }
        // Each look, with the distinct addresses (case aside) that have it.
        var bySkeleton: [String: Set<String>] = [:]
        for email in others { if let key = skeleton(email) { bySkeleton[key, default: []].insert(email.lowercased()) } }
        for email in candidates { if let key = skeleton(email) { bySkeleton[key, default: []].insert(email.lowercased()) } }
        var out: [(String, String)] = []
        for email in unusual {
            guard let key = skeleton(email), let other = bySkeleton[key]?.subtracting([email.lowercased()]).min() else { continue }
            out.append((email, other))
        }
        return out
    }
}
