import FlipsideCore
import MatchingEngine
import Vapor

/// Program pages: the list, creating one, its page with enrolments, status changes and the enrolment upload.
struct ProgramsWebController {
    func register(_ web: any RoutesBuilder) {
        web.get("programs", use: list)
        web.get("programs", "new", use: newForm)
        web.post("programs", use: create)
        web.get("programs", ":programID", use: show)
        web.post("programs", ":programID", "status", use: transition)
        web.get("programs", ":programID", "edit", use: editForm)
        web.post("programs", ":programID", use: update)
        web.post("programs", ":programID", "delete", use: delete)
        web.get("programs", ":programID", "enrolments", "import", use: importForm)
        web.on(.POST, "programs", ":programID", "enrolments", "import", body: .stream, use: importUpload)
    }

    func list(req: Request) async throws -> View {
        _ = try req.requireUser()
        let visible = AccessPolicy.visiblePrograms(req.actor, try await req.flipside.programs.all())
        let manages = AccessPolicy.managesPrograms(req.actor)
        return try await req.view.render("programs", ProgramsPage(
            page: PageChrome(request: req, title: "Programs", nav: "programs"),
            programs: visible.map { ProgramSummary($0, canEnrol: !manages) }))
    }

    func newForm(req: Request) async throws -> View {
        try req.authorize(.create, .programs)
        return try await req.view.render("program-form", formPage(req, program: nil, editing: Program(name: ""), raw: nil, problems: []))
    }

    func editForm(req: Request) async throws -> View {
        try req.authorize(.change, .programs)
        let program = try await req.flipside.programs.find(try req.programID())
        return try await req.view.render("program-form", try await formPage(req, program: program, editing: program, raw: nil, problems: []))
    }

    /// What a program form posts, as typed.
    struct ProgramForm: Content {
        var name: String?; var purpose: String?; var start_date: String?; var end_date: String?
        var min_level_gap: String?; var default_capacity: String?
        var forbid_shared_manager: String?; var require_common_channel: String?; var perspective_attributes: String?
        var weight_goal_coverage: String?; var weight_different_perspective: String?; var weight_channel_fit: String?
        var weight_cadence_fit: String?; var weight_availability_overlap: String?
        var mode: String?; var pairs_need_acceptance: String?; var request_days: String?; var allow_repeat_pairs: String?
        /// Sent by the form that shows the checkboxes: an unticked box is not sent, so without this marker
        /// a post that leaves the settings out would switch them off.
        var settings_shown: String?
        /// One topic per line.
        var topic_catalogue: String?

        func weight(_ component: ScoreComponent) -> String? {
            switch component {
            case .goalCoverage: return weight_goal_coverage
            case .perspective: return weight_different_perspective
            case .channel: return weight_channel_fit
            case .cadence: return weight_cadence_fit
            case .availability: return weight_availability_overlap
            }
        }
    }

    /// The posted form as the same Core draft the API decodes (fields named as the API names them,
    /// `settings.…`), and the fields that could not be read at all. `current` is the program as stored:
    /// the form posts every weight, and a checkbox only when ticked.
    static func draft(_ form: ProgramForm, current: Program) -> (ProgramDraft, unread: [FieldProblem]) {
        var unread: [FieldProblem] = []
        func date(_ raw: String?, _ field: String) -> CalendarDate? {
            guard let raw, !raw.isEmpty else { return nil }
            guard let d = CalendarDate(iso: raw) else { unread.append(FieldProblem(field: field, reason: "is not a date (YYYY-MM-DD)")); return nil }
            return d
        }
        func int(_ raw: String?, _ field: String) -> Int? {
            guard let raw, !raw.isEmpty else { return nil }
            guard let v = Int(raw) else { unread.append(FieldProblem(field: field, reason: "must be a whole number")); return nil }
            return v
        }
        var draft = ProgramDraft()
        draft.name = form.name ?? ""
        draft.purpose = form.purpose ?? ""
        // An empty date field clears the date.
        draft.startDate = .some(date(form.start_date, "start_date"))
        draft.endDate = .some(date(form.end_date, "end_date"))
        draft.settings.minLevelGap = int(form.min_level_gap, "settings.min_level_gap")
        draft.settings.defaultCapacity = int(form.default_capacity, "settings.default_capacity")
        if form.settings_shown == "yes" {
            draft.settings.forbidSharedManager = form.forbid_shared_manager == "yes"
            draft.settings.requireCommonChannel = form.require_common_channel == "yes"
            draft.settings.pairsNeedAcceptance = form.pairs_need_acceptance == "yes"
            draft.settings.allowRepeatPairs = form.allow_repeat_pairs == "yes"
        }
        draft.settings.perspectiveAttributes = form.perspective_attributes.map { $0.split(separator: ",").map(String.init) }
        var weights = current.settings.weights, weighed = false
        for component in ScoreComponent.allCases {
            guard let raw = form.weight(component)?.trimmed else { continue }
            guard let value = raw.isEmpty ? 0 : Double(raw) else {
                unread.append(FieldProblem(field: "settings.weights.\(component.rawValue)", reason: "must be a number"))
                continue
            }
            weights[component.rawValue] = value
            weighed = true
        }
        if weighed { draft.settings.weights = weights }
        if let raw = form.mode {
            if let mode = MatchingMode(rawValue: raw) { draft.settings.mode = mode } else {
                unread.append(FieldProblem(field: "settings.mode", reason: "must be coordinator or self"))
            }
        }
        draft.settings.requestDays = int(form.request_days, "settings.request_days")
        draft.topicCatalogue = form.topic_catalogue.map(TopicCatalogue.lines)
        return (draft, unread)
    }

    /// The form applied to `program`: the program as it would be saved and every problem (unreadable
    /// fields first, then the draft's and the program's rules), as the API would list them.
    static func apply(_ form: ProgramForm, to program: Program) -> (Program, [FieldProblem]) {
        let (draft, unread) = draft(form, current: program)
        return draft.applied(to: program, unread: unread)
    }

    func create(req: Request) async throws -> Response {
        try req.authorize(.create, .programs)
        try CSRF.verify(req)
        let form = try req.content.decode(ProgramForm.self)
        let (program, problems) = Self.apply(form, to: Program(name: ""))
        return try await save(req, form: form, program: program, existing: nil, problems: problems) {
            try await Programs.create(program, actor: req.actor, store: req.flipside.programStore)
        }
    }

    func update(req: Request) async throws -> Response {
        try req.authorize(.change, .programs)
        try CSRF.verify(req)
        let existing = try await req.flipside.programs.find(try req.programID())
        let form = try req.content.decode(ProgramForm.self)
        let (program, problems) = Self.apply(form, to: existing)
        return try await save(req, form: form, program: program, existing: existing, problems: problems) {
            try await Programs.update(program, actor: req.actor, store: req.flipside.programStore)
        }
    }

    /// Saves through `write` and shows the program, or shows the form again with every problem (422).
    private func save(_ req: Request, form: ProgramForm, program: Program, existing: Program?, problems: [FieldProblem],
                      write: () async throws -> Program) async throws -> Response {
        do {
            if !problems.isEmpty { throw ProgramError.invalid(problems) }
            let saved = try await write()
            return req.redirect(to: SiteURL.program(saved.id).path)
        } catch let error as ProgramError {
            return try await formError(req, form: form, program: program, existing: existing, error: APIError.from(error))
        }
    }

    /// Deletes a program and its enrolments, once the coordinator ticked the confirmation.
    func delete(req: Request) async throws -> Response {
        try req.authorize(.delete, .programs)
        try CSRF.verify(req)
        struct Form: Content { var confirm: String? }
        let id = try req.programID()
        let program = try await req.flipside.programs.find(id)
        guard try req.content.decode(Form.self).confirm == "yes" else {
            let page = try await formPage(req, program: program, editing: program, raw: nil,
                                          problems: [ErrorDetail(field: "confirm", reason: "tick the box to confirm the deletion")])
            return try await req.render("program-form", page, status: .unprocessableEntity)
        }
        try await Programs.delete(id, actor: req.actor, store: req.flipside.programStore)
        return req.redirect(to: SiteURL.programs.path)
    }

    private func formError(_ req: Request, form: ProgramForm, program: Program, existing: Program?, error: APIError) async throws -> Response {
        let page = try await formPage(req, program: existing, editing: program, raw: form, problems: error.details)
        return try await req.render("program-form", page, status: .unprocessableEntity)
    }

    /// The new-program form (`program` nil) or the edit form, showing `editing`'s values or, after a
    /// failed post, what was typed.
    private func formPage(_ req: Request, program: Program?, editing: Program, raw: ProgramForm?, problems: [ErrorDetail]) async throws -> ProgramFormPage {
        var enrolments = 0
        var catalogue = editing.topicCatalogue
        if let program {
            let all = try await req.flipside.enrolments.all(in: program.id)
            enrolments = all.count
            if catalogue.isEmpty { catalogue = TopicCatalogue.seed(all) }
        }
        return ProgramFormPage(
            page: PageChrome(request: req, title: program == nil ? "New program" : "Edit \(program!.name)", nav: "programs"),
            heading: program == nil ? "New program" : "Edit program",
            action: program.map { SiteURL.program($0.id).path } ?? SiteURL.programs.path,
            submitLabel: program == nil ? "Create program" : "Save changes",
            backURL: program.map { SiteURL.program($0.id).path } ?? SiteURL.programs.path,
            backLabel: program?.name ?? "Programs",
            deleteURL: program.flatMap { $0.deletionBlocker == nil ? SiteURL.deleteProgram($0.id).path : nil },
            deleteBlocked: program?.deletionBlocker,
            enrolmentCount: enrolments,
            name: raw?.name ?? editing.name, purpose: raw?.purpose ?? editing.purpose,
            startDate: raw?.start_date ?? editing.startDate?.description ?? "", endDate: raw?.end_date ?? editing.endDate?.description ?? "",
            settings: SettingsFields(editing.settings, raw: raw),
            topicCatalogue: raw?.topic_catalogue ?? catalogue.map(\.key).joined(separator: "\n"),
            catalogueIsSeed: editing.topicCatalogue.isEmpty && !catalogue.isEmpty, problems: problems)
    }

    /// A program's page. The program team's is the same for each of them (but their own enrolment):
    /// its body is kept per version of what it shows and per page of the lists (`renderKept`).
    func show(req: Request) async throws -> Response {
        let program = try await req.visibleProgram()
        let actor = req.actor
        try req.authorize(.view, .enrolmentList(programStatus: program.status))
        let chrome = PageChrome(request: req, title: program.name, nav: "programs")
        guard AccessPolicy.managesPrograms(actor) else { return try await req.render("program", try await showPage(req, program: program, chrome: chrome)) }
        let versions = try await req.dataVersions().key(["enrolments", "people", "programs"])
        let lists = "\(req.query[Int.self, at: "mentors_page"] ?? 1)|\(req.query[Int.self, at: "mentees_page"] ?? 1)"
        return try await req.renderKept("program-body", name: "program-page.\(program.id).\(actor)", version: "\(versions)|\(lists)",
                                        onePerName: false, chrome: chrome) {
            (try await showPage(req, program: program, chrome: chrome.forKeptBody), .ok)
        }
    }

    private func showPage(_ req: Request, program: Program, chrome: PageChrome) async throws -> ProgramPage {
        let actor = req.actor
        let (rows, warnings) = try await req.flipside.enrolments.overview(of: program)
        let o = try ProgramReading.overview(of: program, actor: actor, rows: rows, warnings: warnings) { $0.enrolment }
        let warningFor = Dictionary(warnings.map { ($0.employeeID, $0.message) }, uniquingKeysWith: { a, _ in a })
        let row = { (r: EnrolmentView) in EnrolmentRow(r.enrolment, person: r.person, program: program, warning: warningFor[r.enrolment.employeeID], withdrawable: true) }
        // A participant's own pairs here (the policy lets them see only those).
        let ownPairs = o.managesProgram ? [] : try await req.flipside.matching.pairs(program).pairs
        // Each list a page at a time; a link keeps the other list's page.
        let (mentorsPage, menteesPage) = (req.query[Int.self, at: "mentors_page"], req.query[Int.self, at: "mentees_page"])
        let here = { (mentors: Int?, mentees: Int?, anchor: String) in
            SiteURL.program(program.id).path + "?" + [mentors.map { "mentors_page=\($0)" }, mentees.map { "mentees_page=\($0)" }]
                .compactMap { $0 }.joined(separator: "&") + "#" + anchor
        }
        let mentors = Pager.page(o.mentors, mentorsPage) { here($0, menteesPage, "mentors-heading") }
        let mentees = Pager.page(o.mentees, menteesPage) { here(mentorsPage, $0, "mentees-heading") }
        return ProgramPage(
            page: chrome,
            program: ProgramSummary(program, canEnrol: o.mayEnrol),
            transitions: o.transitions.map(\.rawValue),
            editURL: SiteURL.editProgram(program.id).path,
            statusURL: SiteURL.programStatus(program.id).path, importURL: SiteURL.enrolmentImport(program.id).path,
            mentors: mentors.rows.map(row), mentees: mentees.rows.map(row), mentorsPager: mentors.pager, menteesPager: mentees.pager, warnings: o.warnings,
            ownEnrolment: o.own.map { EnrolmentRow($0.enrolment, person: $0.person, program: program, withdrawable: true) },
            matchingURL: o.offersMatching ? SiteURL.matching(program.id).path : nil,
            chooseURL: o.offersMentorChoice ? SiteURL.chooseMentor(program.id).path : nil,
            ownPairs: ownPairs.map { p in
                let partner = p.mentee.employee_id == actor.employeeID ? p.mentor : p.mentee
                return OwnPairRow(url: SiteURL.pair(p.id).path, partner: partner.name, status: p.status.rawValue, canAnswer: p.can_answer)
            })
    }

    func transition(req: Request) async throws -> Response {
        try req.authorize(.change, .programs)
        try CSRF.verify(req)
        struct Form: Content { var status: String }
        let form = try req.content.decode(Form.self)
        let id = try req.programID()
        guard let status = ProgramStatus(rawValue: form.status) else {
            throw APIError(.badRequest, code: "bad_request", "'\(form.status)' is not a program status.")
        }
        _ = try await Programs.transition(id, to: status, actor: req.actor, now: req.flipside.now, store: req.flipside.programStore)
        return req.redirect(to: SiteURL.program(id).path)
    }

    func importForm(req: Request) async throws -> View {
        try req.authorize(.create, .enrolmentImport)
        let program = try await req.flipside.programs.find(try req.programID())
        return try await req.view.render("import", importPage(req, program: program))
    }

    func importUpload(req: Request) async throws -> Response {
        try req.authorize(.create, .enrolmentImport)
        try await req.collectBody(upTo: UploadLimits.enrolments)
        try CSRF.verify(req)
        let program = try await req.flipside.programs.find(try req.programID())
        var page = importPage(req, program: program)
        do {
            let (counts, warnings) = try await Importing.enrolments(csv: try uploadedText(req), into: program.id, actor: req.actor,
                                                                    store: req.flipside.enrolmentImportStore)
            page.result = ImportResponse(created: counts.created, updated: counts.updated, unchanged: counts.unchanged, warnings: warnings)
            page.warnings = warnings
            return try await req.view.render("import", page).encodeResponse(for: req)
        } catch let failure as ImportFailure {
            return try await PeopleWebController.rejected(req, page: page, error: APIError.from(failure))
        } catch let error as APIError where error.status == .badRequest {
            return try await PeopleWebController.rejected(req, page: page, error: error)
        }
    }

    private func importPage(_ req: Request, program: Program) -> ImportPage {
        ImportPage(page: PageChrome(request: req, title: "Import enrolments", nav: "programs"),
                   heading: "Import enrolments into \(program.name)", action: SiteURL.enrolmentImport(program.id).path,
                   columns: EnrolmentImport.requiredColumns.joined(separator: ",") + " (optional: availability, e.g. 9-12;14-17)",
                   example: "P00412,mentor,generative ai:5;figma:3,,retail,video;chat,biweekly,2",
                   backURL: SiteURL.program(program.id).path, problems: [], message: nil, result: nil, warnings: [])
    }

}
