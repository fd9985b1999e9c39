import Foundation

/// How the site writes a moment for people to read, everywhere (pages, answers' sentences, the command line).
public enum SiteDates {
    /// "2026-12-06 06:53 UTC".
    public static func minute(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d UTC", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    }
}
