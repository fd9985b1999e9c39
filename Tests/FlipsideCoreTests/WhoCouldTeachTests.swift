import FlipsideCore
import FlipsideCoreTestSupport
import Foundation
import MatchingEngine
import Testing

@Suite struct TeachingProfileTests {
    let now = Fixtures.date("2026-12-05T10:00:00Z")

    @Test func onlyThePersonChangesTheirProfileAndItStartsClosed() async throws {
        let store = MemoryTeachingProfileStore(people: [Fixtures.person("A", level: 2), Fixtures.person("B", level: 5)])
        let mine = try await TeachingProfiles.profile(of: "A", actor: .participant(employeeID: "A"), store: store)
        #expect(mine.openToRequests == false && mine.offers.isEmpty)
        let saved = try await TeachingProfiles.update("A", with: TeachingProfileDraft(offers: [TopicOffer(topic: Topic("Gen AI")!, proficiency: 5)],
                                                                                     languages: [" Spanish ", "spanish", "Tagalog"], openToRequests: true),
                                                      actor: .participant(employeeID: "A"), now: now, store: store)
        #expect(saved.openToRequests && saved.languages == ["Spanish", "Tagalog"] && saved.changedAt == now)
        // A coordinator reads it, and changes nothing; another participant does neither.
        #expect(try await TeachingProfiles.profile(of: "A", actor: .coordinator(employeeID: nil), store: store) == saved)
        await #expect(throws: AccessRefused.self) {
            _ = try await TeachingProfiles.update("A", with: TeachingProfileDraft(openToRequests: false), actor: .coordinator(employeeID: nil), now: now, store: store)
        }
        await #expect(throws: AccessRefused.self) { _ = try await TeachingProfiles.profile(of: "A", actor: .participant(employeeID: "B"), store: store) }
        await #expect(throws: AccessRefused.self) { _ = try await TeachingProfiles.profile(of: "A", actor: .anonymous, store: store) }
        #expect(await store.profiles["A"]?.openToRequests == true)
    }

    @Test func badProfilesAreRefusedWithEveryProblem() async throws {
        let store = MemoryTeachingProfileStore(people: [Fixtures.person("A", level: 2)])
        do {
            _ = try await TeachingProfiles.update("A", with: TeachingProfileDraft(offers: [TopicOffer(topic: Topic("x")!, proficiency: 9)],
                                                                                 languages: Array(repeating: "l", count: 1) + (0..<11).map { "lang\($0)" },
                                                                                 channels: [], openToRequests: true),
                                                  actor: .participant(employeeID: "A"), now: now, store: store)
            Issue.record("accepted")
        } catch let ProfileError.invalid(problems) {
            #expect(Set(problems.map(\.field)) == ["offers", "languages", "channels"])
        }
        // Open to being asked with nothing to teach is refused too.
        await #expect(throws: ProfileError.invalid([FieldProblem(field: "open_to_requests", reason: "needs at least one topic or industry you could teach")])) {
            _ = try await TeachingProfiles.update("A", with: TeachingProfileDraft(openToRequests: true), actor: .participant(employeeID: "A"), now: now, store: store)
        }
        #expect(await store.profiles.isEmpty)
    }

    @Test func enrolmentStartsFromTheProfileAndGivesBackOnlyWhenAsked() {
        let profile = TeachingProfile(employeeID: "A", offers: [TopicOffer(topic: Topic("figma")!, proficiency: 4)], industries: ["Retail"],
                                      channels: [.video], availability: [HourRange(start: 9, end: 12)!])
        let draft = profile.mentorDraft()
        #expect(draft.role == .mentor && draft.offers == profile.offers && draft.industries == ["Retail"] && draft.channels == [.video])
        let enrolment = Enrolment(programID: UUID(), employeeID: "A", role: .mentor, offers: [TopicOffer(topic: Topic("sql")!, proficiency: 3)],
                                  channels: [.chat])
        var taken = profile
        TeachingProfileDraft(keeping: enrolment).apply(to: &taken)
        #expect(taken.offers == enrolment.offers && taken.industries.isEmpty && taken.channels == [.chat] && taken.openToRequests == profile.openToRequests)
        // A mentee's enrolment keeps only how they meet.
        var asMentee = profile
        TeachingProfileDraft(keeping: Enrolment(programID: UUID(), employeeID: "A", role: .mentee, wants: [TopicWant(topic: Topic("sql")!, priority: 3)], channels: [.chat])).apply(to: &asMentee)
        #expect(asMentee.offers == profile.offers && asMentee.channels == [.chat])
    }
}

@Suite struct WhoCouldTeachTests {
    let now = Fixtures.date("2026-12-05T10:00:00Z")
    let topics = ["gen-ai", "figma", "sql", "tiktok", "python", "retail"]

    /// A random organisation: a reporting tree, levels, departments, locations, zones, backgrounds, and
    /// teaching profiles for most (some open, some not, some who left).
    func organisation(seed: UInt64) -> (people: [Person], profiles: [TeachingProfile]) {
        var rng = SeededGenerator(seed: seed)
        var people: [Person] = []
        let zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Singapore"]
        for i in 0..<60 {
            let manager = i == 0 ? nil : "P\(Int.random(in: 0..<i, using: &rng))"
            var p = Fixtures.person("P\(i)", level: Int.random(in: 1...7, using: &rng), manager: manager,
                                    department: ["Eng", "Sales", "HR"].randomElement(using: &rng)!, hired: "20\(10 + Int.random(in: 0...15, using: &rng))-03-01",
                                    exit: Int.random(in: 0..<10, using: &rng) == 0 ? "2026-01-01" : nil,
                                    location: ["Berlin", "Lagos", "Austin"].randomElement(using: &rng)!, timeZone: zones.randomElement(using: &rng)!)
            if Bool.random(using: &rng) { p.attributes["career_path"] = ["apprentice", "graduate", "changer"].randomElement(using: &rng)! }
            people.append(p)
        }
        var profiles: [TeachingProfile] = []
        for p in people where Int.random(in: 0..<4, using: &rng) > 0 {
            let offers = topics.shuffled(using: &rng).prefix(Int.random(in: 0...3, using: &rng)).map { TopicOffer(topic: Topic($0)!, proficiency: Int.random(in: 1...5, using: &rng)) }
            let channels = Channel.allCases.filter { _ in Bool.random(using: &rng) }
            let hours = Bool.random(using: &rng) ? [HourRange(start: Int.random(in: 6...12, using: &rng), end: Int.random(in: 13...20, using: &rng))!] : []
            profiles.append(TeachingProfile(employeeID: p.employeeID, offers: offers, industries: Bool.random(using: &rng) ? ["Retail"] : [],
                                            languages: Bool.random(using: &rng) ? ["Spanish"] : [], channels: channels.isEmpty ? [.video] : channels,
                                            availability: hours, openToRequests: Int.random(in: 0..<3, using: &rng) > 0))
        }
        return (people, profiles)
    }

    func directory(_ org: (people: [Person], profiles: [TeachingProfile])) -> TeachingDirectory {
        TeachingDirectory(people: org.people, profiles: org.profiles, managers: ReportingTree(people: org.people), reference: now)
    }

    /// The property: the answer is exactly the open people a program's matching would score for this
    /// asker (same rules, same score model over everyone), who list an asked topic and break no rule,
    /// best first; people who are not open are only counted; nobody who left, nobody in the asker's chain.
    @Test(arguments: 1...25)
    func theAnswerAgreesWithTheEngine(seed: UInt64) throws {
        let org = organisation(seed: seed)
        let dir = directory(org)
        var rng = SeededGenerator(seed: seed &* 31)
        var rules = MatchRules()
        rules.minLevelGap = Int.random(in: 1...2, using: &rng)
        let people = Dictionary(uniqueKeysWithValues: org.people.map { ($0.employeeID, $0) })
        var named = 0, counted = 0
        defer { #expect(named > 0 && counted > 0, "seed \(seed): the organisation exercises both open and closed profiles") }
        for asker in org.people.filter({ $0.status == .active }).shuffled(using: &rng).prefix(6) {
            let question = try TeachingQuestion.parse(topics: Array(topics.shuffled(using: &rng).prefix(Int.random(in: 1...2, using: &rng))),
                                                      industry: nil, perspective: nil, language: nil, limit: 100).get()
            let askerProfile = org.profiles.first { $0.employeeID == asker.employeeID }
            let answer = try WhoCouldTeach.ask(question, asker: asker, askerProfile: askerProfile, rules: rules, rulesFrom: "test", directory: dir,
                                               actor: .participant(employeeID: asker.employeeID), now: now)
            // The engine over everyone: the asker as a mentee, every active profile as a mentor.
            let enrolments = [TeachingDirectory.enrolment(asking: question, asker.employeeID, profile: askerProfile)]
                + org.profiles.filter { $0.employeeID != asker.employeeID && people[$0.employeeID]?.status == .active }.map(TeachingDirectory.enrolment)
            let input = MatchInput(people: people, enrolments: enrolments, rules: rules, reference: now)
            let problem = ScoringProblem(mentees: input.mentees, mentors: input.mentors, rules: rules)
            var expected: [(id: String, score: Double)] = []
            var closed = 0
            for (j, mentor) in input.mentors.enumerated() {
                guard let score = problem.score(mentee: 0, mentor: j), question.topics.contains(where: { mentor.topics[$0.key] != nil }) else { continue }
                if org.profiles.first(where: { $0.employeeID == mentor.id })!.openToRequests { expected.append((mentor.id, score)) } else { closed += 1 }
            }
            expected.sort { $0.score > $1.score || ($0.score == $1.score && $0.id < $1.id) }
            #expect(answer.candidates.map(\.employeeID) == expected.map(\.id), "seed \(seed) asker \(asker.employeeID)")
            #expect(zip(answer.candidates.map(\.score), expected.map(\.score)).allSatisfy { abs($0 - $1) < 1e-9 })
            #expect(answer.openCount == expected.count && answer.notOpenCount == closed)
            named += answer.candidates.count
            counted += answer.notOpenCount
            let chain = Set(ReportingTree(people: org.people).managementChain(of: asker.employeeID))
            for c in answer.candidates {
                let p = people[c.employeeID]!
                #expect(p.status == .active && asker.level - p.level >= rules.minLevelGap && !chain.contains(c.employeeID))
                #expect(!ReportingTree(people: org.people).managementChain(of: c.employeeID).contains(asker.employeeID))
                #expect(org.profiles.first { $0.employeeID == c.employeeID }!.openToRequests)
                // Background shown only as "different", never its values.
                for reason in c.reasons { for value in [p.department, p.location] + p.attributes.values { #expect(!reason.contains(value)) } }
            }
        }
    }

    @Test func filtersNarrowAndOnlyThePersonOrACoordinatorAsks() throws {
        let asker = Fixtures.person("S", level: 7, department: "Sales", location: "Berlin")
        var a = Fixtures.person("A", level: 2, name: "Ana", department: "Eng", location: "Berlin"); a.attributes["previous_industry"] = "Retail"
        let b = Fixtures.person("B", level: 3, name: "Bo", department: "Sales", location: "Lagos")
        let c = Fixtures.person("C", level: 2, name: "Cy", manager: "S", department: "Eng", location: "Lagos")
        let d = Fixtures.person("D", level: 2, name: "Di", department: "HR", location: "Lagos")
        let offer = [TopicOffer(topic: Topic("gen-ai")!, proficiency: 5)]
        let dir = TeachingDirectory(people: [asker, a, b, c, d], profiles: [
            TeachingProfile(employeeID: "A", offers: offer, languages: ["Spanish"], openToRequests: true),
            TeachingProfile(employeeID: "B", offers: offer, openToRequests: true),
            TeachingProfile(employeeID: "C", offers: offer, openToRequests: true),
            TeachingProfile(employeeID: "D", offers: offer, openToRequests: false),
        ], managers: ReportingTree(people: [asker, a, b, c, d]), reference: now)
        func ask(_ q: TeachingQuestion, _ actor: Actor = .participant(employeeID: "S")) throws -> TeachingAnswer {
            try WhoCouldTeach.ask(q, asker: asker, askerProfile: TeachingProfile(employeeID: "S", languages: ["spanish"]), rules: MatchRules(),
                                  rulesFrom: "defaults", directory: dir, actor: actor, now: now)
        }
        let all = try ask(TeachingQuestion.parse(topics: ["Gen AI"], industry: nil, perspective: nil, language: nil, limit: nil).get())
        // C reports to the asker: never. D is not open: counted, not named.
        #expect(Set(all.candidates.map(\.employeeID)) == ["A", "B"] && all.notOpenCount == 1)
        #expect(all.notOpenSentence == "1 more person lists this but is not open to being asked.")
        let ana = all.candidates.first { $0.employeeID == "A" }!
        #expect(ana.reasons.contains("Brings another perspective: a different department.") && ana.reasons.contains("Speaks Spanish, as you do."))
        let otherDepartment = try ask(TeachingQuestion.parse(topics: ["gen-ai"], industry: nil, perspective: "department", language: nil, limit: nil).get())
        #expect(otherDepartment.candidates.map(\.employeeID) == ["A"])
        let retail = try ask(TeachingQuestion.parse(topics: ["gen-ai"], industry: "retail", perspective: nil, language: nil, limit: nil).get())
        #expect(retail.candidates.map(\.employeeID) == ["A"] && retail.notOpenCount == 0)
        let spanish = try ask(TeachingQuestion.parse(topics: ["gen-ai"], industry: nil, perspective: nil, language: "SPANISH", limit: nil).get())
        #expect(spanish.candidates.map(\.employeeID) == ["A"])
        // A coordinator asks on the senior's behalf and gets the same answer; a colleague may not.
        let coordinator = try ask(TeachingQuestion.parse(topics: ["Gen AI"], industry: nil, perspective: nil, language: nil, limit: nil).get(), .coordinator(employeeID: nil))
        #expect(coordinator.candidates == all.candidates && coordinator.notOpenCount == 1)
        #expect(throws: AccessRefused.self) { _ = try ask(TeachingQuestion.parse(topics: ["x"], industry: nil, perspective: nil, language: nil, limit: nil).get(), .participant(employeeID: "A")) }
        #expect(throws: AccessRefused.self) { _ = try ask(TeachingQuestion.parse(topics: ["x"], industry: nil, perspective: nil, language: nil, limit: nil).get(), .anonymous) }
    }

    @Test func badQuestionsSayWhatIsWrong() {
        guard case let .failure(.invalid(problems)) = TeachingQuestion.parse(topics: [" ", ";"], industry: nil, perspective: "astrology", language: nil, limit: 0) else {
            Issue.record("accepted"); return
        }
        #expect(problems.map(\.field) == ["topic", "perspective", "limit"])
        guard case let .failure(.invalid(many)) = TeachingQuestion.parse(topics: (0..<11).map { "t\($0)" }, industry: nil, perspective: nil, language: nil, limit: nil) else {
            Issue.record("accepted"); return
        }
        #expect(many.map(\.field) == ["topic"])
    }
}
