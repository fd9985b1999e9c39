import FlipsideCore
import Foundation
import Vapor

/// `/me/teaching` (what I could teach, and whether colleagues may ask me) and `/who-could-teach`.
struct TeachingWebController {
    func register(_ web: any RoutesBuilder) {
        web.get("me", "teaching", use: profile)
        web.post("me", "teaching", use: saveProfile)
        web.get("who-could-teach", use: ask)
    }

    // MARK: Teaching profile

    func profile(req: Request) async throws -> Response {
        let id = try TeachingAPIController.me(req)
        let profile = try await req.flipside.service.teaching.profile(of: id)
        return try await render(req, profile: profile, typed: nil, problems: [], saved: req.query["saved"] == "1", status: .ok)
    }

    /// What the profile form posts, as typed.
    struct ProfileForm: Content {
        var offers: String?; var industries: String?; var languages: String?; var channels: [String]?; var availability: String?
        var open_to_requests: String?
    }

    /// The posted form as the draft the API decodes, and the fields that could not be read.
    static func draft(form: ProfileForm, picks: ParticipantWebController.TopicPicks) -> (TeachingProfileDraft, unread: [FieldProblem]) {
        var unread: [FieldProblem] = []
        func parsed<T>(_ field: String, _ result: Result<T, FieldReason>) -> T? {
            switch result {
            case let .success(v): return v
            case let .failure(reason): unread.append(FieldProblem(field: field, reason: reason.text)); return nil
            }
        }
        var draft = TeachingProfileDraft()
        draft.offers = parsed("offers", EnrolmentFields.offers([picks.text(picks.offer), form.offers ?? ""].filter { !$0.isBlank }.joined(separator: ";")))
            .map(ParticipantWebController.lastOfEachTopic) ?? []
        draft.industries = EnrolmentFields.industries(form.industries ?? "")
        draft.languages = EnrolmentFields.industries(form.languages ?? "")
        let ticked = form.channels ?? []
        draft.channels = ticked.isEmpty ? [] : parsed("channels", EnrolmentFields.channels(ticked.joined(separator: ";"))) ?? []
        draft.availability = parsed("availability", EnrolmentFields.availability(form.availability ?? "")) ?? []
        draft.openToRequests = form.open_to_requests == "on"
        return (draft, unread)
    }

    func saveProfile(req: Request) async throws -> Response {
        let id = try TeachingAPIController.me(req)
        try CSRF.verify(req)
        let form = try req.content.decode(ProfileForm.self)
        let picks = (try? req.content.decode(ParticipantWebController.TopicPicks.self)) ?? .init()
        let (draft, unread) = Self.draft(form: form, picks: picks)
        do {
            if !unread.isEmpty { throw ProfileError.invalid(unread) }
            _ = try await req.flipside.service.teaching.update(id, with: draft)
            return req.redirect(to: SiteURL.teachingProfile.path + "?saved=1")
        } catch let error as ProfileError {
            // What was typed is shown again with every problem.
            var typed = try await req.flipside.service.teaching.profile(of: id)
            draft.apply(to: &typed)
            return try await render(req, profile: typed, typed: form, problems: APIError.from(error).details, saved: false, status: .unprocessableEntity)
        }
    }

    private func render(_ req: Request, profile: TeachingProfile, typed: ProfileForm?, problems: [ErrorDetail], saved: Bool, status: HTTPStatus) async throws -> Response {
        let programs = AccessPolicy.visiblePrograms(req.actor, try await req.flipside.programs.all())
        let catalogue = Array(Set(programs.flatMap(\.topicCatalogue))).sorted()
        let inCatalogue = Set(catalogue)
        let offered = Dictionary(profile.offers.map { ($0.topic, $0.proficiency) }, uniquingKeysWith: { a, _ in a })
        let enrolled = Set(try await req.flipside.enrolments.all(of: profile.employeeID).map(\.programID))
        let page = TeachingProfilePage(
            page: PageChrome(request: req, title: "What I could teach", nav: "me"), action: SiteURL.teachingProfile.path,
            catalogue: catalogue.enumerated().map { i, topic in
                .init(index: i, topic: topic.key, offer: [.init(value: "", label: "—", selected: offered[topic] == nil)]
                    + ProficiencyScale.levels.map { .init(value: String($0.value), label: $0.label, selected: offered[topic] == $0.value) })
            },
            offers: typed?.offers ?? EnrolmentFields.text(profile.offers.filter { !inCatalogue.contains($0.topic) }),
            industries: profile.industries.joined(separator: "; "), languages: profile.languages.joined(separator: "; "),
            channels: FlipsideCore.Channel.allCases.map { .init(value: $0.rawValue, label: Self.label($0), checked: profile.channels.contains($0)) },
            availability: typed?.availability ?? profile.availability.map(\.description).joined(separator: ";"),
            open: profile.openToRequests, problems: problems, saved: saved,
            enrolFromProfile: programs.filter { $0.status.acceptsEnrolments && !enrolled.contains($0.id) }
                .map { .init(name: $0.name, url: SiteURL.enrolFromProfile($0.id).path) })
        return try await req.render("teaching-profile", page, status: status)
    }

    static func label(_ channel: FlipsideCore.Channel) -> String {
        switch channel {
        case .inPerson: return "In person"
        case .video: return "Video call"
        case .chat: return "Chat / instant messaging"
        }
    }

    // MARK: Who could teach me?

    func ask(req: Request) async throws -> Response {
        _ = try req.requireUser()
        let query = try req.query.decode(TeachingAPIController.Query.self)
        let coordinator = AccessPolicy.managesPrograms(req.actor)
        let programs = AccessPolicy.visiblePrograms(req.actor, try await req.flipside.programs.all()).filter { $0.status != .draft }
        var page = WhoCouldTeachPage(
            page: PageChrome(request: req, title: "Who could teach me?", nav: "teach"), action: SiteURL.whoCouldTeach.path,
            topics: query.topics ?? "", industry: query.industry ?? "", language: query.language ?? "",
            perspectives: [.init(value: "", label: "any background", selected: query.perspective?.isEmpty ?? true)]
                + Perspective.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: query.perspective == $0.rawValue) },
            programs: [.init(value: "", label: "The organisation's default rules", selected: (query.program_id ?? "").isEmpty)]
                + programs.map { .init(value: $0.id.uuidString.lowercased(), label: "The rules of \($0.name)", selected: query.program_id?.lowercased() == $0.id.uuidString.lowercased()) },
            askFor: coordinator ? (query.for ?? req.actor.employeeID ?? "") : nil,
            asked: false, problems: [], candidates: [], openCount: 0, notOpenSentence: nil, rulesFrom: "", profileURL: SiteURL.teachingProfile.path)
        // The form alone until something is asked.
        guard query.topics != nil || query.industry != nil else { return try await req.render("who-could-teach", page) }
        do {
            let (question, programID) = try TeachingAPIController.question(query)
            // As the API: `for` is asked of the policy whoever gives it (a participant only for themselves).
            let answer = try await req.flipside.service.teaching.ask(question, for: query.asker, programID: programID)
            page.asked = true
            page.candidates = answer.candidates.map(WhoCouldTeachPage.candidate)
            page.openCount = answer.openCount
            page.notOpenSentence = answer.notOpenSentence
            page.rulesFrom = answer.rulesFrom
            page.mayAsk = answer.askerID == req.actor.employeeID
            page.askedTopics = (answer.question.topics.map(\.key) + (answer.question.industry.map { [$0.key] } ?? [])).joined(separator: ";")
            return try await req.render("who-could-teach", page)
        } catch let error as ProfileError {
            page.problems = APIError.from(error).details
            return try await req.render("who-could-teach", page, status: APIError.from(error).status)
        }
    }
}
