import Foundation

/// What the partnership reads need from storage. Records come sealed (`Unredacted`): only the read model
/// below opens them, for a reader the policy allows, and hands out what that reader may see.
public protocol PartnershipReadStore: Sendable {
    /// Everything about the pair, or `nil` when there is no such pair.
    func partnership(_ pairID: UUID) async throws -> Unredacted<Partnership>?
    /// Every pair `employeeID` is in that may hold a partnership (`PairStatus.mayHavePartnership`).
    func partnerships(of employeeID: String) async throws -> [Unredacted<Partnership>]
}

/// One partnership as one reader sees it at one moment: what they may read of it and what they can do
/// next. Only Core makes one (from the policy), so a page or answer built from it shows no word the reader
/// may not read and offers no step the use cases would refuse.
public struct PartnershipView: Sendable {
    /// The partnership with only what the reader may read (`Partnership.seen(by:)`).
    public let partnership: Partnership
    public let reader: Actor
    public let now: Date
    /// The reader's side, `nil` for anyone else (a coordinator).
    public let side: EnrolmentRole?
    /// The status at `now` (a request past its time is expired, an active pair past its end completed).
    public let status: PairStatus
    /// Whether the two became partners, so that the pair page shows a partnership at all.
    public let isPartnership: Bool
    /// The steps the reader can take now, as the use cases decide them.
    public let nextSteps: Set<PartnershipStep>
    /// The health flags, for those who manage programs (`nil` for anyone else); computed from every
    /// check-in, of which the reader sees only the flags.
    public let flags: [HealthFlag]?
    /// When the calendar series last changed: the latest of its agreement, meeting logs and history.
    public let changedAt: Date

    init(_ full: Partnership, reader: Actor, now: Date) {
        partnership = full.seen(by: reader)
        self.reader = reader
        self.now = now
        side = full.pair.side(of: reader.employeeID)
        status = full.status(now: now)
        isPartnership = full.pair.becamePartners
        nextSteps = full.nextSteps(for: side, now: now)
        flags = AccessPolicy.managesPrograms(reader) ? full.flags(now: now) : nil
        changedAt = ([full.current?.agreedAt, full.pair.createdAt] + full.meetings.map(\.loggedAt) + full.events.map(\.at)).compactMap { $0 }.max()
            ?? full.pair.createdAt
    }

    public func offers(_ step: PartnershipStep) -> Bool { nextSteps.contains(step) }

    /// The pair's meeting series for a calendar, once an agreement is in force (no words of anyone's in it).
    public func calendarSeries(menteeName: String, mentorName: String) -> CalendarSeries? {
        partnership.calendarSeries(menteeName: menteeName, mentorName: mentorName, changedAt: changedAt)
    }
}

/// Reading partnerships: the policy decides who sees a pair, `Partnership.seen(by:)` what of it.
/// A running pair and its health flags, as the program team's health page and answer list them.
public struct PairHealth: Sendable {
    public let pair: MentoringPair
    public let flags: [HealthFlag]
}

public enum PartnershipReading {
    /// The program's running pairs (`PairStatus.isRunning`) with their flags, for the program team. The
    /// partnerships are the store's figures read (no words): flags are counted, never quoted.
    public static func health(_ partnerships: [Partnership], actor: Actor, now: Date) throws -> [PairHealth] {
        try AccessPolicy.require(actor, .view, .matchRuns)
        return partnerships.filter { $0.pair.status.isRunning }.map { PairHealth(pair: $0.pair, flags: $0.flags(now: now)) }
    }

    /// The pair as `actor` may see it. Refused before sign-in, not found when there is no such pair, refused
    /// when it is not the actor's (coordinators see every pair, without the words kept from them).
    public static func view(_ pairID: UUID, actor: Actor, now: Date, store: any PartnershipReadStore) async throws -> PartnershipView {
        guard actor != .anonymous else { throw PartnershipError.refused(.signInFirst) }
        guard let sealed = try await store.partnership(pairID) else { throw PartnershipError.pairNotFound }
        let full = sealed.value
        let decision = AccessPolicy.decide(actor, .view, .pair(menteeID: full.pair.menteeID, mentorID: full.pair.mentorID))
        guard decision.isAllowed else { throw PartnershipError.refused(decision) }
        return PartnershipView(full, reader: actor, now: now)
    }

    /// Every partnership of `employeeID` as `actor` may see it (their own pages, calendar feed, data
    /// export): refused unless the actor may see that person's data.
    public static func views(of employeeID: String, actor: Actor, now: Date, store: any PartnershipReadStore) async throws -> [PartnershipView] {
        try AccessPolicy.require(actor, .view, .personalData(employeeID: employeeID))
        return try await store.partnerships(of: employeeID).map { PartnershipView($0.value, reader: actor, now: now) }
    }
}
