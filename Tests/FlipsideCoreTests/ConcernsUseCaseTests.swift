import FlipsideCore
import FlipsideCoreTestSupport
import Foundation
import Testing

/// Anonymous concerns and calendar feeds on in-memory stores: the rules without a database.
@Suite struct ConcernsUseCaseTests {
    static let program = UUID()
    static let now = Fixtures.date("2026-11-20T14:37:00Z")
    static let coordinator = Actor.coordinator(employeeID: nil)

    @Test func aConcernIsRaisedBySomeoneTakingPartAndKeepsNothingOfThem() async throws {
        let store = MemoryConcernStore(programs: [Self.program], enrolled: ["S1"])
        let (concern, code) = try await Concerns.raise(in: Self.program, body: "  My mentor mocks my questions.  ", actor: .participant(employeeID: "S1"),
                                                       now: Self.now, store: store)
        // Only the day, the program and the words (trimmed): nothing that leads to the person.
        #expect(concern.raisedOn == Fixtures.day("2026-11-20") && concern.body == "My mentor mocks my questions." && concern.programID == Self.program)
        #expect(code.count == 24 && code.split(separator: "-").count == 5)
        #expect(!String(describing: concern).contains("S1"))
        // Who may raise one, and with what.
        await #expect(throws: ConcernError.notInProgram) {
            try await Concerns.raise(in: Self.program, body: "x", actor: .participant(employeeID: "J9"), now: Self.now, store: store)
        }
        await #expect(throws: ConcernError.programNotFound) {
            try await Concerns.raise(in: UUID(), body: "x", actor: .participant(employeeID: "S1"), now: Self.now, store: store)
        }
        await #expect(throws: ConcernError.invalid([FieldProblem(field: "body", reason: "is required")])) {
            try await Concerns.raise(in: Self.program, body: " \n ", actor: .participant(employeeID: "S1"), now: Self.now, store: store)
        }
        await #expect(throws: ConcernError.self) {
            try await Concerns.raise(in: Self.program, body: "x", actor: .anonymous, now: Self.now, store: store)
        }
        #expect(await store.concerns.count == 1)
    }

    @Test func theCodeReadsTheRepliesAndOnlyTheTeamAnswers() async throws {
        let store = MemoryConcernStore(programs: [Self.program], enrolled: ["S1"])
        let (concern, code) = try await Concerns.raise(in: Self.program, body: "Meetings keep being cancelled.", actor: .participant(employeeID: "S1"),
                                                       now: Self.now, store: store)
        await #expect(throws: ConcernError.self) {
            try await Concerns.reply(to: concern.id, in: Self.program, body: "Thanks", actor: .participant(employeeID: "S1"), now: Self.now, store: store)
        }
        await #expect(throws: ConcernError.self) { try await Concerns.inbox(Self.program, actor: .participant(employeeID: "S1"), store: store) }
        _ = try await Concerns.reply(to: concern.id, in: Self.program, body: "We will talk to both of you.", actor: Self.coordinator,
                                     now: Self.now.addingTimeInterval(86_400), store: store)
        // The code as typed: lower case, without dashes, with spaces.
        let typed = code.lowercased().replacingOccurrences(of: "-", with: " ")
        let (read, messages) = try await Concerns.read(code: typed, store: store)
        #expect(read.id == concern.id && messages.map(\.from) == [.team] && messages[0].on == Fixtures.day("2026-11-21"))
        _ = try await Concerns.followUp(code: code, body: "Thank you.", now: Self.now, store: store)
        await #expect(throws: ConcernError.notFound) { try await Concerns.read(code: "AAAA-AAAA-AAAA-AAAA-AAAA", store: store) }
        await #expect(throws: ConcernError.notFound) {
            try await Concerns.reply(to: concern.id, in: UUID(), body: "Wrong program", actor: Self.coordinator, now: Self.now, store: store)
        }
        let inbox = try await Concerns.inbox(Self.program, actor: Self.coordinator, store: store)
        #expect(inbox.count == 1 && inbox[0].1.map(\.from) == [.team, .reporter])
    }

    @Test func aCalendarFeedIsOnesOwnAndRenewingEndsTheOldAddress() async throws {
        let store = MemoryCalendarFeedStore()
        let first = try await CalendarFeeds.renew(actor: .participant(employeeID: "S1"), now: Self.now, store: store)
        #expect(first.count == 64 && first.allSatisfy(\.isHexDigit))
        #expect(await store.feedOwner(token: first) == "S1")
        let second = try await CalendarFeeds.renew(actor: .participant(employeeID: "S1"), now: Self.now, store: store)
        let oldOwner = await store.feedOwner(token: first), newOwner = await store.feedOwner(token: second)
        #expect(second != first && oldOwner == nil && newOwner == "S1")
        try await CalendarFeeds.revoke(actor: .participant(employeeID: "S1"), store: store)
        #expect(await store.hasFeed("S1") == false)
        // Nobody without a person of their own has a feed.
        await #expect(throws: AccessRefused(.signInFirst)) { try await CalendarFeeds.renew(actor: .anonymous, now: Self.now, store: store) }
        await #expect(throws: AccessRefused.self) { try await CalendarFeeds.renew(actor: Self.coordinator, now: Self.now, store: store) }
    }
}
