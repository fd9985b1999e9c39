import AsyncKit
import FluentKit
import PostgresNIO
import SQLiteNIO
import FlipsideCore
import NIOCore
import NIOHTTP1
import Vapor

/// One item of an error's `details`: a problem with a field, or with a cell of an uploaded file.
public struct ErrorDetail: Content, Equatable {
    public var field: String?
    public var row: Int?
    public var column: String?
    public var value: String?
    public var reason: String

    public init(field: String? = nil, row: Int? = nil, column: String? = nil, value: String? = nil, reason: String) {
        self.field = field
        self.row = row
        self.column = column
        self.value = value
        self.reason = reason
    }
}

/// An error meant for the client: a status, a stable machine code, a sentence, and details.
public struct APIError: Error, AbortError {
    public var status: HTTPResponseStatus
    public var code: String
    public var message: String
    public var details: [ErrorDetail]
    /// Seconds after which trying again may work (sent as `Retry-After` with a 503 or 429).
    public var retryAfter: Int?

    public init(_ status: HTTPResponseStatus, code: String, _ message: String, details: [ErrorDetail] = [], retryAfter: Int? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.retryAfter = retryAfter
    }

    /// The server is busy with long work (a large import, most likely): the request waited its bounded
    /// time and was not done; nothing was changed.
    static let busy = APIError(.serviceUnavailable, code: "busy",
                               "The server is busy with a long task (such as a large import) and could not do this in time. Nothing was changed; try again in a few seconds.",
                               retryAfter: 5)

    public var reason: String { message }

    static let unauthenticated = APIError(.unauthorized, code: "unauthenticated", "Sign in first: send a bearer token from POST /api/v1/auth/token.")
    static let forbidden = APIError(.forbidden, code: "forbidden", "You are not allowed to do this.")
    static func notFound(_ what: String) -> APIError { APIError(.notFound, code: "not_found", "\(what) was not found.") }
    /// A login not linked to a person asked for what only a person has: always 403 `no_profile`, as the
    /// policy's own refusal (`AccessPolicy.noProfile`), whatever the route.
    static func noProfile(_ message: String) -> APIError { APIError(.forbidden, code: "no_profile", message) }
    static func invalid(_ problems: [FieldProblem]) -> APIError {
        APIError(.unprocessableEntity, code: "invalid", problems.map { "\($0.field) \($0.reason)" }.joined(separator: "; "),
                 details: problems.map { ErrorDetail(field: $0.field, reason: $0.reason) })
    }
}

extension APIError {
    /// Maps every error the server knows to the client's view of it. Unknown errors become a 500 without internals.
    static func from(_ error: any Error) -> APIError {
        switch error {
        case let e as APIError: return e
        case let e as PendingImportExpired: return APIError(.gone, code: "upload_expired", e.message)
        case let e as ImportFailure:
            let count = e.problems.count
            return APIError(.unprocessableEntity, code: "import_rejected",
                            "The file was not imported: \(count) problem\(count == 1 ? "" : "s") found. Nothing was changed.",
                            details: e.problems.map { ErrorDetail(row: $0.row, column: $0.column, value: $0.value, reason: $0.reason) })
        case let e as ChatWebhook.Refused: return .invalid([e.problem])
        case let e as MappingRejected:
            return .invalid(e.problems.map { FieldProblem(field: "mapping.\($0.field)", reason: $0.reason) })
        case let e as ProgramError:
            switch e {
            case .illegalTransition: return APIError(.conflict, code: "illegal_transition", e.message)
            case let .invalid(problems): return .invalid(problems)
            case .closedForEnrolment: return APIError(.conflict, code: "closed_for_enrolment", e.message)
            case .notFound: return .notFound("Program")
            case .nameTaken: return APIError(.conflict, code: "name_taken", e.message)
            case .cannotDelete: return APIError(.conflict, code: "program_active", e.message)
            case let .refused(decision): return from(decision)
            }
        case let e as AccessRefused: return from(e.decision)
        case let e as ProvisioningTokenError:
            switch e {
            case let .invalid(problems): return .invalid(problems)
            case .tooMany: return APIError(.conflict, code: "too_many_tokens", e.message)
            case .notFound: return .notFound("Provisioning token")
            }
        case let e as MatchWorkflowError:
            switch e {
            case .programNotFound: return .notFound("Program")
            case .runNotFound: return .notFound("Match run")
            case .pairNotFound: return .notFound("Pair")
            case .ruleNotFound: return .notFound("Lock or exclusion")
            case .wrongStatus: return APIError(.conflict, code: "wrong_status", e.message)
            case .wrongMode: return APIError(.conflict, code: "wrong_mode", e.message)
            case let .invalid(problems): return .invalid(problems)
            case let .ruleBroken(_, _, rule):
                return APIError(.unprocessableEntity, code: "rule_broken", e.message, details: [ErrorDetail(field: "reason", reason: "is needed to override the \(rule) rule")])
            case .conflictingRule: return APIError(.conflict, code: "conflicting_rule", e.message)
            case .runNotDone, .runsNotComparable: return APIError(.conflict, code: "run_not_done", e.message)
            case .staleRun: return APIError(.conflict, code: "stale_run", e.message)
            case .alreadyPublished: return APIError(.conflict, code: "already_published", e.message)
            case .run: return APIError(.unprocessableEntity, code: "run_failed", e.message)
            case .notAnswerable: return APIError(.conflict, code: "not_answerable", e.message)
            case .requestExpired: return APIError(.conflict, code: "request_expired", e.message)
            case .placeTaken: return APIError(.conflict, code: "place_taken", e.message)
            case .menteeAlreadyPaired: return APIError(.conflict, code: "already_paired", e.message)
            case .notEligible: return APIError(.unprocessableEntity, code: "not_eligible", e.message)
            case let .refused(decision): return from(decision)
            }
        case let e as ProfileError:
            switch e {
            case let .personNotFound(id): return .notFound("Person \(id)")
            case let .invalid(problems): return .invalid(problems)
            }
        case let e as SignInLinkError:
            switch e {
            case .personNotFound: return APIError(.notFound, code: "not_found", e.message)
            case .personLeft: return APIError(.conflict, code: "person_inactive", e.message)
            case .invalidLink: return APIError(.notFound, code: "invalid_link", e.message)
            case .accessEnded: return AccessEnding.accessEnded
            case let .invalid(problems): return .invalid(problems)
            }
        case let e as SignInError:
            switch e {
            case let .invalid(problems): return .invalid(problems)
            case .tooManyAttempts: return APIError(.tooManyRequests, code: "too_many_attempts", e.message)
            case .wrongCredentials: return APIError(.unauthorized, code: "invalid_credentials", e.message)
            case .accessEnded: return AccessEnding.accessEnded
            }
        case let e as PartnershipError:
            switch e {
            case .pairNotFound: return .notFound("Pair")
            case let .refused(decision): return from(decision, hiddenAs: "Pair")
            case .wrongStatus: return APIError(.conflict, code: "wrong_status", e.message)
            case let .invalid(problems): return .invalid(problems)
            case .notLatestVersion: return APIError(.conflict, code: "not_latest_version", e.message)
            case .alreadyAgreed: return APIError(.conflict, code: "already_agreed", e.message)
            case .ownVersion: return APIError(.conflict, code: "own_version", e.message)
            case .noAgreement: return APIError(.conflict, code: "no_agreement", e.message)
            case .alreadyCheckedIn: return APIError(.conflict, code: "already_checked_in", e.message)
            case let .notFound(what): return .notFound(what)
            case .onlySide: return APIError(.forbidden, code: "wrong_side", e.message)
            }
        case let e as ConcernError:
            switch e {
            case let .refused(decision): return from(decision)
            case .notFound: return APIError(.notFound, code: "not_found", e.message)
            case .programNotFound: return .notFound("Program")
            case .notInProgram: return APIError(.forbidden, code: "not_in_program", e.message)
            case let .invalid(problems): return .invalid(problems)
            }
        case let e as AskError:
            switch e {
            case .notFound: return APIError(.notFound, code: "not_found", e.message)
            case let .invalid(problems): return .invalid(problems)
            case .notAskable: return APIError(.unprocessableEntity, code: "not_askable", e.message)
            case .alreadyAsked: return APIError(.conflict, code: "already_asked", e.message)
            case .tooMany: return APIError(.tooManyRequests, code: "too_many_waiting", e.message)
            case .settled: return APIError(.conflict, code: "already_answered", e.message)
            case .programClosed: return APIError(.conflict, code: "closed_for_enrolment", e.message)
            }
        case let e as OutcomesError:
            switch e {
            case .noStart: return APIError(.conflict, code: "no_start", e.message)
            case .tooFewPairs: return APIError(.conflict, code: "too_few_pairs", e.message)
            case .censorBeforeStart, .invalid: return .invalid(e.problems)
            }
        case let e as EnrolmentError:
            switch e {
            case .programNotFound: return .notFound("Program")
            case .enrolmentNotFound: return .notFound("Enrolment")
            case .closed: return APIError(.conflict, code: "closed_for_enrolment", e.message)
            case let .invalid(problems): return .invalid(problems)
            case .alreadyEnrolled: return APIError(.conflict, code: "already_enrolled", e.message)
            case let .refused(decision): return from(decision)
            }
        case let e as any DatabaseError where e.isConstraintFailure:
            // A unique or foreign-key rule the database enforces fired (two requests raced for the same
            // "one"): the data is right, the request simply lost. Never a 500.
            return APIError(.conflict, code: "conflict", "This conflicts with a change made at the same moment (\(e.constraintName)); reload and try again.")
        case is RequestDeadline.Exceeded, is WorkDeadline.Passed:
            return APIError(.serviceUnavailable, code: "deadline_exceeded",
                            "This took longer than the server allows for one request, so it was stopped; anything it changed was undone. Try again later, or with less at once.",
                            retryAfter: 30)
        case is SQLiteWriters.Busy, is ConnectionPoolTimeoutError: return .busy
        case let e as SQLiteError where [.busy, .locked, .busyTimeout, .busyInRecovery, .busyInSnapshot].contains(e.reason): return .busy
        case let e as PSQLError where e.serverInfo?[.sqlState] == "55P03": return .busy   // lock_not_available (lock_timeout)
        case is ClientAbort, is ChannelError, is IOError, is HTTPParserError:
            return APIError(.badRequest, code: "client_aborted", "The request ended before all of it arrived; send it again.")
        case let e as DecodingError:
            return APIError(.badRequest, code: "bad_request", "The request body could not be read: \(Self.describe(e))")
        case let e as any AbortError:
            let code: String
            switch e.status {
            case .notFound: code = "not_found"
            case .unauthorized: code = "unauthenticated"
            case .forbidden: code = "forbidden"
            case .payloadTooLarge: code = "payload_too_large"
            case .unsupportedMediaType: code = "unsupported_media_type"
            case .methodNotAllowed: code = "method_not_allowed"
            default: code = e.status.code < 500 ? "bad_request" : "server_error"
            }
            return APIError(e.status, code: code, e.reason)
        default:
            return APIError(.internalServerError, code: "server_error", "Something went wrong on our side; it has been logged.")
        }
    }

    /// A refusal by the access policy, as the client gets it.
    static func from(_ decision: AccessDecision, hiddenAs what: String = "Program") -> APIError {
        switch decision {
        case .allowed: return APIError(.internalServerError, code: "server_error", "Something went wrong on our side; it has been logged.")
        case .signInFirst: return .unauthenticated
        case let .forbidden(code, message): return APIError(.forbidden, code: code, message)
        case .hidden: return .notFound(what)
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let p = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
            return p.isEmpty ? "" : " at \(p)"
        }
        switch error {
        case let .keyNotFound(key, context): return "missing field '\(key.stringValue)'\(path(context))"
        case let .typeMismatch(type, context): return "expected \(type)\(path(context))"
        case let .valueNotFound(type, context): return "missing value of type \(type)\(path(context))"
        case let .dataCorrupted(context): return context.debugDescription + path(context)
        @unknown default: return "invalid body"
        }
    }
}

extension DatabaseError {
    /// Which rule fired, in words a person can read, without the database's own message (which may
    /// quote stored values).
    fileprivate var constraintName: String {
        let text = String(describing: self).lowercased()
        if text.contains("email") { return "an email is used once" }
        if text.contains("employee_id") { return "one record per person" }
        if text.contains("name") { return "a name is used once" }
        return "a rule that allows only one"
    }
}
