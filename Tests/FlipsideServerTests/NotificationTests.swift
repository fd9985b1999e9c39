import Fluent
import FlipsideCore
@testable import FlipsideServer
import Foundation
import Testing
import VaporTesting

/// Messages that follow a program through: queued with the change that causes them (and once), reminders
/// planned for 9:00 in each person's zone, nothing stale sent (a cancelled meeting, a choice switched off),
/// one-click unsubscribe, coordinators' notes and digest — on SQLite and PostgreSQL. Real SMTP and the
/// calendar parts: `scripts/mail-check.sh`.
@Suite(.serialized) struct NotificationTests {
    typealias P = PartnershipTests

    static func rows(_ world: TestWorld) async throws -> [Messages.Row] {
        try await Messages.newest(limit: 500, on: world.app.db).sorted { ($0.created_at, $0.dedupe_key) < ($1.created_at, $1.dedupe_key) }
    }

    static func row(_ rows: [Messages.Row], _ kind: NoticeKind, _ recipient: String) -> [Messages.Row] {
        rows.filter { $0.kind == kind.rawValue && $0.recipient == recipient }
    }

    @Test func aProgramsMessagesFollowWhatHappens() async throws {
        try await TestWorld.run { world in
            let p = try await P.acceptedPair(world)
            let pair = "/api/v1/pairs/\(p.id)"
            var rows = try await Self.rows(world)
            // Published as proposals: each side was asked to answer, once.
            #expect(Self.row(rows, .proposal, "M1").count == 1 && Self.row(rows, .proposal, "J2").count == 1)
            // Kai drafts: Milo is asked to accept; Milo accepts: both get the calendar invitation.
            #expect(try await P.call(world, .POST, "\(pair)/agreements", token: p.kai, json: P.agreement()).status == .created)
            #expect(try await P.call(world, .POST, "\(pair)/agreements/1/accept", token: p.milo, json: #"{"pledge_accepted":true}"#).status == .ok)
            rows = try await Self.rows(world)
            #expect(Self.row(rows, .agreement, "M1").map(\.ref) == ["v1"] && Self.row(rows, .agreement, "J2").isEmpty)
            #expect(Self.row(rows, .calendar, "M1").map(\.ref) == ["s1"] && Self.row(rows, .calendar, "J2").map(\.ref) == ["s1"])
            // Delivered now (no relay: kept): what was answered meanwhile is withdrawn, not sent.
            try await OutboxWorker(app: world.app).drain()
            rows = try await Self.rows(world)
            #expect(Self.row(rows, .proposal, "M1").first?.status == "withdrawn" && Self.row(rows, .agreement, "M1").first?.status == "withdrawn")
            let calendar = try #require(Self.row(rows, .calendar, "M1").first)
            #expect(calendar.status == "kept" && calendar.subject == "Meetings with Kai Newcomer: weekly, 60 minutes", "\(calendar)")

            // The first meeting is Thursday 3 December, 10:00 in Berlin (09:00 UTC). Milo is in Berlin, Kai
            // in Lisbon: their reminders are due at 9:00 their time the day before (08:00 and 09:00 UTC).
            world.clock.set(P.date("2026-12-02T07:30:00Z"))
            #expect(try await ReminderPlanner.plan(now: world.clock.now, on: world.app.db) == 1)
            world.clock.set(P.date("2026-12-02T08:30:00Z"))
            #expect(try await ReminderPlanner.plan(now: world.clock.now, on: world.app.db) == 1)
            #expect(try await ReminderPlanner.plan(now: world.clock.now, on: world.app.db) == 0, "planning again queues nothing twice")
            rows = try await Self.rows(world)
            #expect(Self.row(rows, .meetingReminder, "M1").map(\.next_at) == [P.date("2026-12-02T08:00:00Z").timeIntervalSince1970])
            #expect(Self.row(rows, .meetingReminder, "J2").map(\.next_at) == [P.date("2026-12-02T09:00:00Z").timeIntervalSince1970])
            // Milo's went at 08:00 (kept); then the meeting is cancelled: Kai's is withdrawn, and both get the cancellation.
            world.clock.set(P.date("2026-12-02T08:31:00Z"))
            try await OutboxWorker(app: world.app).drain()
            #expect(try await P.call(world, .POST, "\(pair)/meetings", token: p.milo, json: #"{"occurrence":"2026-12-03T09:00:00Z","status":"cancelled"}"#).status == .created)
            world.clock.set(P.date("2026-12-02T09:00:00Z"))
            try await OutboxWorker(app: world.app).drain()
            rows = try await Self.rows(world)
            #expect(Self.row(rows, .meetingReminder, "M1").first?.status == "kept")
            #expect(Self.row(rows, .meetingReminder, "J2").first.map { ($0.status, $0.last_error) } ?? ("", nil) == ("withdrawn", "no longer due"))
            let cancelled = Self.row(rows, .calendar, "J2").filter { $0.ref?.contains("-c") == true }
            #expect(cancelled.count == 1 && cancelled.first?.status == "kept" && cancelled.first?.subject?.hasPrefix("Cancelled: your meeting with Milo Manager on Thursday 3 December 2026, 09:00 (Europe/Lisbon)") == true,
                    "\(cancelled)")

            // Milo switches meeting reminders off (API); his next one is withdrawn, Kai's goes.
            let (set, setBody) = try await P.call(world, .PUT, "/api/v1/me/message-preferences", token: p.milo, json: #"{"meeting_reminder":"none"}"#)
            let chosen = ((try json(setBody) as? [String: Any])?["preferences"] as? [[String: Any]])?.first { $0["kind"] as? String == "meeting_reminder" }
            #expect(set == .ok && chosen?["channel"] as? String == "none" && chosen?["label"] as? String == "A meeting tomorrow", "\(setBody)")
            #expect(try await P.call(world, .PUT, "/api/v1/me/message-preferences", token: p.milo, json: #"{"invitation":"none"}"#).status == .unprocessableEntity)
            world.clock.set(P.date("2026-12-09T08:30:00Z"))
            #expect(try await ReminderPlanner.plan(now: world.clock.now, on: world.app.db) == 2)
            world.clock.set(P.date("2026-12-09T09:00:00Z"))
            try await OutboxWorker(app: world.app).drain()
            rows = try await Self.rows(world)
            #expect(Self.row(rows, .meetingReminder, "M1").last.map { ($0.status, $0.last_error) } ?? ("", nil) == ("withdrawn", "switched off by its recipient"))
            #expect(Self.row(rows, .meetingReminder, "J2").last?.status == "kept")

            // One-click unsubscribe: a GET only asks; the POST switches the kind off, without signing in.
            let token = try await MessagePreferences.token(for: "J2", now: world.clock.now, on: world.app.db)
            let anonymous = WebClient(app: world.app)
            let ask = try await anonymous.get("/unsubscribe/\(token)/check_in_due")
            #expect(ask.status == .ok && ask.body.string.contains("Stop getting “A check-in due” messages"))
            #expect(try await MessagePreferences.choices(of: "J2", on: world.app.db)[.checkInDue] == nil)
            let done = try await anonymous.post("/unsubscribe/\(token)/check_in_due", form: ["List-Unsubscribe": "One-Click"], csrf: false)
            #expect(done.status == .ok && done.body.string.contains("You will no longer get"))
            #expect(try await MessagePreferences.choices(of: "J2", on: world.app.db)[.checkInDue] == NoticeChannel.none)
            #expect(try await anonymous.post("/unsubscribe/\(token)/invitation", form: [:], csrf: false).status == .notFound)
            #expect(try await anonymous.post("/unsubscribe/\(String(repeating: "x", count: 43))/check_in_due", form: [:], csrf: false).status == .notFound)

            // Concerns: the coordinators hear at the next full hour, once however many came in that hour.
            world.clock.set(P.date("2026-12-09T10:17:00Z"))
            for body in ["The sessions run over into my lunch break", "Another worry"] {
                #expect(try await P.call(world, .POST, "/api/v1/programs/\(p.program)/concerns", token: p.milo, json: #"{"body":"\#(body)"}"#).status == .created)
                world.clock.set(P.date("2026-12-09T10:40:00Z"))
            }
            rows = try await Self.rows(world)
            let notes = rows.filter { $0.kind == NoticeKind.concernWaiting.rawValue }
            #expect(notes.count == 1 && notes.first?.email == "coord@example.com", "\(notes)")
            #expect(notes.first.map { ($0.next_at, $0.created_at) }.map { $0 == (P.date("2026-12-09T11:00:00Z").timeIntervalSince1970, P.date("2026-12-09T11:00:00Z").timeIntervalSince1970) } == true,
                    "neither when it was queued nor when it goes tells the minute")
            world.clock.set(P.date("2026-12-09T11:00:00Z"))
            try await OutboxWorker(app: world.app).drain()
            #expect(try await Self.rows(world).first { $0.kind == NoticeKind.concernWaiting.rawValue }?.subject == "Pilot: an anonymous concern is waiting")

            // Monday's digest for the coordinators: counts only.
            world.clock.set(P.date("2026-12-14T08:30:00Z"))
            _ = try await ReminderPlanner.plan(now: world.clock.now, on: world.app.db)
            world.clock.set(P.date("2026-12-14T09:00:00Z"))
            try await OutboxWorker(app: world.app).drain()
            let digest = try #require(try await Self.rows(world).first { $0.kind == NoticeKind.digest.rawValue })
            #expect(digest.ref == "2026-W51" && digest.status == "kept" && digest.subject == "Pilot: your week in Flipside", "\(digest)")

            // The program closes: both are asked for the closing check-in.
            #expect(try await world.api(.POST, "/api/v1/programs/\(p.program)/status", as: .coordinator, json: #"{"status":"closed"}"#).status == .ok)
            rows = try await Self.rows(world)
            #expect(Self.row(rows, .programClosing, "M1").count == 1 && Self.row(rows, .programClosing, "J2").count == 1)
            // The outgoing messages page shows them all, without a word anyone wrote.
            let page = try await WebClient.signedIn(world, as: "coord@example.com").get("/messages").body.string
            #expect(page.contains("meeting_reminder") && page.contains("withdrawn") && !page.contains("lunch break"))
        }
    }

    /// Every message rendered with a relay set: both parts, the link, the unsubscribe headers, the
    /// calendar part — and never a word either of the two wrote (goals, notes, concerns).
    @Test func renderedMessagesHoldNoWordsAndCarryTheirLinks() async throws {
        try await TestWorld.run(adjust: { config in
            config.baseURL = "https://flipside.example.com"
            config.smtp = try? SMTPSettings.from(url: "smtp://127.0.0.1:2525", from: "Flipside <flipside@example.com>", caFile: nil, timeout: nil, heloName: "flipside.example.com")
        }) { world in
            let p = try await P.acceptedPair(world)
            let pair = "/api/v1/pairs/\(p.id)"
            #expect(try await P.call(world, .POST, "\(pair)/agreements", token: p.kai, json: P.agreement()).status == .created)
            #expect(try await P.call(world, .POST, "\(pair)/agreements/1/accept", token: p.milo, json: #"{"pledge_accepted":true}"#).status == .ok)
            #expect(try await P.call(world, .POST, "\(pair)/texts", token: p.kai, json: #"{"kind":"feedback","body":"You interrupt junior people","visibility":"our_pair"}"#).status == .created)
            world.clock.set(P.date("2026-12-02T08:30:00Z"))
            _ = try await ReminderPlanner.plan(now: world.clock.now, on: world.app.db)
            #expect(try await P.call(world, .POST, "/api/v1/programs/\(p.program)/concerns", token: p.milo, json: #"{"body":"Sessions run into lunch"}"#).status == .created)
            let words = ["Figma for our product reviews", "I run one review", "interrupt junior", "run into lunch"]
            var kinds = Set<String>()
            for row in try await Self.rows(world) {
                let rendered: MessageDelivery.Rendered
                do {
                    rendered = try await MessageDelivery.render(row, app: world.app, db: world.app.db, now: P.date("2026-12-02T08:40:00Z"))
                } catch is NoticeReading.Withdrawn { continue }
                guard let mail = rendered.mail else { Issue.record("no mail for \(row.kind)"); continue }
                kinds.insert(row.kind)
                let text = mail.rendered()
                for w in words { #expect(!text.contains(w) && !mail.text.contains(w) && !(mail.html ?? "").contains(w), "\(row.kind) holds “\(w)”") }
                #expect(mail.text.contains("https://flipside.example.com/"), "\(row.kind): a link")
                let optional = NoticeKind(rawValue: row.kind)?.optional == true
                #expect(mail.headers.contains { $0.name == "List-Unsubscribe-Post" && $0.value == "List-Unsubscribe=One-Click" } == optional, "\(row.kind)")
                if row.kind == NoticeKind.calendar.rawValue {
                    let ics = try #require(mail.calendar?.ics)
                    let lines = Set(ics.components(separatedBy: "\r\n"))
                    for line in ["METHOD:REQUEST", "UID:pair-\(p.id.lowercased())@flipside", "SEQUENCE:1", "ORGANIZER;CN=\"Flipside\":mailto:flipside@example.com"] {
                        #expect(lines.contains(line), "\(line) in \(ics)")
                    }
                    #expect(ics.contains("mailto:kai@example.com"))
                }
            }
            #expect(kinds.isSuperset(of: ["calendar", "meeting_reminder", "concern_waiting"]), "\(kinds)")
        }
    }
}
