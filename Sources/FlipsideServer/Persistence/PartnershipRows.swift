import Fluent
import FlipsideCore
import Foundation
import SQLKit

// The partnership tables' rows as SQLKit reads and writes them, each turning into its Core value.

struct AgreementRow: Codable, Sendable {
    var id: UUID
    var pair_id: UUID
    var number: Int
    var author_id: String
    var goals: String
    var rhythm: String
    var visibility: String
    var end_date: String?
    var created_at: Double
    var mentee_accepted_at: Double?
    var mentor_accepted_at: Double?

    init(_ v: AgreementVersion) throws {
        id = v.id
        pair_id = v.pairID
        number = v.number
        author_id = v.authorID
        goals = try StoredJSON.encode(v.goals)
        rhythm = try StoredJSON.encode(v.rhythm)
        visibility = v.visibility.rawValue
        end_date = v.rhythm.endDate?.description
        created_at = v.createdAt.timeIntervalSince1970
        mentee_accepted_at = v.menteeAcceptedAt?.timeIntervalSince1970
        mentor_accepted_at = v.mentorAcceptedAt?.timeIntervalSince1970
    }

    func version() throws -> AgreementVersion {
        AgreementVersion(id: id, pairID: pair_id, number: number, authorID: author_id, goals: try StoredJSON.decode([Goal].self, goals),
                         rhythm: try StoredJSON.decode(Rhythm.self, rhythm), visibility: TextVisibility(rawValue: visibility) ?? .onlyMe,
                         createdAt: Date(timeIntervalSince1970: created_at), menteeAcceptedAt: mentee_accepted_at.map(Date.init(timeIntervalSince1970:)),
                         mentorAcceptedAt: mentor_accepted_at.map(Date.init(timeIntervalSince1970:)))
    }
}

struct MeetingRow: Codable, Sendable {
    var id: UUID
    var pair_id: UUID
    var occurrence: Double
    var status: String
    var moved_to: Double?
    var logged_by: String
    var logged_at: Double

    init(_ m: MeetingLog) {
        id = UUID()
        pair_id = m.pairID
        occurrence = m.occurrence.timeIntervalSince1970
        status = m.status.rawValue
        moved_to = m.movedTo?.timeIntervalSince1970
        logged_by = m.loggedBy
        logged_at = m.loggedAt.timeIntervalSince1970
    }

    var log: MeetingLog {
        MeetingLog(pairID: pair_id, occurrence: Date(timeIntervalSince1970: occurrence), status: MeetingStatus(rawValue: status) ?? .held,
                   movedTo: moved_to.map(Date.init(timeIntervalSince1970:)), loggedBy: logged_by, loggedAt: Date(timeIntervalSince1970: logged_at))
    }
}

struct CheckInRow: Codable, Sendable {
    var id: UUID
    var pair_id: UUID
    var author_id: String
    var side: String
    var kind: String
    var at: Double
    var meeting: Double?
    var period: Int
    var slot: String
    var satisfaction: Int?
    var direction: String?
    var progress: String
    var listened: Int?
    var overall_value: Int?
    var would_again: Bool?

    init(_ c: CheckIn) throws {
        id = c.id
        pair_id = c.pairID
        author_id = c.authorID
        side = c.side.rawValue
        kind = c.kind.rawValue
        at = c.at.timeIntervalSince1970
        meeting = c.meeting?.timeIntervalSince1970
        period = c.period
        slot = c.slot
        satisfaction = c.satisfaction
        direction = c.direction?.rawValue
        progress = try StoredJSON.encode(Dictionary(uniqueKeysWithValues: c.progress.map { ($0.key.uuidString.lowercased(), $0.value) }))
        listened = c.listened
        overall_value = c.overallValue
        would_again = c.wouldAgain
    }

    func checkIn() throws -> CheckIn {
        let raw = try StoredJSON.decode([String: Int].self, progress)
        return CheckIn(id: id, pairID: pair_id, authorID: author_id, side: EnrolmentRole(rawValue: side) ?? .mentee, kind: CheckInKind(rawValue: kind) ?? .regular,
                       at: Date(timeIntervalSince1970: at), meeting: meeting.map(Date.init(timeIntervalSince1970:)), period: period,
                       satisfaction: satisfaction, direction: direction.flatMap(Direction.init(rawValue:)),
                       progress: Dictionary(uniqueKeysWithValues: raw.compactMap { k, v in UUID(uuidString: k).map { ($0, v) } }),
                       listened: listened, overallValue: overall_value, wouldAgain: would_again)
    }
}

struct PairTextRow: Codable, Sendable {
    var id: UUID
    var pair_id: UUID
    var kind: String
    var author_id: String
    var visibility: String
    var body: String
    var created_at: Double
    var about: String?

    init(_ t: PairText) {
        id = t.id
        pair_id = t.pairID
        kind = t.kind.rawValue
        author_id = t.authorID
        visibility = t.visibility.rawValue
        body = t.body
        created_at = t.createdAt.timeIntervalSince1970
        about = t.about?.description
    }

    /// An unknown visibility reads as `only_me`: when in doubt, nobody else reads it.
    var text: PairText {
        PairText(id: id, pairID: pair_id, kind: TextKind(rawValue: kind) ?? .note, authorID: author_id,
                 visibility: TextVisibility(rawValue: visibility) ?? .onlyMe, body: body, createdAt: Date(timeIntervalSince1970: created_at),
                 about: about.flatMap(TextSubject.init))
    }
}

struct ActionRow: Codable, Sendable {
    var id: UUID
    var pair_id: UUID
    var author_id: String
    var insight_id: UUID?
    var kind: String
    var due: String?
    var status: String
    var visibility: String
    var created_at: Double
    var updated_at: Double
    var done_at: Double?

    init(_ a: ActionItem) {
        id = a.id
        pair_id = a.pairID
        author_id = a.authorID
        insight_id = a.insightID
        kind = a.kind.rawValue
        due = a.due?.description
        status = a.status.rawValue
        visibility = a.visibility.rawValue
        created_at = a.createdAt.timeIntervalSince1970
        updated_at = a.updatedAt.timeIntervalSince1970
        done_at = a.doneAt?.timeIntervalSince1970
    }

    var action: ActionItem {
        ActionItem(id: id, pairID: pair_id, authorID: author_id, insightID: insight_id, kind: ActionKind(rawValue: kind) ?? .other,
                   due: due.flatMap(CalendarDate.init(iso:)), status: ActionStatus(rawValue: status) ?? .planned,
                   visibility: TextVisibility(rawValue: visibility) ?? .onlyMe, createdAt: Date(timeIntervalSince1970: created_at),
                   updatedAt: Date(timeIntervalSince1970: updated_at), doneAt: done_at.map(Date.init(timeIntervalSince1970:)))
    }
}
