import Fluent
import FlipsideCore
import Foundation
import SQLKit
import Vapor

/// The outbox's delivery job: renders each due message when it goes (so a sign-in link is made at the
/// last moment and a message about something that changed meanwhile is not sent), hands it to
/// `SMTP_URL`, or keeps it for the outgoing messages page when no relay is set. A 5xx reply ends the
/// message; a 4xx, a lost connection or settings that cannot work are tried again after
/// `Messages.backoff`, then given up. The log says which message went where, never what it said.
enum MessageDelivery {
    /// Messages taken (and marked `sending`) at a time; they go over one SMTP connection.
    static let batch = 50

    static func handler(app: Application) -> OutboxWorker.Handler {
        { _, db, _, _ in
            while true {
                try WorkDeadline.check()
                let due = try await Messages.take(limit: batch, now: app.clock.now, window: app.appConfig.messageSendingWindow, on: db)
                if due.isEmpty { break }
                try await deliver(due, app: app, db: db)
            }
            // The next run, when a message waits for its retry.
            if let next = try await Messages.nextDue(on: db) {
                let at = max(next, app.clock.now)
                try await Outbox.enqueue(.deliverMessages, dedupeKey: "\(Outbox.Kind.deliverMessages.rawValue)@\(Int(at.timeIntervalSince1970))", runAt: at, on: db)
            }
        }
    }

    /// A message ready to go: its subject (for the outgoing messages page), and the mail (`nil`: no relay, kept).
    struct Rendered {
        var subject: String
        var mail: MailMessage?
    }

    /// What one batch reads more than once (the two reminders of a pair read it once): partnerships,
    /// people, choices and unsubscribe tokens. Lives for one batch, so nothing in it goes stale.
    final class Reads {
        var partnerships: [UUID: Unredacted<Partnership>?] = [:]
        var people: [String: Person?] = [:]
        var channels: [String: [NoticeKind: NoticeChannel]] = [:]
        var tokens: [String: String] = [:]
        var programs: [UUID: Program?] = [:]
        var members: [UUID: [String]] = [:]
        init() {}

        func program(_ id: UUID, db: any Database) async throws -> Program? {
            if let known = programs[id] { return known }
            let program = try await ProgramModel.find(id, on: db)?.program
            programs[id] = program
            return program
        }

        func person(_ id: String, db: any Database) async throws -> Person? {
            if let known = people[id] { return known }
            let person = try await PeopleService(db: db).find(id)
            people[id] = person
            return person
        }

        func partnership(_ id: UUID, db: any Database) async throws -> Unredacted<Partnership>? {
            if let known = partnerships[id] { return known }
            let p = try await PartnershipReads(db: db).partnership(id)
            partnerships[id] = p
            return p
        }

        /// Reads the pairs of a batch's reminders at once, in the shape reminders need (agreements, every
        /// meeting log, check-ins; no words): a few queries for the batch instead of a dozen per pair.
        func prefetchReminders(_ rows: [Messages.Row], db: any Database) async throws {
            let reminderKinds: Set<String> = [NoticeKind.meetingReminder.rawValue, NoticeKind.checkInDue.rawValue, NoticeKind.pairFlagged.rawValue]
            let ids = Array(Set(rows.filter { reminderKinds.contains($0.kind) }.compactMap(\.pair_id)).subtracting(partnerships.keys))
            guard !ids.isEmpty else { return }
            let pairs = try await (db as! any SQLDatabase).select().column("*").from(MatchingTables.pairs).where("id", .in, ids)
                .all(decoding: PairRow.self).map(\.pair)
            for (programID, group) in Dictionary(grouping: pairs, by: \.programID) {
                guard let program = try await program(programID, db: db) else { continue }
                for p in try await PartnershipReads(db: db).forFigures(group, in: program, insights: false, allMeetings: true) {
                    partnerships[p.pair.id] = Unredacted(p)
                }
            }
        }

        func channel(_ kind: NoticeKind, of recipient: String?, db: any Database) async throws -> NoticeChannel {
            guard kind.optional, let recipient else { return .email }
            if channels[recipient] == nil { channels[recipient] = try await MessagePreferences.choices(of: recipient, on: db) }
            return channels[recipient]?[kind] ?? .email
        }

        func token(_ recipient: String, now: Date, db: any Database) async throws -> String {
            if let known = tokens[recipient] { return known }
            let token = try await MessagePreferences.token(for: recipient, now: now, on: db)
            tokens[recipient] = token
            return token
        }
    }

    /// One message (as the tests and a single retry do it).
    static func deliver(_ row: Messages.Row, app: Application, db: any Database) async throws {
        try await deliver([row], app: app, db: db)
    }

    /// A batch: each rendered when it goes (what no longer holds is withdrawn, no relay: kept), then
    /// handed over on one connection, each outcome recorded as soon as it is known.
    static func deliver(_ rows: [Messages.Row], app: Application, db: any Database) async throws {
        let now = app.clock.now
        let reads = Reads()
        try await reads.prefetchReminders(rows, db: db)
        var outgoing: [(row: Messages.Row, subject: String, mail: MailMessage)] = []
        for row in rows {
            let who = row.employee_id ?? "someone"
            if row.recipient?.hasPrefix("chat:") == true { try await post(row, app: app, db: db); continue }
            do {
                let rendered = try await render(row, app: app, db: db, now: now, reads: reads)
                guard let mail = rendered.mail else {
                    try await Messages.record(row.id, status: .kept, subject: rendered.subject, error: nil, nextAt: nil, now: now, on: db)
                    app.logger.info("Message \(row.kind) to \(who) kept: SMTP_URL is not set")
                    continue
                }
                outgoing.append((row, rendered.subject, mail))
            } catch let failure as SMTPFailure {
                try await failed(row, failure, app: app, db: db)
            } catch let gone as NoticeReading.Withdrawn {
                try await Messages.record(row.id, status: .withdrawn, subject: nil, error: gone.reason, nextAt: nil, now: now, on: db)
                app.logger.info("Message \(row.kind) to \(who) withdrawn: \(gone.reason)")
            } catch let deadline as WorkDeadline.Passed {
                throw deadline
            } catch {
                // Anything else (the database, say) is tried again like a lost connection. Only the error's
                // type is kept: a database error's text can quote the values it was given.
                try await retry(row, reason: "could not be prepared (\(type(of: error)))", app: app, db: db)
            }
        }
        guard let smtp = app.appConfig.smtp, !outgoing.isEmpty else { return }
        try await SMTPClient(settings: smtp, group: app.eventLoopGroup).sendAll(outgoing.map(\.mail)) { i, result in
            let (row, subject, _) = outgoing[i]
            switch result {
            case .success:
                try await Messages.record(row.id, status: .sent, subject: subject, error: nil, nextAt: nil, now: app.clock.now, on: db)
                app.logger.info("Message \(row.kind) to \(row.employee_id ?? "someone") sent")
            case let .failure(failure):
                try await failed(row, failure, app: app, db: db)
            }
        }
    }

    /// A relay's refusal: final on a 5xx, tried again otherwise.
    static func failed(_ row: Messages.Row, _ failure: SMTPFailure, app: Application, db: any Database) async throws {
        if failure.kind == .permanent {
            try await Messages.record(row.id, status: .failed, subject: nil, error: failure.description, nextAt: nil, now: app.clock.now, on: db)
            app.logger.warning("Message \(row.kind) to \(row.employee_id ?? "someone") refused for good: \(failure)")
        } else {
            try await retry(row, reason: failure.description, app: app, db: db)
        }
    }

    /// A message to a program's chat channel: rendered like a mail (the same words), posted to its webhook.
    static func post(_ row: Messages.Row, app: Application, db: any Database) async throws {
        let now = app.clock.now
        do {
            guard let programID = row.program_id, let program = try await ProgramModel.find(programID, on: db)?.program else {
                throw NoticeReading.Withdrawn(reason: "the program is gone")
            }
            guard let url = try await ChatWebhooks.url(of: programID, on: db) else { throw NoticeReading.Withdrawn(reason: "the program has no chat webhook now") }
            let content: NoticeContent
            switch NoticeKind(rawValue: row.kind) {
            case .digest?: content = try NoticeReading.digest(program: program, counts: try await digestCounts(programID, now: now, db: db), week: row.ref ?? "").get()
            case .announcement?: content = try NoticeReading.announcement(program: program, ref: row.ref).get()
            default: throw NoticeReading.Withdrawn(reason: "\(row.kind) does not go to a chat channel")
            }
            let link = content.action.flatMap { action in app.appConfig.linkBase.map { $0 + path(action.target) } }
            try await ChatWebhooks.post(ChatWebhook.body(content, link: link), to: url, reach: app.appConfig.webhookReach,
                                    timeout: app.appConfig.webhookTimeout, group: app.eventLoopGroup)
            try await Messages.record(row.id, status: .sent, subject: content.subject, error: nil, nextAt: nil, now: app.clock.now, on: db)
            app.logger.info("Message \(row.kind) to program \(programID) chat sent")
        } catch let gone as NoticeReading.Withdrawn {
            try await Messages.record(row.id, status: .withdrawn, subject: nil, error: gone.reason, nextAt: nil, now: now, on: db)
        } catch let failure as ChatWebhooks.Failure where failure.permanent {
            try await Messages.record(row.id, status: .failed, subject: nil, error: failure.description, nextAt: nil, now: now, on: db)
            app.logger.warning("Message \(row.kind) to a program's chat refused for good: \(failure)")
        } catch let failure as ChatWebhooks.Failure {
            try await retry(row, reason: failure.description, app: app, db: db)
        }
    }

    static func retry(_ row: Messages.Row, reason: String, app: Application, db: any Database) async throws {
        let now = app.clock.now
        let who = row.employee_id ?? "someone"
        guard row.attempts <= Messages.backoff.count else {
            try await Messages.record(row.id, status: .failed, subject: nil, error: "given up after \(row.attempts) attempts: \(reason)", nextAt: nil, now: now, on: db)
            app.logger.warning("Message \(row.kind) to \(who) given up after \(row.attempts) attempts: \(reason)")
            return
        }
        let next = now.addingTimeInterval(Messages.backoff[row.attempts - 1])
        try await Messages.record(row.id, status: .queued, subject: nil, error: reason, nextAt: next, now: now, on: db)
        app.logger.notice("Message \(row.kind) to \(who) not sent now (\(reason)); next attempt at \(SiteDates.minute(next))")
    }

    static func render(_ row: Messages.Row, app: Application, db: any Database, now: Date, reads: Reads = Reads()) async throws -> Rendered {
        guard let kind = NoticeKind(rawValue: row.kind) else { throw NoticeReading.Withdrawn(reason: "unknown kind \(row.kind)") }
        switch try await reads.channel(kind, of: row.recipient, db: db) {
        case .none: throw NoticeReading.Withdrawn(reason: "switched off by its recipient")
        case .chat: throw NoticeReading.Withdrawn(reason: "its recipient reads it in the program's chat channel")
        case .email: break
        }
        var person: Person?
        if let employeeID = row.employee_id {
            person = try await reads.person(employeeID, db: db)
            guard person?.status.keepsAccess == true else { throw NoticeReading.Withdrawn(reason: "the person has left the organisation") }
        }
        // An ask between colleagues may name no program; everything else is about one.
        let program = try await row.program_id.asyncMap { try await reads.program($0, db: db) } ?? nil
        if row.program_id != nil && program == nil { throw NoticeReading.Withdrawn(reason: "the program is gone") }
        let content: NoticeContent
        if kind == .teachingAsk || kind == .teachingAnswer {
            guard let id = row.ref.flatMap(UUID.init(uuidString:)), let ask = try await AskRows.one(id, on: db), let recipient = row.employee_id else {
                throw NoticeReading.Withdrawn(reason: "the ask is gone")
            }
            var names: [String: String] = [:]
            for id in [ask.fromID, ask.toID] { names[id] = try await reads.person(id, db: db)?.name }
            content = try NoticeReading.ask(kind, ask, recipient: recipient, names: names, programName: program?.name).get()
            return try await mail(content, row: row, kind: kind, person: person, footer: program?.name, app: app, db: db, now: now, reads: reads)
        }
        guard let program, let programID = row.program_id else { throw NoticeReading.Withdrawn(reason: "the program is gone") }
        if kind == .invitation {
            return try await invitation(row, person: person, program: program, app: app, db: db, now: now)
        }
        switch kind {
        case .digest:
            let week = row.ref ?? ""
            content = try NoticeReading.digest(program: program, counts: try await digestCounts(programID, now: now, db: db), week: week).get()
        case .announcement:
            throw NoticeReading.Withdrawn(reason: "announcements go to a program's chat channel only")
        case .concernWaiting:
            content = try NoticeReading.concernWaiting(program: program, waiting: try await concernsWaiting(programID, db: db)).get()
        default:
            guard let pairID = row.pair_id, let recipient = row.employee_id,
                  let sealed = try await reads.partnership(pairID, db: db) else { throw NoticeReading.Withdrawn(reason: "the pair is gone") }
            var names: [String: String] = [:]
            for id in try await members(of: pairID, reads: reads, db: db) { names[id] = try await reads.person(id, db: db)?.name }
            let zone = person.flatMap { TimeZone(identifier: $0.timeZone) } ?? TimeZone(identifier: "UTC")!
            content = try NoticeReading.participant(kind, ref: row.ref, recipient: recipient, partnership: sealed, names: names, zone: zone, now: now).get()
        }
        return try await mail(content, row: row, kind: kind, person: person, footer: program.name, app: app, db: db, now: now, reads: reads)
    }

    /// The content as a mail to the row's address (kept when no SMTP server is set).
    static func mail(_ content: NoticeContent, row: Messages.Row, kind: NoticeKind, person: Person?, footer: String?, app: Application,
                     db: any Database, now: Date, reads: Reads) async throws -> Rendered {
        guard let smtp = app.appConfig.smtp else { return Rendered(subject: content.subject, mail: nil) }
        guard let base = app.appConfig.linkBase else {
            throw SMTPFailure(kind: .configuration, step: "render", code: nil, reason: "BASE_URL is not set, so there is no link to send")
        }
        let unsubscribe: String? = try await {
            guard kind.optional, let recipient = row.recipient else { return nil }
            return base + SiteURL.unsubscribe(token: try await reads.token(recipient, now: now, db: db), kind: kind.rawValue).path
        }()
        var mail = compose(content, to: MailAddress(row.email, name: person?.name), footer: footer, base: base, unsubscribe: unsubscribe,
                           kind: kind, smtp: smtp, id: row.id, now: now)
        if let part = content.calendar {
            var attendees: [(name: String, email: String)] = []
            if let pairID = row.pair_id {
                for id in try await members(of: pairID, reads: reads, db: db) {
                    if let p = try await reads.person(id, db: db), MailAddress.plausible(p.email) { attendees.append((p.name, p.email)) }
                }
            }
            mail.calendar = (part.method.rawValue, ICalendar.itip(part, organizer: ("Flipside", smtp.from.address), attendees: attendees))
        }
        return Rendered(subject: content.subject, mail: mail)
    }

    /// The pair's two people, from the batch's reads when it has the pair (members are the pair's, not words).
    static func members(of pairID: UUID, reads: Reads, db: any Database) async throws -> [String] {
        if let known = reads.members[pairID] { return known }
        let ids = try await PartnershipReads(db: db).members(of: pairID)
        reads.members[pairID] = ids
        return ids
    }

    /// The mail around a message's content: the greeting, its sentences, one link to where the person
    /// acts, the program's name, and (for what can be switched off) the one-click unsubscribe headers
    /// (RFC 8058) and link. Plain text and HTML say the same.
    static func compose(_ content: NoticeContent, to: MailAddress, footer: String?, base: String, unsubscribe: String?,
                        kind: NoticeKind, smtp: SMTPSettings, id: UUID, now: Date, actionURL: String? = nil) -> MailMessage {
        let link = content.action.map { ($0.label, actionURL ?? base + path($0.target)) }
        let manage = base + SiteURL.messagePreferences.path
        var text = content.greeting.map { "Hello \($0),\n\n" } ?? "Hello,\n\n"
        text += content.paragraphs.joined(separator: "\n\n")
        if let (label, url) = link { text += "\n\n\(label): \(url)" }
        text += "\n\n-- \nFlipside" + (footer.map { ", \($0)" } ?? "") + "\n"
        if let unsubscribe { text += "You get this because of \"\(kind.label)\" in your settings. Stop these: \(unsubscribe)\nAll your choices: \(manage)\n" }
        var html = "<p>" + Charts.escape(content.greeting.map { "Hello \($0)," } ?? "Hello,") + "</p>\n"
        html += content.paragraphs.map { "<p>\(Charts.escape($0))</p>" }.joined(separator: "\n")
        if let (label, url) = link { html += "\n<p><a href=\"\(Charts.escape(url))\">\(Charts.escape(label))</a></p>" }
        html += "\n<hr>\n<p style=\"color:#444;font-size:90%\">Flipside" + (footer.map { ", \(Charts.escape($0))" } ?? "")
        if let unsubscribe {
            html += "<br>You get this because of “\(Charts.escape(kind.label))” in your settings. <a href=\"\(Charts.escape(unsubscribe))\">Stop these</a> · "
                + "<a href=\"\(Charts.escape(manage))\">All your choices</a>"
        }
        html += "</p>"
        var mail = MailMessage(from: smtp.from, to: [to], subject: content.subject, text: text, html: html,
                               messageID: "\(id.uuidString.lowercased())@\(smtp.heloName)", date: now)
        if let unsubscribe {
            mail.headers += [("List-Unsubscribe", "<\(unsubscribe)>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
        }
        mail.headers.append(("Auto-Submitted", "auto-generated"))
        return mail
    }

    static func path(_ target: NoticeTarget) -> String {
        switch target {
        case let .pair(id): return SiteURL.pair(id).path
        case let .program(id): return SiteURL.program(id).path
        case let .chooseMentor(id): return SiteURL.chooseMentor(id).path
        case .impact: return SiteURL.impact.path
        case let .concerns(id): return SiteURL.concerns(id).path
        case let .health(id): return SiteURL.health(id).path
        case let .ask(id): return SiteURL.ask(id).path
        case .whoCouldTeach: return SiteURL.whoCouldTeach.path
        }
    }

    /// The sign-in invitation: a link made now, good once.
    static func invitation(_ row: Messages.Row, person: Person?, program: Program, app: Application, db: any Database, now: Date) async throws -> Rendered {
        guard let person, let employeeID = row.employee_id else { throw NoticeReading.Withdrawn(reason: "the person is gone") }
        let subject = "You are invited to \(program.name)"
        guard let smtp = app.appConfig.smtp else { return Rendered(subject: subject, mail: nil) }
        guard let base = app.appConfig.linkBase else {
            throw SMTPFailure(kind: .configuration, step: "render", code: nil, reason: "BASE_URL is not set, so there is no link to send")
        }
        let content: NoticeContent
        let url: String
        if let openID = app.appConfig.openID, openID.only {
            // Company sign-in only: no password to set, so no one-time link either — the provider's button.
            url = base + "/auth/oidc?next=" + (SiteURL.program(program.id).path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            content = NoticeContent(subject: subject, greeting: person.name, paragraphs: [
                "You are enrolled in \(program.name), a reverse-mentoring program. Sign in with \(openID.providerName) with the link below.",
                "If you did not expect this message, you can ignore it.",
            ], action: ("Sign in with \(openID.providerName)", .program(program.id)))
        } else {
            let store = FluentSignInLinkStore(db: db, accounts: AccountService(app: app, db: db))
            let (token, expires) = try await SignInLinks.issue(for: employeeID, actor: .system, now: now, store: store)
            url = base + SiteURL.invitation(token: token).path
            content = NoticeContent(subject: subject, greeting: person.name, paragraphs: [
                "You are enrolled in \(program.name), a reverse-mentoring program. Set your password and sign in with the link below (it works once, until \(SiteDates.minute(expires))).",
                "If you did not expect this message, you can ignore it.",
            ], action: ("Set your password and sign in", .program(program.id)))
        }
        // The link is the invitation's own, not a page's.
        let mail = compose(content, to: MailAddress(row.email, name: person.name), footer: program.name, base: base, unsubscribe: nil,
                           kind: .invitation, smtp: smtp, id: row.id, now: now, actionURL: url)
        return Rendered(subject: subject, mail: mail)
    }

    /// A program's week for its digest: pairs flagged now, proposals declined and agreements waiting
    /// over 7 days in the last week, concerns waiting for a reply.
    static func digestCounts(_ programID: UUID, now: Date, db: any Database) async throws -> NoticeReading.DigestCounts {
        let sql = db as! any SQLDatabase
        let weekAgo = now.addingTimeInterval(-7 * 86_400)
        let flags = try await PartnershipReads(db: db).forHealth(in: programID)
        let flagged = try PartnershipReading.health(flags, actor: .system, now: now).filter { h in h.flags.contains { $0.since >= weekAgo } }.count
        struct N: Decodable { var n: Int }
        let declined = try await sql.raw("""
            SELECT COUNT(*) AS n FROM \(ident: MatchingTables.events) e JOIN \(ident: MatchingTables.pairs) p ON p.id = e.pair_id
            WHERE p.program_id = \(bind: programID) AND p.source = \(bind: PairSource.run.rawValue) AND e.status = \(bind: PairStatus.declined.rawValue)
              AND e.at >= \(bind: weekAgo.timeIntervalSince1970)
            """).first(decoding: N.self)?.n ?? 0
        let waiting = try await sql.raw("""
            SELECT COUNT(DISTINCT a.pair_id) AS n FROM \(ident: PartnershipTables.agreements) a JOIN \(ident: MatchingTables.pairs) p ON p.id = a.pair_id
            WHERE p.program_id = \(bind: programID) AND p.status IN (\(binds: [PairStatus.accepted.rawValue, PairStatus.active.rawValue]))
              AND (a.mentee_accepted_at IS NULL OR a.mentor_accepted_at IS NULL) AND a.created_at <= \(bind: weekAgo.timeIntervalSince1970)
              AND a.number = (SELECT MAX(b.number) FROM \(ident: PartnershipTables.agreements) b WHERE b.pair_id = a.pair_id)
            """).first(decoding: N.self)?.n ?? 0
        return NoticeReading.DigestCounts(newFlags: flagged, declinedProposals: declined, agreementsWaiting: waiting,
                                          concernsWaiting: try await concernsWaiting(programID, db: db))
    }

    static func concernsWaiting(_ programID: UUID, db: any Database) async throws -> Int {
        try await (db as! any SQLDatabase).select().column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n").from(PartnershipTables.concerns)
            .where("program_id", .equal, programID).where("answered", .equal, false).first()?.decode(column: "n", as: Int.self) ?? 0
    }
}

extension Optional {
    /// The wrapped value transformed by an async function.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
