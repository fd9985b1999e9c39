import Foundation

/// What the partnership use cases read and write inside one unit of work. The server implements it on the
/// database (a write transaction holding the pair's row); Core's tests in memory.
public protocol PartnershipWork: Sendable {
    /// Everything about the pair, its row held until the work ends; `nil` when there is no such pair.
    /// Sealed: only the use cases open it.
    func heldPartnership(_ pairID: UUID) async throws -> Unredacted<Partnership>?
    func insertAgreement(_ version: AgreementVersion) async throws
    func updateAgreement(_ version: AgreementVersion) async throws
    /// Stores a meeting's log, replacing an earlier one for the same occurrence.
    func saveMeeting(_ log: MeetingLog) async throws
    /// Throws `PartnershipError.alreadyCheckedIn` when the author already answered for this slot.
    func insertCheckIn(_ checkIn: CheckIn) async throws
    func insertText(_ text: PairText) async throws
    func insertAction(_ action: ActionItem) async throws
    func updateAction(_ action: ActionItem) async throws
    func updatePair(_ pair: MentoringPair, event: PairEvent) async throws
    /// Bumps the calendar SEQUENCE of the pair's series.
    func bumpSequence(_ pairID: UUID) async throws
    /// Queues messages with the change (`Notices` decides which).
    func notify(_ notices: [Notice]) async throws
}

public protocol PartnershipStore: Sendable {
    func atomically<T: Sendable>(_ body: @escaping @Sendable (any PartnershipWork) async throws -> T) async throws -> T
    /// Active pairs whose agreement in force ended before `now` (to be marked completed).
    func pairsPastTheirEnd(now: Date) async throws -> [UUID]
}

/// What can go wrong in a partnership. The server maps each case to its answer once; no message carries
/// anybody's words.
public enum PartnershipError: Error, Equatable, Sendable {
    case pairNotFound
    case refused(AccessDecision)
    case wrongStatus(PairStatus, doing: String)
    case invalid([FieldProblem])
    case notLatestVersion(latest: Int)
    case alreadyAgreed
    case ownVersion
    case noAgreement
    case alreadyCheckedIn(String)
    case notFound(String)
    case onlySide(EnrolmentRole, doing: String)

    public var message: String {
        switch self {
        case .pairNotFound: return "Pair was not found."
        case .refused: return "You are not allowed to do this."
        case let .wrongStatus(status, doing): return "\(doing) is not possible: this pair is \(status.rawValue)."
        case let .invalid(problems): return problems.map { "\($0.field) \($0.reason)" }.joined(separator: "; ")
        case let .notLatestVersion(latest): return "Only the latest version of the agreement (version \(latest)) can be accepted."
        case .alreadyAgreed: return "This version is already accepted by both of you."
        case .ownVersion: return "You drafted this version, so you have accepted it; your partner accepts it or proposes changes."
        case .noAgreement: return "The two of you have not agreed goals and a rhythm yet."
        case let .alreadyCheckedIn(slot):
            return slot == "closing" ? "You already answered the closing check-in." : "You already checked in for this \(slot.hasPrefix("meeting") ? "meeting" : "period")."
        case let .notFound(what): return "\(what) was not found."
        case let .onlySide(side, doing): return "Only the \(side == .mentor ? "mentor (the junior side)" : "mentee (the senior side)") can \(doing)."
        }
    }
}

/// A check-in as written, before it is checked.
public struct CheckInDraft: Sendable {
    public var meeting: Date?
    public var satisfaction: Int?
    public var direction: String?
    public var progress: [String: Int]
    public var listened: Int?
    public var comment: String?
    public var commentVisibility: String?

    public init(meeting: Date? = nil, satisfaction: Int?, direction: String?, progress: [String: Int] = [:], listened: Int? = nil,
                comment: String? = nil, commentVisibility: String? = nil) {
        self.meeting = meeting
        self.satisfaction = satisfaction
        self.direction = direction
        self.progress = progress
        self.listened = listened
        self.comment = comment
        self.commentVisibility = commentVisibility
    }
}

/// The partnership of an accepted pair: agreement, meetings, check-ins, what they write, actions, the end.
/// Only the two people of the pair act in it; each step checks the policy, the pair's status and its
/// rules inside one unit of work (the pair's row held), and stores nothing when a field is wrong.
public enum Partnerships {
    public static let textMost = 4_000

    // MARK: Agreement

    /// Drafts a new version of the agreement (the author accepts it, pledge included).
    public static func draftAgreement(_ pairID: UUID, _ draft: AgreementDraft, actor: Actor, now: Date,
                                      store: any PartnershipStore) async throws -> AgreementVersion {
        try await store.atomically { work in
            let (p, side, author) = try await member(pairID, actor, work)
            try require(p, .draftAgreement, now: now)
            let version = try await propose(draft, in: p, side: side, author: author, now: now, work: work)
            try await work.notify(Notices.agreementProposed(version, in: p.pair, now: now))
            return version
        }
    }

    /// The other side accepts the latest version (pledge included). When both have, it is in force: the
    /// pair becomes active and its calendar series changes.
    public static func acceptAgreement(_ pairID: UUID, version number: Int, pledgeAccepted: Bool, actor: Actor, now: Date,
                                       store: any PartnershipStore) async throws -> AgreementVersion {
        try await store.atomically { work in
            let (p, side, _) = try await member(pairID, actor, work)
            try require(p, .acceptAgreement, now: now)
            guard var version = p.agreements.last else { throw PartnershipError.noAgreement }
            guard version.number == number else {
                if p.agreements.contains(where: { $0.number == number }) { throw PartnershipError.notLatestVersion(latest: version.number) }
                throw PartnershipError.notFound("Version \(number) of the agreement")
            }
            if version.isAgreed { throw PartnershipError.alreadyAgreed }
            if version.accepted(by: side) { throw PartnershipError.ownVersion }
            guard pledgeAccepted else {
                throw PartnershipError.invalid([FieldProblem(field: "pledge", reason: "must be accepted: both sides accept the confidentiality and respect pledge")])
            }
            if side == .mentee { version.menteeAcceptedAt = now } else { version.mentorAcceptedAt = now }
            try await work.updateAgreement(version)
            try await work.bumpSequence(pairID)
            if version.isAgreed { try await work.notify(Notices.seriesChanged(p.pair, sequence: p.sequence + 1, now: now)) }
            if p.pair.status == .accepted {
                var pair = p.pair
                pair.status = .active
                try await work.updatePair(pair, event: PairEvent(pairID: pairID, status: .active, at: now, actor: actor.historyName,
                                                                 reason: "Both accepted the agreement"))
            }
            return version
        }
    }

    /// Carrying on past the agreed end date: a new version with the goals and rhythm in force and no end
    /// date, drafted by one side (who accepts it) for the other to accept.
    public static func continueAgreement(_ pairID: UUID, pledgeAccepted: Bool, actor: Actor, now: Date,
                                         store: any PartnershipStore) async throws -> AgreementVersion {
        try await store.atomically { work in
            let (p, side, author) = try await member(pairID, actor, work)
            try require(p, .continueAgreement, now: now)
            guard let current = p.current else { throw PartnershipError.noAgreement }
            let r = current.rhythm
            let draft = AgreementDraft(goals: current.goals.map { .init(title: $0.title, kind: $0.kind.rawValue, success: $0.success, topic: $0.topic?.key) },
                                       cadence: r.cadence.rawValue, minutes: r.minutes, firstMeeting: r.firstMeeting.description, timeZone: r.timeZone,
                                       endDate: nil, channel: r.channel.rawValue, visibility: current.visibility.rawValue, pledgeAccepted: pledgeAccepted)
            let version = try await propose(draft, in: p, side: side, author: author, now: now, work: work)
            try await work.notify(Notices.agreementProposed(version, in: p.pair, now: now))
            return version
        }
    }

    // MARK: Meetings

    /// Logs a meeting of the schedule: held, missed, moved (to when) or cancelled.
    public static func logMeeting(_ pairID: UUID, occurrence: Date, status: MeetingStatus, movedTo: Date?, actor: Actor, now: Date,
                                  store: any PartnershipStore) async throws -> MeetingLog {
        try await store.atomically { work in
            let (p, _, author) = try await member(pairID, actor, work)
            try require(p, .logMeeting, now: now)
            guard let current = p.current, let schedule = Schedule(current.rhythm) else { throw PartnershipError.noAgreement }
            var problems: [FieldProblem] = []
            if !schedule.isOccurrence(occurrence) {
                problems.append(FieldProblem(field: "occurrence", reason: "is not a meeting of the rhythm you agreed (\(current.rhythm.cadence.rawValue) from \(current.rhythm.firstMeeting) \(current.rhythm.timeZone))"))
            }
            let earlier = p.meetings.first { $0.occurrence == occurrence }
            var moved = earlier?.movedTo
            switch status {
            case .held, .missed:
                if (moved ?? occurrence) > now { problems.append(FieldProblem(field: "status", reason: "cannot be \(status.rawValue) for a meeting that has not started yet")) }
            case .moved:
                guard let movedTo else { problems.append(FieldProblem(field: "moved_to", reason: "is required when a meeting is moved")); break }
                if let start = p.program.startDate, schedule.local(movedTo).date < start {
                    problems.append(FieldProblem(field: "moved_to", reason: "is before the program starts (\(start))"))
                }
                if let end = schedule.seriesEnd, movedTo >= end { problems.append(FieldProblem(field: "moved_to", reason: "is after the partnership's end date")) }
                moved = movedTo
            case .cancelled:
                break
            }
            if status != .moved, movedTo != nil { problems.append(FieldProblem(field: "moved_to", reason: "is only for a moved meeting")) }
            guard problems.isEmpty else { throw PartnershipError.invalid(problems) }
            let log = MeetingLog(pairID: pairID, occurrence: occurrence, status: status, movedTo: status == .cancelled ? nil : moved,
                                 loggedBy: author, loggedAt: now)
            try await work.saveMeeting(log)
            if status == .moved || status == .cancelled || (earlier?.status == .cancelled) {
                try await work.bumpSequence(pairID)
                try await work.notify(Notices.seriesChanged(p.pair, sequence: p.sequence + 1, cancelled: status == .cancelled ? occurrence : nil, now: now))
            }
            return log
        }
    }

    // MARK: Check-ins

    /// One side's check-in after a meeting or for the current cadence period.
    public static func checkIn(_ pairID: UUID, _ draft: CheckInDraft, actor: Actor, now: Date, store: any PartnershipStore) async throws -> CheckIn {
        try await store.atomically { work in
            let (p, side, author) = try await member(pairID, actor, work)
            try require(p, .checkIn, now: now)
            guard let current = p.current, let schedule = Schedule(current.rhythm) else { throw PartnershipError.noAgreement }
            var problems: [FieldProblem] = []
            let satisfaction = draft.satisfaction
            if satisfaction == nil || !(1...5).contains(satisfaction!) { problems.append(FieldProblem(field: "satisfaction", reason: "must be a whole number from 1 to 5")) }
            let direction = draft.direction.flatMap(Direction.init(rawValue:))
            if direction == nil { problems.append(FieldProblem(field: "direction", reason: "must be yes, unsure or no")) }
            if side == .mentor {
                if draft.listened == nil || !(1...5).contains(draft.listened!) { problems.append(FieldProblem(field: "listened", reason: "must be a whole number from 1 to 5")) }
            } else if draft.listened != nil {
                problems.append(FieldProblem(field: "listened", reason: "is answered by the mentor only"))
            }
            var progress: [UUID: Int] = [:]
            let goals = Set(current.goals.map(\.id))
            for (key, value) in draft.progress.sorted(by: { $0.key < $1.key }) {
                guard let id = UUID(uuidString: key), goals.contains(id) else {
                    problems.append(FieldProblem(field: "progress.\(TextLimits.preview(key))", reason: "is not a goal of your agreement")); continue
                }
                if !(0...100).contains(value) { problems.append(FieldProblem(field: "progress.\(TextLimits.preview(key))", reason: "must be between 0 and 100 %")) }
                progress[id] = value
            }
            var period = 0
            let firstStart = schedule.instant(current.rhythm.firstMeeting)
            if let meeting = draft.meeting {
                if !schedule.isOccurrence(meeting) { problems.append(FieldProblem(field: "meeting", reason: "is not a meeting of the rhythm you agreed")) }
                else if (p.meetings.first { $0.occurrence == meeting }?.start ?? meeting) > now {
                    problems.append(FieldProblem(field: "meeting", reason: "has not taken place yet"))
                }
            } else if now < firstStart {
                problems.append(FieldProblem(field: "meeting", reason: "none has taken place yet: check in after your first meeting"))
            } else {
                period = Int(now.timeIntervalSince(firstStart) / schedule.period)
            }
            let comment = try checkedText(draft.comment, visibility: draft.commentVisibility, field: "comment", visibilityField: "comment_visibility", required: false, problems: &problems)
            guard problems.isEmpty else { throw PartnershipError.invalid(problems) }
            let checkIn = CheckIn(pairID: pairID, authorID: author, side: side, kind: .regular, at: now, meeting: draft.meeting, period: period,
                                  satisfaction: satisfaction, direction: direction, progress: progress, listened: side == .mentor ? draft.listened : nil)
            try await work.insertCheckIn(checkIn)
            if let comment {
                try await work.insertText(PairText(pairID: pairID, kind: .checkInComment, authorID: author, visibility: comment.visibility,
                                                   body: comment.body, createdAt: now, about: .checkIn(checkIn.id)))
            }
            return checkIn
        }
    }

    /// The closing check-in, once the pair completed or ended: overall value, would they do it again, what changed.
    public static func closingCheckIn(_ pairID: UUID, overallValue: Int?, wouldAgain: Bool?, changed: String?, visibility: String?,
                                      actor: Actor, now: Date, store: any PartnershipStore) async throws -> CheckIn {
        try await store.atomically { work in
            let (p, side, author) = try await member(pairID, actor, work)
            try require(p, .closingCheckIn, now: now)
            var problems: [FieldProblem] = []
            if overallValue == nil || !(1...5).contains(overallValue!) { problems.append(FieldProblem(field: "overall_value", reason: "must be a whole number from 1 to 5")) }
            if wouldAgain == nil { problems.append(FieldProblem(field: "would_again", reason: "is required (yes or no)")) }
            let words = try checkedText(changed, visibility: visibility, field: "changed", visibilityField: "changed_visibility", required: false, problems: &problems)
            guard problems.isEmpty else { throw PartnershipError.invalid(problems) }
            let checkIn = CheckIn(pairID: pairID, authorID: author, side: side, kind: .closing, at: now, overallValue: overallValue, wouldAgain: wouldAgain)
            try await work.insertCheckIn(checkIn)
            if let words {
                try await work.insertText(PairText(pairID: pairID, kind: .closingWords, authorID: author, visibility: words.visibility,
                                                   body: words.body, createdAt: now, about: .checkIn(checkIn.id)))
            }
            return checkIn
        }
    }

    // MARK: Words

    /// Writes a note (about a meeting, or a journal entry), candid feedback (the mentor), an answer to
    /// feedback (the mentee), an insight (the mentee) or a reaction to an action (the mentor).
    public static func write(_ pairID: UUID, kind: TextKind, body: String, visibility: String?, about: TextSubject?, actor: Actor, now: Date,
                             store: any PartnershipStore) async throws -> PairText {
        try await store.atomically { work in
            let (p, side, author) = try await member(pairID, actor, work)
            try require(p, .write, now: now)
            switch kind {
            case .feedback where side != .mentor: throw PartnershipError.onlySide(.mentor, doing: "give candid feedback")
            case .feedbackReply where side != .mentee: throw PartnershipError.onlySide(.mentee, doing: "answer feedback")
            case .insight where side != .mentee: throw PartnershipError.onlySide(.mentee, doing: "record an insight")
            case .reaction where side != .mentor: throw PartnershipError.onlySide(.mentor, doing: "react to an action")
            case .action, .actionOutcome, .checkInComment, .closingWords:
                throw PartnershipError.invalid([FieldProblem(field: "kind", reason: "must be note, feedback, feedback_reply, insight or reaction")])
            default: break
            }
            var problems: [FieldProblem] = []
            let text = try checkedText(body, visibility: visibility, field: "body", required: true, problems: &problems)
            switch (kind, about) {
            case (.feedbackReply, .text(let id)?):
                guard let feedback = p.texts.first(where: { $0.id == id && $0.kind == .feedback }), TextAccess.mayRead(actor, feedback, in: p.pair) else {
                    throw PartnershipError.notFound("Feedback")
                }
            case (.feedbackReply, _): problems.append(FieldProblem(field: "about", reason: "must name the feedback it answers (text:ID)"))
            case (.reaction, .action(let id)?):
                guard let action = p.actions.first(where: { $0.id == id }),
                      TextAccess.mayRead(actor, authorID: action.authorID, visibility: action.visibility, menteeID: p.pair.menteeID, mentorID: p.pair.mentorID) else {
                    throw PartnershipError.notFound("Action")
                }
            case (.reaction, _): problems.append(FieldProblem(field: "about", reason: "must name the action (action:ID)"))
            case (_, .goal(let id)?):
                if !(p.agreements.contains { $0.goals.contains { $0.id == id } }) { problems.append(FieldProblem(field: "about", reason: "is not a goal of this pair")) }
            case (_, .meeting(let at)?):
                if p.schedule?.isOccurrence(at) != true { problems.append(FieldProblem(field: "about", reason: "is not a meeting of this pair")) }
            case (_, nil): break
            default: problems.append(FieldProblem(field: "about", reason: "must be a goal or a meeting of this pair"))
            }
            guard problems.isEmpty, let text else { throw PartnershipError.invalid(problems) }
            let stored = PairText(pairID: pairID, kind: kind, authorID: author, visibility: text.visibility, body: text.body, createdAt: now, about: about)
            try await work.insertText(stored)
            return stored
        }
    }

    // MARK: Actions

    /// The mentee says what they will do with what they learned.
    public static func addAction(_ pairID: UUID, kind: String, what: String, due: String?, visibility: String?, insightID: UUID?,
                                 actor: Actor, now: Date, store: any PartnershipStore) async throws -> ActionItem {
        try await store.atomically { work in
            let (p, side, author) = try await member(pairID, actor, work)
            guard side == .mentee else { throw PartnershipError.onlySide(.mentee, doing: "plan an action") }
            try require(p, .planAction, now: now)
            var problems: [FieldProblem] = []
            let actionKind = ActionKind(rawValue: kind)
            if actionKind == nil { problems.append(FieldProblem(field: "kind", reason: "must be one of \(ActionKind.allCases.map(\.rawValue).joined(separator: ", "))")) }
            let text = try checkedText(what, visibility: visibility, field: "what", required: true, problems: &problems)
            var dueDate: CalendarDate?
            if let raw = due?.trimmingCharacters(in: .whitespaces), !raw.isEmpty {
                dueDate = CalendarDate(iso: raw)
                if dueDate == nil { problems.append(FieldProblem(field: "due", reason: "must be a date YYYY-MM-DD")) }
                if let d = dueDate, let start = p.program.startDate, d < start { problems.append(FieldProblem(field: "due", reason: "is before the program starts (\(start))")) }
            }
            if let insightID, !(p.texts.contains { $0.id == insightID && $0.kind == .insight && TextAccess.mayRead(actor, $0, in: p.pair) }) {
                problems.append(FieldProblem(field: "insight_id", reason: "is not an insight of this pair"))
            }
            guard problems.isEmpty, let actionKind, let text else { throw PartnershipError.invalid(problems) }
            let action = ActionItem(pairID: pairID, authorID: author, insightID: insightID, kind: actionKind, due: dueDate,
                                    visibility: text.visibility, createdAt: now)
            try await work.insertAction(action)
            try await work.insertText(PairText(pairID: pairID, kind: .action, authorID: author, visibility: text.visibility, body: text.body,
                                               createdAt: now, about: .action(action.id)))
            return action
        }
    }

    /// The mentee moves an action on and says what came of it.
    public static func updateAction(_ pairID: UUID, actionID: UUID, status: String?, outcome: String?, actor: Actor, now: Date,
                                    store: any PartnershipStore) async throws -> ActionItem {
        try await store.atomically { work in
            let (p, _, author) = try await member(pairID, actor, work)
            guard var action = p.actions.first(where: { $0.id == actionID }), action.authorID == author else {
                throw PartnershipError.notFound("Action")
            }
            let wasDone = action.status == .done
            var problems: [FieldProblem] = []
            if let raw = status {
                if let s = ActionStatus(rawValue: raw) {
                    action.status = s
                    action.doneAt = s == .done ? (action.doneAt ?? now) : nil
                } else {
                    problems.append(FieldProblem(field: "status", reason: "must be one of \(ActionStatus.allCases.map(\.rawValue).joined(separator: ", "))"))
                }
            }
            let text = try checkedText(outcome, visibility: action.visibility.rawValue, field: "outcome", required: false, problems: &problems)
            guard problems.isEmpty else { throw PartnershipError.invalid(problems) }
            action.updatedAt = now
            try await work.updateAction(action)
            if !wasDone { try await work.notify(Notices.actionDone(action, in: p.pair, now: now)) }
            if let text {
                try await work.insertText(PairText(pairID: pairID, kind: .actionOutcome, authorID: author, visibility: action.visibility,
                                                   body: text.body, createdAt: now, about: .action(action.id)))
            }
            return action
        }
    }

    // MARK: Ending

    /// Either side ends the partnership early; the reason is for the program team (the partner does not read it).
    public static func end(_ pairID: UUID, reason: String?, actor: Actor, now: Date, store: any PartnershipStore) async throws -> MentoringPair {
        try await store.atomically { work in
            let (p, _, _) = try await member(pairID, actor, work)
            try require(p, .end, now: now)
            var problems: [FieldProblem] = []
            let words = reason.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
            if let words, let problem = TextLimits.problem(words, most: TextLimits.long, multiline: true) { problems.append(FieldProblem(field: "reason", reason: problem)) }
            guard problems.isEmpty else { throw PartnershipError.invalid(problems) }
            var pair = p.pair
            pair.status = .ended
            try await work.updatePair(pair, event: PairEvent(pairID: pairID, status: .ended, at: now, actor: actor.historyName, reason: words))
            try await work.bumpSequence(pairID)
            if p.current?.isAgreed == true { try await work.notify(Notices.seriesChanged(pair, sequence: p.sequence + 1, now: now)) }
            return pair
        }
    }

    /// Marks active pairs past their agreed end date completed (the worker runs it; pages already show them so).
    @discardableResult
    public static func completeDue(now: Date, store: any PartnershipStore) async throws -> Int {
        var done = 0
        for id in try await store.pairsPastTheirEnd(now: now) {
            done += try await store.atomically { work in
                guard let p = try await work.heldPartnership(id)?.value, p.pair.status == .active, p.status(now: now) == .completed else { return 0 }
                var pair = p.pair
                pair.status = .completed
                try await work.updatePair(pair, event: PairEvent(pairID: id, status: .completed, at: now, actor: "system", reason: "The agreed end date passed"))
                return 1
            }
        }
        return done
    }

    // MARK: Helpers

    /// Checks a draft and stores it as the next version, accepted by its author.
    static func propose(_ draft: AgreementDraft, in p: Partnership, side: EnrolmentRole, author: String, now: Date,
                        work: any PartnershipWork) async throws -> AgreementVersion {
        let (goals, rhythm, visibility) = try draft.checked(program: p.program, mentee: p.mentee, mentor: p.mentor).get()
        // The first meeting (and so every meeting and check-in after it) is not before the day they became a
        // pair, in the meetings' time zone (a first talk earlier that day counts).
        if let schedule = Schedule(rhythm), rhythm.firstMeeting.date < schedule.local(p.formedAt).date {
            throw PartnershipError.invalid([FieldProblem(field: "rhythm.first_meeting",
                                                         reason: "is before you became a pair (\(schedule.local(p.formedAt).date))")])
        }
        var version = AgreementVersion(pairID: p.pair.id, number: (p.agreements.last?.number ?? 0) + 1, authorID: author,
                                       goals: goals, rhythm: rhythm, visibility: visibility, createdAt: now)
        if side == .mentee { version.menteeAcceptedAt = now } else { version.mentorAcceptedAt = now }
        try await work.insertAgreement(version)
        return version
    }

    /// The pair, the actor's side and employee id; refused unless the actor is one of the two.
    static func member(_ pairID: UUID, _ actor: Actor, _ work: any PartnershipWork) async throws -> (Partnership, EnrolmentRole, String) {
        guard actor != .anonymous else { throw PartnershipError.refused(.signInFirst) }
        guard let p = try await work.heldPartnership(pairID)?.value else { throw PartnershipError.pairNotFound }
        let decision = AccessPolicy.decide(actor, .change, .partnership(menteeID: p.pair.menteeID, mentorID: p.pair.mentorID))
        guard decision.isAllowed, let me = actor.employeeID, let side = p.pair.side(of: me) else {
            throw PartnershipError.refused(decision.isAllowed ? AccessPolicy.onlyThePair : decision)
        }
        return (p, side, me)
    }

    /// Refuses a step the pair's state does not allow (the same test `Partnership.nextSteps` offers by).
    static func require(_ p: Partnership, _ step: PartnershipStep, now: Date) throws {
        guard p.isOpen(step, now: now) else { throw PartnershipError.wrongStatus(p.status(now: now), doing: step.doing) }
    }

    /// A piece of text and its visibility, checked (`nil` when optional and empty). Problems never quote the text.
    /// `visibilityField` is the request's own name for the visibility (`visibility`, `comment_visibility`).
    static func checkedText(_ raw: String?, visibility: String?, field: String, visibilityField: String = "visibility", required: Bool,
                            problems: inout [FieldProblem]) throws -> (body: String, visibility: TextVisibility)? {
        var chosen = TextVisibility.standard
        if let v = visibility?.trimmingCharacters(in: .whitespaces), !v.isEmpty {
            if let parsed = TextVisibility(rawValue: v) { chosen = parsed } else {
                problems.append(FieldProblem(field: visibilityField,
                                             reason: "must be one of \(TextVisibility.allCases.map(\.rawValue).joined(separator: ", "))"))
            }
        }
        let body = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if body.isEmpty {
            if required { problems.append(FieldProblem(field: field, reason: "is required")) }
            return nil
        }
        if let problem = TextLimits.problem(body, most: textMost, multiline: true) { problems.append(FieldProblem(field: field, reason: problem)); return nil }
        return (body, chosen)
    }
}
