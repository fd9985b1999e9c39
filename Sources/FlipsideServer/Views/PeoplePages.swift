import FlipsideCore
import MatchingEngine
import Vapor

// What the people pages, a person's page, the HR import and the sign-in page show.

struct LoginPage: Encodable {
    var page: PageChrome
    var next: String
    var email: String
    var error: String?
    /// "Sign in with …" when an identity provider is set, and where it starts.
    var providerName: String? = nil
    var providerURL: String? = nil
    /// The password form: always, unless the provider is the only way (then for break-glass only).
    var passwordForm: Bool = true
}

struct PersonSummary: Encodable, Sendable {
    var employeeID: String
    var name: String
    var email: String
    var title: String
    var level: Int
    var department: String
    var location: String
    var url: String

    init(_ p: Person) {
        employeeID = p.employeeID
        name = p.name
        email = p.email
        title = p.title
        level = p.level
        department = p.department
        location = p.location
        url = SiteURL.person(p.employeeID).path
    }
}

/// The directory's body (the chrome is the request's own: `renderKept`).
struct PeoplePage: Encodable, Sendable {
    struct Option: Encodable, Sendable { var name: String; var selected: Bool }
    var query: String
    var departments: [Option]
    var people: [PersonSummary]
    var total: Int
    var pageNumber: Int
    var pageCount: Int
    var previousURL: String?
    var nextURL: String?
}

struct AttributeRow: Encodable { var key: String; var value: String }

struct EnrolmentRow: Encodable {
    var id: String
    var programName: String
    var programURL: String
    var employeeID: String
    var personName: String
    var personURL: String
    var level: Int?
    var department: String
    var role: String
    var offers: String
    var wants: String
    var industries: String
    var channels: String
    var cadence: String
    var capacity: Int
    var availability: String
    var withdrawURL: String?
    var warning: String?

    init(_ e: Enrolment, person: Person?, program: Program, warning: String? = nil, withdrawable: Bool = false) {
        id = e.id.uuidString.lowercased()
        programName = program.name
        programURL = SiteURL.program(program.id).path
        employeeID = e.employeeID
        personName = person?.name ?? e.employeeID
        personURL = SiteURL.person(e.employeeID).path
        level = person?.level
        department = person?.department ?? ""
        role = e.role.rawValue
        offers = e.offers.map { "\($0.topic) (\($0.proficiency))" }.joined(separator: ", ")
        wants = e.wants.map { "\($0.topic) (\($0.priority))" }.joined(separator: ", ")
        industries = e.industries.joined(separator: ", ")
        channels = e.channels.map { $0.rawValue.replacingOccurrences(of: "_", with: " ") }.joined(separator: ", ")
        cadence = e.cadence.rawValue
        capacity = e.capacity
        availability = e.availability.map(\.description).joined(separator: ", ")
        withdrawURL = withdrawable && program.status.acceptsEnrolments ? SiteURL.withdraw(program: program.id, enrolment: e.id).path : nil
        self.warning = warning
    }
}

struct PersonPage: Encodable {
    var page: PageChrome
    var person: PersonSummary
    var hireDate: String
    var timeZone: String
    var status: String
    var exitDate: String?
    var attributes: [AttributeRow]
    var managers: [PersonSummary]
    var reports: [PersonSummary]
    var enrolments: [EnrolmentRow]
    /// For coordinators: whether the person can sign in, and the form that makes a sign-in link.
    var login: LoginSummary?
    var inviteURL: String
    var invitation: InvitationNotice?
    /// Changes of level, department or location, newest first (`nil`: not the reader's to see).
    var history: [HistoryRow]?
}

/// One change in a person's HR history, in words.
struct HistoryRow: Encodable {
    var effective: String
    var changes: String
    init(_ c: EmploymentChange) {
        effective = c.effective.description
        var parts: [String] = []
        if c.before.level != c.after.level { parts.append("level \(c.before.level) → \(c.after.level)") }
        if c.before.department != c.after.department { parts.append("\(c.before.department) → \(c.after.department)") }
        if c.before.location != c.after.location { parts.append("\(c.before.location) → \(c.after.location)") }
        changes = parts.joined(separator: "; ")
    }
}

/// Whether a person has a login, for the coordinator's view of their page.
struct LoginSummary: Encodable {
    var hasLogin: Bool
    var role: String?
    var canInvite: Bool
    /// With `OIDC_ONLY`: people sign in with this provider, and no password link is made.
    var companySignIn: String?

    init(person: Person, user: UserModel?, companySignInOnly: String? = nil) {
        hasLogin = user != nil
        role = user?.role
        companySignIn = companySignInOnly
        canInvite = person.status == .active && companySignInOnly == nil
    }
}

/// A sign-in link just made, shown once.
struct InvitationNotice: Encodable {
    var url: String
    var expires: String
}

struct ImportPage: Encodable {
    var page: PageChrome
    var heading: String
    var action: String
    var columns: String
    var example: String
    var backURL: String
    var problems: [ErrorDetail]
    var message: String?
    var result: ImportResponse?
    var warnings: [EnrolmentWarning]
    /// The questions of an HR export that does not read yet (people imports only).
    var mapping: MappingForm? = nil
}

/// The form that maps an HR export once: each column, the missing columns, text grades, status words,
/// the date format and the time zone. Works as a plain form.
struct MappingForm: Encodable {
    struct Option: Encodable { var value: String; var label: String; var selected: Bool }
    struct Column: Encodable { var index: Int; var name: String; var options: [Option] }
    /// A grade or status word: asked on the form (`asked`), or answered earlier and carried along hidden.
    struct Grade: Encodable { var index: Int; var text: String; var level: String; var asked: Bool }
    struct Status: Encodable { var index: Int; var text: String; var options: [Option]; var asked: Bool; var value: String }
    var action: String
    var pending: String
    var columns: [Column]
    var missing: [String]
    var grades: [Grade]
    var statuses: [Status]
    /// Grades and status words not asked yet: the next round asks them.
    var gradesLater: Int
    var statusesLater: Int
    var dateSamples: String?
    var dateFormats: [Option]
    var needsTimeZone: Bool
    var timeZone: String

    /// The form for the kept file `pending`, asking what `table` still leaves open under `mapping`.
    init(pending: UUID, table: CSVTable, mapping: ImportMapping) {
        let q = MappingQuestions(table: table, mapping: mapping)
        action = SiteURL.peopleImport.path + "/mapping"
        self.pending = pending.uuidString
        columns = q.columns.map { c in
            let auto = c.readsAs.map { $0 == HRExport.ignore ? "automatic" : "automatic (reads as \($0))" } ?? "automatic (custom attribute)"
            let chosen = mapping.field(forColumn: c.name) ?? ""
            return Column(index: c.index, name: c.name, options: [Option(value: "", label: auto, selected: chosen.isEmpty)]
                + HRExport.fields.map { Option(value: $0, label: $0.replacingOccurrences(of: "_", with: " "), selected: chosen == $0) }
                + [Option(value: HRExport.ignore, label: "leave out", selected: chosen == HRExport.ignore)])
        }
        missing = q.missing
        // At most `askedAtOnce` of each on the form (those not answered first); the answers given in
        // earlier rounds ride along hidden, so that no round loses them.
        let most = MappingQuestions.askedAtOnce
        grades = q.grades.enumerated().map { i, g in
            Grade(index: i, text: g.text, level: g.level.map(String.init) ?? "", asked: i < most)
        }
        statuses = q.statuses.enumerated().map { i, s in
            Status(index: i, text: s.text, options: [Option(value: "", label: "choose", selected: s.status == nil)]
                   + EmploymentStatus.allCases.map { Option(value: $0.rawValue, label: $0.rawValue.replacingOccurrences(of: "_", with: " "), selected: s.status == $0) },
                   asked: i < most, value: s.status?.rawValue ?? "")
        }
        gradesLater = q.grades.dropFirst(most).filter { $0.level == nil }.count
        statusesLater = q.statuses.dropFirst(most).filter { $0.status == nil }.count
        dateSamples = q.dateSamples.isEmpty ? nil : q.dateSamples.joined(separator: ", ")
        dateFormats = DateFormat.allCases.map { Option(value: $0.rawValue, label: $0.rawValue, selected: mapping.dateFormat == $0) }
        needsTimeZone = q.needsTimeZone
        timeZone = mapping.timeZone ?? ""
    }
}

/// What the page after an erasure shows: the pseudonym and what was removed.
struct ErasedPage: Encodable { var page: PageChrome; var pseudonym: String; var texts: Int; var pairs: Int }

/// What the outgoing messages page shows: recipients, kinds, subjects and what became of each (never a body).
struct MessagesPage: Encodable {
    struct Row: Encodable { var queued: String; var recipient: String; var kind: String; var subject: String; var status: String; var attempts: Int; var problem: String }
    var page: PageChrome
    var mode: String
    var notice: String?
    /// Each program's chat channel: its webhook's host when it has one, and the form to change it.
    struct Channel: Encodable { var program: String; var action: String; var host: String? }
    var channels: [Channel]
    var rows: [Row]
}
