import FlipsideCore
import Vapor

/// The people directory, person pages and the HR upload.
struct PeopleWebController {
    static let peopleColumns = PeopleImport.requiredColumns.joined(separator: ",") + " (optional: status, exit_date, and any other column as a custom attribute)"
    static let peopleExample = "P00412,Lena Fischer,lena.fischer@example.com,Analyst,2,2024-09-01,Marketing,Berlin,Europe/Berlin,P00077"

    func register(_ web: any RoutesBuilder) {
        web.get("people", use: directory)
        web.get("people", "import", use: importForm)
        web.on(.POST, "people", "import", body: .stream, use: importUpload)
        web.get("people", ":employeeID", use: person)
    }

    func directory(req: Request) async throws -> View {
        try req.authorize(.view, .directory)
        let q = req.query[String.self, at: "q"] ?? ""
        let department = req.query[String.self, at: "department"] ?? ""
        let pageNumber = try pageParameter(req, "page", default: 1, most: PageLimits.pages)
        let people = req.flipside.people
        let result = try await people.search(query: q, department: department, page: pageNumber, per: 25)
        let departments = try await people.departments()
        let page = PeoplePage(
            page: PageChrome(request: req, title: "People", nav: "people"), query: q,
            departments: departments.map { .init(name: $0, selected: $0 == department) },
            people: result.items.map(PersonSummary.init), total: result.total, pageNumber: result.page, pageCount: result.pageCount,
            previousURL: result.page > 1 ? SiteURL.people(query: q, department: department, page: result.page - 1).path : nil,
            nextURL: result.page < result.pageCount ? SiteURL.people(query: q, department: department, page: result.page + 1).path : nil)
        return try await req.view.render("people", page)
    }

    func person(req: Request) async throws -> View {
        try await Self.personPage(req, invitation: nil)
    }

    /// A person's page; `invitation` is a sign-in link just made for them (shown once).
    static func personPage(_ req: Request, invitation: InvitationNotice?) async throws -> View {
        let id = req.parameters.get("employeeID") ?? ""
        try req.authorize(.view, .person(employeeID: id))
        let seesLogin = AccessPolicy.decide(req.actor, .create, .invitation(employeeID: id)).isAllowed
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
            login: seesLogin ? LoginSummary(person: person, user: try await UserModel.find(email: person.email, on: req.db)) : nil,
            inviteURL: SiteURL.personInvite(id).path, invitation: invitation)
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
        do {
            let text = try uploadedText(req)
            let counts = try await Importing.people(csv: text, actor: req.actor, now: req.flipside.now, store: req.flipside.peopleImportStore)
            PeopleService.warm(req.application)
            page.result = ImportResponse(created: counts.created, updated: counts.updated, unchanged: counts.unchanged, warnings: nil)
            return try await req.view.render("import", page).encodeResponse(for: req)
        } catch let failure as ImportFailure {
            return try await Self.rejected(req, page: page, error: APIError.from(failure))
        } catch let error as APIError where error.status == .badRequest {
            return try await Self.rejected(req, page: page, error: error)
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

/// The text of the uploaded `file` field of a multipart form, as UTF-8.
func uploadedText(_ req: Request) throws -> String {
    struct Upload: Content { var file: File? }
    let upload = try req.content.decode(Upload.self)
    guard let file = upload.file, file.data.readableBytes > 0 else {
        throw APIError(.badRequest, code: "no_file", "Choose a CSV file to upload.")
    }
    guard let text = UploadedText.decode(file.data.readableBytesView) else {
        throw APIError(.badRequest, code: "not_utf8", "The file is not UTF-8 or UTF-16 text; export it from your spreadsheet as CSV UTF-8.")
    }
    return text
}
