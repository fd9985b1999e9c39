import FlipsideCore
import Vapor

/// A participant's own pages: their profile, the enrolment form, withdrawing.
struct ParticipantWebController {
    func register(_ web: any RoutesBuilder) {
        web.get("me", use: me)
        web.post("me", use: updateMe)
        web.get("programs", ":programID", "enrol", use: enrolForm)
        web.post("programs", ":programID", "enrol", use: enrol)
        web.post("programs", ":programID", "enrolments", ":enrolmentID", "withdraw", use: withdraw)
    }

    static let attributeLabels: [(String, String)] = [("pronouns", "Pronouns"), ("career_path", "Career path (e.g. career changer, apprenticeship)"),
                                                      ("previous_industry", "Industry you worked in before"), ("background", "Anything else about your background")]

    func me(req: Request) async throws -> View {
        try await renderMe(req, problems: [], saved: req.query["saved"] == "1")
    }

    private func renderMe(_ req: Request, problems: [ErrorDetail], saved: Bool) async throws -> View {
        let user = try req.requireUser()
        var person: Person?
        var rows: [EnrolmentRow] = []
        var open: [ProgramSummary] = []
        var pairs: [OwnPairRow] = []
        if let id = user.employeeID {
            let mine = AccessPolicy.visiblePairs(req.actor, try await MatchingReads(db: req.db).pairs(of: id))
            let partners = try await req.flipside.people.find(mine.map { $0.partner(of: $0.side(of: id) ?? .mentee) })
            let now = req.flipside.now
            pairs = mine.map { p in
                let side = p.side(of: id) ?? .mentee
                let partner = p.partner(of: side)
                let status = p.effectiveStatus(now: now)
                let waiting = (status == .proposed && (side == .mentee ? p.menteeAccepted : p.mentorAccepted) == nil) || (status == .requested && side == .mentor)
                return OwnPairRow(url: SiteURL.pair(p.id).path, partner: partners[partner]?.name ?? partner, status: status.rawValue, canAnswer: waiting)
            }
            person = try await req.flipside.people.find(id)
            let programs = try await req.flipside.programs.all()
            let enrolments = try await req.flipside.enrolments.all(of: id)
            rows = enrolments.compactMap { e in programs.first { $0.id == e.programID }.map { EnrolmentRow(e, person: person, program: $0, withdrawable: true) } }
            let enrolled = Set(enrolments.map(\.programID))
            open = programs.filter { $0.status == .enrolling && !enrolled.contains($0.id) }.map { ProgramSummary($0, canEnrol: true) }
        }
        let page = MePage(page: PageChrome(request: req, title: "My profile", nav: "me"), person: person.map(PersonSummary.init),
                          timeZone: person?.timeZone ?? "",
                          attributes: Self.attributeLabels.map { .init(key: $0.0, label: $0.1, value: person?.attributes[$0.0] ?? "") },
                          enrolments: rows, openPrograms: open, pairs: pairs, problems: problems, saved: saved)
        return try await req.view.render("me", page)
    }

    func updateMe(req: Request) async throws -> Response {
        let user = try req.requireUser()
        try CSRF.verify(req)
        guard let id = user.employeeID else { throw APIError(.conflict, code: "no_profile", "This login is not linked to a person.") }
        struct Form: Content { var time_zone: String?; var pronouns: String?; var career_path: String?; var previous_industry: String?; var background: String? }
        let form = try req.content.decode(Form.self)
        do {
            let draft = ProfileDraft(timeZone: form.time_zone?.trimmed,
                                     attributes: ["pronouns": form.pronouns ?? "", "career_path": form.career_path ?? "",
                                                  "previous_industry": form.previous_industry ?? "", "background": form.background ?? ""])
            _ = try await Profiles.update(id, with: draft, actor: req.actor, store: req.flipside.people)
            return req.redirect(to: SiteURL.me.path + "?saved=1")
        } catch let error as ProfileError {
            let response = try await renderMe(req, problems: APIError.from(error).details, saved: false).encodeResponse(for: req)
            response.status = .unprocessableEntity
            return response
        }
    }

    func enrolForm(req: Request) async throws -> View {
        let (program, employeeID) = try await context(req)
        let existing = try await req.flipside.enrolments.enrolment(of: employeeID, in: program.id)
        return try await req.view.render("enrol", formPage(req, program: program, enrolment: existing, problems: []))
    }

    func enrol(req: Request) async throws -> Response {
        let (program, employeeID) = try await context(req)
        try CSRF.verify(req)
        struct Form: Content {
            var role: String?; var offers: String?; var wants: String?; var industries: String?
            var channels: [String]?; var cadence: String?; var capacity: String?; var availability: String?
        }
        let form = try req.content.decode(Form.self)
        let existing = try await req.flipside.enrolments.enrolment(of: employeeID, in: program.id)
        var problems: [FieldProblem] = []
        func parsed<T>(_ field: String, _ result: Result<T, FieldReason>) -> T? {
            switch result {
            case let .success(v): return v
            case let .failure(reason): problems.append(FieldProblem(field: field, reason: reason.text)); return nil
            }
        }
        let role = EnrolmentRole(rawValue: form.role ?? "")
        if role == nil { problems.append(FieldProblem(field: "role", reason: "choose mentor or mentee")) }
        // Both lists are read whatever the role, as the API reads them: a mentor who also lists wants is
        // told so (422), not silently dropped.
        let offers = parsed("offers", EnrolmentFields.offers(form.offers ?? ""))
        let wants = parsed("wants", EnrolmentFields.wants(form.wants ?? ""))
        let channels = parsed("channels", EnrolmentFields.channels((form.channels ?? []).joined(separator: ";")))
        let cadence = parsed("cadence", EnrolmentFields.cadence(form.cadence ?? ""))
        let availability = parsed("availability", EnrolmentFields.availability(form.availability ?? ""))
        var capacity = 1
        if role == .mentor {
            let raw = (form.capacity ?? "").trimmingCharacters(in: .whitespaces)
            if raw.isEmpty {
                capacity = program.defaultCapacity(for: .mentor)
            } else if let number = Int(raw) {
                capacity = number
            } else {
                problems.append(FieldProblem(field: "capacity", reason: "must be a whole number"))
            }
        }
        var enrolment = existing ?? Enrolment(programID: program.id, employeeID: employeeID, role: role ?? .mentee)
        if let role { enrolment.role = role }
        enrolment.offers = offers ?? []
        enrolment.wants = wants ?? []
        enrolment.industries = role == .mentor ? EnrolmentFields.industries(form.industries ?? "") : []
        enrolment.channels = (form.channels ?? []).isEmpty ? [] : channels ?? []
        if (form.channels ?? []).isEmpty { problems.append(FieldProblem(field: "channels", reason: "choose at least one way to meet")) }
        enrolment.cadence = cadence ?? .biweekly
        enrolment.capacity = capacity
        enrolment.availability = availability ?? []
        do {
            if !problems.isEmpty {
                // Fields that could not be read, and every rule the rest breaks: all problems at once.
                let reported = Set(problems.map(\.field))
                throw APIError.invalid(problems + EnrolmentRules.problems(in: enrolment).filter { !reported.contains($0.field) })
            }
            let store = req.flipside.enrolmentStore
            if existing == nil {
                _ = try await Enrolling.enrol(enrolment, actor: req.actor, store: store)
            } else {
                _ = try await Enrolling.update(enrolment, actor: req.actor, store: store)
            }
            return req.redirect(to: SiteURL.program(program.id).path)
        } catch {
            // The same problems the API answers, shown on the form.
            let answer = APIError.from(error)
            guard answer.status == .unprocessableEntity else { throw error }
            var page = formPage(req, program: program, enrolment: enrolment, problems: answer.details)
            page.offers = form.offers ?? ""
            page.wants = form.wants ?? ""
            page.availability = form.availability ?? ""
            return try await req.render("enrol", page, status: .unprocessableEntity)
        }
    }

    func withdraw(req: Request) async throws -> Response {
        _ = try req.requireUser()
        try CSRF.verify(req)
        let (program, enrolment) = try await req.ownedEnrolment()
        try await Enrolling.withdraw(enrolment.id, in: program.id, actor: req.actor, store: req.flipside.enrolmentStore)
        return req.redirect(to: SiteURL.program(program.id).path)
    }

    /// The program and the signed-in participant's employee id; coordinators enrol people by upload or API.
    private func context(_ req: Request) async throws -> (Program, String) {
        let program = try await req.visibleProgram()
        // This form enrols the signed-in person; a login without one (a coordinator's own) has nobody to enrol.
        guard let employeeID = req.actor.employeeID else {
            throw APIError(.forbidden, code: "no_profile", "Only a participant linked to a person can enrol; coordinators enrol people by CSV upload.")
        }
        try req.authorize(.create, .enrolment(employeeID: employeeID, programStatus: program.status))
        guard program.status.acceptsEnrolments else { throw ProgramError.closedForEnrolment(program.status) }
        return (program, employeeID)
    }

    private func formPage(_ req: Request, program: Program, enrolment: Enrolment?, problems: [ErrorDetail]) -> EnrolFormPage {
        let e = enrolment
        return EnrolFormPage(
            page: PageChrome(request: req, title: "Enrol in \(program.name)", nav: "programs"), program: ProgramSummary(program),
            action: SiteURL.enrol(program.id).path, role: e?.role.rawValue ?? "",
            offers: e.map { EnrolmentFields.text($0.offers) } ?? "", wants: e.map { EnrolmentFields.text($0.wants) } ?? "",
            industries: e?.industries.joined(separator: ";") ?? "",
            channels: FlipsideCore.Channel.allCases.map { .init(value: $0.rawValue, label: $0 == .inPerson ? "In person" : $0 == .video ? "Video call" : "Chat / instant messaging",
                                                  checked: e?.channels.contains($0) ?? false) },
            cadences: Cadence.allCases.map { .init(value: $0.rawValue, selected: (e?.cadence ?? .biweekly) == $0) },
            capacity: e?.capacity ?? program.defaultCapacity(for: .mentor),
            availability: e?.availability.map(\.description).joined(separator: ";") ?? "", problems: problems, isUpdate: enrolment != nil)
    }
}
