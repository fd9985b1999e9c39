import Foundation

/// Something one of the two people can do in their partnership. The use cases check a step's statuses
/// before they act, and `Partnership.nextSteps` offers a step only where that check (and the step's other
/// rules) would let it through — one definition, so a page never offers what the use case refuses.
public enum PartnershipStep: String, Sendable, Hashable, Codable, CaseIterable {
    /// Propose a version of the agreement (goals, rhythm, pledge).
    case draftAgreement = "draft_agreement"
    /// Accept the version the other side proposed.
    case acceptAgreement = "accept_agreement"
    /// Propose carrying on past the agreed end date (a new version with a later one).
    case continueAgreement = "continue_agreement"
    case logMeeting = "log_meeting"
    case checkIn = "check_in"
    /// The closing check-in, once it is over (once per person).
    case closingCheckIn = "closing_check_in"
    /// Notes, candid feedback, answers, insights, reactions.
    case write
    /// The mentee plans an action from what they heard.
    case planAction = "plan_action"
    /// Either side ends the partnership early.
    case end

    /// Whether the step is open to a pair in `status` (`Partnership.status(now:)`).
    public func allows(_ status: PairStatus) -> Bool {
        switch self {
        case .draftAgreement, .acceptAgreement, .end: return status.isRunning
        case .continueAgreement, .logMeeting, .checkIn: return status.meets
        case .closingCheckIn: return status.isOver
        case .write: return status.mayHavePartnership
        case .planAction: return status.isRunning || status == .completed
        }
    }

    /// How the step reads in "… is not possible: this pair is ended."
    public var doing: String {
        switch self {
        case .draftAgreement: return "Drafting an agreement"
        case .acceptAgreement: return "Accepting an agreement"
        case .continueAgreement: return "Carrying on past the end date"
        case .logMeeting: return "Logging a meeting"
        case .checkIn: return "A check-in"
        case .closingCheckIn: return "The closing check-in (once the partnership has ended)"
        case .write: return "Writing in this partnership"
        case .planAction: return "Planning an action"
        case .end: return "Ending the partnership"
        }
    }
}

extension Partnership {
    /// Whether `step` is open at `now` as far as the pair's state goes: its status allows it and the two
    /// became partners (an `ended` pair that was never answered has no partnership to act in).
    public func isOpen(_ step: PartnershipStep, now: Date) -> Bool {
        step.allows(status(now: now)) && pair.becamePartners
    }

    /// What `side` can do next at `now`: the steps the use cases would accept, with each step's own rule
    /// (a pending version to accept that is not one's own, one closing check-in each, only the mentee
    /// plans actions, carrying on needs an end date and no version waiting).
    public func nextSteps(for side: EnrolmentRole?, now: Date) -> Set<PartnershipStep> {
        guard let side else { return [] }
        let me = side == .mentee ? pair.menteeID : pair.mentorID
        return Set(PartnershipStep.allCases.filter { step in
            guard isOpen(step, now: now) else { return false }
            switch step {
            case .acceptAgreement: return pending.map { !$0.accepted(by: side) } ?? false
            case .continueAgreement: return current?.rhythm.endDate != nil && pending == nil
            case .closingCheckIn: return !checkIns.contains { $0.authorID == me && $0.kind == .closing }
            case .planAction: return side == .mentee
            case .draftAgreement, .logMeeting, .checkIn, .write, .end: return true
            }
        })
    }
}
