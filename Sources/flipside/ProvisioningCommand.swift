import ArgumentParser
import FlipsideServer
import Foundation

/// `flipside scim-token`: the tokens an identity provider provisions people with (SCIM 2.0 at /scim/v2).
struct ProvisioningCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scim-token", abstract: "Make, list and revoke SCIM provisioning tokens.",
                                                    subcommands: [Make.self, List.self, Revoke.self])

    struct Make: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Make a token and print it (shown this once; only its hash is kept).")
        @ArgumentParser.Argument(help: "Who uses it, e.g. \"Entra ID production\".") var name: String
        @ArgumentParser.Flag(help: "Print the token alone (for scripts).") var quiet = false

        func run() async throws {
            let (id, token) = try await withMigratedApplication { try await ProvisioningActions.make(name: name, app: $0) }
            if quiet {
                print(token)
            } else {
                print("Provisioning token \(id.uuidString.lowercased()) (\(name)):")
                print(token)
                print("Give it to the identity provider as the bearer token for <BASE_URL>/scim/v2. It is not shown again.")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens: id, name, made, last used, revoked.")

        func run() async throws {
            let tokens = try await withMigratedApplication { try await ProvisioningActions.list(app: $0) }
            if tokens.isEmpty { print("No provisioning tokens.") }
            for token in tokens {
                let used = token.lastUsed.map { "last used \(SiteDates.minute($0))" } ?? "never used"
                let state = token.revoked.map { "revoked \(SiteDates.minute($0))" } ?? "live"
                print("\(token.id.uuidString.lowercased())  \(token.name)  made \(SiteDates.minute(token.created)), \(used), \(state)")
            }
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token at once.")
        @ArgumentParser.Argument(help: "The token's id (from list).") var id: String

        func run() async throws {
            guard let uuid = UUID(uuidString: id) else { throw ValidationError("'\(id)' is not a token id.") }
            let name = try await withMigratedApplication { try await ProvisioningActions.revoke(uuid, app: $0) }
            print("Revoked the provisioning token \(name).")
        }
    }
}
