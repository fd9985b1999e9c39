import Fluent
import FlipsideCore
import Foundation
import SQLKit

/// Teaching profiles as rows: lists as JSON text, one row per person.
enum TeachingProfileRows {
    static let table = "teaching_profiles"

    struct Row: Codable {
        var employee_id: String
        var offers: String
        var industries: String
        var languages: String
        var channels: String
        var availability: String
        var open_to_requests: Bool
        var changed_at: Double

        init(_ p: TeachingProfile) {
            func json<T: Encodable>(_ value: T) -> String { String(decoding: (try? JSONEncoder().encode(value)) ?? Data("[]".utf8), as: UTF8.self) }
            employee_id = p.employeeID
            offers = json(p.offers)
            industries = json(p.industries)
            languages = json(p.languages)
            channels = json(p.channels)
            availability = json(p.availability)
            open_to_requests = p.openToRequests
            changed_at = p.changedAt.timeIntervalSince1970
        }

        var profile: TeachingProfile {
            func list<T: Decodable>(_ text: String, _ type: [T].Type) -> [T] { (try? JSONDecoder().decode(type, from: Data(text.utf8))) ?? [] }
            return TeachingProfile(employeeID: employee_id, offers: list(offers, [TopicOffer].self), industries: list(industries, [String].self),
                                   languages: list(languages, [String].self), channels: list(channels, [FlipsideCore.Channel].self),
                                   availability: list(availability, [HourRange].self), openToRequests: open_to_requests,
                                   changedAt: Date(timeIntervalSince1970: changed_at))
        }
    }

    static func one(_ employeeID: String, on db: any Database) async throws -> TeachingProfile? {
        try await (db as! any SQLDatabase).select().column("*").from(table).where("employee_id", .equal, employeeID).first(decoding: Row.self)?.profile
    }

    static func all(on db: any Database) async throws -> [TeachingProfile] {
        try await (db as! any SQLDatabase).select().column("*").from(table).all(decoding: Row.self).map(\.profile)
    }

    static func save(_ profile: TeachingProfile, on db: any Database) async throws {
        let row = Row(profile)
        try await (db as! any SQLDatabase).raw("""
            INSERT INTO \(ident: table) (employee_id, offers, industries, languages, channels, availability, open_to_requests, changed_at)
            VALUES (\(bind: row.employee_id), \(bind: row.offers), \(bind: row.industries), \(bind: row.languages), \(bind: row.channels),
                    \(bind: row.availability), \(bind: row.open_to_requests), \(bind: row.changed_at))
            ON CONFLICT (employee_id) DO UPDATE SET offers = excluded.offers, industries = excluded.industries, languages = excluded.languages,
                channels = excluded.channels, availability = excluded.availability, open_to_requests = excluded.open_to_requests,
                changed_at = excluded.changed_at
            """).run()
    }

    /// A person's profile goes when their data is erased.
    static func forget(_ employeeID: String, on db: any Database) async throws {
        try await (db as! any SQLDatabase).delete(from: table).where("employee_id", .equal, employeeID).run()
    }
}

/// Core's `TeachingProfileStore` on the database.
struct FluentTeachingProfileStore: TeachingProfileStore {
    let db: any Database

    func person(_ employeeID: String) async throws -> Person? { try await PeopleService(db: db).find(employeeID) }
    func teachingProfile(of employeeID: String) async throws -> TeachingProfile? { try await TeachingProfileRows.one(employeeID, on: db) }
    func save(_ profile: TeachingProfile) async throws {
        try await db.writeTransaction { tx in try await TeachingProfileRows.save(profile, on: tx) }
    }
}
