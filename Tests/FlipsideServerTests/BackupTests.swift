import Fluent
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
                // Damaged copies are refused whole, before anything is written: the target stays empty.
                for (name, damaged) in try await Self.damagedCopies(of: path, postgres: postgres, in: folder, using: restored.db) {
                    do {
                        _ = try await Backup.restore(from: damaged, app: restored)
                        Issue.record("\(name): restored")
                    } catch let refused as Backup.Refused {
                        #expect(refused.description.contains(damaged), "\(name): \(refused)")
                    }
                    #expect(try await Backup.count("people", on: restored.db as! any SQLDatabase) == 0, "\(name) restored people")
                }
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

    /// Copies of a good backup that must not restore: cut short, without footer or manifest, altered.
    static func damagedCopies(of path: String, postgres: Bool, in folder: String, using db: any Database) async throws -> [(String, String)] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var out: [(String, String)] = []
        func keep(_ name: String, _ bytes: Data) throws {
            let file = folder + "/damaged-" + name
            try bytes.write(to: URL(fileURLWithPath: file))
            out.append((name, file))
        }
        if postgres {
            let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            try keep("cut-at-60-percent", Data((lines.prefix(lines.count * 6 / 10).joined(separator: "\n") + "\n").utf8))
            try keep("without-footer", Data((lines.dropLast(2).joined(separator: "\n") + "\n").utf8))
            let people = try #require(lines.firstIndex { $0.hasPrefix("{\"table\":\"people\"") })
            var altered = lines
            altered[people] = altered[people].replacingOccurrences(of: "\"level\":", with: "\"level\": ")
            try keep("altered-row", Data(altered.joined(separator: "\n").utf8))
            var dropped = lines
            dropped.remove(at: people)
            try keep("row-removed", Data(dropped.joined(separator: "\n").utf8))
            try keep("version-1", Data(lines.dropLast(2).joined(separator: "\n").replacingOccurrences(of: "\"version\":2", with: "\"version\":1").utf8))
        } else {
            try keep("cut-at-60-percent", data.prefix(data.count * 6 / 10))
            // A complete SQLite file without the manifest (a VACUUM INTO copy of the database alone).
            let bare = folder + "/damaged-no-manifest"
            try data.write(to: URL(fileURLWithPath: bare))
            try await Self.sqlite(bare, "DROP TABLE x.flipside_backup", using: db)
            out.append(("no-manifest", bare))
            let fewer = folder + "/damaged-fewer-rows"
            try data.write(to: URL(fileURLWithPath: fewer))
            try await Self.sqlite(fewer, "DELETE FROM x.audit_events WHERE rowid = (SELECT MAX(rowid) FROM x.audit_events)", using: db)
            out.append(("fewer-rows", fewer))
        }
        return out
    }

    /// Runs one statement on another SQLite file, attached as `x` to a connection of `db`.
    static func sqlite(_ path: String, _ statement: String, using db: any Database) async throws {
        try await db.withConnection { connection in
            let sql = connection as! any SQLDatabase
            try await sql.raw("ATTACH DATABASE \(bind: path) AS x").run()
            try await sql.raw("\(unsafeRaw: statement)").run()
            try await sql.raw("DETACH DATABASE x").run()
        }
    }
}
