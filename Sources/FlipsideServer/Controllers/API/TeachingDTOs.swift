import FlipsideCore
import Foundation
import MatchingEngine
import Vapor

/// A teaching profile as its owner (or a coordinator) reads it.
struct TeachingProfileDTO: Content {
    var employee_id: String
    var offers: [TopicOffer]
    var industries: [String]
    var languages: [String]
    var channels: [FlipsideCore.Channel]
    var availability: [HourRange]
    var open_to_requests: Bool

    init(_ p: TeachingProfile) {
        employee_id = p.employeeID
        offers = p.offers
        industries = p.industries
        languages = p.languages
        channels = p.channels
        availability = p.availability
        open_to_requests = p.openToRequests
    }
}

/// A change to one's teaching profile: every field optional, what is absent stays.
struct TeachingProfileInput: Content {
    var offers: [TopicOffer]?
    var industries: [String]?
    var languages: [String]?
    var channels: [FlipsideCore.Channel]?
    var availability: [HourRange]?
    var open_to_requests: Bool?

    var draft: TeachingProfileDraft {
        TeachingProfileDraft(offers: offers, industries: industries, languages: languages, channels: channels, availability: availability,
                             openToRequests: open_to_requests)
    }
}

/// "Who could teach me?" answered: open people best first, with why; the rest only counted.
struct TeachingAnswerDTO: Content {
    struct Candidate: Content {
        var employee_id: String
        var name: String
        var score: Double
        var components: [String: Double]
        var knows: [TopicOffer]
        var reasons: [String]
    }

    var `for`: String
    var topics: [String]
    var industry: String?
    var perspective: String?
    var language: String?
    var rules_from: String
    var candidates: [Candidate]
    var open_count: Int
    var not_open_count: Int
    var not_open_sentence: String?

    init(_ a: TeachingAnswer) {
        self.for = a.askerID
        topics = a.question.topics.map(\.key)
        industry = a.question.industry?.key
        perspective = a.question.perspective?.rawValue
        language = a.question.language
        rules_from = a.rulesFrom
        candidates = a.candidates.map { c in
            Candidate(employee_id: c.employeeID, name: c.name, score: (c.score * 10).rounded() / 10,
                      components: Dictionary(uniqueKeysWithValues: zip(ScoreComponent.allCases.map(\.rawValue), c.components.map { ($0 * 1000).rounded() / 1000 })),
                      knows: c.knows, reasons: c.reasons)
        }
        open_count = a.openCount
        not_open_count = a.notOpenCount
        not_open_sentence = a.notOpenSentence
    }
}
