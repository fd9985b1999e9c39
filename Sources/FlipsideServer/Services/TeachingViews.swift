import Fluent
import FlipsideCore
import Foundation
import MatchingEngine
import SQLKit

/// "Who could teach me?" and the teaching profiles it reads, over a scope: Core decides who may ask and
/// what an answer holds (`WhoCouldTeach`); this reads the directory once per change of people or
/// profiles (and per day, for time-zone offsets) and keeps it in the result cache, shared by every asker.
struct TeachingViews {
    let scope: ServiceScope

    var store: FluentTeachingProfileStore { FluentTeachingProfileStore(db: scope.db) }

    func profile(of employeeID: String) async throws -> TeachingProfile {
        try await TeachingProfiles.profile(of: employeeID, actor: scope.actor, store: store)
    }

    func update(_ employeeID: String, with draft: TeachingProfileDraft) async throws -> TeachingProfile {
        try await TeachingProfiles.update(employeeID, with: draft, actor: scope.actor, now: scope.now, store: store)
    }

    /// Everyone who keeps a teaching profile, compiled; one copy, replaced when people or profiles change.
    func directory() async throws -> TeachingDirectory {
        let versions = try await DataVersions.read(on: scope.db)
        let day = CalendarDate.today(now: scope.now)
        let db = scope.db, now = scope.now
        return try await scope.results.current("teaching-directory", version: "\(versions.people).\(versions.teachingProfiles).\(day)") {
            try await Self.compile(db: db, now: now)
        }
    }

    static func compile(db: any Database, now: Date) async throws -> TeachingDirectory {
        let profiles = try await TeachingProfileRows.all(on: db)
        let people = try await PeopleService(db: db).find(profiles.map(\.employeeID))
        struct Line: Decodable { var employee_id: String; var manager_id: String }
        let lines = try await (db as! any SQLDatabase).select().columns("employee_id", "manager_id").from(PersonModel.schema)
            .where(SQLIdentifier("manager_id"), .isNot, SQLLiteral.null).all(decoding: Line.self)
        var managers: [String: String] = [:]
        managers.reserveCapacity(lines.count)
        for line in lines { managers[line.employee_id] = line.manager_id }
        return TeachingDirectory(people: Array(people.values), profiles: profiles, managers: ReportingTree(managerOf: managers), reference: now)
    }

    /// The question asked for `askerID` (the signed-in person when nil), under a program's rules when one
    /// is named (the organisation's default rules otherwise).
    func ask(_ question: TeachingQuestion, for askerID: String?, programID: UUID?) async throws -> TeachingAnswer {
        guard let askerID = askerID ?? scope.actor.employeeID else {
            throw ProfileError.invalid([FieldProblem(field: "for", reason: "name whom the question is for (an employee id): this login is not a person")])
        }
        try scope.authorize(.view, .whoCouldTeach(askerID: askerID))
        guard let asker = try await scope.people.find(askerID), asker.status.keepsAccess else { throw ProfileError.personNotFound(employeeID: askerID) }
        var rules = MatchRules(), rulesFrom = "the organisation's default rules"
        if let programID {
            let program = try await scope.programs.find(programID)
            try scope.authorize(.view, .program(status: program.status))
            rules = program.settings.rules
            rulesFrom = "the rules of \(program.name)"
        }
        let askerProfile = try await TeachingProfileRows.one(askerID, on: scope.db)
        return try WhoCouldTeach.ask(question, asker: asker, askerProfile: askerProfile, rules: rules, rulesFrom: rulesFrom,
                                     directory: try await directory(), actor: scope.actor, now: scope.now)
    }
}

extension ServiceScope {
    var teaching: TeachingViews { TeachingViews(scope: self) }
}
