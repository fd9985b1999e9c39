/// Writes enrolments in the enrolment import format, so exports round-trip through the import.
public enum EnrolmentCSV {
    public static func render(_ enrolments: [Enrolment]) -> String {
        var lines = [(EnrolmentImport.requiredColumns + EnrolmentImport.optionalColumns).joined(separator: ",")]
        for e in enrolments {
            let fields = [e.employeeID, e.role.rawValue, EnrolmentFields.text(e.offers), EnrolmentFields.text(e.wants),
                          e.industries.joined(separator: ";"), e.channels.map(\.rawValue).joined(separator: ";"),
                          e.cadence.rawValue, String(e.capacity), e.availability.map(\.description).joined(separator: ";")]
            lines.append(fields.map(PeopleCSV.escape).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
