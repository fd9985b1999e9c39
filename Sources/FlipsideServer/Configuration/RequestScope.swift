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
    var pendingImportStore: FluentPendingImportStore { FluentPendingImportStore(db: request.db, audit: request.auditTrail) }
    var programInvitationStore: FluentProgramInvitationStore { FluentProgramInvitationStore(db: request.db, audit: request.auditTrail) }
    var signInLinkStore: FluentSignInLinkStore { FluentSignInLinkStore(db: request.db, accounts: accounts) }
    var provisioningTokenStore: FluentProvisioningTokenStore { FluentProvisioningTokenStore(db: request.db, audit: request.auditTrail) }

    /// The services' scope: this request's actor, clock, database, audit trail and result cache.
    var service: ServiceScope {
        ServiceScope(actor: actor, clock: clock, db: request.db, audit: request.auditTrail, results: request.application.results)
    }

    // Services.
    var people: PeopleService { service.people }
    var programs: ProgramService { service.programs }
    var enrolments: EnrolmentService { service.enrolments }
    var accounts: AccountService { AccountService(app: request.application, db: request.db, clientAddress: request.clientAddress) }
    var matchPreview: MatchPreviewService { service.matchPreview }
    var matching: MatchingViews { service.matching }
    var outcomes: OutcomesViews { service.outcomes }
    var partnerships: PartnershipViews { service.partnerships }
}

extension Request {
    /// This request's scope: actor, clock, stores and services.
    var flipside: RequestScope { RequestScope(request: self) }
}
