import ArgumentParser
import FlipsideServer

struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mail", abstract: "Check outgoing mail; set a program's chat channel.", subcommands: [Test.self, ChatWebhook.self])

    struct ChatWebhook: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "chat-webhook",
            abstract: "Set (or with --remove, remove) the chat webhook a program's digest and announcements are posted to (https; see WEBHOOK_ALLOW).")
        @ArgumentParser.Argument(help: "The program's id or name.") var program: String
        @ArgumentParser.Argument(help: "The webhook URL (Slack-compatible).") var url: String?
        @ArgumentParser.Flag(help: "Remove the program's webhook.") var remove = false

        func validate() throws {
            if remove == (url != nil) { throw ValidationError("Give a URL, or --remove.") }
        }

        func run() async throws {
            print(try await withMigratedApplication { try await MailActions.setChatWebhook(program: program, url: remove ? nil : url, app: $0) })
        }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send a test message through SMTP_URL (from MAIL_FROM). Exit status: 0 sent, 1 refused for good or the settings cannot work, 75 try again later.")
        @ArgumentParser.Option(help: "Who gets the test message.") var to: String

        func run() async throws {
            do {
                let said = try await withMigratedApplication { try await MailActions.sendTest(to: to, app: $0) }
                print(said)
            } catch let failure as MailActions.Failure {
                var stderr = StandardError()
                print(failure.description, to: &stderr)
                if case .transient = failure { throw ExitCode(75) }
                throw ExitCode(1)
            }
        }
    }
}
