import FlipsideCore
import Fluent
import Foundation

/// Reading partnerships for pages and the API, over Core's `PartnershipReading` (the policy decides who sees
/// a pair, `Partnership.seen(by:)` what of it): a scope (actor, now, database), not a request, and only Core
/// errors. Pages and the API get the same `PartnershipView`, so they show and offer the same.
struct PartnershipViews {
    let actor: Actor
    let now: Date
    let db: any Database
    let people: PeopleService
    var reads: PartnershipReads { PartnershipReads(db: db) }

    /// The pair as the actor may see it, with their next steps (not found, or refused when it is not theirs).
    func view(_ id: UUID) async throws -> PartnershipView {
        try await PartnershipReading.view(id, actor: actor, now: now, store: reads)
    }

    func names(_ p: PartnershipView) async throws -> [String: String] {
        try await people.find([p.partnership.pair.menteeID, p.partnership.pair.mentorID]).mapValues(\.name)
    }

    func dto(_ id: UUID) async throws -> PartnershipDTO {
        let view = try await view(id)
        return PartnershipDTO(view, names: try await names(view))
    }

    /// The pair's series as iCalendar (only for the two people of the pair and coordinators).
    func calendar(_ id: UUID) async throws -> String {
        let view = try await view(id)
        let pair = view.partnership.pair, names = try await names(view)
        let series = view.calendarSeries(menteeName: names[pair.menteeID] ?? pair.menteeID, mentorName: names[pair.mentorID] ?? pair.mentorID).map { [$0] } ?? []
        return ICalendar.document(name: "Reverse mentoring: \(names[pair.menteeID] ?? "") & \(names[pair.mentorID] ?? "")", series: series)
    }

    /// A person's feed: every series of their pairs, read as that person (the feed's address stands for them).
    static func feed(of employeeID: String, now: Date, db: any Database, people: PeopleService) async throws -> String {
        let views = try await PartnershipReading.views(of: employeeID, actor: .participant(employeeID: employeeID), now: now, store: PartnershipReads(db: db))
        let names = try await people.find(Array(Set(views.flatMap { [$0.partnership.pair.menteeID, $0.partnership.pair.mentorID] }))).mapValues(\.name)
        let series = views.compactMap { v in
            v.calendarSeries(menteeName: names[v.partnership.pair.menteeID] ?? v.partnership.pair.menteeID,
                             mentorName: names[v.partnership.pair.mentorID] ?? v.partnership.pair.mentorID)
        }
        return ICalendar.document(name: "Flipside — reverse mentoring (\(names[employeeID] ?? employeeID))", series: series)
    }

    /// The health of a program's partnerships, for coordinators.
    func health(_ program: Program) async throws -> [PairHealthDTO] {
        try AccessPolicy.require(actor, .view, .matchRuns)
        let rows = try PartnershipReading.health(try await reads.forHealth(in: program.id), actor: actor, now: now)
        let names = try await people.find(Array(Set(rows.flatMap { [$0.pair.menteeID, $0.pair.mentorID] }))).mapValues(\.name)
        return rows.map { h in
            PairHealthDTO(pair_id: h.pair.id, mentee: .init(employee_id: h.pair.menteeID, name: names[h.pair.menteeID] ?? h.pair.menteeID),
                          mentor: .init(employee_id: h.pair.mentorID, name: names[h.pair.mentorID] ?? h.pair.mentorID),
                          status: h.pair.status, flags: h.flags.map(HealthFlagDTO.init))
        }
    }

    /// For a mentor: per pair, the insights and actions that came from their input, as they may read them.
    func impact() async throws -> [ImpactDTO] {
        if actor == .anonymous { throw AccessRefused(.signInFirst) }
        guard let me = actor.employeeID else { return [] }
        var out: [ImpactDTO] = []
        for view in try await PartnershipReading.views(of: me, actor: actor, now: now, store: reads)
        where view.side == .mentor && view.isPartnership {
            let p = view.partnership, menteeID = p.pair.menteeID
            let name = try await people.find(menteeID)?.name ?? menteeID
            out.append(ImpactDTO(pair_id: p.pair.id, program_id: p.pair.programID, mentee: .init(employee_id: menteeID, name: name),
                                 insights: p.texts.filter { $0.kind == .insight }.map(PairTextDTO.init),
                                 actions: p.actions.map { ActionDTO($0, in: p) }))
        }
        return out
    }
}
