/// Writes people in the HR import format, so exports round-trip through the import.
public enum PeopleCSV {
    /// The CSV text with the required columns, `status`, `exit_date` and one column per custom attribute.
    public static func render(_ people: [Person]) -> String {
        let attributeKeys = Set(people.flatMap(\.attributes.keys)).sorted()
        var lines = [(PeopleImport.requiredColumns + PeopleImport.optionalColumns + attributeKeys).joined(separator: ",")]
        lines.reserveCapacity(people.count + 1)
        for p in people {
            var fields = [p.employeeID, p.name, p.email, p.title, String(p.level), p.hireDate.description, p.department,
                          p.location, p.timeZone, p.managerID ?? "", p.status.rawValue, p.exitDate?.description ?? ""]
            fields += attributeKeys.map { p.attributes[$0] ?? "" }
            lines.append(fields.map(escape).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Quotes a field when it holds a comma, a quote or a line break (RFC 4180).
    public static func escape(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
