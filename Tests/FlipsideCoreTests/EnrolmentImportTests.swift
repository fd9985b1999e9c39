import MatchingEngine
import FlipsideCore
import FlipsideCoreTestSupport
import Testing

@Suite struct EnrolmentImportTests {
    static let header = "employee_id,role,offers,wants,industries,channels,cadence,capacity"
    let program = Program(name: "Cohort", status: .enrolling, settings: MatchingSettings(minLevelGap: 2, defaultCapacity: 1))
    let people: [String: Person] = {
        var result: [String: Person] = [:]
        for (id, level) in [("P00412", 2), ("S1", 7), ("S2", 3), ("J2", 1)] {
            result[id] = Fixtures.person(id, level: level, hired: "2020-01-01")
        }
        return result
    }()

    func problems(_ csv: String) -> [ImportProblem] {
        do { _ = try EnrolmentImport.plan(csv: csv, program: program, people: people, existing: [:]); return [] } catch { return error.problems }
    }

    @Test func readsTheDocumentedExampleRow() throws {
        let csv = "\(Self.header)\nP00412,mentor,generative ai:5;figma:3,,retail,video;chat,biweekly,2\nS1,mentee,,Gen-AI:3; TikTok:1,,in person,weekly,\n"
        let plan = try EnrolmentImport.plan(csv: csv, program: program, people: people, existing: [:])
        #expect(plan.counts.created == 2)
        let mentor = try #require(plan.created.first { $0.role == .mentor })
        #expect(mentor.offers == [TopicOffer(topic: Topic("generative ai")!, proficiency: 5), TopicOffer(topic: Topic("figma")!, proficiency: 3)])
        #expect(mentor.industries == ["retail"])
        #expect(mentor.channels == [.video, .chat])
        #expect(mentor.cadence == .biweekly)
        #expect(mentor.capacity == 2)
        let mentee = try #require(plan.created.first { $0.role == .mentee })
        #expect(mentee.wants.map(\.topic.key) == ["gen-ai", "tiktok"])
        #expect(mentee.channels == [.inPerson])
        #expect(mentee.capacity == 1)
        #expect(plan.warnings.isEmpty)
    }

    @Test func warnsAboutAMenteeNoMentorCanServe() throws {
        let csv = "\(Self.header)\nP00412,mentor,python:4,,,video,weekly,1\nS2,mentee,,python:2,,video,weekly,\n"
        let plan = try EnrolmentImport.plan(csv: csv, program: program, people: people, existing: [:])
        #expect(plan.counts.created == 2)
        #expect(plan.warnings.map(\.employeeID) == ["S2"])
        #expect(plan.warnings.first?.message.contains("gap of 2") == true)
    }

    @Test func reportsEveryProblemInTheFile() {
        let csv = """
        \(Self.header),availability
        NOBODY,mentor,python:4,,,video,weekly,1,
        P00412,boss,python:9,,,fax,daily,0,25-26
        S1,mentee,python:3,,,video,weekly,,
        S1,mentee,,python:2;Python:1,,video,weekly,,
        J2,mentor,"python",,,video,weekly,1,
        """
        let found = problems(csv)
        func has(_ row: Int, _ column: String, _ fragment: String) -> Bool {
            found.contains { $0.row == row && $0.column == column && $0.reason.contains(fragment) }
        }
        #expect(has(2, "employee_id", "no person"))
        #expect(has(3, "role", "mentor or mentee"))
        #expect(has(3, "offers", "proficiency must be"))
        #expect(has(3, "channels", "not a channel"))
        #expect(has(3, "cadence", "not a cadence"))
        #expect(has(3, "capacity", "between 1 and 20"))
        #expect(has(3, "availability", "hour range"))
        #expect(has(4, "offers", "is for mentors"))
        #expect(has(4, "wants", "must want at least one"))
        #expect(has(5, "employee_id", "enrolled twice"))
        #expect(has(5, "wants", "listed twice"))
        #expect(has(6, "offers", "topic:number"))
    }

    @Test func refusesAProgramThatNoLongerTakesEnrolments() {
        var closed = program
        closed.status = .active
        #expect(throws: ImportFailure.self) {
            try EnrolmentImport.plan(csv: "\(Self.header)\n", program: closed, people: people, existing: [:])
        }
    }

    @Test func reimportCountsUnchangedAndUpdated() throws {
        let csv = "\(Self.header)\nP00412,mentor,python:4,,,video,weekly,1\nS1,mentee,,python:2,,video,weekly,\n"
        let first = try EnrolmentImport.plan(csv: csv, program: program, people: people, existing: [:])
        var existing: [String: Enrolment] = [:]
        for e in first.created { existing[e.employeeID] = e }
        let again = try EnrolmentImport.plan(csv: csv, program: program, people: people, existing: existing)
        #expect(again.counts == ImportCounts(created: 0, updated: 0, unchanged: 2))
        let changed = try EnrolmentImport.plan(csv: csv.replacingOccurrences(of: "python:4", with: "python:5"), program: program, people: people, existing: existing)
        #expect(changed.counts == ImportCounts(created: 0, updated: 1, unchanged: 1))
        #expect(changed.updated.first?.id == existing["P00412"]?.id)
    }
}

@Suite struct DemoOrganisationTests {
    let demo = DemoOrganisation()

    @Test func isRealisticInSize() {
        #expect((280...330).contains(demo.people.count))
        #expect(Set(demo.people.map(\.department)).count >= 6)
        #expect(Set(demo.people.map(\.location)).count >= 4)
        #expect(demo.enrolments.filter { $0.role == .mentor }.count == 40)
        #expect(demo.enrolments.filter { $0.role == .mentee }.count == 40)
    }

    @Test func hasAReportingTreeAtLeastFiveLevelsDeep() {
        let tree = ReportingTree(people: demo.people)
        let depth = demo.people.map { tree.managementChain(of: $0.employeeID).count + 1 }.max() ?? 0
        #expect(depth >= 5)
        #expect(tree.cycles().isEmpty)
        #expect(demo.people.filter { $0.managerID == nil }.count == 1)
    }

    @Test func isTheSameEveryTime() {
        #expect(DemoOrganisation() .people == demo.people)
        #expect(DemoOrganisation().enrolments == demo.enrolments)
    }

    @Test func enrolmentsFollowTheRules() {
        for e in demo.enrolments { #expect(EnrolmentRules.problems(in: e).isEmpty, "\(e.employeeID)") }
        let levels = Dictionary(uniqueKeysWithValues: demo.people.map { ($0.employeeID, $0.level) })
        #expect(EnrolmentRules.warnings(enrolments: demo.enrolments, levels: levels, gap: demo.program.settings.minLevelGap).isEmpty)
    }
}

@Suite struct MatchInputTests {
    @Test func demoEnrolmentsRoundTripAndBecomeEngineInput() throws {
        let demo = DemoOrganisation()
        var people: [String: Person] = [:]
        for p in demo.people { people[p.employeeID] = p }
        let plan = try EnrolmentImport.plan(csv: EnrolmentCSV.render(demo.enrolments), program: demo.program, people: people, existing: [:])
        #expect(Set(plan.created.map(\.employeeID)) == Set(demo.enrolments.map(\.employeeID)))
        #expect(plan.created.sorted { $0.employeeID < $1.employeeID }.map(\.offers) == demo.enrolments.sorted { $0.employeeID < $1.employeeID }.map(\.offers))
        var rules = MatchRules()
        rules.minLevelGap = demo.program.settings.minLevelGap
        let input = MatchInput(people: people, enrolments: demo.enrolments, rules: rules, reference: CalendarDate(iso: "2026-11-02")!.startUTC)
        #expect(input.mentees.count == 40 && input.mentors.count == 40)
        let mentor = try #require(input.mentors.first)
        #expect(mentor.managementChain.last == "P00001")
        #expect(mentor.capacity >= 1 && !mentor.topics.isEmpty)
        let problem = ScoringProblem(mentees: input.mentees, mentors: input.mentors, rules: rules)
        let (matching, switching) = try OptimalMatcher.solveWithSwitchingCosts(problem.matrix(), capacity: problem.capacity)
        #expect(matching.count >= 38)
        for pair in matching.pairs { #expect(problem.brokenRule(mentee: pair.row, mentor: pair.col) == nil) }
        let explanation = MatchExplanation(problem: problem, matrix: problem.matrix(), matching: matching, people: people,
                                           switching: switching)
        #expect(explanation.pairs.count + explanation.unmatchedMentees.count == 40)
        for unmatched in explanation.unmatchedMentees {
            #expect(!unmatched.reason.isEmpty && (unmatched.eligiblePartners == 0 || unmatched.bestEligible != nil), "\(unmatched.reason)")
        }
        #expect(explanation.alternatives.count == 40)
        // Switching to an alternative can never raise the optimum.
        for alternative in explanation.alternatives.flatMap(\.nextBest) {
            let change = try #require(alternative.programTotalChange)
            #expect(change <= 1e-9 || (alternative.programPairsChange ?? 0) < 0)
        }
        #expect(try explanation.json().contains("\"goal_coverage\""))
    }
}
