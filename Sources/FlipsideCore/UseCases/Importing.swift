import Foundation
import MatchingEngine

/// What a people import reads and writes, inside one unit of work that no other people import runs
/// alongside (the server takes a write lock first in its transaction).
public protocol PeopleImportWork: Sendable {
    /// Every stored person's entry (what an import checks and compares), read inside the unit of work.
    func storedPeople() async throws -> StoredPeople
    /// The stored people with these employee ids, whole.
    func people(_ employeeIDs: [String]) async throws -> [String: Person]
    /// Upserts the plan's new and changed people by employee id (`existing` holds the changed ones as
    /// stored).
    func write(_ plan: PeopleImportPlan, existing: [String: Person]) async throws
    /// Records changes of placement in the HR history (`EmploymentChange`), in the same unit of work.
    func record(_ changes: [EmploymentChange], at: Date) async throws
    /// Ends every way in (tokens, sessions, sign-in links) for these people.
    func endAccess(for employeeIDs: [String]) async throws
    /// Ends these people's current pairs and open requests (nothing is deleted), recording why.
    func endPairs(of employeeIDs: [String], at: Date, reason: String) async throws
    /// The mapping a coordinator gave for files with this header (`HRExport.signature`), if any.
    func storedMapping(for signature: String) async throws -> ImportMapping?
    /// Keeps a mapping for the next file with this header.
    func remember(_ mapping: ImportMapping, for signature: String, at: Date) async throws
    /// A number that changes with every change to stored people: a plan made from what was read under
    /// one number still holds while the number stands.
    func peopleVersion() async throws -> Int64
}

/// A mapping that cannot be applied: which of its entries, and why.
public struct MappingRejected: Error, Equatable, Sendable {
    public var problems: [FieldProblem]
    public init(problems: [FieldProblem]) { self.problems = problems }
}

public protocol PeopleImportStore: Sendable {
    func atomically<T: Sendable>(_ body: @escaping @Sendable (any PeopleImportWork) async throws -> T) async throws -> T
    /// A consistent read that takes no write lock (other writes go on meanwhile).
    func reading<T: Sendable>(_ body: @escaping @Sendable (any PeopleImportWork) async throws -> T) async throws -> T
}

/// What an enrolment import reads and writes, inside one unit of work that no other enrolment import
/// runs alongside, holding the program's row.
public protocol EnrolmentImportWork: Sendable {
    func heldProgram(_ programID: UUID) async throws -> Program?
    func enrolments(in programID: UUID) async throws -> [Enrolment]
    func people(_ employeeIDs: [String]) async throws -> [String: Person]
    func insert(_ enrolments: [Enrolment]) async throws
    func replace(_ enrolments: [Enrolment]) async throws
}

public protocol EnrolmentImportStore: Sendable {
    func atomically<T: Sendable>(_ body: @escaping @Sendable (any EnrolmentImportWork) async throws -> T) async throws -> T
}

/// The HR import and the enrolment import: all or nothing (an `ImportFailure` listing every problem
/// leaves everything as it was), upserting by employee id, checked against what is stored inside the
/// unit of work so that what was checked is what is written.
public enum Importing {
    /// Imports an HR export. People marked as having left lose every way in, and their current pairs and
    /// open requests end, in the same unit of work.
    ///
    /// `mapping` answers what the file's header and values leave open (`HRExport`); without one, the
    /// mapping last given for files with the same columns applies. A mapping given here is kept for
    /// the next such file once the import succeeds.
    public static func people(csv: String, mapping given: ImportMapping? = nil, actor: Actor, now: Date,
                              store: any PeopleImportStore) async throws -> ImportCounts {
        try AccessPolicy.require(actor, .change, .directory)
        if let given, !given.problems.isEmpty { throw MappingRejected(problems: given.problems) }
        let parsing = ContinuousClock.now
        let table = try CSVTable(text: csv)
        trace("people import parsed: \(ContinuousClock.now - parsing)")
        return try await people(table: table, mapping: given, actor: actor, now: now, store: store)
    }

    /// As `people(csv:…)`, for a file read already (a command reads it while the database is migrated).
    public static func people(table: CSVTable, mapping given: ImportMapping? = nil, actor: Actor, now: Date,
                              store: any PeopleImportStore) async throws -> ImportCounts {
        try AccessPolicy.require(actor, .change, .directory)
        if let given, !given.problems.isEmpty { throw MappingRejected(problems: given.problems) }
        let signature = HRExport.signature(table.originalHeader)
        // Read and plan first without the write lock (the plan of a large file takes seconds, and other
        // writes — sign-ins among them — should not wait for it); then write under the lock if nothing
        // changed meanwhile, or read and plan again there.
        struct Read: Sendable { var stored: StoredPeople; var version: Int64 }
        @Sendable func read(_ work: any PeopleImportWork) async throws -> Read {
            // The version first: where each statement reads its own snapshot (PostgreSQL's read committed),
            // people changed after it only make the version stale (the plan is made again), never the reverse.
            let version = try await work.peopleVersion()
            return Read(stored: try await work.storedPeople(), version: version)
        }
        @Sendable func mapping(_ work: any PeopleImportWork) async throws -> ImportMapping {
            if let given { return given }
            return try await work.storedMapping(for: signature) ?? .none
        }
        let began = ContinuousClock.now
        let firstMapping = try await store.reading(mapping)
        // The file is read on the cores while the stored people are read (it needs nothing stored).
        async let reading = PeopleImport.read(table: table, mapping: firstMapping)
        let first = try await store.reading(read)
        trace("people import read: \(ContinuousClock.now - began)")
        let file = try await reading
        try WorkDeadline.check()
        let firstPlan = try PeopleImport.plan(file, stored: first.stored)
        trace("people import planned: \(ContinuousClock.now - began)")
        try WorkDeadline.check()
        defer { trace("people import committed: \(ContinuousClock.now - began)") }
        return try await store.atomically { work in
            var plan = firstPlan
            let nowMapping = try await mapping(work)
            if try await work.peopleVersion() != first.version || nowMapping != firstMapping {
                let again = try await read(work)
                let file = nowMapping == firstMapping ? file : try PeopleImport.read(table: table, mapping: nowMapping)
                plan = try PeopleImport.plan(file, stored: again.stored)
            }
            // The people whose stored text differs, read whole: the plan is exact once settled against them.
            let existing = try await work.people(plan.updated.map(\.employeeID))
            plan = plan.settled(against: existing)
            try WorkDeadline.check()
            trace("people import holds the write lock: \(ContinuousClock.now - began)")
            try await work.write(plan, existing: existing)
            // Who moved level, department or location: the HR history, effective today.
            try await work.record(EmploymentChange.changes(plan.updated, over: existing, on: CalendarDate.today(now: now)), at: now)
            trace("people import written: \(ContinuousClock.now - began)")
            if let given { try await work.remember(given, for: signature, at: now) }
            let leavers = plan.leavers
            if !leavers.isEmpty {
                try await work.endAccess(for: leavers)
                try await work.endPairs(of: leavers, at: now, reason: "left the organisation")
                trace("people import ended \(leavers.count) leavers' access and pairs: \(ContinuousClock.now - began)")
            }
            return plan.counts
        }
    }

    /// Imports enrolments into a program that accepts them; returns the counts and the warnings the
    /// coordinator should look at.
    public static func enrolments(csv: String, into programID: UUID, actor: Actor,
                                  store: any EnrolmentImportStore) async throws -> (counts: ImportCounts, warnings: [EnrolmentWarning]) {
        try AccessPolicy.require(actor, .create, .enrolmentImport)
        return try await store.atomically { work in
            guard let program = try await work.heldProgram(programID) else { throw ProgramError.notFound }
            var existing: [String: Enrolment] = [:]
            for enrolment in try await work.enrolments(in: programID) { existing[enrolment.employeeID] = enrolment }
            // Only the people named in the file or already enrolled are needed. The file is parsed once;
            // when it cannot be parsed, planning from the text reports why (after checking the program is open).
            let table = try? CSVTable(text: csv)
            let named = table.map(EnrolmentImport.employeeIDs) ?? []
            let people = try await work.people(Array(Set(named + existing.keys)))
            let plan: EnrolmentImportPlan
            if let table {
                plan = try EnrolmentImport.plan(table: table, program: program, people: people, existing: existing)
            } else {
                plan = try EnrolmentImport.plan(csv: csv, program: program, people: people, existing: existing)
            }
            try await work.insert(plan.created)
            try await work.replace(plan.updated)
            return (plan.counts, plan.warnings)
        }
    }
}

extension PeopleImportPlan {
    /// The people this import marks as no longer employed (whose access ends with it).
    public var leavers: [String] {
        [created, updated].flatMap { $0.lazy.filter { !$0.status.keepsAccess }.map(\.employeeID) }
    }
}
