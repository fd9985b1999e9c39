import ArgumentParser
import FlipsideServer

struct MailCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "mail", abstract: "Check outgoing mail.", subcommands: [Test.self])

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
