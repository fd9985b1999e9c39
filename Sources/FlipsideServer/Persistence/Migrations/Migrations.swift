import Fluent
import Vapor

/// Every migration, in the order it runs. Append only; never reorder.
enum FlipsideMigrations {
    static func register(on app: Application) {
        app.migrations.add(CreatePeople())
        app.migrations.add(CreatePrograms())
        app.migrations.add(CreateEnrolments())
        app.migrations.add(CreateUsers())
        app.migrations.add(CreateUserTokens())
        app.migrations.add(CreateLoginFailures())
        app.migrations.add(SessionRecord.migration)
        app.migrations.add(CreateWebSessions())
        app.migrations.add(CreateInvitations())
        app.migrations.add(CreateLoginAttemptsAndSessionOwners())
        app.migrations.add(CreatePeopleIndexesAndVersions())
        app.migrations.add(CreateOutbox())
        app.migrations.add(AddProgramMatchingRules())
        app.migrations.add(CreateMatchingWorkflow())
        app.migrations.add(AddProgramTopicCatalogue())
        app.migrations.add(CreatePartnerships())
        app.migrations.add(CreateImportMappings())
        app.migrations.add(CreatePendingImports())
        app.migrations.add(CreateAuditEvents())
        app.migrations.add(RecomputeRunFingerprints())
        app.migrations.add(AddOutboxClaims())
        app.migrations.add(CreateMessages())
        app.migrations.add(MessageKinds())
        app.migrations.add(CreateProgramWebhooks())
        app.migrations.add(CreateTeachingProfiles())
        app.migrations.add(CreateAsks())
        app.migrations.add(CreateOpenIDLogins())
        app.migrations.add(CreateProvisioning())
        app.migrations.add(CreateEmploymentHistory())
        app.migrations.add(TrackReadVersions())
    }
}
