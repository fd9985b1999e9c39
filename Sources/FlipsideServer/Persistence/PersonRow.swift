import FluentKit
import FluentSQL
import FlipsideCore
import Foundation

/// The raw SQL on the `people` table, in one place. One row of the table as SQLKit reads and writes
/// it; used by the bulk import, where going through Fluent models one at a time would be far too
/// slow for 100,000 people.
struct PersonRow: Codable, Sendable {
    var id: UUID
    var employee_id: String
    var name: String
    var email: String
    var title: String
    var level: Int
    var hire_date: String
    var department: String
    var location: String
    var time_zone: String
    var manager_id: String?
    var status: String
    var exit_date: String?
    var attributes: String
    var search_key: String

    static let columns = ["id", "employee_id", "name", "email", "title", "level", "hire_date", "department", "location",
                          "time_zone", "manager_id", "status", "exit_date", "attributes", "search_key"]

    /// The row's values in the order of `columns`, for `BulkUpsert`.
    var cells: [BulkUpsert.Cell] {
        [.uuid(id), .text(employee_id), .text(name), .text(email), .text(title), .integer(level), .text(hire_date),
         .text(department), .text(location), .text(time_zone), .text(manager_id), .text(status), .text(exit_date),
         .text(attributes), .text(search_key)]
    }

    init(_ person: Person, id: UUID = .random()) {
        self.id = id
        employee_id = person.employeeID
        name = person.name
        email = person.email
        title = person.title
        level = person.level
        hire_date = person.hireDate.description
        department = person.department
        location = person.location
        time_zone = person.timeZone
        manager_id = person.managerID
        status = person.status.rawValue
        exit_date = person.exitDate?.description
        attributes = PersonAttributes.json(person.attributes)
        search_key = Self.searchKey(person)
    }

    var person: Person {
        Self.person(employeeID: employee_id, name: name, email: email, title: title, level: level, hireDate: hire_date,
                    department: department, location: location, timeZone: time_zone, managerID: manager_id,
                    status: status, exitDate: exit_date, attributes: attributes)
    }

    /// The row as an HR import compares it (`StoredPeople`).
    var storedEntry: StoredPeople.Entry {
        Self.storedEntry(employeeID: employee_id, email: email, managerID: manager_id, name: name, title: title, level: level,
                         hireDate: hire_date, department: department, location: location, timeZone: time_zone, status: status,
                         exitDate: exit_date, attributes: attributes)
    }

    /// An import's entry from stored column values, as they are stored.
    static func storedEntry(employeeID: String, email: String, managerID: String?, name: String, title: String, level: Int,
                            hireDate: String, department: String, location: String, timeZone: String, status: String,
                            exitDate: String?, attributes: String) -> StoredPeople.Entry {
        StoredPeople.Entry(employeeID: employeeID, email: email, managerID: managerID,
                           fields: StoredPeople.fields(name: name, title: title, level: level, hireDate: hireDate, department: department,
                                                       location: location, timeZone: timeZone, managerID: managerID, status: status,
                                                       exitDate: exitDate),
                           attributes: attributes)
    }

    /// A person from stored column values (dates as text, attributes as JSON).
    static func person(employeeID: String, name: String, email: String, title: String, level: Int, hireDate: String,
                       department: String, location: String, timeZone: String, managerID: String?, status: String,
                       exitDate: String?, attributes: String) -> Person {
        Person(employeeID: employeeID, name: name, email: email, title: title, level: level,
               hireDate: CalendarDate(iso: hireDate) ?? .unknown, department: department, location: location,
               timeZone: timeZone, managerID: managerID, status: EmploymentStatus(rawValue: status) ?? .active,
               exitDate: exitDate.flatMap(CalendarDate.init(iso:)), attributes: PersonAttributes.read(attributes))
    }

    static func searchKey(_ person: Person) -> String {
        [person.name, person.email, person.employeeID, person.title].joined(separator: " ").lowercased()
    }
}

extension CalendarDate {
    /// Stands in for a stored date that cannot be read (never written by Flipside itself).
    static let unknown = CalendarDate(year: 1970, month: 1, day: 1)!
}

extension QueryBuilder where Model == PersonModel {
    /// People whose search key contains `text` literally: `%`, `_` and `\` in it match only themselves
    /// (Fluent's `~~` would pass them to LIKE as wildcards).
    @discardableResult
    func searchKeyContains(_ text: String) -> Self {
        var escaped = ""
        for character in text {
            if character == "\\" || character == "%" || character == "_" { escaped.append("\\") }
            escaped.append(character)
        }
        return filter(.sql(embed: "\(ident: "search_key") LIKE \(bind: "%" + escaped + "%") ESCAPE '\\'"))
    }
}
