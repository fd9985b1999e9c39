import FlipsideCore
import Fluent
import Foundation
import Vapor

/// Reading partnerships for pages and the API: the policy decides who sees a pair, `Partnership.seen(by:)`
/// what of it.
struct PartnershipViews {
    let request: Request
    var reads: PartnershipReads { PartnershipReads(db: request.db) }

    /// The full partnership if the actor may see the pair (404 when there is none, 403 when it is not theirs).
    func partnership(_ id: UUID) async throws -> Partnership {
        if request.actor == .anonymous { throw APIError.from(AccessDecision.signInFirst) }
        guard let p = try await reads.partnership(id) else { throw APIError.from(PartnershipError.pairNotFound) }
        try request.authorize(.view, .pair(menteeID: p.pair.menteeID, mentorID: p.pair.mentorID))
        return p
    }

    func names(_ p: Partnership) async throws -> [String: String] {
        try await request.flipside.people.find([p.pair.menteeID, p.pair.mentorID]).mapValues(\.name)
    }

    func dto(_ id: UUID) async throws -> PartnershipDTO {
        let p = try await partnership(id)
        return PartnershipDTO(p, actor: request.actor, now: request.flipside.now, names: try await names(p))
    }

    /// The pair's series as iCalendar (only for the two people of the pair and coordinators).
    func calendar(_ id: UUID) async throws -> String {
        let p = try await partnership(id)
        let names = try await names(p)
        let series = p.calendarSeries(menteeName: names[p.pair.menteeID] ?? p.pair.menteeID, mentorName: names[p.pair.mentorID] ?? p.pair.mentorID,
                                      changedAt: Self.changedAt(p)).map { [$0] } ?? []
        return ICalendar.document(name: "Reverse mentoring: \(names[p.pair.menteeID] ?? "") & \(names[p.pair.mentorID] ?? "")", series: series)
    }

    /// A person's feed: every series of their pairs.
    static func feed(of employeeID: String, db: any Database, people: PeopleService) async throws -> String {
        let ps = try await PartnershipReads(db: db).partnerships(of: employeeID)
        let names = try await people.find(Array(Set(ps.flatMap { [$0.pair.menteeID, $0.pair.mentorID] }))).mapValues(\.name)
        let series = ps.compactMap { p in
            p.calendarSeries(menteeName: names[p.pair.menteeID] ?? p.pair.menteeID, mentorName: names[p.pair.mentorID] ?? p.pair.mentorID,
                             changedAt: changedAt(p))
        }
        return ICalendar.document(name: "Flipside — reverse mentoring (\(names[employeeID] ?? employeeID))", series: series)
    }

    /// When the series last changed: the latest of its agreement, meeting logs and history.
    static func changedAt(_ p: Partnership) -> Date {
        ([p.current?.agreedAt, p.pair.createdAt] + p.meetings.map(\.loggedAt) + p.events.map(\.at)).compactMap { $0 }.max() ?? p.pair.createdAt
    }

    /// The health of a program's partnerships, for coordinators.
    func health(_ program: Program) async throws -> [PairHealthDTO] {
        try request.authorize(.view, .matchRuns)
        let rows = try await reads.health(in: program.id, now: request.flipside.now)
        let names = try await request.flipside.people.find(Array(Set(rows.flatMap { [$0.0.menteeID, $0.0.mentorID] }))).mapValues(\.name)
        return rows.map { pair, flags in
            PairHealthDTO(pair_id: pair.id, mentee: .init(employee_id: pair.menteeID, name: names[pair.menteeID] ?? pair.menteeID),
                          mentor: .init(employee_id: pair.mentorID, name: names[pair.mentorID] ?? pair.mentorID),
                          status: pair.status, flags: flags.map(HealthFlagDTO.init))
        }
    }

    /// For a mentor: per pair, the insights and actions that came from their input, as they may read them.
    func impact() async throws -> [ImpactDTO] {
        let actor = request.actor
        if actor == .anonymous { throw APIError.from(AccessDecision.signInFirst) }
        guard let me = actor.employeeID else { return [] }
        var out: [ImpactDTO] = []
        for pair in try await MatchingReads(db: request.db).pairs(of: me) where pair.mentorID == me && [.accepted, .active, .completed, .ended].contains(pair.status) {
            guard let full = try await reads.partnership(pair.id) else { continue }
            let p = full.seen(by: actor)
            let name = try await request.flipside.people.find(pair.menteeID)?.name ?? pair.menteeID
            out.append(ImpactDTO(pair_id: pair.id, program_id: pair.programID, mentee: .init(employee_id: pair.menteeID, name: name),
                                 insights: p.texts.filter { $0.kind == .insight }.map(PairTextDTO.init),
                                 actions: p.actions.map { ActionDTO($0, in: p) }))
        }
        return out
    }
}
