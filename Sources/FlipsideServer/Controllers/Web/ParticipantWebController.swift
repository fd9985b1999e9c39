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
                return OwnPairRow(url: SiteURL.pair(p.id).path, partner: partners[partner]?.name ?? partner, status: p.effectiveStatus(now: now).rawValue,
                                  canAnswer: p.awaitsAnswer(from: side, now: now))
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
        guard let id = user.employeeID else { throw APIError.noProfile("This login is not linked to a person.") }
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
        // Saving is refused by `Enrolling` when the program is closed; the form says so before anyone fills it in.
        guard program.status.acceptsEnrolments else { throw EnrolmentError.closed(program.status) }
        let existing = try await req.flipside.enrolments.enrolment(of: employeeID, in: program.id)
        let catalogue = TopicCatalogue.effective(program, enrolments: try await req.flipside.enrolments.all(in: program.id))
        // "Enrol as a mentor from my teaching profile": the form starts from it; nothing is saved yet.
        var start = existing
        if existing == nil, req.query["from"] == "profile" {
            start = try await req.flipside.service.teaching.profile(of: employeeID).mentorDraft().newEnrolment(of: employeeID, in: program)
        }
        return try await req.view.render("enrol", formPage(req, program: program, enrolment: start, catalogue: catalogue, problems: [], isUpdate: existing != nil))
    }

    /// The catalogue topics picked on the form: `topic[i]` names the row's topic, `offer[i]` and `want[i]`
    /// the labelled level chosen (empty: not picked).
    struct TopicPicks: Content {
        var topic: [String: String]?
        var offer: [String: String]?
        var want: [String: String]?

        /// The picks as the text the API's lists read ("topic:level; …"), so both paths check them alike.
        func text(_ levels: [String: String]?) -> String {
            guard let levels else { return "" }
            return levels.sorted { (Int($0.key) ?? 0) < (Int($1.key) ?? 0) }.compactMap { index, level -> String? in
                let level = level.trimmed
                guard !level.isEmpty, let topic = topic?[index]?.trimmed, !topic.isEmpty else { return nil }
                return "\(topic):\(level)"
            }.joined(separator: ";")
        }
    }

    func enrol(req: Request) async throws -> Response {
        let (program, employeeID) = try await context(req)
        try CSRF.verify(req)
        let form = try req.content.decode(EnrolForm.self)
        let picks = (try? req.content.decode(TopicPicks.self)) ?? TopicPicks()
        let existing = try await req.flipside.enrolments.enrolment(of: employeeID, in: program.id)
        let (draft, unread) = Self.draft(form: form, picks: picks)
        // Without a role (a problem already), what was typed is still shown again on a mentee's form.
        var enrolment = existing ?? Enrolment(programID: program.id, employeeID: employeeID, role: draft.role ?? .mentee,
                                              capacity: program.defaultCapacity(for: draft.role ?? .mentee))
        draft.apply(to: &enrolment, in: program)
        let problems = unread.isEmpty ? [] : EnrolmentDraft.problems(enrolment, unread: unread)
        do {
            // Fields that could not be read, and every rule the rest breaks: all problems at once.
            if !problems.isEmpty { throw EnrolmentError.invalid(problems) }
            let store = req.flipside.enrolmentStore
            if existing == nil {
                _ = try await Enrolling.enrol(enrolment, actor: req.actor, store: store)
            } else {
                _ = try await Enrolling.update(enrolment, actor: req.actor, store: store)
            }
            // Changes go to the teaching profile only when the person asks for it.
            if form.keep_on_profile == "on" {
                _ = try await req.flipside.service.teaching.update(employeeID, with: TeachingProfileDraft(keeping: enrolment))
            }
            return req.redirect(to: SiteURL.program(program.id).path)
        } catch {
            // The same problems the API answers, shown on the form.
            let answer = APIError.from(error)
            guard answer.status == .unprocessableEntity else { throw error }
            let catalogue = TopicCatalogue.effective(program, enrolments: try await req.flipside.enrolments.all(in: program.id))
            var page = formPage(req, program: program, enrolment: enrolment, catalogue: catalogue, problems: answer.details, isUpdate: existing != nil)
            page.offers = form.offers ?? ""
            page.wants = form.wants ?? ""
            page.availability = form.availability ?? ""
            return try await req.render("enrol", page, status: .unprocessableEntity)
        }
    }

    /// What the enrolment form posts, as typed.
    struct EnrolForm: Content {
        var role: String?; var offers: String?; var wants: String?; var industries: String?
        var channels: [String]?; var cadence: String?; var capacity: String?; var availability: String?
        /// "Also keep these on my teaching profile".
        var keep_on_profile: String?
    }

    /// The posted form as the same Core draft the API decodes, and the fields that could not be read.
    /// Topics are picked from the catalogue, then typed: one list each, a typed topic replacing the same
    /// picked one. Both lists are read whatever the role, as the API reads them (a mentor who also lists
    /// wants is told so). The capacity field is the mentors' (a mentee has one mentor).
    static func draft(form: EnrolForm, picks: TopicPicks) -> (EnrolmentDraft, unread: [FieldProblem]) {
        var unread: [FieldProblem] = []
        func parsed<T>(_ field: String, _ result: Result<T, FieldReason>) -> T? {
            switch result {
            case let .success(v): return v
            case let .failure(reason): unread.append(FieldProblem(field: field, reason: reason.text)); return nil
            }
        }
        var draft = EnrolmentDraft()
        draft.role = EnrolmentRole(rawValue: form.role ?? "")
        if draft.role == nil { unread.append(EnrolmentDraft.roleRequired) }
        draft.offers = parsed("offers", EnrolmentFields.offers([picks.text(picks.offer), form.offers ?? ""].filter { !$0.isBlank }.joined(separator: ";")))
            .map(Self.lastOfEachTopic) ?? []
        draft.wants = parsed("wants", EnrolmentFields.wants([picks.text(picks.want), form.wants ?? ""].filter { !$0.isBlank }.joined(separator: ";")))
            .map(Self.lastOfEachTopic) ?? []
        draft.industries = EnrolmentFields.industries(form.industries ?? "")
        // No box ticked is no channel (in a CSV cell, an empty list means every channel).
        let ticked = form.channels ?? []
        draft.channels = ticked.isEmpty ? [] : parsed("channels", EnrolmentFields.channels(ticked.joined(separator: ";"))) ?? []
        draft.cadence = parsed("cadence", EnrolmentFields.cadence(form.cadence ?? "")) ?? .biweekly
        draft.availability = parsed("availability", EnrolmentFields.availability(form.availability ?? "")) ?? []
        if draft.role == .mentor, let raw = form.capacity?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
            if let number = Int(raw) { draft.capacity = number } else { unread.append(FieldProblem(field: "capacity", reason: "must be a whole number")) }
        }
        return (draft, unread)
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
            throw APIError.noProfile("Only a participant linked to a person can enrol; coordinators enrol people by CSV upload.")
        }
        try req.authorize(.create, .enrolment(employeeID: employeeID, programStatus: program.status))
        return (program, employeeID)
    }

    /// Of a list with one topic named twice (picked and typed), the last.
    static func lastOfEachTopic<T>(_ items: [T]) -> [T] where T: TopicLevel {
        var seen = Set<Topic>()
        return items.reversed().filter { seen.insert($0.topic).inserted }.reversed()
    }

    private func formPage(_ req: Request, program: Program, enrolment: Enrolment?, catalogue: [Topic], problems: [ErrorDetail], isUpdate: Bool) -> EnrolFormPage {
        let e = enrolment
        let inCatalogue = Set(catalogue)
        let offered = Dictionary((e?.offers ?? []).map { ($0.topic, $0.proficiency) }, uniquingKeysWith: { a, _ in a })
        let wanted = Dictionary((e?.wants ?? []).map { ($0.topic, $0.priority) }, uniquingKeysWith: { a, _ in a })
        let rows = catalogue.enumerated().map { i, topic in
            EnrolFormPage.CatalogueRow(
                index: i, topic: topic.key,
                offer: [.init(value: "", label: "—", selected: offered[topic] == nil)]
                    + ProficiencyScale.levels.map { .init(value: String($0.value), label: $0.label, selected: offered[topic] == $0.value) },
                want: [.init(value: "", label: "—", selected: wanted[topic] == nil)]
                    + PriorityScale.levels.map { .init(value: String($0.value), label: $0.label, selected: wanted[topic] == $0.value) })
        }
        return EnrolFormPage(
            page: PageChrome(request: req, title: "Enrol in \(program.name)", nav: "programs"), program: ProgramSummary(program),
            action: SiteURL.enrol(program.id).path, role: e?.role.rawValue ?? "", catalogue: rows,
            offers: e.map { EnrolmentFields.text($0.offers.filter { !inCatalogue.contains($0.topic) }) } ?? "",
            wants: e.map { EnrolmentFields.text($0.wants.filter { !inCatalogue.contains($0.topic) }) } ?? "",
            industries: e?.industries.joined(separator: ";") ?? "",
            channels: FlipsideCore.Channel.allCases.map { .init(value: $0.rawValue, label: $0 == .inPerson ? "In person" : $0 == .video ? "Video call" : "Chat / instant messaging",
                                                  checked: e?.channels.contains($0) ?? false) },
            cadences: Cadence.allCases.map { .init(value: $0.rawValue, selected: (e?.cadence ?? .biweekly) == $0) },
            capacity: e?.capacity ?? program.defaultCapacity(for: .mentor),
            availability: e?.availability.map(\.description).joined(separator: ";") ?? "", problems: problems, isUpdate: isUpdate,
            teachingProfileURL: SiteURL.teachingProfile.path)
    }
}
