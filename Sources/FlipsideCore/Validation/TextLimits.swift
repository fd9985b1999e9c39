/// How long a piece of text may be and what it may hold: one set of limits for imports, forms and the
/// API, so that a 10 MB name or an enrolment with 10,000 topics is a clear 4xx instead of a stored row.
public enum TextLimits {
    /// Names, titles, departments, locations, employee ids, attribute values, topics' labels.
    public static let short = 200
    /// A program's purpose.
    public static let long = 2_000
    /// Topics one enrolment may offer or want.
    public static let topicsPerList = 50
    /// Characters in one topic.
    public static let topic = 80
    /// Industries one enrolment may list.
    public static let industries = 20
    /// Hour ranges one enrolment may list.
    public static let availabilityRanges = 24

    /// Why `value` may not be stored (a reason to put after the field's name), or `nil` when it may.
    /// Control characters (NUL, escape, line breaks unless `multiline`) are refused everywhere.
    /// Single-line values (names, titles, ids, attributes, topics) must not hide invisible or
    /// text-direction characters either (`UnicodeSafety`); free text (`multiline`) may hold them.
    public static func problem(_ value: some StringProtocol, most: Int, multiline: Bool = false) -> String? {
        problem(value, most: most, multiline: multiline, hiddenAllowed: multiline)
    }

    static func problem(_ value: some StringProtocol, most: Int, multiline: Bool, hiddenAllowed: Bool) -> String? {
        // One pass over the scalars (every cell of a 100,000-row import goes through here); plain ASCII
        // letters skip both checks.
        for scalar in value.unicodeScalars where scalar.value < 0x20 || scalar.value >= 0x7F {
            if isControl(scalar, multiline: multiline) {
                return "must not contain control characters (found \(UnicodeSafety.code(scalar)))"
            }
            if !hiddenAllowed && UnicodeSafety.isHiddenInName(scalar) {
                return "must not contain invisible or text-direction characters (found \(UnicodeSafety.code(scalar)))"
            }
        }
        // Fast path: UTF-8 bytes bound the character count from above.
        if value.utf8.count > most && value.count > most { return "must be at most \(most) characters" }
        return nil
    }

    /// The cells of one CSV row that break a limit, each reported with its column; `most` gives a
    /// column's limit.
    public static func cellProblems(row: Int, header: [String], fields: [String], most: (String) -> Int) -> [ImportProblem] {
        var problems: [ImportProblem] = []
        for (i, cell) in fields.enumerated() where i < header.count {
            // Line breaks inside quoted cells are part of CSV (and were always accepted); other control characters are not.
            if let reason = problem(cell, most: most(header[i]), multiline: true, hiddenAllowed: false) {
                problems.append(ImportProblem(row: row, column: header[i], value: preview(cell), reason: reason))
            }
        }
        return problems
    }

    /// A value as it may be echoed in a problem report: control characters shown as U+XXXX, cut after
    /// 60 characters (a rejected 10 MB cell is not sent back whole).
    public static func preview(_ value: some StringProtocol) -> String {
        var out = ""
        for character in value.prefix(60) {
            if character.unicodeScalars.contains(where: { isControl($0, multiline: false) || UnicodeSafety.isHiddenInName($0) }) {
                out += character.unicodeScalars.map(UnicodeSafety.code).joined()
            } else {
                out.append(character)
            }
        }
        return value.count > 60 ? out + "…" : out
    }

    @inline(__always) static func isControl(_ scalar: Unicode.Scalar, multiline: Bool) -> Bool {
        let v = scalar.value
        if v == 0x09 { return false }                       // a tab is white space, trimmed or kept
        if multiline && (v == 0x0A || v == 0x0D) { return false }
        return v < 0x20 || (0x7F...0x9F).contains(v)
    }
}
