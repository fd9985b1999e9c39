import FlipsideCore
import Foundation
import MatchingEngine
import SQLKit

/// The matching workflow's table names.
enum MatchingTables {
    static let rules = "pair_rules"
    static let runs = "match_runs"
    static let pairs = "pairs"
    static let events = "pair_events"
}

/// JSON as the workflow's text columns hold it.
enum StoredJSON {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// `text` as it appears inside a stored JSON string (escaped, without the quotes).
    static func inString(_ text: String) -> String {
        guard let quoted = try? encode(text), quoted.count >= 2 else { return text }
        return String(quoted.dropFirst().dropLast())
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }
}

/// A run's snapshot as `StoredJSON.encode` writes it, byte for byte, with its enrolments written
/// directly: `JSONEncoder` took about 0.1 s for the 1.6 MB of a 2,000 x 2,000 run's snapshot, every run.
/// The settings, rules and the rest are small and still go through `StoredJSON`, as does any string
/// that needs an escape or is not ASCII (so the escaping is `JSONEncoder`'s own).
enum SnapshotJSON {
    static func encode(_ snapshot: RunSnapshot) throws -> String {
        var out = "{\"enrolments\":["
        out.reserveCapacity(snapshot.enrolments.count * 480 + 512)
        for (k, enrolment) in snapshot.enrolments.enumerated() {
            if k > 0 { out += "," }
            try write(enrolment, to: &out)
        }
        out += "],\"past_pairs\":"
        out += try StoredJSON.encode(snapshot.pastPairs)
        out += ",\"reference_day\":"
        out += try StoredJSON.encode(snapshot.referenceDay)
        out += ",\"rules\":"
        out += try StoredJSON.encode(snapshot.rules)
        out += ",\"settings\":"
        out += try StoredJSON.encode(snapshot.settings)
        out += "}"
        return out
    }

    /// One enrolment, its keys in `JSONEncoder`'s sorted order.
    static func write(_ e: Enrolment, to out: inout String) throws {
        out += "{\"availability\":["
        for (k, hours) in e.availability.enumerated() {
            out += k > 0 ? ",{\"end\":" : "{\"end\":"
            out += String(hours.end)
            out += ",\"start\":"
            out += String(hours.start)
            out += "}"
        }
        out += "],\"cadence\":\""
        out += e.cadence.rawValue
        out += "\",\"capacity\":"
        out += String(e.capacity)
        out += ",\"channels\":["
        for (k, channel) in e.channels.enumerated() {
            out += k > 0 ? ",\"" : "\""
            out += channel.rawValue
            out += "\""
        }
        out += "],\"employee_id\":"
        try string(e.employeeID, to: &out)
        out += ",\"id\":\""
        out += e.id.uuidString
        out += "\",\"industries\":["
        for (k, industry) in e.industries.enumerated() {
            if k > 0 { out += "," }
            try string(industry, to: &out)
        }
        out += "],\"offers\":"
        try topics(e.offers, level: "proficiency", \.proficiency, to: &out)
        out += ",\"program_id\":\""
        out += e.programID.uuidString
        out += "\",\"role\":\""
        out += e.role.rawValue
        out += "\",\"wants\":"
        try topics(e.wants, level: "priority", \.priority, to: &out)
        out += "}"
    }

    /// Offers or wants: `[{"<level>":n,"topic":"t"}, ...]` (the level's key sorts before "topic").
    static func topics<T: TopicLevel>(_ items: [T], level key: String, _ level: KeyPath<T, Int>, to out: inout String) throws {
        out += "["
        for (k, item) in items.enumerated() {
            out += k > 0 ? ",{\"" : "{\""
            out += key
            out += "\":"
            out += String(item[keyPath: level])
            out += ",\"topic\":"
            try string(item.topic.key, to: &out)
            out += "}"
        }
        out += "]"
    }

    /// A quoted string: printable ASCII without quotes or backslashes as it is, anything else as
    /// `JSONEncoder` writes it.
    static func string(_ text: String, to out: inout String) throws {
        if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            out += "\""
            out += text
            out += "\""
        } else {
            out += try StoredJSON.encode(text)
        }
    }
}

/// One row of `pair_rules`.
struct PairRuleRow: Codable, Sendable {
    var id: UUID
    var program_id: UUID
    var kind: String
    var mentee_id: String
    var mentor_id: String
    var overridden_rule: String?
    var reason: String?
    var created_at: Double

    init(_ r: PairRule) {
        id = r.id
        program_id = r.programID
        kind = r.kind.rawValue
        mentee_id = r.menteeID
        mentor_id = r.mentorID
        overridden_rule = r.overriddenRule
        reason = r.reason
        created_at = r.createdAt.timeIntervalSince1970
    }

    var rule: PairRule {
        PairRule(id: id, programID: program_id, kind: PairRule.Kind(rawValue: kind) ?? .exclusion, menteeID: mentee_id, mentorID: mentor_id,
                 overriddenRule: overridden_rule, reason: reason, createdAt: Date(timeIntervalSince1970: created_at))
    }
}

/// One row of `match_runs`.
struct MatchRunRow: Codable, Sendable {
    var id: UUID
    var program_id: UUID
    var algorithm: String
    var objective: String
    var status: String
    var fingerprint: String
    var snapshot: String
    var result: String?
    var error: String?
    var only_mentees: String?
    var created_at: Double
    var finished_at: Double?

    init(_ run: MatchRun) throws {
        id = run.id
        program_id = run.programID
        algorithm = run.algorithm.rawValue
        objective = run.objective.rawValue
        status = run.status.rawValue
        fingerprint = run.fingerprint
        // The snapshot (a program's enrolments, written directly) and the result (through JSONEncoder) are
        // encoded side by side.
        let (snapshot, result) = (run.snapshot, run.result)
        let texts = Parallelism.inParts(2, large: snapshot.enrolments.count >= 500) { part in
            part.map { k in Result { k == 0 ? try SnapshotJSON.encode(snapshot) : try result.map(StoredJSON.encode) } }
        }
        self.snapshot = try texts[0].get()!
        self.result = try texts[1].get()
        error = run.error
        only_mentees = try run.onlyMentees.map(StoredJSON.encode)
        created_at = run.createdAt.timeIntervalSince1970
        finished_at = run.finishedAt?.timeIntervalSince1970
    }

    func run() throws -> MatchRun {
        var run = MatchRun(id: id, programID: program_id, algorithm: MatchingAlgorithm(rawValue: algorithm) ?? .optimal,
                           objective: Objective(rawValue: objective) ?? .participation, status: RunStatus(rawValue: status) ?? .failed,
                           snapshot: try StoredJSON.decode(RunSnapshot.self, snapshot), createdAt: Date(timeIntervalSince1970: created_at),
                           finishedAt: finished_at.map(Date.init(timeIntervalSince1970:)), error: error,
                           result: try result.map { try StoredJSON.decode(RunResult.self, $0) },
                           onlyMentees: try only_mentees.map { try StoredJSON.decode([String].self, $0) })
        run.fingerprint = fingerprint
        return run
    }

    /// The columns a run list needs (not the snapshot and result, which can be megabytes).
    static let listColumns = ["id", "program_id", "algorithm", "objective", "status", "fingerprint", "error", "created_at", "finished_at"]
}

/// One row of `pairs`.
struct PairRow: Codable, Sendable {
    var id: UUID
    var program_id: UUID
    var mentee_id: String
    var mentor_id: String
    var status: String
    var source: String
    var run_id: UUID?
    var score: Double
    var overridden_rule: String?
    var override_reason: String?
    var mentee_accepted: Bool?
    var mentor_accepted: Bool?
    var created_at: Double
    var expires_at: Double?

    init(_ p: MentoringPair) {
        id = p.id
        program_id = p.programID
        mentee_id = p.menteeID
        mentor_id = p.mentorID
        status = p.status.rawValue
        source = p.source.rawValue
        run_id = p.runID
        score = p.score
        overridden_rule = p.overriddenRule
        override_reason = p.overrideReason
        mentee_accepted = p.menteeAccepted
        mentor_accepted = p.mentorAccepted
        created_at = p.createdAt.timeIntervalSince1970
        expires_at = p.expiresAt?.timeIntervalSince1970
    }

    var pair: MentoringPair {
        MentoringPair(id: id, programID: program_id, menteeID: mentee_id, mentorID: mentor_id, status: PairStatus(rawValue: status) ?? .ended,
                      source: PairSource(rawValue: source) ?? .run, runID: run_id, score: score, overriddenRule: overridden_rule,
                      overrideReason: override_reason, menteeAccepted: mentee_accepted, mentorAccepted: mentor_accepted,
                      createdAt: Date(timeIntervalSince1970: created_at), expiresAt: expires_at.map(Date.init(timeIntervalSince1970:)))
    }
}

/// One row of `pair_events`.
struct PairEventRow: Codable, Sendable {
    var id: UUID
    var pair_id: UUID
    var status: String
    var at: Double
    var actor: String
    var reason: String?

    init(_ e: PairEvent) {
        id = UUID()
        pair_id = e.pairID
        status = e.status.rawValue
        at = e.at.timeIntervalSince1970
        actor = e.actor
        reason = e.reason
    }

    var event: PairEvent {
        PairEvent(pairID: pair_id, status: PairStatus(rawValue: status) ?? .ended, at: Date(timeIntervalSince1970: at), actor: actor, reason: reason)
    }
}
