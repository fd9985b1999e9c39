import FlipsideCore
import Foundation
import Vapor

/// The partnership on the pair's page (agreement, meetings, check-ins, words, actions, end) and its forms;
/// anonymous concerns (raise, read with the code, the coordinators' inbox); a program's health and
/// guidance; a mentor's "what my input led to"; the personal calendar feed. Every form calls the same
/// Core use case as the API, so both answer the same.
struct PartnershipWebController {
    func register(_ web: any RoutesBuilder) {
        web.post("pairs", ":pairID", "partnership", ":step", use: step)
        web.get("pairs", ":pairID", "calendar.ics", use: calendar)
        web.get("me", "impact", use: impact)
        web.get("me", "calendar", use: calendarPage)
        web.post("me", "calendar", use: changeFeed)
    }

    // MARK: The pair page's partnership section

    static func section(_ req: Request, pairID: UUID) async throws -> Section? {
        let view = try await req.flipside.partnerships.view(pairID)
        guard view.isPartnership else { return nil }
        let names = try await req.flipside.partnerships.names(view)
        let now = view.now
        let dto = PartnershipDTO(view, names: names)
        let seen = view.partnership
        let side = dto.your_side
        var zone = seen.current?.rhythm.timeZone ?? "UTC"
        if seen.current == nil, let own = try await req.flipside.people.find(req.actor.employeeID ?? "") { zone = own.timeZone }
        let schedule = seen.schedule
        func when(_ d: Date) -> String {
            guard let schedule else { return SiteDates.minute(d) }
            return "\(schedule.local(d).description.replacingOccurrences(of: "T", with: " ")) \(schedule.rhythm.timeZone)"
        }
        func name(_ id: String) -> String { id == req.actor.employeeID ? "You" : names[id] ?? id }
        func agreementView(_ a: PartnershipDTO.AgreementDTO) -> Section.AgreementView {
            let r = a.rhythm
            return .init(number: a.number, author: name(a.author_id), agreed: a.agreed,
                         goals: a.goals.map { .init(id: $0.id.uuidString.lowercased(), kind: GoalKind(rawValue: $0.kind.rawValue)?.label ?? $0.kind.rawValue,
                                                    title: $0.title, success: $0.success, topic: $0.topic) },
                         rhythm: "\(r.cadence.rawValue), \(r.minutes) minutes, \(r.channel.rawValue.replacingOccurrences(of: "_", with: " ")), from \(r.first_meeting.replacingOccurrences(of: "T", with: " ")) (\(r.time_zone)) \(r.end_date.map { "until \($0)" } ?? "ongoing")",
                         visibility: TextVisibility(rawValue: a.visibility.rawValue)?.label ?? "", created: SiteDates.minute(a.created_at))
        }
        let current = dto.agreements.first { $0.number == dto.current_agreement }.map(agreementView)
        let pending = dto.agreements.first { $0.number == dto.pending_agreement }
        let common = Set(seen.mentee?.channels ?? FlipsideCore.Channel.allCases).intersection(seen.mentor?.channels ?? FlipsideCore.Channel.allCases)
        let channelOrder = FlipsideCore.Channel.allCases.filter { common.contains($0) } + FlipsideCore.Channel.allCases.filter { !common.contains($0) }
        let topics = Set((seen.mentee?.wants.map(\.topic) ?? []) + (seen.mentor?.offers.map(\.topic) ?? [])).sorted()
        let status = dto.status
        var meetingOptions: [Section.Option] = dto.to_log.map { .init(value: String(Int($0.timeIntervalSince1970)), label: "\(when($0)) (to log)") }
        meetingOptions += dto.upcoming.map { .init(value: String(Int($0.occurrence.timeIntervalSince1970)), label: when($0.start)) }
        let firstDefault = schedule.map { $0.rhythm.firstMeeting.description } ?? {
            var c = Calendar(identifier: .gregorian); c.timeZone = TimeZone(identifier: zone) ?? .gmt
            let d = c.dateComponents([.year, .month, .day], from: now.addingTimeInterval(7 * 86_400))
            return String(format: "%04d-%02d-%02dT10:00", d.year!, d.month!, d.day!)
        }()
        return Section(
            isMember: side != nil, side: side?.rawValue, status: status.rawValue, guidance: dto.guidance, pledge: dto.pledge,
            current: current, pending: pending.map(agreementView),
            canAccept: view.offers(.acceptAgreement),
            earlier: dto.agreements.filter { $0.number != dto.current_agreement && $0.number != dto.pending_agreement }.reversed().map(agreementView),
            upcoming: dto.upcoming.map { when($0.start) + ($0.start != $0.occurrence ? " (moved)" : "") },
            meetingOptions: meetingOptions,
            meetings: dto.meetings.map { "\(when($0.occurrence)): \($0.status.rawValue)\($0.moved_to.map { " to \(when($0))" } ?? "") — logged by \(name($0.logged_by))" },
            goalsForProgress: (seen.current?.goals ?? []).map { .init(id: $0.id.uuidString.lowercased(), kind: $0.kind.label, title: $0.title, success: nil, topic: nil) },
            texts: dto.texts.filter { ![.action, .actionOutcome, .reaction].contains($0.kind) }.map { t in
                .init(id: t.id.uuidString.lowercased(), kind: Self.kindLabel(t.kind), author: name(t.author_id),
                      visibility: TextVisibility(rawValue: t.visibility.rawValue)?.label ?? "", body: t.body, when: SiteDates.minute(t.created_at),
                      canReply: t.kind == .feedback && side == .mentee)
            },
            actions: dto.actions.map { .init($0, mine: side == .mentee) },
            insights: dto.texts.filter { $0.kind == .insight }.map { .init(value: $0.id.uuidString.lowercased(), label: TextLimits.preview($0.body)) },
            flags: dto.flags.map { $0.map(\.sentence) },
            goalKinds: GoalKind.allCases.map { .init(value: $0.rawValue, label: $0.label) },
            topics: topics.map { .init(value: $0.key, label: $0.key) },
            cadences: Cadence.allCases.map { .init(value: $0.rawValue, label: $0 == .biweekly ? "every two weeks" : $0.rawValue, selected: $0 == (seen.mentee?.cadence ?? .biweekly)) },
            channels: channelOrder.map { .init(value: $0.rawValue, label: $0.rawValue.replacingOccurrences(of: "_", with: " ") + (common.contains($0) ? " (you both use it)" : "")) },
            visibilities: TextVisibility.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == .standard) },
            agreementVisibilities: TextVisibility.forAgreements.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == .standard) },
            actionKinds: ActionKind.allCases.map { .init(value: $0.rawValue, label: $0.label) },
            actionStatuses: ActionStatus.allCases.map { .init(value: $0.rawValue, label: $0.rawValue.replacingOccurrences(of: "_", with: " ")) },
            draftFirstMeeting: firstDefault, draftTimeZone: zone, draftMinutes: seen.current?.rhythm.minutes ?? 60,
            canDraft: view.offers(.draftAgreement),
            canMeet: view.offers(.logMeeting),
            canClose: view.offers(.closingCheckIn),
            canEnd: view.offers(.end),
            canWrite: view.offers(.write),
            formURL: SiteURL.pair(pairID).path + "/partnership",
            calendarURL: SiteURL.pairCalendar(pairID).path,
            concernURL: SiteURL.raiseConcern(seen.pair.programID).path,
            subjects: (seen.current?.goals ?? []).map { .init(value: TextSubject.goal($0.id).description, label: "Goal: \($0.title)") }
                + (schedule?.occurrences(to: now).suffix(6).reversed() ?? []).map { .init(value: TextSubject.meeting($0).description, label: "Meeting of \(when($0))") },
            canContinue: view.offers(.continueAgreement),
            endDate: seen.current?.rhythm.endDate?.description)
    }

    static func kindLabel(_ kind: TextKind) -> String {
        switch kind {
        case .note: return "Note"
        case .feedback: return "Candid feedback"
        case .feedbackReply: return "Answer to feedback"
        case .insight: return "Insight"
        case .checkInComment: return "Check-in comment"
        case .closingWords: return "What changed"
        case .action: return "Action"
        case .actionOutcome: return "Outcome"
        case .reaction: return "Reaction"
        }
    }

    /// One form of the partnership section: the step's use case, then back to the pair page (or the page
    /// again with the problem, as the API would answer).
    func step(req: Request) async throws -> Response {
        _ = try req.requireUser()
        try CSRF.verify(req)
        let id = try MatchingAPIController.id(req, "pairID", "Pair")
        let seen = try await req.flipside.partnerships.view(id).partnership   // 404/403 before anything else
        let store = req.flipside.partnershipStore, actor = req.actor, now = req.flipside.now
        func field(_ name: String) -> String? {
            (try? req.content.get(String.self, at: name)).flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        }
        func int(_ name: String) -> Int? { field(name).flatMap { Int($0) } }
        func occurrence(_ name: String) -> Date? { int(name).map { Date(timeIntervalSince1970: TimeInterval($0)) } }
        do {
            switch req.parameters.get("step") ?? "" {
            case "agreement":
                let goals = (0..<3).compactMap { i -> AgreementDraft.GoalDraft? in
                    guard let title = field("goal_title_\(i)") else { return nil }
                    return .init(title: title, kind: field("goal_kind_\(i)") ?? "", success: field("goal_success_\(i)") ?? "", topic: field("goal_topic_\(i)"))
                }
                let draft = AgreementDraft(goals: goals, cadence: field("cadence") ?? "", minutes: int("minutes") ?? 0, firstMeeting: field("first_meeting") ?? "",
                                           timeZone: field("time_zone") ?? "", endDate: field("ongoing") != nil ? "ongoing" : field("end_date"),
                                           channel: field("channel") ?? "", visibility: field("visibility"), pledgeAccepted: field("pledge") != nil)
                _ = try await Partnerships.draftAgreement(id, draft, actor: actor, now: now, store: store)
            case "continue":
                _ = try await Partnerships.continueAgreement(id, pledgeAccepted: field("pledge") != nil, actor: actor, now: now, store: store)
            case "accept":
                _ = try await Partnerships.acceptAgreement(id, version: int("version") ?? 0, pledgeAccepted: field("pledge") != nil, actor: actor, now: now, store: store)
            case "meeting":
                guard let at = occurrence("occurrence") else { throw PartnershipError.invalid([FieldProblem(field: "occurrence", reason: "choose a meeting")]) }
                let status = MeetingStatus(rawValue: field("status") ?? "")
                guard let status else { throw PartnershipError.invalid([FieldProblem(field: "status", reason: "choose held, missed, moved or cancelled")]) }
                var movedTo: Date?
                if status == .moved, let raw = field("moved_to") {
                    guard let local = LocalDateTime(iso: raw), let schedule = seen.schedule else {
                        throw PartnershipError.invalid([FieldProblem(field: "moved_to", reason: "must be a date and time")])
                    }
                    movedTo = schedule.instant(local)
                }
                _ = try await Partnerships.logMeeting(id, occurrence: at, status: status, movedTo: movedTo, actor: actor, now: now, store: store)
            case "check-in":
                var progress: [String: Int] = [:]
                for goal in seen.current?.goals ?? [] {
                    if let value = int("progress_\(goal.id.uuidString.lowercased())") { progress[goal.id.uuidString] = value }
                }
                let draft = CheckInDraft(meeting: occurrence("meeting"), satisfaction: int("satisfaction"), direction: field("direction"), progress: progress,
                                         listened: int("listened"), comment: field("comment"), commentVisibility: field("comment_visibility"))
                _ = try await Partnerships.checkIn(id, draft, actor: actor, now: now, store: store)
            case "closing":
                _ = try await Partnerships.closingCheckIn(id, overallValue: int("overall_value"), wouldAgain: field("would_again").map { $0 == "yes" },
                                                          changed: field("changed"), visibility: field("changed_visibility"), actor: actor, now: now, store: store)
            case "text":
                let kind = TextKind(rawValue: field("kind") ?? "") ?? .note
                _ = try await Partnerships.write(id, kind: kind, body: field("body") ?? "", visibility: field("visibility"),
                                                 about: field("about").flatMap(TextSubject.init), actor: actor, now: now, store: store)
            case "action":
                _ = try await Partnerships.addAction(id, kind: field("kind") ?? "", what: field("what") ?? "", due: field("due"), visibility: field("visibility"),
                                                     insightID: field("insight_id").flatMap(UUID.init(uuidString:)), actor: actor, now: now, store: store)
            case "action-update":
                guard let actionID = field("action_id").flatMap(UUID.init(uuidString:)) else { throw PartnershipError.notFound("Action") }
                _ = try await Partnerships.updateAction(id, actionID: actionID, status: field("status"), outcome: field("outcome"), actor: actor, now: now, store: store)
            case "end":
                _ = try await Partnerships.end(id, reason: field("reason"), actor: actor, now: now, store: store)
            default:
                throw Abort(.notFound)
            }
            return req.redirect(to: SiteURL.pair(id).path + "#partnership")
        } catch let error as PartnershipError {
            let failure = APIError.from(error)
            return try await MatchingWebController().pairPage(req, id: id, message: failure.message, status: failure.status)
        }
    }

    func calendar(req: Request) async throws -> Response {
        _ = try req.requireUser()
        return PartnershipAPIController.ics(try await req.flipside.partnerships.calendar(try MatchingAPIController.id(req, "pairID", "Pair")), filename: "flipside-pair.ics")
    }

    // MARK: A participant's own pages

    func impact(req: Request) async throws -> Response {
        _ = try req.requireUser()
        let pairs = try await req.flipside.partnerships.impact()
        return try await req.render("impact", ImpactPage(page: PageChrome(request: req, title: "What my input led to", nav: "me"), pairs: pairs.map { p in
            .init(url: SiteURL.pair(p.pair_id).path, mentee: p.mentee.name, insights: p.insights.map(\.body), actions: p.actions.map { .init($0, mine: false) })
        }))
    }

    func calendarPage(req: Request) async throws -> Response {
        _ = try req.requireUser()
        let has = try await req.flipside.calendarFeedStore.hasFeed(req.actor.employeeID ?? "")
        return try await req.render("calendar", CalendarPage(page: PageChrome(request: req, title: "My calendar feed", nav: "me"), hasFeed: has, url: nil,
                                                             action: SiteURL.calendar.path))
    }

    func changeFeed(req: Request) async throws -> Response {
        _ = try req.requireUser()
        try CSRF.verify(req)
        struct Form: Content { var change: String? }
        var page = CalendarPage(page: PageChrome(request: req, title: "My calendar feed", nav: "me"), hasFeed: false, url: nil, action: SiteURL.calendar.path)
        if try req.content.decode(Form.self).change == "revoke" {
            try await CalendarFeeds.revoke(actor: req.actor, store: req.flipside.calendarFeedStore)
        } else {
            let token = try await CalendarFeeds.renew(actor: req.actor, now: req.flipside.now, store: req.flipside.calendarFeedStore)
            let path = SiteURL.calendarFeed(token).path
            page.hasFeed = true
            page.url = (req.application.appConfig.linkBase ?? "") + path
        }
        return try await req.render("calendar", page)
    }
}
