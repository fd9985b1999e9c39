import Foundation

/// Where HR files wait while the coordinator who uploaded them maps their columns.
public protocol PendingImportStore: Sendable {
    /// Keeps `text` (a table of `rows` records) for `owner`, replacing what they kept before, and drops
    /// every file kept before `expiredBefore`; records an audit line (without the file's contents).
    func keep(_ text: String, rows: Int, for owner: UUID, now: Date, expiredBefore: Date) async throws -> UUID
    /// The kept file, if it is `owner`'s and was kept at or after `keptSince`.
    func text(_ id: UUID, of owner: UUID, keptSince: Date) async throws -> String?
    func forget(_ id: UUID) async throws
    /// The mapping kept for files with this header signature (`HRExport.signature`), if any.
    func storedMapping(for signature: String) async throws -> ImportMapping?
}

/// The kept file is gone (past its hour, imported, or replaced by a newer upload).
public struct PendingImportExpired: Error, Equatable, Sendable {
    public init() {}
    public var message: String { "That upload is no longer kept (an hour at most): upload the file again." }
}

/// An HR export that reads as a table but not as people yet is kept, for its uploader only and an hour
/// at most, while they say what its columns, grades and statuses mean; then it is imported with that
/// mapping (`Importing.people`), which keeps the mapping for the next file with the same columns.
public enum PendingImports {
    public static let kept: TimeInterval = 3_600

    /// Keeps the file for `owner`; returns its id and the mapping already known for its columns (or none).
    public static func keep(_ text: String, table: CSVTable, owner: UUID, actor: Actor, now: Date,
                            store: any PendingImportStore) async throws -> (id: UUID, mapping: ImportMapping) {
        try AccessPolicy.require(actor, .change, .directory)
        let id = try await store.keep(text, rows: table.records.count, for: owner, now: now, expiredBefore: now.addingTimeInterval(-kept))
        return (id, try await store.storedMapping(for: HRExport.signature(table.originalHeader)) ?? .none)
    }

    /// The kept file and its table, while it is kept for `owner`.
    public static func file(_ id: UUID, owner: UUID, actor: Actor, now: Date, store: any PendingImportStore) async throws -> (text: String, table: CSVTable) {
        try AccessPolicy.require(actor, .change, .directory)
        guard let text = try await store.text(id, of: owner, keptSince: now.addingTimeInterval(-kept)), let table = try? CSVTable(text: text) else {
            throw PendingImportExpired()
        }
        return (text, table)
    }

    /// Imports the kept file with `mapping`, and forgets it once imported. An `ImportFailure` or
    /// `MappingRejected` leaves it kept, for another try.
    public static func importMapped(_ id: UUID, mapping: ImportMapping, owner: UUID, actor: Actor, now: Date,
                                    store: any PendingImportStore, people: any PeopleImportStore) async throws -> ImportCounts {
        let (text, _) = try await file(id, owner: owner, actor: actor, now: now, store: store)
        let counts = try await Importing.people(csv: text, mapping: mapping, actor: actor, now: now, store: people)
        try await store.forget(id)
        return counts
    }
}
