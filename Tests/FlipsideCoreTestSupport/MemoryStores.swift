import FlipsideCore
import Foundation

// In-memory twins of Core's stores, shared by every Core test suite (the server implements the same
// protocols on Fluent). Each is an actor; its unit of work runs on a copy and commits when it succeeds.

/// Programs, people and enrolments in memory for the enrolment use cases; a unit of work works on a copy and
/// commits at its end (the tests run their units one after another).
public actor MemoryEnrolmentStore: EnrolmentStore {
    public var programs: [UUID: Program]
    public var people: [String: Person]
    public var enrolments: [UUID: Enrolment] = [:]

    public init(programs: [Program], people: [Person]) {
        self.programs = Dictionary(uniqueKeysWithValues: programs.map { ($0.id, $0) })
        self.people = Dictionary(uniqueKeysWithValues: people.map { ($0.employeeID, $0) })
    }

    public func atomically<T: Sendable>(_ body: @escaping @Sendable (any EnrolmentWork) async throws -> T) async throws -> T {
        let work = Work(snapshot: (programs, people, enrolments))
        let result = try await body(work)
        enrolments = await work.enrolments   // commit
        return result
    }

    public func setStatus(_ status: ProgramStatus, of id: UUID) { programs[id]?.status = status }
    public func all() -> [Enrolment] { Array(enrolments.values) }

    actor Work: EnrolmentWork {
        let programs: [UUID: Program]
        let people: [String: Person]
        var enrolments: [UUID: Enrolment]

        init(snapshot: ([UUID: Program], [String: Person], [UUID: Enrolment])) {
            (programs, people, enrolments) = snapshot
        }

        func heldProgram(_ programID: UUID) -> Program? { programs[programID] }
        func personExists(_ employeeID: String) -> Bool { people[employeeID] != nil }
        func enrolment(of employeeID: String, in programID: UUID) -> Enrolment? {
            enrolments.values.first { $0.employeeID == employeeID && $0.programID == programID }
        }
        func enrolment(id: UUID, in programID: UUID) -> Enrolment? { enrolments[id].flatMap { $0.programID == programID ? $0 : nil } }
        func insert(_ enrolment: Enrolment) throws {
            if self.enrolment(of: enrolment.employeeID, in: enrolment.programID) != nil { throw EnrolmentError.alreadyEnrolled(employeeID: enrolment.employeeID) }
            enrolments[enrolment.id] = enrolment
        }
        func replace(_ enrolment: Enrolment) { enrolments[enrolment.id] = enrolment }
        func delete(id: UUID, in programID: UUID) { if enrolments[id]?.programID == programID { enrolments[id] = nil } }
        func enrolments(in programID: UUID) -> [Enrolment] { enrolments.values.filter { $0.programID == programID } }
        func levels(of employeeIDs: [String]) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: employeeIDs.compactMap { id in people[id].map { (id, $0.level) } })
        }
    }
}

/// People, programs, enrolments, mappings and sign-in links in memory for the import, profile and sign-in
/// link use cases.
public actor MemoryImportStore: PeopleImportStore, EnrolmentImportStore, ProfileStore, SignInLinkStore {
    public var people: [String: Person] = [:]
    public var programs: [UUID: Program] = [:]
    public var enrolments: [UUID: Enrolment] = [:]
    public var accessEnded: [String] = []
    public var pairsEnded: [String] = []
    public var mappings: [String: ImportMapping] = [:]
    /// The HR history the imports recorded, in order.
    public var history: [EmploymentChange] = []
    /// token → (employee id, expires, used)
    public var links: [String: (id: String, expires: Date, used: Bool)] = [:]
    public var passwords: [String: String] = [:]
    public var counter = 0

    public init(programs: [Program] = []) {
        self.programs = Dictionary(uniqueKeysWithValues: programs.map { ($0.id, $0) })
    }

    /// Bumped by every unit of work that changes people (the database's trigger does this there).
    public var version: Int64 = 0
    /// Runs once after the next `reading`: another import landing between the read and the write.
    public var afterRead: (@Sendable (MemoryImportStore) async -> Void)?
    public func setAfterRead(_ hook: @escaping @Sendable (MemoryImportStore) async -> Void) { afterRead = hook }
    public func put(_ person: Person) { people[person.employeeID] = person; version += 1 }

    public func reading<T: Sendable>(_ body: @escaping @Sendable (any PeopleImportWork) async throws -> T) async throws -> T {
        let result = try await body(PeopleWork(people: people, mappings: mappings, version: version))
        if let hook = afterRead { afterRead = nil; await hook(self) }
        return result
    }


    public func atomically<T: Sendable>(_ body: @escaping @Sendable (any PeopleImportWork) async throws -> T) async throws -> T {
        let work = PeopleWork(people: people, mappings: mappings, version: version)
        let result = try await body(work)
        if await work.people != people { version += 1 }
        people = await work.people
        mappings = await work.mappings
        history += await work.history
        accessEnded += await work.ended
        pairsEnded += await work.pairsEnded
        return result
    }

    public func atomically<T: Sendable>(_ body: @escaping @Sendable (any EnrolmentImportWork) async throws -> T) async throws -> T {
        let work = EnrolmentWork(programs: programs, people: people, enrolments: enrolments)
        let result = try await body(work)
        enrolments = await work.enrolments
        return result
    }

    actor PeopleWork: PeopleImportWork {
        var people: [String: Person]
        var ended: [String] = []
        var pairsEnded: [String] = []
        var mappings: [String: ImportMapping]
        var history: [EmploymentChange] = []
        let version: Int64
        init(people: [String: Person], mappings: [String: ImportMapping], version: Int64) {
            (self.people, self.mappings, self.version) = (people, mappings, version)
        }
        func peopleVersion() -> Int64 { version }
        func storedMapping(for signature: String) -> ImportMapping? { mappings[signature] }
        func remember(_ mapping: ImportMapping, for signature: String, at: Date) { mappings[signature] = mapping }
        func storedPeople() -> StoredPeople { StoredPeople(people) }
        func people(_ employeeIDs: [String]) -> [String: Person] {
            let wanted = Set(employeeIDs)
            return people.filter { wanted.contains($0.key) }
        }
        func write(_ plan: PeopleImportPlan, existing: [String: Person]) {
            for person in plan.created + plan.updated { people[person.employeeID] = person }
        }
        func record(_ changes: [EmploymentChange], at: Date) { history += changes }
        func endAccess(for employeeIDs: [String]) { ended += employeeIDs }
        func endPairs(of employeeIDs: [String], at: Date, reason: String) { pairsEnded += employeeIDs }
    }

    actor EnrolmentWork: EnrolmentImportWork {
        let programs: [UUID: Program]
        let stored: [String: Person]
        var enrolments: [UUID: Enrolment]
        init(programs: [UUID: Program], people: [String: Person], enrolments: [UUID: Enrolment]) {
            (self.programs, self.stored, self.enrolments) = (programs, people, enrolments)
        }
        func heldProgram(_ programID: UUID) -> Program? { programs[programID] }
        func enrolments(in programID: UUID) -> [Enrolment] { enrolments.values.filter { $0.programID == programID } }
        func people(_ employeeIDs: [String]) -> [String: Person] { stored.filter { employeeIDs.contains($0.key) } }
        func insert(_ list: [Enrolment]) { for e in list { enrolments[e.id] = e } }
        func replace(_ list: [Enrolment]) { for e in list { enrolments[e.id] = e } }
    }

    // ProfileStore
    public func person(_ employeeID: String) -> Person? { people[employeeID] }
    public func replace(_ person: Person) { people[person.employeeID] = person }

    // SignInLinkStore
    public func replaceLinks(for employeeID: String, expiresAt: Date, now: Date) -> String {
        links = links.filter { $0.value.id != employeeID }
        counter += 1
        let token = "token-\(counter)"
        links[token] = (employeeID, expiresAt, false)
        return token
    }
    public func validLink(_ token: String, now: Date) -> String? {
        guard let link = links[token], !link.used, link.expires > now else { return nil }
        return link.id
    }
    public func claimAndSetPassword(_ token: String, person: Person, password: String, now: Date) -> Bool {
        guard validLink(token, now: now) != nil else { return false }
        links[token]?.used = true
        passwords[person.employeeID] = password
        return true
    }

    public func setStatus(_ status: EmploymentStatus, of id: String) { people[id]?.status = status }
    public func setProgramStatus(_ status: ProgramStatus, of id: UUID) { programs[id]?.status = status }
}

/// A program's enrolments, rules, runs and pairs in memory for the matching workflow; a unit of work works on
/// a copy of the state and commits at its end.
public actor MemoryMatchingStore: MatchingStore {
    public var state: State
    public struct State: Sendable {
        public var programs: [UUID: Program] = [:]
        public var people: [String: Person] = [:]
        public var enrolments: [Enrolment] = []
        public var rules: [PairRule] = []
        public var runs: [MatchRun] = []
        public var pairs: [MentoringPair] = []
        public var events: [PairEvent] = []
        public var scheduled: [UUID] = []
        public var notices: [Notice] = []
        public init() {}
    }

    public init(_ state: State) { self.state = state }

    public func atomically<T: Sendable>(_ body: @escaping @Sendable (any MatchingWork) async throws -> T) async throws -> T {
        let work = Work(state)
        let result = try await body(work)
        state = await work.state
        return result
    }

    public func update(_ change: @Sendable (inout State) -> Void) { change(&state) }

    actor Work: MatchingWork {
        var state: State
        init(_ state: State) { self.state = state }
        func heldProgram(_ id: UUID) -> Program? { state.programs[id] }
        func enrolments(in programID: UUID) -> [Enrolment] { state.enrolments.filter { $0.programID == programID } }
        func directory(for employeeIDs: [String]) -> [String: Person] { state.people }
        func rules(in programID: UUID) -> [PairRule] { state.rules.filter { $0.programID == programID } }
        func insertRule(_ rule: PairRule) { state.rules.append(rule) }
        func deleteRule(_ id: UUID, in programID: UUID) -> Bool {
            let before = state.rules.count
            state.rules.removeAll { $0.id == id && $0.programID == programID }
            return state.rules.count < before
        }
        func run(_ id: UUID, in programID: UUID) -> MatchRun? { state.runs.first { $0.id == id && $0.programID == programID } }
        func runOutcome(_ id: UUID, in programID: UUID) -> RunOutcome? {
            run(id, in: programID).map { RunOutcome(status: $0.status, fingerprint: $0.fingerprint, result: $0.result, onlyMentees: $0.onlyMentees) }
        }
        func insertRun(_ run: MatchRun) { state.runs.append(run) }
        func updateRun(_ run: MatchRun) { if let i = state.runs.firstIndex(where: { $0.id == run.id }) { state.runs[i] = run } }
        func markRunning(_ id: UUID) { if let i = state.runs.firstIndex(where: { $0.id == id }) { state.runs[i].status = .running } }
        func scheduleRun(_ id: UUID, in programID: UUID, at: Date) { state.scheduled.append(id) }
        func menteeCount(in programID: UUID) -> Int { enrolments(in: programID).filter { $0.role == .mentee }.count }
        func pairs(in programID: UUID) -> [MentoringPair] { state.pairs.filter { $0.programID == programID } }
        func pair(_ id: UUID) -> MentoringPair? { state.pairs.first { $0.id == id } }
        func insertPairs(_ pairs: [MentoringPair], events: [PairEvent]) throws {
            for p in pairs where state.pairs.contains(where: { $0.programID == p.programID && $0.menteeID == p.menteeID && $0.status.isCurrent }) {
                throw MatchWorkflowError.menteeAlreadyPaired(menteeID: p.menteeID)
            }
            state.pairs += pairs
            state.events += events
        }
        func updatePair(_ pair: MentoringPair, event: PairEvent) {
            if let i = state.pairs.firstIndex(where: { $0.id == pair.id }) { state.pairs[i] = pair }
            state.events.append(event)
        }
        func setProgramStatus(_ id: UUID, _ status: ProgramStatus) { state.programs[id]?.status = status }
        func holdMentor(_ employeeID: String, in programID: UUID) {}
        func notify(_ notices: [Notice]) { state.notices += notices }
        func earlierPairs(among employeeIDs: [String], except programID: UUID) -> [[String]] {
            let ids = Set(employeeIDs)
            return state.pairs.filter { $0.programID != programID && $0.status == .accepted && ids.contains($0.menteeID) && ids.contains($0.mentorID) }
                .map { [$0.menteeID, $0.mentorID] }
        }
    }
}

/// One partnership in memory for the partnership use cases; a unit of work commits only when it succeeds.
public actor MemoryPartnershipStore: PartnershipStore {
    public var partnership: Partnership
    /// The notices queued by committed units of work.
    public var notices: [Notice] = []
    public init(_ p: Partnership) { partnership = p }

    public func atomically<T: Sendable>(_ body: @escaping @Sendable (any PartnershipWork) async throws -> T) async throws -> T {
        let work = Work(partnership)
        let result = try await body(work)
        partnership = await work.partnership   // committed only when the body succeeded
        notices += await work.notices
        return result
    }

    public func pairsPastTheirEnd(now: Date) async throws -> [UUID] { [partnership.pair.id] }
    public func current() -> Partnership { partnership }

    actor Work: PartnershipWork {
        var partnership: Partnership
        init(_ p: Partnership) { partnership = p }
        func heldPartnership(_ pairID: UUID) -> Unredacted<Partnership>? { pairID == partnership.pair.id ? Unredacted(partnership) : nil }
        func insertAgreement(_ version: AgreementVersion) { partnership.agreements.append(version) }
        func updateAgreement(_ version: AgreementVersion) {
            partnership.agreements = partnership.agreements.map { $0.id == version.id ? version : $0 }
        }
        func saveMeeting(_ log: MeetingLog) {
            partnership.meetings.removeAll { $0.occurrence == log.occurrence }
            partnership.meetings.append(log)
        }
        func insertCheckIn(_ checkIn: CheckIn) throws {
            if partnership.checkIns.contains(where: { $0.authorID == checkIn.authorID && $0.slot == checkIn.slot }) {
                throw PartnershipError.alreadyCheckedIn(checkIn.slot)
            }
            partnership.checkIns.append(checkIn)
        }
        func insertText(_ text: PairText) { partnership.texts.append(text) }
        func insertAction(_ action: ActionItem) { partnership.actions.append(action) }
        func updateAction(_ action: ActionItem) { partnership.actions = partnership.actions.map { $0.id == action.id ? action : $0 } }
        func updatePair(_ pair: MentoringPair, event: PairEvent) {
            partnership.pair = pair
            partnership.events.append(event)
        }
        func bumpSequence(_ pairID: UUID) { partnership.sequence += 1 }
        var notices: [Notice] = []
        func notify(_ notices: [Notice]) { self.notices += notices }
    }
}

/// Programs (and their guidance) in memory for the program use cases.
public actor MemoryProgramStore: ProgramStore {
    public var programs: [UUID: Program] = [:]
    public init() {}

    public func atomically<T: Sendable>(_ body: @escaping @Sendable (any ProgramWork) async throws -> T) async throws -> T {
        let work = Work(programs: programs)
        let result = try await body(work)
        programs = await work.programs
        return result
    }

    public func all() -> [Program] { Array(programs.values) }

    actor Work: ProgramWork {
        var programs: [UUID: Program]
        init(programs: [UUID: Program]) { self.programs = programs }
        func heldProgram(_ id: UUID) -> Program? { programs[id] }
        func nameIsUsed(_ name: String, except: UUID?) -> Bool { programs.values.contains { $0.name == name && $0.id != except } }
        func insert(_ program: Program) { programs[program.id] = program }
        func replace(_ program: Program) { programs[program.id] = program }
        func delete(_ id: UUID) { programs[id] = nil }
        func finishPairs(of programID: UUID, at: Date) -> [MentoringPair] { [] }
        func notify(_ notices: [Notice]) {}
        var guidance: [UUID: Guidance] = [:]
        func replaceGuidance(_ g: Guidance, of program: Program) { guidance[program.id] = g }
    }
}

/// The same partnership read as Core's read models read it: sealed.
extension MemoryPartnershipStore: PartnershipReadStore {
    public func partnership(_ pairID: UUID) async throws -> Unredacted<Partnership>? { pairID == partnership.pair.id ? Unredacted(partnership) : nil }
    public func partnerships(of employeeID: String) async throws -> [Unredacted<Partnership>] {
        partnership.pair.side(of: employeeID) != nil && partnership.pair.status.mayHavePartnership ? [Unredacted(partnership)] : []
    }
}

/// Concerns in memory: the concern, a hash-free stand-in for its code (the database keeps a SHA-256),
/// its messages, and who is enrolled where (asked, never stored with the concern).
public actor MemoryConcernStore: ConcernStore {
    public var programs: Set<UUID>
    public var enrolled: Set<String>
    public var concerns: [(concern: Concern, code: String)] = []
    public var messages: [ConcernMessage] = []

    public init(programs: Set<UUID>, enrolled: Set<String>) {
        self.programs = programs
        self.enrolled = enrolled
    }

    public func isEnrolled(_ employeeID: String, in programID: UUID) -> Bool { programs.contains(programID) && enrolled.contains(employeeID) }
    public func programExists(_ programID: UUID) -> Bool { programs.contains(programID) }
    public var notices: [Notice] = []
    public func insert(_ concern: Concern, code: String, notices: [Notice]) {
        concerns.append((concern, code))
        self.notices += notices
    }
    public func concern(code: String) -> Concern? { concerns.first { $0.code == code }?.concern }
    public func concern(_ id: UUID, in programID: UUID) -> Concern? { concerns.first { $0.concern.id == id && $0.concern.programID == programID }?.concern }
    public func messages(of concernID: UUID) -> [ConcernMessage] { messages.filter { $0.concernID == concernID } }
    public func insert(_ message: ConcernMessage) { messages.append(message) }
    public func concerns(in programID: UUID) -> [Concern] { concerns.map(\.concern).filter { $0.programID == programID } }
}

/// Calendar feed tokens in memory: one per person.
public actor MemoryCalendarFeedStore: CalendarFeedStore {
    public var feeds: [String: String] = [:]
    public init() {}
    public func replaceFeed(of employeeID: String, token: String, at: Date) { feeds[employeeID] = token }
    public func removeFeed(of employeeID: String) { feeds[employeeID] = nil }
    public func hasFeed(_ employeeID: String) -> Bool { feeds[employeeID] != nil }
    public func feedOwner(token: String) -> String? { feeds.first { $0.value == token }?.key }
}

/// Teaching profiles in memory, beside the people they belong to.
public actor MemoryTeachingProfileStore: TeachingProfileStore {
    public var people: [String: Person]
    public var profiles: [String: TeachingProfile] = [:]

    public init(people: [Person]) { self.people = Dictionary(uniqueKeysWithValues: people.map { ($0.employeeID, $0) }) }

    public func person(_ employeeID: String) -> Person? { people[employeeID] }
    public func teachingProfile(of employeeID: String) -> TeachingProfile? { profiles[employeeID] }
    public func save(_ profile: TeachingProfile) { profiles[profile.employeeID] = profile }
}

/// Asks in memory, with the people, profiles, programs and enrolments they are checked against.
public actor MemoryAskStore: AskStore {
    public var people: [String: Person]
    public var profiles: [String: TeachingProfile] = [:]
    public var programs: [UUID: Program] = [:]
    public var roles: [String: EnrolmentRole] = [:]   // "programID|employeeID"
    public var asks: [UUID: Ask] = [:]
    public var notices: [Notice] = []

    public init(people: [Person], profiles: [TeachingProfile] = [], programs: [Program] = []) {
        self.people = Dictionary(uniqueKeysWithValues: people.map { ($0.employeeID, $0) })
        self.profiles = Dictionary(uniqueKeysWithValues: profiles.map { ($0.employeeID, $0) })
        self.programs = Dictionary(uniqueKeysWithValues: programs.map { ($0.id, $0) })
    }

    public func enrol(_ employeeID: String, as role: EnrolmentRole, in programID: UUID) { roles["\(programID)|\(employeeID)"] = role }

    public func atomically<T: Sendable>(_ body: @escaping @Sendable (any AskWork) async throws -> T) async throws -> T {
        let saved = (asks, notices)
        do { return try await body(Work(store: self)) } catch {
            asks = saved.0
            notices = saved.1
            throw error
        }
    }

    func put(_ ask: Ask) { asks[ask.id] = ask }
    func add(_ more: [Notice]) { notices += more }

    struct Work: AskWork {
        let store: MemoryAskStore
        func person(_ employeeID: String) async -> Person? { await store.people[employeeID] }
        func teachingProfile(of employeeID: String) async -> TeachingProfile? { await store.profiles[employeeID] }
        func program(_ id: UUID) async -> Program? { await store.programs[id] }
        func role(of employeeID: String, in programID: UUID) async -> EnrolmentRole? { await store.roles["\(programID)|\(employeeID)"] }
        func ask(_ id: UUID) async -> Ask? { await store.asks[id] }
        func waiting(kind: AskKind, from fromID: String) async -> [Ask] {
            await store.asks.values.filter { $0.kind == kind && $0.fromID == fromID && $0.status == .sent }
        }
        func insert(_ ask: Ask) async throws {
            if await store.asks.values.contains(where: { $0.status == .sent && $0.kind == ask.kind && $0.fromID == ask.fromID && $0.toID == ask.toID && $0.programID == ask.programID }) {
                throw AskError.alreadyAsked
            }
            await store.put(ask)
        }
        func update(_ ask: Ask) async { await store.put(ask) }
        func notify(_ notices: [Notice]) async { await store.add(notices) }
    }
}

/// Core's `ProvisioningStore` in memory: a unit of work on a copy, kept only when it succeeds.
public actor MemoryProvisioningStore: ProvisioningStore {
    public var people: [String: Person]
    public var links: [String: ProvisioningLink] = [:]
    /// The HR history the writes recorded, in order.
    public var history: [EmploymentChange] = []
    public var accessEnded: [String] = []
    public var pairsEnded: [String] = []

    public init(people: [Person] = []) {
        self.people = Dictionary(uniqueKeysWithValues: people.map { ($0.employeeID, $0) })
    }

    public func atomically<T: Sendable>(_ body: @escaping @Sendable (any ProvisioningWork) async throws -> T) async throws -> T {
        let work = Work(people: people, links: links)
        let result = try await body(work)
        people = await work.people
        links = await work.links
        history += await work.history
        accessEnded += await work.ended
        pairsEnded += await work.pairsEnded
        return result
    }

    actor Work: ProvisioningWork {
        var people: [String: Person]
        var links: [String: ProvisioningLink]
        var history: [EmploymentChange] = []
        var ended: [String] = []
        var pairsEnded: [String] = []
        init(people: [String: Person], links: [String: ProvisioningLink]) { (self.people, self.links) = (people, links) }

        func person(_ employeeID: String) -> Person? { people[employeeID] }
        func link(_ employeeID: String) -> ProvisioningLink? { links[employeeID] }
        func owner(ofEmail email: String) -> String? { people.values.first { $0.email.lowercased() == email.lowercased() }?.employeeID }
        func owner(ofUserName userName: String) -> String? {
            if let linked = links.values.first(where: { !$0.deleted && $0.userName.lowercased() == userName.lowercased() }) { return linked.employeeID }
            return people.values.first { links[$0.employeeID] == nil && $0.email.lowercased() == userName.lowercased() }?.employeeID
        }
        func allEmails() -> [String] { people.values.map(\.email) }
        func waitingReports() -> [(report: String, manager: String)] {
            links.values.compactMap { link in link.pendingManagerID.flatMap { people[$0] != nil ? (link.employeeID, $0) : nil } }.sorted { $0.report < $1.report }
        }
        func save(_ person: Person, before: Person?, link: ProvisioningLink, at: Date) {
            people[person.employeeID] = person
            links[person.employeeID] = link
        }
        func record(_ changes: [EmploymentChange], at: Date) { history += changes }
        func endAccess(for employeeIDs: [String]) { ended += employeeIDs }
        func endPairs(of employeeIDs: [String], at: Date, reason: String) { pairsEnded += employeeIDs }
    }
}
