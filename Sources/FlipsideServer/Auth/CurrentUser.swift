import Crypto
import FlipsideCore
import Fluent
import SQLKit
import Vapor

extension Request {
    /// The signed-in user, or a 401.
    func requireUser() throws -> UserModel {
        guard let user = auth.get(UserModel.self) else { throw APIError.unauthenticated }
        return user
    }

}

extension Request {
    /// The `programID` path parameter, or a 404.
    func programID() throws -> UUID {
        guard let id = parameters.get("programID", as: UUID.self) else { throw APIError.notFound("Program") }
        return id
    }

    /// The program in the path, if the policy lets the actor see it.
    func visibleProgram() async throws -> Program {
        _ = try requireUser()
        let program = try await flipside.programs.find(try programID())
        try authorize(.view, .program(status: program.status))
        return program
    }

    /// The program and enrolment in the path, if the policy lets the actor change the enrolment.
    func ownedEnrolment() async throws -> (Program, Enrolment) {
        let program = try await visibleProgram()
        guard let id = parameters.get("enrolmentID", as: UUID.self) else { throw APIError.notFound("Enrolment") }
        let enrolment = try await flipside.enrolments.find(id, in: program.id)
        try authorize(.change, .enrolment(employeeID: enrolment.employeeID, programStatus: program.status))
        return (program, enrolment)
    }
}

/// Authenticates API requests by `Authorization: Bearer <token>`: one query finds the token, its login
/// and the employment status of the login's person (someone who has left is not signed in).
struct BearerTokenAuthenticator: AsyncBearerAuthenticator {
    func authenticate(bearer: BearerAuthorization, for request: Request) async throws {
        guard let sql = request.db as? any SQLDatabase,
              let row = try await sql.raw("""
                SELECT \(AccessEnding.loginColumns), t.expires_at
                FROM \(ident: UserTokenModel.schema) t
                JOIN \(ident: UserModel.schema) u ON u.id = t.user_id
                \(AccessEnding.personJoin)
                WHERE t.token_hash = \(bind: TokenHash.of(bearer.token))
                """).first(),
              try row.decode(column: "expires_at", as: Date.self) > request.now
        else { return }
        if let user = try AccessEnding.activeUser(from: row) { request.auth.login(user) }
    }
}

/// Token generation and hashing.
enum TokenHash {
    static func of(_ token: String) -> String {
        // Hex written directly: `String(format:)` per byte was 6 % of a signed-in request's time.
        let digits = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 64) { out in
            var i = 0
            for byte in SHA256.hash(data: Data(token.utf8)) {
                out[i] = digits[Int(byte >> 4)]
                out[i + 1] = digits[Int(byte & 15)]
                i += 2
            }
            return i
        }
    }

    /// 32 random bytes, base64url.
    static func newToken() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var rng = SystemRandomNumberGenerator()
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}
