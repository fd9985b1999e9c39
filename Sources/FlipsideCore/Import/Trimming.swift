extension Unicode.Scalar {
    /// White space or a line break (what Foundation's `.whitespacesAndNewlines` holds, which includes the
    /// zero-width space), with a fast path for ASCII.
    @inline(__always) var isSpace: Bool {
        if value < 0x80 { return value == 0x20 || (0x09...0x0D).contains(value) }
        return properties.isWhitespace || value == 0x200B   // Foundation counts the zero-width space too
    }
}

extension StringProtocol {
    /// Without leading and trailing white space and line breaks. The same result as Foundation's
    /// `trimmingCharacters(in: .whitespacesAndNewlines)`, without the round trip through NSString
    /// (a quarter of a 100,000-row import's time on Linux).
    public var trimmed: String {
        let scalars = unicodeScalars
        var start = scalars.startIndex, end = scalars.endIndex
        while start < end, scalars[start].isSpace { start = scalars.index(after: start) }
        while end > start, scalars[scalars.index(before: end)].isSpace { end = scalars.index(before: end) }
        if start == scalars.startIndex && end == scalars.endIndex, let whole = self as? String { return whole }
        return String(self[start..<end])
    }

    /// Whether every character is ASCII: then byte-wise fast paths answer as the character-wise checks do.
    public var isAllASCII: Bool { utf8.allSatisfy { $0 < 0x80 } }

    /// Whether there is nothing but white space (stops at the first other character).
    public var isBlank: Bool { unicodeScalars.allSatisfy(\.isSpace) }
}

extension String {
    /// `nil` for the empty string.
    public var nilIfEmpty: String? { isEmpty ? nil : self }
}
