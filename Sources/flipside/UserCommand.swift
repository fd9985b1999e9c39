import ArgumentParser
import FlipsideServer
import Foundation

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "user", abstract: "Manage logins.", subcommands: [Create.self, Invite.self, InviteProgram.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a login (or reset its password). Asks for the password, or reads it from standard input.")
        @ArgumentParser.Option(help: "The login's email. A participant's email must be a person's email.") var email: String
        @ArgumentParser.Flag(help: "Make a coordinator (runs programs) rather than a participant.") var coordinator = false

        func run() async throws {
            let password = try readPassword()
            let role = try await withMigratedApplication { app in
                try await AccountActions.createUser(email: email, password: password, coordinator: coordinator, app: app)
            }
            print("Login \(email.lowercased()) is ready (\(role)).")
        }

        private func readPassword() throws -> String {
            if isatty(STDIN_FILENO) == 1 {
                guard let first = getpass("Password (at least 10 characters): ").map({ String(cString: $0) }),
                      let second = getpass("Repeat it: ").map({ String(cString: $0) }) else { throw ValidationError("No password given.") }
                guard first == second else { throw ValidationError("The two passwords differ.") }
                return first
            }
            guard let line = readLine(strippingNewline: true), !line.isEmpty else { throw ValidationError("No password on standard input.") }
            return line
        }
    }

    struct Invite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Make a one-time sign-in link for a person (7 days; replaces earlier links). They set their own password.")
        @ArgumentParser.Argument(help: "The person's employee id.") var employeeID: String
        @ArgumentParser.Option(help: "The server's address as people reach it (default: BASE_URL, or in development the configured host and port).")
        var baseURL: String?

        func run() async throws {
            let config = try AppConfig.fromEnvironment()
            guard let chosen = baseURL ?? config.linkBase else {
                throw ValidationError("Give --base-url or set BASE_URL: links need the server's public address.")
            }
            let (path, expires) = try await withMigratedApplication { app in
                try await AccountActions.invite(employeeID: employeeID, app: app)
            }
            let base = chosen.hasSuffix("/") ? String(chosen.dropLast()) : chosen
            print("\(base)\(path)")
            print("Works once, until \(SiteDates.minute(expires)).")
        }
    }

    struct InviteProgram: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "invite-program",
            abstract: "Email a sign-in invitation to everyone enrolled in a program who has no login yet (once a day per person; the worker sends them).")
        @ArgumentParser.Argument(help: "The program's id or exact name.") var program: String

        func run() async throws {
            let (queued, already) = try await withMigratedApplication { try await AccountActions.inviteProgram(program, app: $0) }
            print("\(queued) invitation\(queued == 1 ? "" : "s") queued\(already > 0 ? "; \(already) already invited today" : "").")
        }
    }
}
