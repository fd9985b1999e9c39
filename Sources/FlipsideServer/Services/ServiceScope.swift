import Fluent
import FlipsideCore
import Vapor

/// What a service works with, and nothing of HTTP: who is asking, the clock, the database, the audit
/// trail and this instance's result cache. `RequestScope` builds one per request; the command line builds
/// one for `Actor.system` (`ServiceScope.system(_:)`), so a report renders without a request.
struct ServiceScope: Sendable {
    let actor: Actor
    let clock: any WallClock
    let db: any Database
    let audit: AuditTrail
    let results: ResultCache

    var now: Date { clock.now }

    /// Throws Core's `AccessRefused` unless the actor may do this (the API error middleware answers it).
    func authorize(_ action: Action, _ resource: Resource) throws {
        try AccessPolicy.require(actor, action, resource)
    }

    // Read services.
    var people: PeopleService { PeopleService(db: db, results: results) }
    var programs: ProgramService { ProgramService(db: db) }
    var enrolments: EnrolmentService { EnrolmentService(db: db, results: results) }
    var matchPreview: MatchPreviewService { MatchPreviewService(scope: self) }
    var matching: MatchingViews { MatchingViews(scope: self) }
    var outcomes: OutcomesViews { OutcomesViews(scope: self) }
    var partnerships: PartnershipViews { PartnershipViews(actor: actor, now: now, db: db, people: people) }
    var matchingStore: FluentMatchingStore { FluentMatchingStore(db: db, audit: audit) }

    /// Whoever runs a command has the database: the command line reads as the program team.
    static func system(_ app: Application) -> ServiceScope {
        ServiceScope(actor: .system, clock: app.clock, db: app.db, audit: .system(app.clock), results: app.results)
    }
}
