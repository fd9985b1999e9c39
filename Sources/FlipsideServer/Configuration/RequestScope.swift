import FlipsideCore
import Vapor

/// What a request works with, in one place: who is asking, the clock, the stores that Core's use cases
/// run on, and the services (all cheap values over the request's database connection). Controllers ask
/// `req.flipside` instead of building these themselves, so a test that swaps the clock or a store on the
/// application reaches every route.
struct RequestScope {
    let request: Request

    var actor: Actor { request.actor }
    var clock: any WallClock { request.application.clock }
    var now: Date { clock.now }

    // Stores for Core's use cases.
    var enrolmentStore: FluentEnrolmentStore { FluentEnrolmentStore(db: request.db) }
    var programStore: FluentProgramStore { FluentProgramStore(db: request.db, audit: request.auditTrail) }
    var peopleImportStore: FluentPeopleImportStore { FluentPeopleImportStore(db: request.db, audit: request.auditTrail) }
    var enrolmentImportStore: FluentEnrolmentImportStore { FluentEnrolmentImportStore(db: request.db, audit: request.auditTrail) }
    var matchingStore: FluentMatchingStore { FluentMatchingStore(db: request.db, audit: request.auditTrail) }
    var partnershipStore: FluentPartnershipStore { FluentPartnershipStore(db: request.db) }
    var concernStore: FluentConcernStore { FluentConcernStore(db: request.db) }
    var calendarFeedStore: FluentCalendarFeedStore { FluentCalendarFeedStore(db: request.db) }
    var signInLinkStore: FluentSignInLinkStore { FluentSignInLinkStore(db: request.db, accounts: accounts) }

    // Services.
    var people: PeopleService { PeopleService(db: request.db, results: request.application.results) }
    var programs: ProgramService { ProgramService(db: request.db) }
    var enrolments: EnrolmentService { EnrolmentService(db: request.db) }
    var accounts: AccountService { AccountService(request: request) }
    var matchPreview: MatchPreviewService { MatchPreviewService(request: request) }
    var matching: MatchingViews { MatchingViews(request: request) }
    var partnerships: PartnershipViews { PartnershipViews(actor: actor, now: now, db: request.db, people: people) }
}

extension Request {
    /// This request's scope: actor, clock, stores and services.
    var flipside: RequestScope { RequestScope(request: self) }
}
