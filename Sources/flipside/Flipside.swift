import ArgumentParser
import FlipsideCore
import FlipsideServer
import Foundation
import MatchingEngine
import Vapor

@main
struct Flipside: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flipside",
        abstract: "Flipside: reverse-mentoring programs, from enrolment to measured outcomes.",
        subcommands: [Serve.self, Worker.self, Migrate.self, Import.self, UserCommand.self, Demo.self, RunCommand.self, PairRuleCommand.self, ReportCommand.self, MailCommand.self, Synthesize.self, BackupCommand.self, RestoreCommand.self, PersonCommand.self, Solve.self, Match.self, Suggest.self, WhoCouldTeachCommand.self, GapsCommand.self, ProvisioningCommand.self])
}

/// Builds an application on the configured database without parsing Vapor's own command line.
func makeApplication(config: AppConfig, command: [String] = []) async throws -> Application {
    let name = ProcessInfo.processInfo.environment["APP_ENV"] ?? "development"
    var environment = Environment(name: name, arguments: ["flipside"] + command)
    // Every line goes through WordlessLogHandler: no bound values, no one's words, at any level.
    try LoggingSystem.bootstrap(from: &environment) { level in
        let console = Terminal()
        return { label in WordlessLogHandler(ConsoleLogger(label: label, console: console, level: level)) }
    }
    let app = try await Application.make(environment)
    do {
        try await configure(app, config: config)
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    return app
}

/// Runs `body` with a migrated application, shutting it down afterwards.
func withMigratedApplication<T>(_ body: (Application) async throws -> T) async throws -> T {
    let starting = ContinuousClock.now
    let app = try await makeApplication(config: try AppConfig.fromEnvironment())
    trace("application made: \(ContinuousClock.now - starting)")
    do {
        try await SchemaMigration.run(app)
        trace("migrated: \(ContinuousClock.now - starting)")
        let result = try await body(app)
        let stopping = ContinuousClock.now
        try await app.asyncShutdown()
        trace("stopped: \(ContinuousClock.now - stopping)")
        return result
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run migrations and serve the web UI and the JSON API.")

    @ArgumentParser.Option(help: "Address to listen on.") var host: String?
    @ArgumentParser.Option(help: "Port to listen on.") var port: Int?
    @ArgumentParser.Flag(help: "Load the demo organisation first (safe to repeat).") var demo = false
    @ArgumentParser.Flag(help: "Do not drain the outbox in this process (run `flipside worker` instead).") var noWorker = false

    func run() async throws {
        var config = try AppConfig.fromEnvironment()
        if let host { config.host = host }
        if let port {
            guard (1...65535).contains(port) else { throw ValidationError("--port must be from 1 to 65535") }
            config.port = port
        }
        // With its own workers, this process starts no background work at all (a queued run waits for them).
        if noWorker { config.startBackgroundRunsAtOnce = false }
        let app = try await makeApplication(config: config, command: ["serve"])
        do {
            try await SchemaMigration.run(app)
            app.logger.notice("Storage: \(config.storageDescription)")
            let base = "http://\(config.host):\(config.port)"
            if demo {
                let result = try await DemoLoader.load(into: app)
                print("""
                Demo organisation loaded: \(result.people.created) people created, \(result.people.updated) updated, \(result.people.unchanged) unchanged; \
                program "\(result.program.name)" with \(result.enrolments) enrolments.
                Open \(base)/login
                  coordinator: \(DemoOrganisation.coordinatorEmail) / \(DemoOrganisation.coordinatorPassword)
                  participant: \(result.participantEmail) / \(DemoOrganisation.coordinatorPassword)  (a mentor with a proposed pair)
                  mentee: \(result.menteeEmail) / \(DemoOrganisation.coordinatorPassword)  (chooses a mentor in the \(DemoOrganisation.circleName))
                """)
            } else {
                print("Flipside is running at \(base)/ — create a coordinator with `flipside user create --email you@example.com --coordinator`.")
            }
            // Background work (clean-ups now; emails and reminders later) runs beside the server unless
            // a separate `flipside worker` does it.
            // Stopped and waited for when the application shuts down, before its databases close.
            if !noWorker { app.backgroundWork.start { await OutboxWorker(app: app).run() } }
            ServerActions.started(app)
            try await app.execute()
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date (or revert it).")
    @ArgumentParser.Flag(help: "Revert every migration instead (drops all Flipside tables).") var revert = false

    func run() async throws {
        let app = try await makeApplication(config: try AppConfig.fromEnvironment())
        do {
            try await SchemaMigration.run(app, revert: revert)
            print(revert ? "All migrations reverted." : "Database is up to date (\(try AppConfig.fromEnvironment().storageDescription)).")
            try await app.asyncShutdown()
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Load the demo organisation without serving (safe to repeat).")
    func run() async throws {
        let result = try await withMigratedApplication { try await DemoLoader.load(into: $0) }
        print("Demo loaded: \(result.people.created) people created, \(result.people.updated) updated, \(result.people.unchanged) unchanged; \(result.enrolments) enrolments in \"\(result.program.name)\".")
    }
}

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drain the outbox (clean-ups, later emails and reminders) until stopped; any number may run beside the servers.")
    @ArgumentParser.Option(help: "Seconds between looks at the outbox.") var every: Int = 15
    @ArgumentParser.Flag(help: "Run what is due once, then exit.") var once = false

    func run() async throws {
        guard every >= 1 else { throw ValidationError("--every must be at least 1 second") }
        try await withMigratedApplication { app in
            let worker = OutboxWorker(app: app)
            if once {
                let ran = try await worker.drain(planning: true)
                print("Ran \(ran) job\(ran == 1 ? "" : "s").")
            } else {
                app.logger.notice("Worker draining the outbox every \(every) s (\(app.appConfig.storageDescription)).")
                await worker.run(every: .seconds(every))
            }
        }
    }
}

struct Synthesize: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill an empty database with a large synthetic organisation and years of program history (for load tests and benchmarks).")
    @ArgumentParser.Option(help: "People in the organisation.") var people = 100_000
    @ArgumentParser.Option(help: "Programs, one a year up to this year (the last one active).") var programs = 5
    @ArgumentParser.Option(help: "Pairs over all programs.") var pairs = 10_000
    @ArgumentParser.Option(help: "Check-ins over all pairs (at most two per held meeting).") var checkIns = 200_000
    @ArgumentParser.Option(help: "Juniors who keep a teaching profile (three in four open to being asked).") var teachingProfiles = 20_000

    func run() async throws {
        let started = ContinuousClock.now
        let result = try await withMigratedApplication {
            try await SyntheticOrganisation(people: people, programs: programs, pairs: pairs, checkIns: checkIns, teachingProfiles: teachingProfiles).load(into: $0)
        }
        print("Synthesized \(result.people) people, \(result.programs.count) programs, \(result.pairs) pairs, \(result.meetings) meetings, "
              + "\(result.checkIns) check-ins, \(result.actions) actions, \(result.teachingProfiles) teaching profiles in \(String(format: "%.1f", (ContinuousClock.now - started).seconds)) s.")
        for program in result.programs { print("\(program.id.uuidString.lowercased())  \(program.name)") }
    }
}

struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Write a consistent backup of the database while the server runs (SQLite: VACUUM INTO; PostgreSQL: a logical export in one snapshot).")
    @ArgumentParser.Option(help: "The backup file to write (must not exist).") var out: String

    func run() async throws {
        do {
            let summary = try await withMigratedApplication { try await Backup.write(to: out, app: $0) }
            print("Backed up \(summary.rows) rows of \(summary.tables) tables (\(summary.database)) to \(out).")
        } catch let refused as Backup.Refused {
            throw ValidationError(refused.description)
        }
    }
}

struct RestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup into an empty database (migrated first; sessions and tokens are not restored: everyone signs in again).")
    @ArgumentParser.Argument(help: "The backup file.") var file: String

    func run() async throws {
        do {
            let summary = try await withMigratedApplication { try await Backup.restore(from: file, app: $0) }
            print("Restored \(summary.rows) rows of \(summary.tables) tables (\(summary.database)) from \(file).")
        } catch let refused as Backup.Refused {
            throw ValidationError(refused.description)
        }
    }
}

struct PersonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "person", abstract: "A person's data rights: export for an access request, or erasure.",
                                                    subcommands: [Export.self, Erase.self])

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write everything stored about a person as JSON (their private notes stay theirs: they download those themselves).")
        @ArgumentParser.Argument(help: "The person's employee id.") var employeeID: String
        @ArgumentParser.Option(help: "The JSON file to write.") var out: String

        func run() async throws {
            let text: String
            text = try await withMigratedApplication { try await PersonalDataActions.export(employeeID, app: $0) }
            do { try text.write(toFile: out, atomically: true, encoding: .utf8) } catch { throw ValidationError("Cannot write \(out): \(error.localizedDescription)") }
            print("Wrote \(out).")
        }
    }

    struct Erase: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Erase a person's personal data on request: words deleted, login removed, name and id replaced by a pseudonym everywhere; figures keep counting them.")
        @ArgumentParser.Argument(help: "The person's employee id.") var employeeID: String
        @ArgumentParser.Option(help: "The employee id again, to confirm.") var confirm: String

        func run() async throws {
            guard confirm == employeeID else { throw ValidationError("--confirm must repeat the employee id (\(employeeID)).") }
            let erased = try await withMigratedApplication { try await PersonalDataActions.erase(employeeID, app: $0) }
            print("Erased \(employeeID): now \(erased.pseudonym); \(erased.texts) texts deleted, \(erased.pairs) pairs ended.")
        }
    }
}
