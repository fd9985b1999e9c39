import FlipsideCore
import Foundation

/// People and dates as Core tests make them: one definition, with plain defaults a test overrides by name.
public enum Fixtures {
    /// A person: named by their id unless `name` says otherwise, email `<id>@example.com`, active unless
    /// `exit` gives the day they left.
    public static func person(_ id: String, level: Int, name: String? = nil, manager: String? = nil, department: String = "D",
                              hired: String = "2024-01-01", exit: String? = nil, title: String = "", location: String = "L",
                              timeZone: String = "UTC") -> Person {
        Person(employeeID: id, name: name ?? id, email: "\(id.lowercased())@example.com", title: title, level: level,
               hireDate: day(hired), department: department, location: location, timeZone: timeZone, managerID: manager,
               status: exit == nil ? .active : .exited, exitDate: exit.map(day))
    }

    /// An instant from ISO 8601 with a zone, e.g. `2026-11-10T09:00:00Z`.
    public static func date(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    /// A day, e.g. `2026-01-05`.
    public static func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }
}
