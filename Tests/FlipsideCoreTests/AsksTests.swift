import FlipsideCore
import FlipsideCoreTestSupport
import Foundation
import MatchingEngine
import Testing

@Suite struct AsksTests {
    let now = Fixtures.date("2026-12-05T10:00:00Z")
    let senior = Fixtures.person("S", level: 7, department: "Sales")
    let ana = Fixtures.person("A", level: 2, name: "Ana", department: "Eng")
    let closed = Fixtures.person("C", level: 2, name: "Cy", department: "Eng")
    let report = Fixtures.person("R", level: 1, name: "Ro", manager: "S")
    let program = Program(name: "Spring", status: .enrolling)

    func store() -> MemoryAskStore {
        let figma = [TopicOffer(topic: Topic("figma")!, proficiency: 5)]
        return MemoryAskStore(people: [senior, ana, closed, report],
                              profiles: [TeachingProfile(employeeID: "A", offers: figma, openToRequests: true),
                                         TeachingProfile(employeeID: "C", offers: figma, openToRequests: false),
                                         TeachingProfile(employeeID: "R", offers: figma, openToRequests: true)],
                              programs: [program, Program(name: "Closed", status: .closed)])
    }
    var tree: ReportingTree { ReportingTree(people: [senior, ana, closed, report]) }
    let asker = Actor.participant(employeeID: "S")

    @Test func aRequestGoesOnlyToSomeoneOpenWhoFitsTheRulesOnce() async throws {
        let store = store()
        let ask = try await Asks.request("A", topics: ["Figma"], message: "  Would you show me how you prototype?  ", actor: asker, tree: tree, now: now, store: store)
        #expect(ask.message == "Would you show me how you prototype?" && ask.topics == [Topic("figma")!])
        let sent = await store.notices
        #expect(sent.map(\.kind) == [.teachingAsk] && sent.first?.recipient == .person("A"))
        await #expect(throws: AskError.alreadyAsked) { _ = try await Asks.request("A", topics: ["figma"], message: nil, actor: asker, tree: tree, now: now, store: store) }
        // Not open, in one's own reporting line, oneself, or unknown: the same refusal, telling nothing more.
        for who in ["C", "R", "S", "NOBODY"] {
            await #expect(throws: AskError.self, "\(who)") { _ = try await Asks.request(who, topics: ["figma"], message: nil, actor: asker, tree: tree, now: now, store: store) }
        }
        await #expect(throws: AskError.self) { _ = try await Asks.request("A", topics: [], message: nil, actor: asker, tree: tree, now: now, store: store) }
        await #expect(throws: AskError.self) {
            _ = try await Asks.request("A", topics: ["x"], message: String(repeating: "a", count: 501), actor: asker, tree: tree, now: now, store: store)
        }
        // A coordinator without a person, or nobody, cannot send one.
        await #expect(throws: AccessRefused.self) { _ = try await Asks.request("A", topics: ["figma"], message: nil, actor: .coordinator(employeeID: nil), tree: tree, now: now, store: store) }
        await #expect(throws: AccessRefused.self) { _ = try await Asks.request("A", topics: ["figma"], message: nil, actor: .anonymous, tree: tree, now: now, store: store) }
        #expect(await store.asks.count == 1)
    }

    @Test func theAnswerIsThePersonsAndTheSenderLearnsOnlyYesOrNotThisTime() async throws {
        let store = store()
        let ask = try await Asks.request("A", topics: ["figma"], message: "Thank you!", actor: asker, tree: tree, now: now, store: store)
        // Only Ana answers; the sender withdraws, nobody else.
        await #expect(throws: AccessRefused.self) { _ = try await Asks.decline(ask.id, actor: asker, now: now, store: store) }
        await #expect(throws: AskError.notFound) { _ = try await Asks.decline(ask.id, actor: .participant(employeeID: "C"), now: now, store: store) }
        await #expect(throws: AskError.notFound) { _ = try await Asks.decline(ask.id, actor: .coordinator(employeeID: nil), now: now, store: store) }
        let opened = try await Asks.open(ask.id, actor: .participant(employeeID: "A"), now: now, store: store)
        #expect(opened.openedAt == now)
        // Yes needs a program that takes people.
        await #expect(throws: AskError.self) { _ = try await Asks.accept(ask.id, programID: nil, actor: .participant(employeeID: "A"), now: now, store: store) }
        let closedProgram = await store.programs.values.first { $0.status == .closed }!
        await #expect(throws: AskError.self) { _ = try await Asks.accept(ask.id, programID: closedProgram.id, actor: .participant(employeeID: "A"), now: now, store: store) }
        let (accepted, chosen) = try await Asks.accept(ask.id, programID: program.id, actor: .participant(employeeID: "A"), now: now, store: store)
        #expect(accepted.status == .accepted && chosen.id == program.id && accepted.programID == program.id)
        let answer = await store.notices.last
        #expect(answer?.kind == .teachingAnswer && answer?.recipient == .person("S"))
        await #expect(throws: AskError.settled(.accepted)) { _ = try await Asks.decline(ask.id, actor: .participant(employeeID: "A"), now: now, store: store) }
        // What each sees.
        let names = ["S": "Sam", "A": "Ana"]
        let mine = AskReading.views([accepted], actor: asker, names: names, programs: [program.id: "Spring"], enrolledIn: [:])
        #expect(mine.first?.outcome == "yes, in Spring" && mine.first?.message == "Thank you!")
        let coordinator = AskReading.views([accepted], actor: .coordinator(employeeID: nil), names: names, programs: [:], enrolledIn: [:])
        #expect(coordinator.isEmpty)
        // A declined request reads "not this time", nothing more.
        let second = try await Asks.request("A", topics: ["figma"], message: nil, actor: asker, tree: tree, now: now, store: store)
        let declined = try await Asks.decline(second.id, actor: .participant(employeeID: "A"), now: now, store: store)
        #expect(AskReading.views([declined], actor: asker, names: names, programs: [:], enrolledIn: [:]).first?.outcome == "not this time")
    }

    @Test func aNominatorLearnsOnlyWhetherTheNomineeEnrolled() async throws {
        let store = store()
        let nomination = try await Asks.nominate("C", topics: ["figma"], programID: program.id, message: "You explain things so well", actor: .participant(employeeID: "A"),
                                                 now: now, store: store)
        let declined = try await Asks.decline(nomination.id, actor: .participant(employeeID: "C"), now: now, store: store)
        let names = ["A": "Ana", "C": "Cy"]
        let view = AskReading.views([declined], actor: .participant(employeeID: "A"), names: names, programs: [program.id: "Spring"], enrolledIn: [:])
        #expect(view.first?.outcome == "not enrolled (yet)")   // the same whether declined or not answered
        let enrolled = AskReading.views([declined], actor: .participant(employeeID: "A"), names: names, programs: [:], enrolledIn: ["C": [program.id]])
        #expect(enrolled.first?.outcome == "enrolled")
        #expect(await store.notices.map(\.kind) == [.teachingAsk])   // nothing goes back to the nominator
        await #expect(throws: AskError.self) { _ = try await Asks.nominate("A", topics: ["x"], programID: nil, message: nil, actor: .participant(employeeID: "A"), now: now, store: store) }
    }

    @Test func theProgramTeamInvitesASelectionOnceEach() async throws {
        let store = store()
        await store.enrol("R", as: .mentor, in: program.id)
        let coordinator = Actor.coordinator(employeeID: nil)
        let outcome = try await Asks.invite(["A", "C", "R", "NOBODY", "A"], to: program.id, message: "We would love you in Spring.", actor: coordinator, now: now, store: store)
        #expect(outcome.invited == ["A", "C"] && outcome.alreadyEnrolled == ["R"] && outcome.notFound == ["NOBODY"])
        let again = try await Asks.invite(["A"], to: program.id, message: nil, actor: coordinator, now: now, store: store)
        #expect(again.alreadyInvited == ["A"] && again.invited.isEmpty)
        await #expect(throws: AccessRefused.self) { _ = try await Asks.invite(["A"], to: program.id, message: nil, actor: .participant(employeeID: "S"), now: now, store: store) }
        let invitation = await store.asks.values.first { $0.toID == "A" }!
        // The program team reads its own invitation and its outcome; the invitee answers it.
        let seen = AskReading.views([invitation], actor: coordinator, names: [:], programs: [:], enrolledIn: [:])
        #expect(seen.first?.message == "We would love you in Spring." && seen.first?.otherName == "A")
        let (accepted, _) = try await Asks.accept(invitation.id, programID: nil, actor: .participant(employeeID: "A"), now: now, store: store)
        #expect(accepted.status == .accepted)
    }
}

@Suite struct ProgramGapsTests {
    let now = Fixtures.date("2026-12-05T10:00:00Z")

    @Test func gapsNameTopicsAndMenteesWithWhyAndWhoCouldFillThem() throws {
        var program = Program(name: "P", status: .enrolling)
        program.settings.minLevelGap = 2
        let people = [
            Fixtures.person("S1", level: 7, department: "Sales"), Fixtures.person("S2", level: 3, department: "Ops"),
            Fixtures.person("M1", level: 2, manager: "S1", department: "Sales"),
            Fixtures.person("O1", level: 1, name: "Olu Open", department: "Eng"), Fixtures.person("O2", level: 1, name: "Quinn Closed", department: "Eng"),
            Fixtures.person("H1", level: 2, name: "Hana Silent", department: "Eng", title: "Data Analyst"),
        ]
        let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.employeeID, $0) })
        let enrolments = [
            Enrolment(programID: program.id, employeeID: "S1", role: .mentee, wants: [TopicWant(topic: Topic("data visualisation")!, priority: 3), TopicWant(topic: Topic("figma")!, priority: 1)]),
            Enrolment(programID: program.id, employeeID: "S2", role: .mentee, wants: [TopicWant(topic: Topic("figma")!, priority: 3)]),
            // The only mentor reports to S1 and is too senior for S2.
            Enrolment(programID: program.id, employeeID: "M1", role: .mentor, offers: [TopicOffer(topic: Topic("figma")!, proficiency: 5)]),
        ]
        let tree = ReportingTree(people: people)
        let directory = TeachingDirectory(people: people, profiles: [
            TeachingProfile(employeeID: "O1", offers: [TopicOffer(topic: Topic("data visualisation")!, proficiency: 4)], openToRequests: true),
            TeachingProfile(employeeID: "O2", offers: [TopicOffer(topic: Topic("data visualisation")!, proficiency: 5)], openToRequests: false),
        ], managers: tree, reference: now)
        let gaps = try ProgramGaps.make(program: program, enrolments: enrolments, people: byID.filter { ["S1", "S2", "M1"].contains($0.key) }, tree: tree,
                                        directory: directory, hrPool: people, actor: .coordinator(employeeID: nil), now: now)
        #expect(gaps.mentees == 2 && gaps.mentors == 1)
        let unserved = Dictionary(uniqueKeysWithValues: gaps.unserved.map { ($0.employeeID, $0.reason) })
        #expect(unserved["S1"] == "no enrolled mentor fits: 1 in their reporting line")
        #expect(unserved["S2"] == "no enrolled mentor fits: 1 not junior enough (the program asks for a gap of 2 levels)")
        let dataviz = try #require(gaps.topics.first { $0.topic == Topic("data visualisation")! })
        #expect(dataviz.mentees == ["S1"] && dataviz.bestOffered == nil)
        #expect(dataviz.open.map(\.employeeID) == ["O1"] && dataviz.notOpenCount == 1)   // Quinn: counted, never named
        #expect(dataviz.mightBeAsked.map(\.employeeID) == ["H1"] && dataviz.mightBeAsked.first?.reason.hasPrefix("their job title mentions “data”") == true)
        let figma = try #require(gaps.topics.first { $0.topic == Topic("figma")! })
        #expect(Set(figma.mentees) == ["S1", "S2"] && figma.bestOffered == 5)
        #expect(throws: AccessRefused.self) {
            _ = try ProgramGaps.make(program: program, enrolments: enrolments, people: byID, tree: tree, directory: directory, hrPool: [], actor: .participant(employeeID: "S1"), now: now)
        }
    }

    @Test func theFunnelCountsEachStageAndHidesSmallGroups() throws {
        let program = Program(name: "P", status: .active)
        var people: [Person] = []
        for i in 0..<12 { people.append(Fixtures.person("J\(i)", level: 2, department: i < 10 ? "Eng" : "Ops")) }
        for i in 0..<6 { people.append(Fixtures.person("S\(i)", level: 7, department: "Sales")) }
        let byID = Dictionary(uniqueKeysWithValues: people.map { ($0.employeeID, $0) })
        let invitations = (0..<12).map { Ask(kind: .invitation, fromID: Ask.programTeam, toID: "J\($0)", programID: program.id, createdAt: now, openedAt: $0 < 9 ? now : nil) }
        let enrolments = (0..<6).map { Enrolment(programID: program.id, employeeID: "J\($0)", role: .mentor) } + (0..<6).map { Enrolment(programID: program.id, employeeID: "S\($0)", role: .mentee) }
        let pairs = (0..<6).map { MentoringPair(programID: program.id, menteeID: "S\($0)", mentorID: "J\($0)", status: $0 < 5 ? .active : .declined, source: .run, score: 50, createdAt: now) }
        let funnel = try ProgramFunnel.make(invitations: invitations, enrolments: enrolments, pairs: pairs, people: byID, actor: .coordinator(employeeID: nil))
        #expect(funnel.totals.map(\.number) == [18, 15, 12, 10, 10, 0])
        let department = try #require(funnel.tables.first { $0.breakdown == .department })
        #expect(department.groups == ["Eng", "Ops", "Sales"])
        // Reached: Eng 10, Ops 2 (hidden), and Sales 6 hidden with it so that 2 cannot be worked out.
        #expect(department.cells[0] == [.value(10), .hidden(.small), .hidden(.protects)])
        #expect(throws: AccessRefused.self) { _ = try ProgramFunnel.make(invitations: [], enrolments: [], pairs: [], people: [:], actor: .participant(employeeID: "J1")) }
    }
}
