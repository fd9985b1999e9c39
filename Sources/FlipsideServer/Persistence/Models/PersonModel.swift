import Fluent
import FlipsideCore
import Foundation

/// A stored person. Mapped to `FlipsideCore.Person` at the edge.
final class PersonModel: Model, @unchecked Sendable {
    static let schema = "people"

    @ID(key: .id) var id: UUID?
    @Field(key: "employee_id") var employeeID: String
    @Field(key: "name") var name: String
    @Field(key: "email") var email: String
    @Field(key: "title") var title: String
    @Field(key: "level") var level: Int
    @Field(key: "hire_date") var hireDate: String
    @Field(key: "department") var department: String
    @Field(key: "location") var location: String
    @Field(key: "time_zone") var timeZone: String
    @OptionalField(key: "manager_id") var managerID: String?
    @Field(key: "status") var status: String
    @OptionalField(key: "exit_date") var exitDate: String?
    /// Custom attributes as a JSON object of strings.
    @Field(key: "attributes") var attributes: String
    /// Lower-cased name, email, id and title, for case-insensitive search on every database.
    @Field(key: "search_key") var searchKey: String

    init() {}

    func copy(from person: Person) {
        let row = PersonRow(person)
        employeeID = row.employee_id
        name = row.name
        email = row.email
        title = row.title
        level = row.level
        hireDate = row.hire_date
        department = row.department
        location = row.location
        timeZone = row.time_zone
        managerID = row.manager_id
        status = row.status
        exitDate = row.exit_date
        attributes = row.attributes
        searchKey = row.search_key
    }

    /// The domain value.
    var person: Person {
        PersonRow.person(employeeID: employeeID, name: name, email: email, title: title, level: level, hireDate: hireDate,
                         department: department, location: location, timeZone: timeZone, managerID: managerID,
                         status: status, exitDate: exitDate, attributes: attributes)
    }
}
