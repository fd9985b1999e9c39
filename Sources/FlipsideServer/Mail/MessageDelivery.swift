import Fluent
import FlipsideCore
import Foundation
import Vapor

/// The outbox's delivery job: renders each due message when it goes (so a sign-in link is made at the
/// last moment and a message about something that changed meanwhile is not sent), hands it to
/// `SMTP_URL`, or keeps it for the outgoing messages page when no relay is set. A 5xx reply ends the
/// message; a 4xx, a lost connection or settings that cannot work are tried again after
/// `Messages.backoff`, then given up. The log says which message went where, never what it said.
enum MessageDelivery {
    static func handler(app: Application) -> OutboxWorker.Handler {
        { _, db, _, _ in
            while true {
                try WorkDeadline.check()
                let due = try await Messages.take(limit: 20, now: app.clock.now, on: db)
                if due.isEmpty { break }
                for message in due { try await deliver(message, app: app, db: db) }
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

    static func deliver(_ row: Messages.Row, app: Application, db: any Database) async throws {
        let now = app.clock.now
        let who = row.employee_id ?? "someone"
        do {
            let rendered = try await render(row, app: app, db: db, now: now)
            guard let mail = rendered.mail else {
                try await Messages.record(row.id, status: .kept, subject: rendered.subject, error: nil, nextAt: nil, now: now, on: db)
                app.logger.info("Message \(row.kind) to \(who) kept: SMTP_URL is not set")
                return
            }
            _ = try await SMTPClient(settings: app.appConfig.smtp!, group: app.eventLoopGroup).send(mail)
            try await Messages.record(row.id, status: .sent, subject: rendered.subject, error: nil, nextAt: nil, now: app.clock.now, on: db)
            app.logger.info("Message \(row.kind) to \(who) sent")
        } catch let failure as SMTPFailure where failure.kind == .permanent {
            try await Messages.record(row.id, status: .failed, subject: nil, error: failure.description, nextAt: nil, now: now, on: db)
            app.logger.warning("Message \(row.kind) to \(who) refused for good: \(failure)")
        } catch let failure as SMTPFailure {
            try await retry(row, reason: failure.description, app: app, db: db)
        } catch let gone as MessageGone {
            try await Messages.record(row.id, status: .failed, subject: nil, error: gone.reason, nextAt: nil, now: now, on: db)
            app.logger.info("Message \(row.kind) to \(who) not sent: \(gone.reason)")
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

    /// What is no longer to be sent (the person left, the program is gone): the message ends there.
    struct MessageGone: Error { var reason: String }

    static func render(_ row: Messages.Row, app: Application, db: any Database, now: Date) async throws -> Rendered {
        guard let kind = Messages.Kind(rawValue: row.kind) else { throw MessageGone(reason: "unknown kind \(row.kind)") }
        switch kind {
        case .invitation:
            guard let employeeID = row.employee_id, let programID = row.program_id,
                  let program = try await ProgramModel.find(programID, on: db)?.program else { throw MessageGone(reason: "the program is gone") }
            guard let person = try await PeopleService(db: db).find(employeeID), person.status.keepsAccess else {
                throw MessageGone(reason: "the person has left the organisation")
            }
            let subject = "You are invited to \(program.name)"
            guard let smtp = app.appConfig.smtp else { return Rendered(subject: subject, mail: nil) }
            guard let base = app.appConfig.linkBase else {
                throw SMTPFailure(kind: .configuration, step: "render", code: nil, reason: "BASE_URL is not set, so there is no link to send")
            }
            let store = FluentSignInLinkStore(db: db, accounts: AccountService(app: app, db: db))
            let (token, expires) = try await SignInLinks.issue(for: employeeID, actor: .system, now: now, store: store)
            let url = base + SiteURL.invitation(token: token).path
            let text = """
                Hello \(person.name),

                You are enrolled in \(program.name), a reverse-mentoring program. Set your password and sign in here \
                (the link works once, until \(SiteDates.minute(expires))):

                \(url)

                If you did not expect this message, you can ignore it.
                """
            let html = """
                <p>Hello \(Charts.escape(person.name)),</p>
                <p>You are enrolled in <strong>\(Charts.escape(program.name))</strong>, a reverse-mentoring program. \
                Set your password and sign in here (the link works once, until \(SiteDates.minute(expires))):</p>
                <p><a href="\(Charts.escape(url))">Set your password and sign in</a></p>
                <p>If you did not expect this message, you can ignore it.</p>
                """
            let mail = MailMessage(from: smtp.from, to: [MailAddress(row.email, name: person.name)], subject: subject, text: text, html: html,
                                   messageID: "\(row.id.uuidString.lowercased())@\(smtp.heloName)", date: now)
            return Rendered(subject: subject, mail: mail)
        }
    }
}
