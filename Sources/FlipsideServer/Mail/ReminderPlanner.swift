import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// The hourly job that queues the reminders Core's `Reminders` finds due in the coming hour (meetings
/// tomorrow, check-ins due, flagged pairs), the notes of requests that lapsed unanswered, and on Monday
/// the coordinators' weekly digest. Each is queued under its key, so a second run (or a second worker)
/// queues nothing twice; each goes at its own time, and is asked again then (`NoticeReading`) so a
/// meeting moved or cancelled meanwhile gets no stale reminder.
enum ReminderPlanner {
    /// How far back and ahead one run looks: an hour ahead, and back over a run that was missed.
    static let lookBack: TimeInterval = 2 * 3_600
    static let lookAhead: TimeInterval = 3_600

    /// Makes sure this hour's run is asked for (once per hour however often asked, done or not).
    static func ensureScheduled(now: Date, on db: any Database) async throws {
        let hour = Int(now.timeIntervalSince1970 / 3_600)
        let key = "\(Outbox.Kind.planReminders.rawValue)@\(hour)"
        let sql = db as! any SQLDatabase
        guard try await sql.select().column("id").from(Outbox.table).where("dedupe_key", .equal, key).first() == nil else { return }
        try await Outbox.enqueue(.planReminders, dedupeKey: key, runAt: Date(timeIntervalSince1970: Double(hour) * 3_600), on: db)
    }

    static let handler: OutboxWorker.Handler = { _, db, now, _ in
        _ = try await plan(now: now, on: db)
    }

    /// Queues what falls due in `[now - lookBack, now + lookAhead)`; returns how many messages were new.
    static func plan(now: Date, on db: any Database) async throws -> Int {
        let from = now.addingTimeInterval(-lookBack), to = now.addingTimeInterval(lookAhead)
        let reads = PartnershipReads(db: db)
        var queued = 0
        let programs = try await ProgramModel.query(on: db).filter(\.$status == ProgramStatus.active.rawValue).all().map(\.program)
        for program in programs {
            try WorkDeadline.check()
            let pairs = try await MatchingReads(db: db).pairs(in: program.id)
            // Requests that lapsed unanswered: the mentee hears once (the same key as an answer's).
            var notices = pairs.filter { $0.status == .requested && ($0.expiresAt ?? .distantFuture) <= now }.flatMap { pair -> [Notice] in
                var lapsed = pair
                lapsed.status = .expired
                return Notices.requestSettled(lapsed, now: now)
            }
            let running = try await reads.forFigures(pairs.filter(\.status.isRunning), in: program, insights: false, allMeetings: true)
            let zones = try await timeZones(of: Array(Set(running.flatMap { [$0.pair.menteeID, $0.pair.mentorID] })), on: db)
            for p in running { notices += Reminders.due(for: p, zones: zones, from: from, to: to, now: now) }
            // The weekly digest, Monday 9:00 UTC.
            let digest = Reminders.digestTime(containing: now, in: TimeZone(identifier: "UTC")!)
            if digest.at >= from && digest.at < to {
                notices += Notices.digest(program.id, week: digest.ref, at: max(digest.at, now), now: now)
            }
            let planned = notices
            queued += try await db.writeTransaction { tx in try await Messages.queue(planned, on: tx) }
        }
        // The next hour's run.
        try await ensureScheduled(now: now.addingTimeInterval(3_600), on: db)
        return queued
    }

    /// People's time zones from their HR records (a zone that is not known is left out: UTC).
    static func timeZones(of ids: [String], on db: any Database) async throws -> [String: TimeZone] {
        struct Row: Decodable { var employee_id: String; var time_zone: String }
        var out: [String: TimeZone] = [:]
        let sql = db as! any SQLDatabase
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = Array(ids[start..<min(start + 500, ids.count)])
            for row in try await sql.select().columns("employee_id", "time_zone").from(PersonModel.schema).where("employee_id", .in, chunk)
                .all(decoding: Row.self) {
                out[row.employee_id] = TimeZone(identifier: row.time_zone)
            }
        }
        return out
    }
}
