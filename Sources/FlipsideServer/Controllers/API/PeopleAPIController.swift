import FlipsideCore
import MatchingEngine
import Vapor

/// `GET /api/v1/people`, `GET /api/v1/people/{employee_id}`, `POST /api/v1/people/import`,
/// `POST /api/v1/people/{employee_id}/invitation`.
struct PeopleAPIController {
    func register(_ authed: any RoutesBuilder) {
        authed.get("people", use: list)
        authed.get("people", ":employeeID", use: show)
        authed.on(.POST, "people", "import", body: .stream, use: importCSV)
        authed.post("people", ":employeeID", "invitation", use: invite)
    }

    struct InvitationResponse: Content {
        var path: String
        var url: String?
        var expires_at: Date
    }

    func invite(req: Request) async throws -> Response {
        let id = req.parameters.get("employeeID") ?? ""
        try req.authorize(.create, .invitation(employeeID: id))
        try req.application.appConfig.requirePasswordLinks()
        let (token, expires) = try await SignInLinks.issue(for: id, actor: req.actor, now: req.flipside.now, store: req.flipside.signInLinkStore)
        let response = Response(status: .created)
        let path = SiteURL.invitation(token: token).path
        try response.content.encode(InvitationResponse(path: path, url: req.application.appConfig.linkBase.map { $0 + path }, expires_at: expires))
        return response
    }

    /// A page of the directory. The encoded answer is kept with the search (see `PeopleService.search`).
    func list(req: Request) async throws -> Response {
        try req.authorize(.view, .directory)
        let page = try pageParameter(req, "page", default: 1, most: PageLimits.pages)
        let per = try pageParameter(req, "per", default: 25, most: PageLimits.perPage)
        let (q, department): (String?, String?) = (req.query["q"], req.query["department"])
        let people = req.flipside.people
        let key = try await people.searchKey(query: q, department: department, page: page, per: per)
        guard let key else { return try await people.search(query: q, department: department, page: page, per: per).map(PersonDTO.init).encodeResponse(for: req) }
        let body: ByteBuffer = try await req.application.results.value(key + "|json") {
            let response = try await people.search(query: q, department: department, page: page, per: per, key: key)
                .map(PersonDTO.init).encodeResponse(for: req)
            return response.body.buffer ?? ByteBuffer()
        }
        var headers = HTTPHeaders()
        headers.contentType = .json
        return Response(status: .ok, headers: headers, body: .init(buffer: body))
    }

    func show(req: Request) async throws -> PersonDTO {
        let id = req.parameters.get("employeeID") ?? ""
        try req.authorize(.view, .person(employeeID: id))
        guard let person = try await req.flipside.people.find(id) else { throw APIError.notFound("Person \(id)") }
        return PersonDTO(person)
    }

    func importCSV(req: Request) async throws -> ImportResponse {
        try req.authorize(.change, .directory)
        let began = ContinuousClock.now
        try await req.collectBody(upTo: UploadLimits.people)
        trace("people import body collected: \(ContinuousClock.now - began)")
        let (text, mapping) = try importBody(req)
        trace("people import body read as text: \(ContinuousClock.now - began)")
        let counts = try await Importing.people(csv: text, mapping: mapping, actor: req.actor, now: req.flipside.now, store: req.flipside.peopleImportStore)
        PeopleService.warm(req.application)
        return ImportResponse(created: counts.created, updated: counts.updated, unchanged: counts.unchanged, warnings: nil)
    }
}

/// How far a listing pages: every page number and size a request may name is bounded, so that no
/// arithmetic on them can overflow.
enum PageLimits {
    static let pages = 100_000
    static let perPage = 200
}

/// A positive integer query parameter up to `most`, or a 400 naming it.
func pageParameter(_ req: Request, _ name: String, default value: Int, most: Int) throws -> Int {
    guard let raw = req.query[String.self, at: name] else { return value }
    guard let number = Int(raw), number >= 1, number <= most else {
        let reason = "must be a whole number from 1 to \(most)"
        throw APIError(.badRequest, code: "bad_request", "Query parameter '\(name)' \(reason).",
                       details: [ErrorDetail(field: name, value: raw, reason: reason)])
    }
    return number
}

/// A people import's body: the CSV file as the body (`text/csv`), or `multipart/form-data` with the
/// file in `file` and, optionally, a mapping (JSON, `ImportMapping`) in `mapping`.
func importBody(_ req: Request) throws -> (String, ImportMapping?) {
    guard req.headers.contentType?.type == "multipart" else { return (try csvBody(req), nil) }
    struct Upload: Content { var file: File?; var mapping: String? }
    let upload: Upload
    do { upload = try req.content.decode(Upload.self) } catch {
        throw APIError(.badRequest, code: "bad_request", "The form cannot be read: send the file in a part named file (and a mapping in one named mapping).")
    }
    guard let file = upload.file, file.data.readableBytes > 0 else {
        throw APIError(.badRequest, code: "empty_body", "The file part is missing or empty.")
    }
    let text = try uploadText(file.data)
    guard let raw = upload.mapping?.trimmed, !raw.isEmpty else { return (text, nil) }
    do {
        return (text, try JSONDecoder().decode(ImportMapping.self, from: Data(raw.utf8)))
    } catch {
        throw APIError.invalid([FieldProblem(field: "mapping", reason: "is not a mapping: \(ImportActions.describe(error))")])
    }
}

/// The request body as CSV text: `text/csv` (or `text/plain`), UTF-8 or UTF-16 with a byte-order mark.
func csvBody(_ req: Request) throws -> String {
    let type = req.headers.contentType
    let workbook = type?.type == "application" && type?.subType == "vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    guard type == nil || workbook || (type?.type == "text" && ["csv", "plain"].contains(type?.subType ?? "")) else {
        throw APIError(.unsupportedMediaType, code: "unsupported_media_type",
                       "Send the file as the request body with Content-Type: text/csv (or the .xlsx workbook's type).")
    }
    guard let buffer = req.body.data, buffer.readableBytes > 0 else {
        throw APIError(.badRequest, code: "empty_body", "The request body is empty; send the CSV file as the body.")
    }
    return try uploadText(buffer)
}

/// An uploaded file's bytes as text (`UploadedText.read`: a `.xlsx` workbook's first sheet as CSV, or
/// UTF-8 / UTF-16 text), or a 400 saying how to export it.
func uploadText(_ bytes: ByteBuffer) throws -> String {
    guard let text = try UploadedText.read(bytes.readableBytesView) else {
        throw APIError(.badRequest, code: "not_utf8", "The file is neither a .xlsx workbook nor UTF-8 or UTF-16 text; export it from your spreadsheet as CSV UTF-8.")
    }
    return text
}
