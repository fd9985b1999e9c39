import Foundation

/// The people already stored, as an HR import checks a file against them: each one's employee id,
/// email and manager (for the rules across the organisation), and the rest as stored, in one text
/// (`fields`) and the attributes' JSON, compared as text. Making 100,000 whole people (dates, attribute
/// objects) and keying them took a third of a re-import where 1 % changed.
///
/// Equal texts mean equal people. Unequal texts mostly mean a change, but not always (a stored date
/// or attribute object in another spelling than Flipside writes), so the plan's `updated` are settled
/// against those people read whole (`PeopleImportPlan.settled(against:)`).
public struct StoredPeople: Sendable {
    public struct Entry: Sendable, Equatable {
        public var employeeID: String
        public var email: String
        public var managerID: String?
        /// Every other column an import writes, as stored (`StoredPeople.fields`).
        public var fields: String
        /// The attributes as stored (`PersonAttributes.json` writes them).
        public var attributes: String

        public init(employeeID: String, email: String, managerID: String?, fields: String, attributes: String) {
            self.employeeID = employeeID
            self.email = email
            self.managerID = managerID
            self.fields = fields
            self.attributes = attributes
        }

        /// The entry of a whole person, as it would be read back once stored.
        public init(_ person: Person) {
            self.init(employeeID: person.employeeID, email: person.email, managerID: person.managerID,
                      fields: StoredPeople.fields(of: person), attributes: PersonAttributes.json(person.attributes))
        }
    }

    public var entries: [Entry]

    public init(_ entries: [Entry] = []) { self.entries = entries }

    /// Whole people (as a store in memory holds them), in employee id order.
    public init(_ people: [String: Person]) {
        entries = people.keys.sorted().map { Entry(people[$0]!) }
    }

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// A person's stored columns other than employee id, email and attributes, as one text: each value
    /// by its length in UTF-8 bytes, a colon and the value, or `-` for none. A length before every value
    /// makes the text say exactly which values it was made of, whatever they hold.
    public static func fields(name: String, title: String, level: Int, hireDate: String, department: String, location: String,
                              timeZone: String, managerID: String?, status: String, exitDate: String?) -> String {
        let level = String(level)
        // Written in place, in one allocation: made for every stored person a re-import reads.
        let count = FieldsWriter.size(name) + FieldsWriter.size(title) + FieldsWriter.size(level) + FieldsWriter.size(hireDate)
            + FieldsWriter.size(department) + FieldsWriter.size(location) + FieldsWriter.size(timeZone)
            + FieldsWriter.size(managerID) + FieldsWriter.size(status) + FieldsWriter.size(exitDate)
        return String(unsafeUninitializedCapacity: count) { buffer in
            var writer = FieldsWriter(buffer: buffer)
            writer.put(name); writer.put(title); writer.put(level); writer.put(hireDate); writer.put(department)
            writer.put(location); writer.put(timeZone); writer.put(managerID); writer.put(status); writer.put(exitDate)
            return writer.at
        }
    }

    /// The same text for a person, each value as it is stored (dates as ISO text, status by its name).
    public static func fields(of person: Person) -> String {
        fields(name: person.name, title: person.title, level: person.level, hireDate: person.hireDate.description,
               department: person.department, location: person.location, timeZone: person.timeZone,
               managerID: person.managerID, status: person.status.rawValue, exitDate: person.exitDate?.description)
    }
}

extension PeopleImportPlan {
    /// The plan once each updated person is compared with the same person read whole (`stored`, by
    /// employee id): those equal to their stored self count as unchanged. A plan made from
    /// `StoredPeople` names as updated everyone whose stored text differs; this makes it exact.
    public func settled(against stored: [String: Person]) -> PeopleImportPlan {
        var plan = self
        plan.updated.removeAll { person in stored[person.employeeID] == person }
        plan.unchanged += updated.count - plan.updated.count
        return plan
    }
}

/// Writes the values of `StoredPeople.fields` into a buffer of the size it measured.
private struct FieldsWriter {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    var at = 0

    /// The bytes `put` writes for `value`.
    static func size(_ value: String?) -> Int {
        guard let value else { return 1 }
        return digits(value.utf8.count) + 1 + value.utf8.count
    }

    static func digits(_ value: Int) -> Int {
        var (value, count) = (value / 10, 1)
        while value > 0 { value /= 10; count += 1 }
        return count
    }

    mutating func put(_ value: String?) {
        guard var value else {
            buffer[at] = UInt8(ascii: "-")
            at += 1
            return
        }
        let length = value.utf8.count
        var rest = length
        at += Self.digits(length)
        var digit = at
        repeat {
            digit -= 1
            buffer[digit] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        } while rest > 0
        buffer[at] = UInt8(ascii: ":")
        at += 1
        value.withUTF8 { bytes in
            if let base = bytes.baseAddress { (buffer.baseAddress! + at).update(from: base, count: length) }
        }
        at += length
    }
}
