import Fluent
import FlipsideCore
import SQLKit
import Vapor

/// The people directory, person pages and the HR upload.
struct PeopleWebController {
    static let peopleColumns = PeopleImport.requiredColumns.joined(separator: ",") + " (optional: status, exit_date, and any other column as a custom attribute). The column names of the usual HR exports (Employee ID, Work Email, First Name + Last Name, Business Title, Supervisor ID, Original Hire Date, Worker Status...) are recognised; anything else you map once."
    static let peopleExample = "P00412,Lena Fischer,lena.fischer@example.com,Analyst,2,2024-09-01,Marketing,Berlin,Europe/Berlin,P00077"

    func register(_ web: any RoutesBuilder) {
        web.get("people", use: directory)
        web.get("people", "import", use: importForm)
        web.on(.POST, "people", "import", body: .stream, use: importUpload)
        web.on(.POST, "people", "import", "mapping", body: .collect(maxSize: "1mb"), use: importMapped)
        web.get("people", ":employeeID", use: person)
    }

    /// The directory: a page of a search, its body rendered once per search and version of the people
    /// table (`renderKept`; everyone who may see the directory sees the same).
    func directory(req: Request) async throws -> Response {
        try req.authorize(.view, .directory)
        let q = req.query[String.self, at: "q"] ?? ""
        let department = req.query[String.self, at: "department"] ?? ""
        let pageNumber = try pageParameter(req, "page", default: 1, most: PageLimits.pages)
        let people = req.flipside.people
        let version = try await req.dataVersions().people
        return try await req.renderKept("people-body", name: "directory|\(q.utf8.count):\(q)|\(department.utf8.count):\(department)|\(pageNumber)",
                                        version: String(version), onePerName: false, chrome: PageChrome(request: req, title: "People", nav: "people")) {
            let result = try await people.search(query: q, department: department, page: pageNumber, per: 25)
            let departments = try await people.departments()
            return (PeoplePage(
                query: q, departments: departments.map { .init(name: $0, selected: $0 == department) },
                people: result.items.map(PersonSummary.init), total: result.total, pageNumber: result.page, pageCount: result.pageCount,
                previousURL: result.page > 1 ? SiteURL.people(query: q, department: department, page: result.page - 1).path : nil,
                nextURL: result.page < result.pageCount ? SiteURL.people(query: q, department: department, page: result.page + 1).path : nil), .ok)
        }
    }

    func person(req: Request) async throws -> View {
        try await Self.personPage(req, invitation: nil)
    }

    /// A person's page; `invitation` is a sign-in link just made for them (shown once).
    static func personPage(_ req: Request, invitation: InvitationNotice?) async throws -> View {
        let id = req.parameters.get("employeeID") ?? ""
        try req.authorize(.view, .person(employeeID: id))
        let seesLogin = AccessPolicy.decide(req.actor, .create, .invitation(employeeID: id)).isAllowed
        // Where someone stood before is theirs and the program team's (what their data export holds).
        let seesHistory = AccessPolicy.decide(req.actor, .view, .personalData(employeeID: id)).isAllowed
        let people = req.flipside.people
        guard let person = try await people.find(id) else { throw APIError.notFound("Person \(id)") }
        let line = try await people.reportingLine(of: id)
        let programs = try await req.flipside.programs.all()
        let enrolments = try await req.flipside.enrolments.all(of: id).compactMap { e -> EnrolmentRow? in
            guard let program = programs.first(where: { $0.id == e.programID }) else { return nil }
            return EnrolmentRow(e, person: person, program: program)
        }
        let page = PersonPage(
            page: PageChrome(request: req, title: person.name, nav: "people"), person: PersonSummary(person),
            hireDate: person.hireDate.description, timeZone: person.timeZone, status: person.status.rawValue.replacingOccurrences(of: "_", with: " "),
            exitDate: person.exitDate?.description,
            attributes: person.attributes.sorted { $0.key < $1.key }.map { AttributeRow(key: $0.key.replacingOccurrences(of: "_", with: " "), value: $0.value) },
            managers: line.managers.reversed().map(PersonSummary.init), reports: line.reports.map(PersonSummary.init), enrolments: enrolments,
            login: seesLogin ? LoginSummary(person: person, user: try await UserModel.find(email: person.email, on: req.db),
                                                 companySignInOnly: req.application.appConfig.openID.flatMap { $0.only ? $0.providerName : nil }) : nil,
            inviteURL: SiteURL.personInvite(id).path, invitation: invitation,
            history: seesHistory ? try await people.history(of: id).reversed().map(HistoryRow.init) : nil)
        return try await req.view.render("person", page)
    }

    func importForm(req: Request) async throws -> View {
        try req.authorize(.change, .directory)
        return try await req.view.render("import", importPage(req))
    }

    func importUpload(req: Request) async throws -> Response {
        try req.authorize(.change, .directory)
        try await req.collectBody(upTo: UploadLimits.people)
        try CSRF.verify(req)
        var page = importPage(req)
        let text: String
        do { text = try uploadedText(req) } catch let error as APIError where error.status == .badRequest {
            return try await Self.rejected(req, page: page, error: error)
        }
        do {
            let counts = try await Importing.people(csv: text, actor: req.actor, now: req.flipside.now, store: req.flipside.peopleImportStore)
            PeopleService.warm(req.application)
            page.result = ImportResponse(created: counts.created, updated: counts.updated, unchanged: counts.unchanged, warnings: nil)
            return try await req.view.render("import", page).encodeResponse(for: req)
        } catch let failure as ImportFailure {
            // A file that reads as a table but not as people yet: keep it while the coordinator maps it.
            if let table = try? CSVTable(text: text) {
                let (pending, mapping) = try await PendingImports.keep(text, table: table, owner: try req.requireUser().requireID(), actor: req.actor,
                                                                       now: req.flipside.now, store: req.flipside.pendingImportStore)
                page.mapping = MappingForm(pending: pending, table: table, mapping: mapping)
            }
            return try await Self.rejected(req, page: page, error: APIError.from(failure))
        }
    }

    /// The mapping form's answer: the kept file imported with the coordinator's mapping (kept for the
    /// next file with the same columns once it succeeds).
    func importMapped(req: Request) async throws -> Response {
        try req.authorize(.change, .directory)
        try CSRF.verify(req)
        // The form is decoded once into its fields (a form of thousands of grades was decoded again per field).
        let form = try req.content.decode([String: String].self)
        let user = try req.requireUser().requireID()
        let store = req.flipside.pendingImportStore
        guard let id = form["pending"].flatMap(UUID.init(uuidString:)) else { throw PendingImportExpired() }
        let (_, table) = try await PendingImports.file(id, owner: user, actor: req.actor, now: req.flipside.now, store: store)
        let timeZone = form["time_zone"]?.trimmed
        var mapping = ImportMapping(dateFormat: form["date_format"].flatMap(DateFormat.init(rawValue:)) ?? .iso,
                                    timeZone: timeZone?.isEmpty == false ? timeZone : nil)
        var columns: [String: String] = [:], levels: [String: Int] = [:], statuses: [String: EmploymentStatus] = [:]
        for (i, name) in table.originalHeader.enumerated() {
            if let field = form["column_\(i)"], !field.isEmpty { columns[name] = field }
        }
        // Every grade and status word the form carries (asked, or answered in an earlier round).
        for i in 0..<ImportMapping.answerLimit {
            guard let text = form["grade_name_\(i)"] else { break }
            if let raw = form["grade_\(i)"]?.trimmed, !raw.isEmpty {
                guard let level = Int(raw) else { throw APIError.invalid([FieldProblem(field: "grade_\(i)", reason: "must be a whole number")]) }
                levels[text] = level
            }
        }
        for i in 0..<ImportMapping.answerLimit {
            guard let text = form["status_name_\(i)"] else { break }
            if let raw = form["status_\(i)"], let status = EmploymentStatus(rawValue: raw) { statuses[text] = status }
        }
        (mapping.columns, mapping.levels, mapping.statuses) = (columns, levels, statuses)
        var page = importPage(req)
        do {
            let counts = try await PendingImports.importMapped(id, mapping: mapping, owner: user, actor: req.actor, now: req.flipside.now,
                                                               store: store, people: req.flipside.peopleImportStore)
            PeopleService.warm(req.application)
            page.result = ImportResponse(created: counts.created, updated: counts.updated, unchanged: counts.unchanged, warnings: nil)
            return try await req.view.render("import", page).encodeResponse(for: req)
        } catch let failure as ImportFailure {
            page.mapping = MappingForm(pending: id, table: table, mapping: mapping)
            return try await Self.rejected(req, page: page, error: APIError.from(failure))
        } catch let rejected as MappingRejected {
            page.mapping = MappingForm(pending: id, table: table, mapping: .none)
            return try await Self.rejected(req, page: page, error: APIError.from(rejected))
        }
    }

    static func rejected(_ req: Request, page: ImportPage, error: APIError) async throws -> Response {
        var page = page
        page.message = error.message
        page.problems = error.details
        return try await req.render("import", page, status: .unprocessableEntity)
    }

    private func importPage(_ req: Request) -> ImportPage {
        ImportPage(page: PageChrome(request: req, title: "Import people", nav: "people"), heading: "Import people from HR",
                   action: SiteURL.peopleImport.path, columns: Self.peopleColumns, example: Self.peopleExample,
                   backURL: SiteURL.people().path, problems: [], message: nil, result: nil, warnings: [])
    }
}

/// The text of the uploaded `file` field of a multipart form (see `uploadText`).
func uploadedText(_ req: Request) throws -> String {
    struct Upload: Content { var file: File? }
    let upload = try req.content.decode(Upload.self)
    guard let file = upload.file, file.data.readableBytes > 0 else {
        throw APIError(.badRequest, code: "no_file", "Choose a CSV file to upload.")
    }
    return try uploadText(file.data)
}
