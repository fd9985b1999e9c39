import FlipsideCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// Partnerships under `/api/v1`: a pair's agreement, meetings, check-ins, words, actions and end; its
/// calendar; a mentor's "what my input led to"; the personal calendar feed.
struct PartnershipAPIController {
    func register(_ api: any RoutesBuilder) {
        // Every route here needs a signed-in login: one without is a 401 before its body is read.
        let authed = api.grouped(UserModel.guardMiddleware(throwing: APIError.unauthenticated))
        let pair = authed.grouped("pairs", ":pairID")
        pair.get("partnership", use: partnership)
        pair.post("agreements", use: draftAgreement)
        pair.post("agreements", ":number", "accept", use: acceptAgreement)
        pair.post("meetings", use: logMeeting)
        pair.post("check-ins", use: checkIn)
        pair.post("closing-check-in", use: closingCheckIn)
        pair.post("texts", use: write)
        pair.post("actions", use: addAction)
        pair.patch("actions", ":actionID", use: changeAction)
        pair.post("end", use: end)
        pair.get("calendar.ics", use: calendar)
        authed.get("me", "impact", use: impact)
        authed.post("me", "calendar-feed", use: renewFeed)
        authed.delete("me", "calendar-feed", use: revokeFeed)
    }

    /// The personal calendar feed at its secret address (a calendar app fetches it without signing in).
    static func registerFeed(_ app: any RoutesBuilder) {
        app.get("calendar", ":file") { req async throws -> Response in
            let file = req.parameters.get("file") ?? ""
            guard file.hasSuffix(".ics"), let owner = try await req.flipside.calendarFeedStore.feedOwner(token: String(file.dropLast(4))) else {
                throw APIError(.notFound, code: "not_found", "This calendar address does not work: it was renewed or revoked.")
            }
            return ics(try await PartnershipViews.feed(of: owner, now: req.flipside.now, db: req.db, people: req.flipside.people), filename: "flipside.ics")
        }
    }

    func partnership(req: Request) async throws -> PartnershipDTO {
        try await req.flipside.partnerships.dto(try Self.pairID(req))
    }

    func draftAgreement(req: Request) async throws -> Response {
        let id = try Self.pairID(req)
        let input = try req.content.decode(AgreementInput.self)
        _ = try await Partnerships.draftAgreement(id, input.draft, actor: req.actor, now: req.flipside.now, store: req.flipside.partnershipStore)
        return try await req.flipside.partnerships.dto(id).encodeResponse(status: .created, for: req)
    }

    func acceptAgreement(req: Request) async throws -> PartnershipDTO {
        let id = try Self.pairID(req)
        guard let number = req.parameters.get("number", as: Int.self) else { throw APIError.notFound("Version of the agreement") }
        let input = try req.content.decode(AcceptInput.self)
        _ = try await Partnerships.acceptAgreement(id, version: number, pledgeAccepted: input.pledge_accepted == true, actor: req.actor,
                                                   now: req.flipside.now, store: req.flipside.partnershipStore)
        return try await req.flipside.partnerships.dto(id)
    }

    func logMeeting(req: Request) async throws -> Response {
        let id = try Self.pairID(req)
        let input = try req.content.decode(MeetingInput.self)
        let log = try await Partnerships.logMeeting(id, occurrence: input.occurrence, status: input.status, movedTo: input.moved_to,
                                                    actor: req.actor, now: req.flipside.now, store: req.flipside.partnershipStore)
        return try await PartnershipDTO.MeetingDTO(log).encodeResponse(status: .created, for: req)
    }

    func checkIn(req: Request) async throws -> Response {
        let id = try Self.pairID(req)
        let input = try req.content.decode(CheckInInput.self)
        let draft = CheckInDraft(meeting: input.meeting, satisfaction: input.satisfaction, direction: input.direction, progress: input.progress ?? [:],
                                 listened: input.listened, comment: input.comment, commentVisibility: input.comment_visibility)
        let checkIn = try await Partnerships.checkIn(id, draft, actor: req.actor, now: req.flipside.now, store: req.flipside.partnershipStore)
        return try await PartnershipDTO.CheckInDTO(checkIn).encodeResponse(status: .created, for: req)
    }

    func closingCheckIn(req: Request) async throws -> Response {
        let id = try Self.pairID(req)
        let input = try req.content.decode(ClosingInput.self)
        let checkIn = try await Partnerships.closingCheckIn(id, overallValue: input.overall_value, wouldAgain: input.would_again, changed: input.changed,
                                                            visibility: input.changed_visibility, actor: req.actor, now: req.flipside.now,
                                                            store: req.flipside.partnershipStore)
        return try await PartnershipDTO.CheckInDTO(checkIn).encodeResponse(status: .created, for: req)
    }

    func write(req: Request) async throws -> Response {
        let id = try Self.pairID(req)
        let input = try req.content.decode(TextInput.self)
        var about: TextSubject?
        if let raw = input.about, !raw.isEmpty {
            guard let subject = TextSubject(raw) else {
                throw APIError.invalid([FieldProblem(field: "about", reason: "must be goal:ID, meeting:SECONDS, text:ID or action:ID")])
            }
            about = subject
        }
        let text = try await Partnerships.write(id, kind: input.kind, body: input.body, visibility: input.visibility, about: about,
                                                actor: req.actor, now: req.flipside.now, store: req.flipside.partnershipStore)
        return try await PairTextDTO(text).encodeResponse(status: .created, for: req)
    }

    func addAction(req: Request) async throws -> Response {
        let id = try Self.pairID(req)
        let input = try req.content.decode(ActionInput.self)
        let action = try await Partnerships.addAction(id, kind: input.kind, what: input.what, due: input.due, visibility: input.visibility,
                                                      insightID: input.insight_id, actor: req.actor, now: req.flipside.now,
                                                      store: req.flipside.partnershipStore)
        return try await Self.action(action.id, in: id, req).encodeResponse(status: .created, for: req)
    }

    func changeAction(req: Request) async throws -> ActionDTO {
        let id = try Self.pairID(req)
        let actionID = try MatchingAPIController.id(req, "actionID", "Action")
        let input = try req.content.decode(ActionChangeInput.self)
        _ = try await Partnerships.updateAction(id, actionID: actionID, status: input.status, outcome: input.outcome, actor: req.actor,
                                                now: req.flipside.now, store: req.flipside.partnershipStore)
        return try await Self.action(actionID, in: id, req)
    }

    func end(req: Request) async throws -> PartnershipDTO {
        let id = try Self.pairID(req)
        let input = try req.content.decode(EndInput.self)
        _ = try await Partnerships.end(id, reason: input.reason, actor: req.actor, now: req.flipside.now, store: req.flipside.partnershipStore)
        return try await req.flipside.partnerships.dto(id)
    }

    func calendar(req: Request) async throws -> Response {
        Self.ics(try await req.flipside.partnerships.calendar(try Self.pairID(req)), filename: "flipside-pair.ics")
    }

    func impact(req: Request) async throws -> [ImpactDTO] { try await req.flipside.partnerships.impact() }

    func renewFeed(req: Request) async throws -> Response {
        let token = try await CalendarFeeds.renew(actor: req.actor, now: req.flipside.now, store: req.flipside.calendarFeedStore)
        struct Feed: Content { var path: String; var url: String? }
        let path = SiteURL.calendarFeed(token).path
        return try await Feed(path: path, url: req.application.appConfig.linkBase.map { $0 + path }).encodeResponse(status: .created, for: req)
    }

    func revokeFeed(req: Request) async throws -> HTTPStatus {
        try await CalendarFeeds.revoke(actor: req.actor, store: req.flipside.calendarFeedStore)
        return .noContent
    }

    static func pairID(_ req: Request) throws -> UUID { try MatchingAPIController.id(req, "pairID", "Pair") }

    static func action(_ id: UUID, in pairID: UUID, _ req: Request) async throws -> ActionDTO {
        let p = try await req.flipside.partnerships.view(pairID).partnership
        guard let action = p.actions.first(where: { $0.id == id }) else { throw APIError.notFound("Action") }
        return ActionDTO(action, in: p)
    }

    /// An iCalendar answer.
    static func ics(_ text: String, filename: String) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "calendar", parameters: ["charset": "utf-8"])
        headers.replaceOrAdd(name: .contentDisposition, value: "inline; filename=\"\(filename)\"")
        headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }
}
