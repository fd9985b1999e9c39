import FlipsideCore
import FlipsideCoreTestSupport
import Foundation
import Testing

/// SCIM provisioning's rules in Core: the HR import's checks, leaving and coming back, what a PUT keeps,
/// what a PATCH may not remove, managers in any order — and, over random sequences of requests, that no
/// cycle and no shared email is ever stored and a refused request changes nothing.
@Suite struct ProvisioningTests {
    static let now = Fixtures.date("2026-12-01T09:00:00Z")
    static let provider = Actor.provisioning

    static func store() -> MemoryProvisioningStore {
        MemoryProvisioningStore(people: [Fixtures.person("C1", level: 9), Fixtures.person("J1", level: 2, manager: "C1")])
    }

    @Test func aNewUserGetsDefaultsForWhatProvidersRarelySend() async throws {
        let store = Self.store()
        let account = try await Provisioning.create(ProvisionedUser(userName: "ada@example.com", employeeNumber: "E1", givenName: "Ada", familyName: "Nguyen"),
                                                    actor: Self.provider, now: Self.now, defaults: ProvisioningDefaults(level: 2, timeZone: "Europe/Berlin"),
                                                    store: store)
        #expect(account.person.name == "Ada Nguyen" && account.person.email == "ada@example.com")
        #expect(account.person.level == 2 && account.person.timeZone == "Europe/Berlin" && account.person.hireDate == CalendarDate.today(now: Self.now))
        #expect(account.person.status == .active && account.link.employeeNumber == "E1" && account.link.created == Self.now)
    }

    @Test func onlyTheProviderOrACoordinatorProvisions() async throws {
        let store = Self.store()
        await #expect(throws: AccessRefused.self) {
            try await Provisioning.create(ProvisionedUser(userName: "x@example.com"), actor: .participant(employeeID: "J1"), now: Self.now,
                                          defaults: .init(), store: store)
        }
        await #expect(throws: AccessRefused.self) {
            try await Provisioning.account("J1", actor: .anonymous, store: store)
        }
        // A provisioning token reaches the directory and nothing else.
        #expect(!AccessPolicy.decide(.provisioning, .view, .programs).isAllowed)
        #expect(!AccessPolicy.decide(.provisioning, .view, .person(employeeID: "J1")).isAllowed)
        #expect(!AccessPolicy.decide(.provisioning, .create, .provisioningTokens).isAllowed)
        #expect(AccessPolicy.decide(.coordinator(employeeID: nil), .create, .provisioningTokens).isAllowed)
        #expect(!AccessPolicy.decide(.participant(employeeID: "J1"), .view, .provisioningTokens).isAllowed)
    }

    @Test func leavingEndsAccessAndComingBackRestores() async throws {
        let store = Self.store()
        let gone = try await Provisioning.change("J1", mode: .removeMissing, actor: Self.provider, now: Self.now, defaults: .init(), store: store) { current in
            var user = Self.user(of: current)
            user.active = false
            return user
        }
        #expect(gone.person.status == .exited && gone.person.exitDate == CalendarDate.today(now: Self.now))
        let ended = await store.accessEnded, pairsEnded = await store.pairsEnded
        #expect(ended == ["J1"] && pairsEnded == ["J1"])
        let back = try await Provisioning.change("J1", mode: .keepUnsent, actor: Self.provider, now: Self.now, defaults: .init(), store: store) { _ in
            ProvisionedUser(userName: "j1@example.com", active: true)
        }
        #expect(back.person.status == .active && back.person.exitDate == nil && back.person.managerID == "C1" && back.person.level == 2)
        // DELETE: left, and no longer seen by the provider.
        try await Provisioning.delete("J1", actor: Self.provider, now: Self.now, store: store)
        await #expect(throws: ProvisioningError.notFound) { try await Provisioning.account("J1", actor: Self.provider, store: store) }
        #expect(await store.people["J1"]?.status == .exited)
    }

    @Test func aPatchMayNotRemoveWhatEveryoneHas() async throws {
        let store = Self.store()
        for attribute in ["level", "timezone", "hireDate", "emails"] {
            await #expect(throws: ProvisioningError.self, "\(attribute)") {
                try await Provisioning.change("J1", mode: .removeMissing, actor: Self.provider, now: Self.now, defaults: .init(), store: store) { current in
                    var user = Self.user(of: current)
                    switch attribute {
                    case "level": user.level = nil
                    case "timezone": user.timeZone = nil
                    case "hireDate": user.hireDate = nil
                    default: user.email = nil
                    }
                    return user
                }
            }
        }
        #expect(await store.people["J1"] == Fixtures.person("J1", level: 2, manager: "C1"))
    }

    /// Random requests from a provider that sends people in any order, with managers that may not exist
    /// yet, emails that clash and managers that would close cycles: after each one, the stored reporting
    /// chain has no cycle, every email is someone's alone, a refused request left everything as it was,
    /// and a waiting manager is only one not there yet or one that would close a cycle.
    @Test(arguments: 0..<20) func randomRequestsNeverStoreACycleOrASharedEmail(seed: UInt64) async throws {
        var random = SeededGenerator(seed: seed)
        let store = MemoryProvisioningStore()
        let ids = (0..<8).map { "P\($0)" }
        for step in 0..<60 {
            let id = ids.randomElement(using: &random)!
            let manager = Bool.random(using: &random) ? ids.randomElement(using: &random)! : nil
            let email = "p\(Int.random(in: 0..<10, using: &random))@example.com"
            let before = (await store.people, await store.links)
            do {
                if before.0[id] == nil || before.1[id]?.deleted == true {
                    _ = try await Provisioning.create(ProvisionedUser(userName: email, employeeNumber: id, email: email, managerID: manager),
                                                      actor: Self.provider, now: Self.now, defaults: .init(), store: store)
                } else if step % 7 == 0 {
                    try await Provisioning.delete(id, actor: Self.provider, now: Self.now, store: store)
                } else {
                    let newEmail = Bool.random(using: &random)
                    _ = try await Provisioning.change(id, mode: .removeMissing, actor: Self.provider, now: Self.now, defaults: .init(), store: store) { current in
                        var user = Self.user(of: current)
                        user.managerID = manager
                        if newEmail { user.email = email; user.userName = email }
                        return user
                    }
                }
            } catch is ProvisioningError {
                let after = (await store.people, await store.links)
                #expect(after.0 == before.0 && after.1 == before.1, "seed \(seed) step \(step): a refused request changed something")
            }
            let people = await store.people, links = await store.links
            #expect(ReportingTree(people: people.values).cycles().isEmpty, "seed \(seed) step \(step): a cycle was stored")
            let emails = people.values.map { $0.email.lowercased() }
            #expect(Set(emails).count == emails.count, "seed \(seed) step \(step): an email is shared")
            let names = links.values.filter { !$0.deleted }.map { $0.userName.lowercased() }
            #expect(Set(names).count == names.count, "seed \(seed) step \(step): a user name is shared")
            for link in links.values {
                guard !link.deleted, let waiting = link.pendingManagerID, people[waiting] != nil else { continue }
                // A manager who is there is waited for only if setting them would close a cycle.
                var chain: [String] = [], next: String? = waiting
                while let current = next, !chain.contains(current) { chain.append(current); next = people[current]?.managerID }
                #expect(chain.contains(link.employeeID), "seed \(seed) step \(step): \(link.employeeID) waits for \(waiting) who is there")
            }
        }
    }

    /// What the provider would send back for the current account (the SCIM layer renders it the same way).
    static func user(of account: ProvisionedAccount) -> ProvisionedUser {
        let person = account.person, link = account.link
        return ProvisionedUser(userName: link.userName, externalID: link.externalID, employeeNumber: link.employeeNumber,
                               formattedName: link.formattedName.map { _ in person.name }, givenName: link.givenName, familyName: link.familyName,
                               displayName: link.displayName, email: person.email, emailType: link.emailType,
                               title: person.title.nilIfEmpty, active: person.status != .exited, department: person.department.nilIfEmpty,
                               managerID: person.managerID ?? link.pendingManagerID, location: person.location.nilIfEmpty,
                               timeZone: person.timeZone, level: person.level, hireDate: person.hireDate)
    }
}
