import Foundation

/// A day in the Gregorian calendar without a time or a time zone (hire dates, exit dates, program dates).
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Parses an ISO 8601 calendar date `YYYY-MM-DD`, rejecting impossible days such as `2023-02-30`.
    public init?(iso string: String) {
        // `YYYY-MM-DD` in digits (nearly every date read) straight from the bytes; anything else as below.
        if string.utf8.count == 10, let date = Self.digitsISO(string.utf8) {
            guard (1...12).contains(date.m), date.d >= 1, date.d <= CalendarDate.daysIn(month: date.m, year: date.y) else { return nil }
            (year, month, day) = (date.y, date.m, date.d)
            return
        }
        let parts = string.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), d >= 1, d <= CalendarDate.daysIn(month: m, year: y)
        else { return nil }
        self.year = y
        self.month = m
        self.day = d
    }

    /// Year, month and day of ten bytes `DDDD-DD-DD` (D a digit), or nil.
    private static func digitsISO(_ bytes: String.UTF8View) -> (y: Int, m: Int, d: Int)? {
        var values = (0, 0, 0), position = 0
        for byte in bytes {
            if position == 4 || position == 7 {
                guard byte == UInt8(ascii: "-") else { return nil }
            } else {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                let digit = Int(byte - UInt8(ascii: "0"))
                switch position {
                case 0..<4: values.0 = values.0 * 10 + digit
                case 5, 6: values.1 = values.1 * 10 + digit
                default: values.2 = values.2 * 10 + digit
                }
            }
            position += 1
        }
        return values
    }

    /// Creates a date from its components; `nil` when the day does not exist.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= CalendarDate.daysIn(month: month, year: year) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// The date as `YYYY-MM-DD`.
    public var description: String {
        // Ten digits and dashes written in place (a 100,000-person import writes and compares 200,000).
        if (0...9999).contains(year), (1...12).contains(month), (1...31).contains(day) {
            return String(unsafeUninitializedCapacity: 10) { text in
                func put(_ value: Int, _ digits: Int, at start: Int) {
                    var value = value
                    for offset in (0..<digits).reversed() {
                        text[start + offset] = UInt8(ascii: "0") + UInt8(value % 10)
                        value /= 10
                    }
                }
                put(year, 4, at: 0)
                text[4] = UInt8(ascii: "-")
                put(month, 2, at: 5)
                text[7] = UInt8(ascii: "-")
                put(day, 2, at: 8)
                return 10
            }
        }
        let y = String(year), m = month < 10 ? "0\(month)" : "\(month)", d = day < 10 ? "0\(day)" : "\(day)"
        return String(repeating: "0", count: max(0, 4 - y.count)) + y + "-" + m + "-" + d
    }

    /// Today's date in UTC (`now` from the clock).
    public static func today(now: Date) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        return CalendarDate(year: c.year!, month: c.month!, day: c.day!)!
    }

    /// Midnight UTC at the start of this day.
    public var startUTC: Date {
        DateComponents(calendar: Calendar(identifier: .gregorian), timeZone: TimeZone(identifier: "UTC"), year: year, month: month, day: day).date
            ?? Date(timeIntervalSince1970: 0)
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        guard let date = CalendarDate(iso: string) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "'\(string)' is not a date (expected YYYY-MM-DD)")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
