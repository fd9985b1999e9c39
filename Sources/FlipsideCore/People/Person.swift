import Foundation

/// Whether a person still works for the organisation (used for retention analytics).
public enum EmploymentStatus: String, Codable, Sendable, CaseIterable {
    case active
    case onLeave = "on_leave"
    case exited

    /// Whether a person with this status may sign in and use Flipside. Someone who has left loses every
    /// way in at once (logins, tokens, sessions, sign-in links); someone on leave keeps theirs.
    public var keepsAccess: Bool { self != .exited }
}

/// An employee as the HR system knows them. `employeeID` is the HR key.
public struct Person: Hashable, Sendable, Codable {
    public var employeeID: String
    public var name: String
    public var email: String
    public var title: String
    /// Seniority band: higher is more senior.
    public var level: Int
    public var hireDate: CalendarDate
    public var department: String
    public var location: String
    /// IANA time zone identifier, e.g. `Europe/Berlin`.
    public var timeZone: String
    /// The manager's employee id; `nil` for the top of the organisation.
    public var managerID: String?
    public var status: EmploymentStatus
    public var exitDate: CalendarDate?
    /// Extra HR columns and self-described background (e.g. `pronouns`, `career_path`, `previous_industry`).
    public var attributes: [String: String]

    public init(
        employeeID: String, name: String, email: String, title: String, level: Int,
        hireDate: CalendarDate, department: String, location: String, timeZone: String,
        managerID: String?, status: EmploymentStatus = .active, exitDate: CalendarDate? = nil,
        attributes: [String: String] = [:]
    ) {
        self.employeeID = employeeID
        self.name = name
        self.email = email
        self.title = title
        self.level = level
        self.hireDate = hireDate
        self.department = department
        self.location = location
        self.timeZone = timeZone
        self.managerID = managerID
        self.status = status
        self.exitDate = exitDate
        self.attributes = attributes
    }

    enum CodingKeys: String, CodingKey {
        case employeeID = "employee_id", name, email, title, level, hireDate = "hire_date", department, location
        case timeZone = "time_zone", managerID = "manager_id", status, exitDate = "exit_date", attributes
    }
}
