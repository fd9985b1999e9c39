import FlipsideCore
@testable import FlipsideServer
import Foundation
import SQLKit
import Testing
import VaporTesting

/// `flipside backup` / `flipside restore`: a backup of a database in use, restored into an empty one,
/// holds identical data — on SQLite and on PostgreSQL (whichever the test run uses).
@Suite(.serialized) struct BackupTests {
    @Test func aRestoredBackupHoldsIdenticalData() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("flipside-backup-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await TestWorld.run { world in
            _ = try await DemoLoader.load(into: world.app)
            let source = world.app.db as! any SQLDatabase
            let postgres = source.dialect.name != "sqlite"
            let path = folder + (postgres ? "/backup.jsonl" : "/backup.sqlite")
            let written = try await Backup.write(to: path, app: world.app)
            #expect(written.rows > 1_000 && written.tables >= 18)
            await #expect(throws: Backup.Refused.self) { _ = try await Backup.write(to: path, app: world.app) }
            // Into a new, empty database of the same kind.
            let target: AppConfig.Storage
            if case let .postgres(url) = try testStorage() {
                let name = url.lastPathComponent + "_restore"
                try await source.raw("DROP DATABASE IF EXISTS \(ident: name)").run()
                try await source.raw("CREATE DATABASE \(ident: name)").run()
                target = .postgres(url.deletingLastPathComponent().appendingPathComponent(name))
            } else {
                target = .sqliteFile(folder + "/restored.sqlite")
            }
            try await withApp(configure: { app in
                var config = AppConfig(storage: target, bcryptCost: 4)
                config.warmCaches = false
                config.startBackgroundRunsAtOnce = false
                try await configure(app, config: config)
                try await app.autoMigrate()
            }) { restored in
                let restoredCount = try await Backup.restore(from: path, app: restored)
                #expect(restoredCount.rows == written.rows)
                let copy = restored.db as! any SQLDatabase
                for table in try await Backup.tables(source) {
                    let a = try await Backup.dump(table, on: source), b = try await Backup.dump(table, on: copy)
                    #expect(a == b, "\(table): \(a.count) rows, restored \(b.count)")
                }
                let people = try await Backup.count("people", on: copy), texts = try await Backup.count("pair_texts", on: copy)
                #expect(people >= 300 && texts > 0)
                // Not twice, and not a backup of the other kind.
                await #expect(throws: Backup.Refused.self) { _ = try await Backup.restore(from: path, app: restored) }
                let other = folder + "/other"
                try Data((postgres ? "SQLite format 3\0" : "{\"format\":\"flipside-backup\"}\n").utf8).write(to: URL(fileURLWithPath: other))
                await #expect(throws: Backup.Refused.self) { _ = try await Backup.restore(from: other, app: restored) }
                // The restored server works: the coordinator's login was carried over.
                let login = try await restored.testing().sendRequest(.POST, "/api/v1/auth/token", headers: ["content-type": "application/json"],
                                                                     body: ByteBuffer(string: #"{"email":"coordinator@demo.flipside.test","password":"flipside-demo"}"#))
                #expect(login.status == .created)
            }
        }
    }
}
