import FlipsideCore
import Foundation
import MatchingEngine
import Vapor

/// A lock or exclusion.
struct PairRuleDTO: Content {
    var id: UUID
    var kind: PairRule.Kind
    var mentee_id: String
    var mentor_id: String
    var overridden_rule: String?
    var reason: String?
    var created_at: Date

    init(_ r: PairRule) {
        id = r.id
        kind = r.kind
        mentee_id = r.menteeID
        mentor_id = r.mentorID
        overridden_rule = r.overriddenRule
        reason = r.reason
        created_at = r.createdAt
    }
}

struct PairRuleInput: Content {
    var kind: PairRule.Kind
    var mentee_id: String
    var mentor_id: String
    var reason: String?
}

/// A run in a list: what it was and how it went (without its pairs).
struct RunListDTO: Content {
    var id: UUID
    var algorithm: String
    var objective: String
    var status: String
    var error: String?
    var created_at: Date
    var finished_at: Date?
    /// Whether it was computed from what the program holds now (only a current run can be published).
    var current: Bool

    init(_ r: RunListing, currentFingerprint: String) {
        id = r.id
        algorithm = r.algorithm
        objective = r.objective
        status = r.status
        error = r.error
        created_at = Date(timeIntervalSince1970: r.created_at)
        finished_at = r.finished_at.map(Date.init(timeIntervalSince1970:))
        current = r.fingerprint == currentFingerprint
    }
}

struct RunInput: Content {
    var algorithm: MatchingAlgorithm?
    var objective: Objective?
    /// Compute in the background whatever the program's size (by default only above 2,000 mentees).
    var background: Bool?

    init(algorithm: MatchingAlgorithm? = nil, objective: Objective? = nil, background: Bool? = nil) {
        self.algorithm = algorithm
        self.objective = objective
        self.background = background
    }
}

/// One run with its result.
struct RunDTO: Content {
    struct PairDTO: Content {
        var mentee_id: String
        var mentee_name: String
        var mentor_id: String
        var mentor_name: String
        var score: Double
        var locked: Bool
        var points: [String: Double]
        var covered_topics: [String]
        var uncovered_topics: [String]
        var overridden_rule: String?
        var override_reason: String?
    }

    struct Note: Content {
        var id: String
        var name: String
        var reason: String
    }

    var id: UUID
    var program_id: UUID
    var algorithm: MatchingAlgorithm
    var objective: Objective
    var status: RunStatus
    var error: String?
    var created_at: Date
    var finished_at: Date?
    var current: Bool
    /// Whether the asker may publish this run now (`MatchWorkflow.publishRefusal` finds nothing against it).
    var can_publish: Bool
    /// For a re-run in an active program: the mentees it paired (the others keep their pairs).
    var only_mentees: [String]?
    var summary: RunSummary?
    var pairs: [PairDTO]
    var unmatched_mentees: [Note]
    var mentors_with_places_left: [Note]
    var ignored_locks: [String]

    init(_ run: RunView, result: RunResult?, onlyMentees: [String]?, current: Bool, canPublish: Bool, names: [String: String]) {
        id = run.id
        program_id = run.program_id
        algorithm = MatchingAlgorithm(rawValue: run.algorithm) ?? .optimal
        objective = Objective(rawValue: run.objective) ?? .participation
        status = RunStatus(rawValue: run.status) ?? .failed
        error = run.error
        created_at = Date(timeIntervalSince1970: run.created_at)
        finished_at = run.finished_at.map(Date.init(timeIntervalSince1970:))
        self.current = current
        can_publish = canPublish
        only_mentees = onlyMentees
        summary = result?.summary
        pairs = (result?.pairs ?? []).map { p in
            PairDTO(mentee_id: p.menteeID, mentee_name: names[p.menteeID] ?? p.menteeID, mentor_id: p.mentorID,
                    mentor_name: names[p.mentorID] ?? p.mentorID, score: p.score, locked: p.locked, points: p.points,
                    covered_topics: p.coveredTopics, uncovered_topics: p.uncoveredTopics, overridden_rule: p.overriddenRule,
                    override_reason: p.overrideReason)
        }
        unmatched_mentees = (result?.unmatchedMentees ?? []).map { Note(id: $0.id, name: names[$0.id] ?? $0.id, reason: $0.reason) }
        mentors_with_places_left = (result?.mentorsWithPlacesLeft ?? []).map { Note(id: $0.id, name: names[$0.id] ?? $0.id, reason: $0.reason) }
        ignored_locks = result?.ignoredLocks ?? []
    }
}

/// Two runs side by side.
struct RunComparisonDTO: Content {
    struct PairKey: Content { var mentee_id: String; var mentor_id: String }
    var first: UUID
    var second: UUID
    var shared: [PairKey]
    var only_in_first: [PairKey]
    var only_in_second: [PairKey]
    var pairs_change: Int
    var total_change: Double
    var mean_change: Double?
    var lowest_change: Double?

    init(first: UUID, second: UUID, comparison c: RunComparison) {
        self.first = first
        self.second = second
        func keys(_ list: [RunComparison.PairKey]) -> [PairKey] { list.map { PairKey(mentee_id: $0.menteeID, mentor_id: $0.mentorID) } }
        shared = keys(c.shared)
        only_in_first = keys(c.onlyInFirst)
        only_in_second = keys(c.onlyInSecond)
        pairs_change = c.pairsChange
        total_change = c.totalChange
        mean_change = c.meanChange
        lowest_change = c.lowestChange
    }
}

/// A pair as the actor may see it: a participant sees their partner, why they were paired, their own
/// and the system's words in the history; a coordinator also sees an override's reason and every word.
struct PairDTO: Content {
    struct Person: Content {
        var employee_id: String
        var name: String
        var title: String
        var department: String
        var location: String
    }

    struct Event: Content {
        var status: PairStatus
        var at: Date
        var actor: String
        var reason: String?
    }

    var id: UUID
    var program_id: UUID
    var mentee: Person
    var mentor: Person
    var status: PairStatus
    var source: PairSource
    var run_id: UUID?
    var score: Double
    var mentee_accepted: Bool?
    var mentor_accepted: Bool?
    var created_at: Date
    var expires_at: Date?
    /// Whether a coordinator paired them against a hard rule (the rule and reason for coordinators).
    var overridden: Bool
    var overridden_rule: String?
    var override_reason: String?
    /// "Why you two", for the side asking (the mentee's view for coordinators).
    var why: [String]
    var history: [Event]
    /// Whether the actor can answer now.
    var can_answer: Bool

    init(_ pair: MentoringPair, actor: Actor, now: Date, people: [String: FlipsideCore.Person], why: [String], history: [PairEvent]) {
        func person(_ id: String) -> Person {
            let p = people[id]
            return Person(employee_id: id, name: p?.name ?? id, title: p?.title ?? "", department: p?.department ?? "", location: p?.location ?? "")
        }
        id = pair.id
        program_id = pair.programID
        mentee = person(pair.menteeID)
        mentor = person(pair.mentorID)
        status = pair.effectiveStatus(now: now)
        source = pair.source
        run_id = pair.runID
        score = pair.score
        mentee_accepted = pair.menteeAccepted
        mentor_accepted = pair.mentorAccepted
        created_at = pair.createdAt
        expires_at = pair.expiresAt
        overridden = pair.overriddenRule != nil
        overridden_rule = actor.isCoordinator ? pair.overriddenRule : nil
        override_reason = actor.isCoordinator ? pair.overrideReason : nil
        self.why = why
        self.history = history.map { Event(status: $0.status, at: $0.at, actor: $0.actor, reason: AccessPolicy.mayReadReason(of: $0, actor) ? $0.reason : nil) }
        can_answer = pair.awaitsAnswer(from: pair.side(of: actor.employeeID), now: now)
    }
}

struct PairResponseInput: Content {
    var accept: Bool
    var reason: String?
}

struct RequestInput: Content {
    var mentor_id: String
}

/// A mentor a mentee may ask (self-matching).
struct SuggestionDTO: Content {
    var mentor_id: String
    var name: String
    var title: String
    var department: String
    var score: Double
    var points: [String: Double]
    var covered_topics: [String]
    var places_left: Int
}
