import FlipsideCore
import Foundation
import Vapor

/// A partnership as the asker may see it: built from Core's `PartnershipView`, so it holds only the words
/// Core's `TextAccess` lets them read, their own check-ins, their next steps and (for coordinators) the
/// health flags.
struct PartnershipDTO: Content {
    struct Side: Content { var employee_id: String; var name: String }
    struct GoalDTO: Content {
        var id: UUID
        var kind: GoalKind
        /// `null` when the reader may not read the agreement's words (a coordinator, unless shared with the program team).
        var title: String?
        var success: String?
        var topic: String?
    }
    struct AgreementDTO: Content {
        var number: Int
        var author_id: String
        var visibility: TextVisibility
        var goals: [GoalDTO]
        var rhythm: RhythmDTO
        var created_at: Date
        var mentee_accepted_at: Date?
        var mentor_accepted_at: Date?
        var agreed: Bool

        init(_ v: AgreementVersion, hidden: Bool) {
            number = v.number
            author_id = v.authorID
            visibility = v.visibility
            goals = v.goals.map { GoalDTO(id: $0.id, kind: $0.kind, title: hidden ? nil : $0.title, success: hidden ? nil : $0.success, topic: $0.topic?.key) }
            rhythm = RhythmDTO(v.rhythm)
            created_at = v.createdAt
            mentee_accepted_at = v.menteeAcceptedAt
            mentor_accepted_at = v.mentorAcceptedAt
            agreed = v.isAgreed
        }
    }
    struct RhythmDTO: Content {
        var cadence: Cadence
        var minutes: Int
        var first_meeting: String
        var time_zone: String
        /// `null` = ongoing.
        var end_date: String?
        var channel: FlipsideCore.Channel
        init(_ r: Rhythm) {
            cadence = r.cadence
            minutes = r.minutes
            first_meeting = r.firstMeeting.description
            time_zone = r.timeZone
            end_date = r.endDate?.description
            channel = r.channel
        }
    }
    struct MeetingDTO: Content {
        var occurrence: Date
        var status: MeetingStatus
        var moved_to: Date?
        var logged_by: String
        init(_ m: MeetingLog) {
            occurrence = m.occurrence
            status = m.status
            moved_to = m.movedTo
            logged_by = m.loggedBy
        }
    }
    struct UpcomingDTO: Content { var occurrence: Date; var start: Date }
    struct CheckInDTO: Content {
        var id: UUID
        var kind: CheckInKind
        var at: Date
        var meeting: Date?
        var satisfaction: Int?
        var direction: Direction?
        var progress: [String: Int]
        var listened: Int?
        var overall_value: Int?
        var would_again: Bool?
        init(_ c: CheckIn) {
            id = c.id
            kind = c.kind
            at = c.at
            meeting = c.meeting
            satisfaction = c.satisfaction
            direction = c.direction
            progress = Dictionary(uniqueKeysWithValues: c.progress.map { ($0.key.uuidString.lowercased(), $0.value) })
            listened = c.listened
            overall_value = c.overallValue
            would_again = c.wouldAgain
        }
    }
    struct EventDTO: Content { var status: PairStatus; var at: Date; var actor: String; var reason: String? }

    var pair_id: UUID
    var program_id: UUID
    var status: PairStatus
    var mentee: Side
    var mentor: Side
    /// The asker's side, `null` for a coordinator.
    var your_side: EnrolmentRole?
    /// What the asker can do next (the steps the partnership routes would accept now), in a fixed order.
    var next_steps: [PartnershipStep]
    var agreements: [AgreementDTO]
    /// The number of the version in force.
    var current_agreement: Int?
    var pending_agreement: Int?
    var pledge: String
    var guidance: String?
    var upcoming: [UpcomingDTO]
    var to_log: [Date]
    var meetings: [MeetingDTO]
    var check_ins: [CheckInDTO]
    var texts: [PairTextDTO]
    var actions: [ActionDTO]
    var flags: [HealthFlagDTO]?
    var history: [EventDTO]
    var calendar_sequence: Int

    init(_ view: PartnershipView, names: [String: String]) {
        let p = view.partnership, now = view.now
        let side = view.side
        pair_id = p.pair.id
        program_id = p.pair.programID
        status = view.status
        mentee = Side(employee_id: p.pair.menteeID, name: names[p.pair.menteeID] ?? p.pair.menteeID)
        mentor = Side(employee_id: p.pair.mentorID, name: names[p.pair.mentorID] ?? p.pair.mentorID)
        your_side = side
        next_steps = PartnershipStep.allCases.filter(view.offers)
        agreements = p.agreements.map { AgreementDTO($0, hidden: p.hiddenGoalWords.contains($0.id)) }
        current_agreement = p.current?.number
        pending_agreement = p.pending?.number
        pledge = Pledge.text
        guidance = side.map { $0 == .mentee ? p.guidance.senior : p.guidance.junior }
        upcoming = p.upcoming(now: now).map { UpcomingDTO(occurrence: $0.occurrence, start: $0.start) }
        to_log = side == nil ? [] : p.toLog(now: now)
        meetings = p.meetings.map(MeetingDTO.init)
        check_ins = p.checkIns.map(CheckInDTO.init)
        texts = p.texts.map(PairTextDTO.init)
        actions = p.actions.map { ActionDTO($0, in: p) }
        flags = view.flags?.map(HealthFlagDTO.init)
        history = p.events.map { EventDTO(status: $0.status, at: $0.at, actor: $0.actor, reason: $0.reason) }
        calendar_sequence = p.sequence
    }
}

struct PairTextDTO: Content {
    var id: UUID
    var kind: TextKind
    var author_id: String
    var visibility: TextVisibility
    var body: String
    var created_at: Date
    var about: String?

    init(_ t: PairText) {
        id = t.id
        kind = t.kind
        author_id = t.authorID
        visibility = t.visibility
        body = t.body
        created_at = t.createdAt
        about = t.about?.description
    }
}

struct ActionDTO: Content {
    var id: UUID
    var kind: ActionKind
    var what: String?
    var due: String?
    var status: ActionStatus
    var visibility: TextVisibility
    var insight_id: UUID?
    var outcomes: [PairTextDTO]
    var reactions: [PairTextDTO]
    var created_at: Date
    var done_at: Date?

    /// From a partnership already `seen(by:)` the reader.
    init(_ a: ActionItem, in p: Partnership) {
        id = a.id
        kind = a.kind
        what = p.texts(about: .action(a.id), kind: .action).first?.body
        due = a.due?.description
        status = a.status
        visibility = a.visibility
        insight_id = a.insightID
        outcomes = p.texts(about: .action(a.id), kind: .actionOutcome).map(PairTextDTO.init)
        reactions = p.texts(about: .action(a.id), kind: .reaction).map(PairTextDTO.init)
        created_at = a.createdAt
        done_at = a.doneAt
    }
}

struct HealthFlagDTO: Content {
    var kind: HealthFlag.Kind
    var since: Date
    var side: EnrolmentRole?
    var explanation: String
    init(_ f: HealthFlag) {
        kind = f.kind
        since = f.since
        side = f.side
        explanation = f.explanation
    }

    /// The flag in a sentence, as pages show it.
    var sentence: String { "\(explanation), since \(SiteDates.minute(since))" }
}

struct PairHealthDTO: Content {
    var pair_id: UUID
    var mentee: PartnershipDTO.Side
    var mentor: PartnershipDTO.Side
    var status: PairStatus
    var flags: [HealthFlagDTO]
}

// MARK: Inputs

struct AgreementInput: Content {
    struct GoalInput: Content { var title: String; var kind: String; var success: String?; var topic: String? }
    struct RhythmInput: Content {
        var cadence: String
        var minutes: Int
        var first_meeting: String
        var time_zone: String
        var end_date: String?
        var channel: String
    }
    var goals: [GoalInput]
    var rhythm: RhythmInput
    var visibility: String?
    var pledge_accepted: Bool?

    var draft: AgreementDraft {
        AgreementDraft(goals: goals.map { .init(title: $0.title, kind: $0.kind, success: $0.success ?? "", topic: $0.topic) },
                       cadence: rhythm.cadence, minutes: rhythm.minutes, firstMeeting: rhythm.first_meeting, timeZone: rhythm.time_zone,
                       endDate: rhythm.end_date, channel: rhythm.channel, visibility: visibility, pledgeAccepted: pledge_accepted == true)
    }
}

struct AcceptInput: Content { var pledge_accepted: Bool? }
struct MeetingInput: Content { var occurrence: Date; var status: MeetingStatus; var moved_to: Date? }
struct CheckInInput: Content {
    var meeting: Date?
    var satisfaction: Int?
    var direction: String?
    var progress: [String: Int]?
    var listened: Int?
    var comment: String?
    var comment_visibility: String?
}
struct ClosingInput: Content { var overall_value: Int?; var would_again: Bool?; var changed: String?; var changed_visibility: String? }
struct TextInput: Content { var kind: TextKind; var body: String; var visibility: String?; var about: String? }
struct ActionInput: Content { var kind: String; var what: String; var due: String?; var visibility: String?; var insight_id: UUID? }
struct ActionChangeInput: Content { var status: String?; var outcome: String? }
struct EndInput: Content { var reason: String? }
struct ConcernInput: Content { var body: String }
struct CodeInput: Content { var code: String; var body: String? }
struct GuidanceInput: Content { var senior: String; var junior: String }

struct ConcernDTO: Content {
    struct MessageDTO: Content { var from: ConcernMessage.From; var body: String; var on: String }
    var id: UUID
    var raised_on: String
    var body: String
    var answered: Bool
    var messages: [MessageDTO]
    init(_ c: Concern, _ messages: [ConcernMessage]) {
        id = c.id
        raised_on = c.raisedOn.description
        body = c.body
        answered = c.answered
        self.messages = messages.map { MessageDTO(from: $0.from, body: $0.body, on: $0.on.description) }
    }
}

/// Actions that came from a mentor's input, per pair ("what my input led to").
struct ImpactDTO: Content {
    var pair_id: UUID
    var program_id: UUID
    var mentee: PartnershipDTO.Side
    var insights: [PairTextDTO]
    var actions: [ActionDTO]
}
