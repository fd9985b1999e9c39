import FlipsideCore
import Vapor

/// What the command line does, on a running application (kept here so that it is tested with the server).
public enum ImportActions {
    public static func people(_ text: String, app: Application) async throws -> ImportCounts {
        try await PeopleService(db: app.db).importCSV(text)
    }

    public static func enrolments(_ text: String, program idOrName: String, app: Application) async throws -> (ImportCounts, [EnrolmentWarning]) {
        guard let program = try await ProgramService(db: app.db).find(idOrName: idOrName) else {
            throw ImportFailure(problems: [ImportProblem(row: 1, column: nil, reason: "no program with id or name '\(idOrName)'")])
        }
        let result = try await EnrolmentService(db: app.db).importCSV(text, into: program)
        return (result.counts, result.warnings)
    }
}

public enum AccountActions {
    /// Creates or resets a login; returns the role's name.
    public static func createUser(email: String, password: String, coordinator: Bool, app: Application) async throws -> String {
        do {
            let user = try await AccountService(app: app).upsertUser(email: email, password: password, role: coordinator ? .coordinator : .participant)
            return user.role
        } catch let error as APIError {
            throw ConfigError(error.message)
        }
    }
}
