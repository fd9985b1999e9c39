/// Which pairing to find.
public enum MatchingAlgorithm: String, Sendable, Codable, CaseIterable {
    /// The most pairs (or the best total), proven optimal.
    case optimal
    /// The most pairs, then the best lowest pair score, then the best total.
    case fair
    /// No mentee and mentor would both rather have each other than whom they got.
    case stable
}

/// Everything a pairing is asked with, besides the scores and capacities.
public struct MatchRequest: Sendable {
    public var algorithm: MatchingAlgorithm
    /// For `optimal`: most pairs first, or best total.
    public var objective: Objective
    /// For `stable`: which side proposes.
    public var proposing: StableMatcher.Proposer
    /// Pairs that must be in the result (`optimal` only).
    public var locks: [(row: Int, col: Int)]
    /// For `optimal`: also work out what every other pair would cost (`SwitchingCosts`).
    public var switchingCosts: Bool
    /// For `stable`: also count the blocking pairs (a check; 0 for a stable matching).
    public var countBlockingPairs: Bool

    public init(_ algorithm: MatchingAlgorithm, objective: Objective = .participation, proposing: StableMatcher.Proposer = .mentees,
                locks: [(row: Int, col: Int)] = [], switchingCosts: Bool = false, countBlockingPairs: Bool = false) {
        self.algorithm = algorithm
        self.objective = objective
        self.proposing = proposing
        self.locks = locks
        self.switchingCosts = switchingCosts
        self.countBlockingPairs = countBlockingPairs
    }
}

/// A pairing with what was asked along with it.
public struct MatchResult: Sendable {
    public var matching: Matching
    /// With `switchingCosts` on `optimal`.
    public var switching: SwitchingCosts?
    /// With `countBlockingPairs` on `stable`: pairs that would rather leave (0 for a stable matching).
    public var blockingPairs: Int?
}

/// Why a request cannot be answered.
public enum MatchRequestError: Error, Equatable, Sendable, CustomStringConvertible {
    case locksNeedOptimal
    /// A lock on a pair a hard rule forbids (the caller names the rule, or records an override first).
    case lockedPairForbidden(row: Int, col: Int)
    case matching(MatchingError)

    public var description: String {
        switch self {
        case .locksNeedOptimal: return "locks are supported with the optimal algorithm only"
        case let .lockedPairForbidden(row, col): return "the locked pair (mentee \(row), mentor \(col)) is forbidden by a hard rule"
        case let .matching(error): return error.description
        }
    }
}

/// The one entry point to the engine: the command line, the match preview page and the API all ask it,
/// so an algorithm means the same everywhere.
public enum Matcher {
    public static func solve(_ scores: ScoreMatrix, capacity: [Int], _ request: MatchRequest) throws(MatchRequestError) -> MatchResult {
        if !request.locks.isEmpty && request.algorithm != .optimal { throw .locksNeedOptimal }
        for lock in request.locks where !(0..<scores.rows).contains(lock.row) || !(0..<scores.cols).contains(lock.col) || !scores.isAllowed(lock.row, lock.col) {
            throw .lockedPairForbidden(row: lock.row, col: lock.col)
        }
        do {
            switch request.algorithm {
            case .optimal where request.switchingCosts:
                let (matching, switching) = try OptimalMatcher.solveWithSwitchingCosts(scores, capacity: capacity, objective: request.objective,
                                                                                      locks: request.locks)
                return MatchResult(matching: matching, switching: switching)
            case .optimal:
                return MatchResult(matching: try OptimalMatcher.solve(scores, capacity: capacity, objective: request.objective, locks: request.locks))
            case .fair:
                return MatchResult(matching: try FairMatcher.solve(scores, capacity: capacity))
            case .stable:
                let matching = try StableMatcher.solve(scores, capacity: capacity, proposing: request.proposing)
                let blocking = request.countBlockingPairs ? StableMatcher.blockingPairs(scores, capacity: capacity, matching: matching) : nil
                return MatchResult(matching: matching, blockingPairs: blocking)
            }
        } catch {
            throw .matching(error)
        }
    }
}
