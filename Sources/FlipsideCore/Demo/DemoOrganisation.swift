import Foundation

/// A realistic, deterministic demo organisation: about 300 people in seven departments and five
/// locations, a reporting tree six levels deep, and one reverse-mentoring program with 40 mentors
/// and 40 mentees. The same seed always gives the same organisation, so loading it twice changes nothing.
public struct DemoOrganisation: Sendable {
    public var people: [Person]
    public var program: Program
    public var enrolments: [Enrolment]
    /// A smaller pilot that has reached matching: the demo loader runs and publishes it, so there are
    /// proposed and accepted pairs to see (the demo participant is one of its mentors).
    public var pilot: Program
    public var pilotEnrolments: [Enrolment]
    /// An open circle where mentees choose their mentor (self-matching): the demo mentee asks, the demo
    /// participant (a mentor there too) answers.
    public var circle: Program
    public var circleEnrolments: [Enrolment]
    /// The demo mentee: a senior with a login, enrolled in the circle.
    public var menteeEmail: String
    /// What juniors across the organisation say they could teach, outside any program (most open to being asked).
    public var teachingProfiles: [TeachingProfile]
    /// A senior's request to the demo participant, the participant's nomination of a colleague, and the
    /// main program's invitations to enrol (some opened).
    public var asks: [Ask]
    /// The HR history of the last three years: promotions and moves between departments, each effective
    /// from its day (what the outcomes place people by on a program's start, and count promotions from).
    public var history: [EmploymentChange]
    /// The login of the demo coordinator and of one demo participant (a mentor).
    public static let coordinatorEmail = "coordinator@demo.flipside.test"
    public static let coordinatorPassword = "flipside-demo"
    public static let programName = "Digital Fluency 2027"
    public static let pilotName = "Reverse Mentoring Pilot 2026"
    public static let circleName = "Open Mentoring Circle"

    public var participantEmail: String { people.first { $0.employeeID == enrolments.first { $0.role == .mentor }!.employeeID }!.email }

    struct Site { let name: String; let zone: String }
    static let sites = [Site(name: "Berlin", zone: "Europe/Berlin"), Site(name: "London", zone: "Europe/London"),
                        Site(name: "New York", zone: "America/New_York"), Site(name: "Singapore", zone: "Asia/Singapore"),
                        Site(name: "Lisbon", zone: "Europe/Lisbon")]
    static let departments = ["Engineering", "Product", "Marketing", "Sales", "Finance", "People & Culture", "Operations"]
    static let firstNames = ["Amara", "Ben", "Chen", "Dalia", "Emeka", "Fatima", "Gabriel", "Hana", "Ines", "Jonas", "Kofi", "Leila",
                             "Mateo", "Nadia", "Oskar", "Priya", "Quinn", "Rafael", "Sofia", "Tomasz", "Uma", "Viktor", "Wen", "Ximena",
                             "Yusuf", "Zara", "Aiko", "Bruno", "Camille", "Dev", "Elena", "Farid", "Greta", "Hugo", "Ifeoma", "Jin"]
    static let lastNames = ["Okafor", "Schmidt", "Nakamura", "Haddad", "Silva", "Kowalski", "Patel", "O'Brien", "Nguyen", "Fischer",
                            "Mensah", "García", "Lindqvist", "Rossi", "Kim", "Dubois", "Hassan", "Novak", "Tanaka", "Costa",
                            "Müller", "Adeyemi", "Larsen", "Chopra", "Moreau", "Ivanova", "Santos", "Weber", "Osei", "Yilmaz"]
    static let digitalTopics = ["generative ai", "prompt engineering", "figma", "tiktok marketing", "python", "data visualisation",
                                "no-code automation", "accessibility", "the new crm", "gen z consumer trends", "cloud basics",
                                "short-form video", "slack workflows", "spreadsheet automation"]
    static let industries = ["retail", "gaming", "fintech", "healthcare", "e-commerce", "media", "logistics", "nonprofit"]
    static let careerPaths = ["career changer", "graduate scheme", "apprenticeship", "bootcamp", "internal move"]

    /// Builds the organisation from `seed`. `today` anchors hire dates.
    public init(seed: UInt64 = 2027, today: CalendarDate = CalendarDate(year: 2026, month: 11, day: 1)!) {
        var rng = SeededGenerator(seed: seed)
        var people: [Person] = []
        var usedNames: Set<String> = []

        func makePerson(level: Int, title: String, department: String, manager: String?, siteIndex: Int? = nil) -> Person {
            let id = String(format: "P%05d", people.count + 1)
            var name: String
            repeat {
                name = "\(Self.firstNames.randomElement(using: &rng)!) \(Self.lastNames.randomElement(using: &rng)!)"
            } while usedNames.contains(name) && usedNames.count < 900
            usedNames.insert(name)
            let site = Self.sites[siteIndex ?? Int.random(in: 0..<Self.sites.count, using: &rng)]
            let yearsAgo = max(0, level - 1) + Int.random(in: 0...3, using: &rng)
            let hire = CalendarDate(year: today.year - yearsAgo, month: Int.random(in: 1...12, using: &rng), day: Int.random(in: 1...28, using: &rng))!
            let email = name.lowercased().folding(options: .diacriticInsensitive, locale: nil)
                .replacingOccurrences(of: "'", with: "").replacingOccurrences(of: " ", with: ".") + ".\(people.count + 1)@example.com"
            var attributes: [String: String] = ["pronouns": ["she/her", "he/him", "they/them"].randomElement(using: &rng)!]
            if level <= 3 {
                attributes["career_path"] = Self.careerPaths.randomElement(using: &rng)!
                if Bool.random(using: &rng) { attributes["previous_industry"] = Self.industries.randomElement(using: &rng)! }
            }
            var status = EmploymentStatus.active
            var exit: CalendarDate?
            // Leavers over the last year (October 2025 to October 2026): newer, junior people leave more
            // often (one in five) than the rest (one in twelve), as HR data tends to show.
            if Int.random(in: 0..<(level <= 3 ? 5 : 12), using: &rng) == 0 {
                status = .exited
                let month = Int.random(in: 0...12, using: &rng)
                exit = CalendarDate(year: today.year - 1 + (month + 9) / 12, month: (month + 9) % 12 + 1, day: 15)
                if let e = exit, e <= hire { exit = nil; status = .active }
            }
            let person = Person(employeeID: id, name: name, email: email, title: title, level: level, hireDate: hire,
                                department: department, location: site.name, timeZone: site.zone, managerID: manager,
                                status: status, exitDate: exit, attributes: attributes)
            people.append(person)
            return person
        }

        let ceo = makePerson(level: 9, title: "Chief Executive Officer", department: "Executive", manager: nil, siteIndex: 1)
        for (d, department) in Self.departments.enumerated() {
            let vp = makePerson(level: 8, title: "VP \(department)", department: department, manager: ceo.employeeID, siteIndex: d % Self.sites.count)
            for _ in 0..<2 {
                let director = makePerson(level: 7, title: "Director, \(department)", department: department, manager: vp.employeeID)
                for _ in 0..<2 {
                    let manager = makePerson(level: 6, title: "\(department) Manager", department: department, manager: director.employeeID)
                    for _ in 0..<2 {
                        let lead = makePerson(level: 5, title: "Team Lead, \(department)", department: department, manager: manager.employeeID)
                        for _ in 0..<Int.random(in: 3...4, using: &rng) {
                            let level = Int.random(in: 1...4, using: &rng)
                            let title = ["Associate", "Analyst", "Specialist", "Senior Specialist"][level - 1] + ", \(department)"
                            _ = makePerson(level: level, title: title, department: department, manager: lead.employeeID)
                        }
                    }
                }
            }
        }
        self.people = people

        let program = Program(
            id: UUID(uuidString: "8FBA616C-21B0-4E12-9000-000000002027")!,
            name: Self.programName,
            purpose: "Newer colleagues teach senior leaders hands-on skills in new tech and apps, share industries they have worked in, and bring fresh perspectives; leaders commit to act on what they learn.",
            startDate: CalendarDate(year: 2027, month: 1, day: 11), endDate: CalendarDate(year: 2027, month: 6, day: 30),
            status: .enrolling, settings: MatchingSettings(minLevelGap: 2, defaultCapacity: 1))
        self.program = program

        var enrolments: [Enrolment] = []
        let juniors = people.filter { $0.level <= 3 && $0.status == .active }.shuffled(using: &rng).prefix(40)
        let seniors = people.filter { $0.level >= 6 }.shuffled(using: &rng).prefix(40)
        for (i, person) in juniors.enumerated() {
            let topics = Self.digitalTopics.shuffled(using: &rng).prefix(Int.random(in: 2...4, using: &rng))
            enrolments.append(Enrolment(
                id: Self.stableID(program: program.id, index: i), programID: program.id, employeeID: person.employeeID, role: .mentor,
                offers: topics.map { TopicOffer(topic: Topic($0)!, proficiency: Int.random(in: 2...5, using: &rng)) },
                industries: Array(Self.industries.shuffled(using: &rng).prefix(Int.random(in: 0...2, using: &rng))),
                channels: Self.channels(&rng), cadence: Cadence.allCases.randomElement(using: &rng)!,
                capacity: i % 5 == 0 ? 2 : 1, availability: Self.hours(&rng)))
        }
        for (i, person) in seniors.enumerated() {
            let topics = Self.digitalTopics.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng))
            enrolments.append(Enrolment(
                id: Self.stableID(program: program.id, index: 100 + i), programID: program.id, employeeID: person.employeeID, role: .mentee,
                wants: topics.map { TopicWant(topic: Topic($0)!, priority: Int.random(in: 1...3, using: &rng)) },
                channels: Self.channels(&rng), cadence: Cadence.allCases.randomElement(using: &rng)!,
                capacity: 1, availability: Self.hours(&rng)))
        }
        self.enrolments = enrolments

        // The pilot: the demo participant (the first mentor above) and 13 other juniors mentor 14 seniors
        // who are not in the main program.
        let pilot = Program(
            id: UUID(uuidString: "8FBA616C-21B0-4E12-9000-000000002026")!, name: Self.pilotName,
            purpose: "A first cohort: senior leaders learn the tools their newest colleagues use every day, and say what they will change.",
            startDate: CalendarDate(year: 2026, month: 9, day: 7), endDate: nil, status: .matching,
            settings: MatchingSettings(minLevelGap: 2, defaultCapacity: 1))
        self.pilot = pilot
        let inMain = Set(enrolments.map(\.employeeID))
        let firstMentor = enrolments.first { $0.role == .mentor }!.employeeID
        let pilotJuniors = [firstMentor] + people.filter { $0.level <= 3 && $0.status == .active && !inMain.contains($0.employeeID) }
            .shuffled(using: &rng).prefix(13).map(\.employeeID)
        let pilotSeniors = people.filter { $0.level >= 5 && $0.status == .active && !inMain.contains($0.employeeID) }
            .shuffled(using: &rng).prefix(14).map(\.employeeID)
        var pilotEnrolments: [Enrolment] = []
        for (i, id) in pilotJuniors.enumerated() {
            let topics = Self.digitalTopics.shuffled(using: &rng).prefix(Int.random(in: 2...4, using: &rng))
            pilotEnrolments.append(Enrolment(
                id: Self.stableID(program: pilot.id, index: 200 + i), programID: pilot.id, employeeID: id, role: .mentor,
                offers: topics.map { TopicOffer(topic: Topic($0)!, proficiency: Int.random(in: 3...5, using: &rng)) },
                industries: Array(Self.industries.shuffled(using: &rng).prefix(Int.random(in: 0...1, using: &rng))),
                channels: Channel.allCases, cadence: Cadence.allCases.randomElement(using: &rng)!, capacity: 1, availability: Self.hours(&rng)))
        }
        for (i, id) in pilotSeniors.enumerated() {
            let topics = Self.digitalTopics.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng))
            pilotEnrolments.append(Enrolment(
                id: Self.stableID(program: pilot.id, index: 300 + i), programID: pilot.id, employeeID: id, role: .mentee,
                wants: topics.map { TopicWant(topic: Topic($0)!, priority: Int.random(in: 1...3, using: &rng)) },
                channels: Self.channels(&rng), cadence: Cadence.allCases.randomElement(using: &rng)!, capacity: 1, availability: Self.hours(&rng)))
        }
        self.pilotEnrolments = pilotEnrolments

        // The circle: mentees choose. The demo mentee is a senior outside the participant's reporting line.
        let circle = Program(
            id: UUID(uuidString: "8FBA616C-21B0-4E12-9000-000000000001")!, name: Self.circleName,
            purpose: "Anyone senior can ask a newer colleague to be their reverse mentor; they say yes or no.",
            startDate: nil, endDate: nil, status: .matching,
            settings: MatchingSettings(minLevelGap: 2, defaultCapacity: 1, mode: .selfService, requestDays: 10))
        self.circle = circle
        let participant = people.first { $0.employeeID == firstMentor }!
        let tree = ReportingTree(people: people)
        let participantChain = Set(tree.managementChain(of: firstMentor))
        let taken = inMain.union(pilotJuniors).union(pilotSeniors)
        let mentee = people.filter {
            $0.status == .active && $0.level >= participant.level + 2 && $0.level <= 7 && !participantChain.contains($0.employeeID)
                && !taken.contains($0.employeeID) && !tree.managementChain(of: $0.employeeID).contains(firstMentor)
        }.sorted { $0.employeeID < $1.employeeID }.first!
        menteeEmail = mentee.email
        let circleJuniors = [firstMentor] + people.filter { $0.level <= 3 && $0.status == .active && !taken.contains($0.employeeID) }
            .shuffled(using: &rng).prefix(5).map(\.employeeID)
        let circleSeniors = [mentee.employeeID] + people.filter { $0.level >= 5 && $0.status == .active && !taken.contains($0.employeeID) && $0.employeeID != mentee.employeeID }
            .shuffled(using: &rng).prefix(4).map(\.employeeID)
        var circleEnrolments: [Enrolment] = []
        for (i, id) in circleJuniors.enumerated() {
            let topics = Self.digitalTopics.shuffled(using: &rng).prefix(3)
            circleEnrolments.append(Enrolment(
                id: Self.stableID(program: circle.id, index: 400 + i), programID: circle.id, employeeID: id, role: .mentor,
                offers: topics.map { TopicOffer(topic: Topic($0)!, proficiency: Int.random(in: 3...5, using: &rng)) },
                channels: Channel.allCases, cadence: .biweekly, capacity: 1))
        }
        for (i, id) in circleSeniors.enumerated() {
            let topics = Self.digitalTopics.shuffled(using: &rng).prefix(2)
            circleEnrolments.append(Enrolment(
                id: Self.stableID(program: circle.id, index: 500 + i), programID: circle.id, employeeID: id, role: .mentee,
                wants: topics.map { TopicWant(topic: Topic($0)!, priority: 2) }, channels: Channel.allCases, cadence: .biweekly, capacity: 1))
        }
        self.circleEnrolments = circleEnrolments
        teachingProfiles = Self.teachingProfiles(people: people, enrolments: enrolments + pilotEnrolments + circleEnrolments, participant: firstMentor,
                                                 seed: seed)
        asks = Self.asks(people: people, profiles: teachingProfiles, enrolled: Set((enrolments + pilotEnrolments + circleEnrolments).map(\.employeeID)),
                         participant: firstMentor, senior: mentee.employeeID, program: program)
        history = []
        let mentorsStart = CalendarDate(dayNumber: Self.lastYearStart.dayNumber + 30)
        history = Self.history(people: people, departments: Self.departments, from: CalendarDate(year: 2024, month: 1, day: 1)!,
                               to: CalendarDate(year: 2026, month: 10, day: 31)!,
                               promotedAfter: Dictionary(uniqueKeysWithValues: lastYearCohort.mentors.map { ($0.employeeID, mentorsStart) }), seed: seed)
    }

    /// The day last year's program ("Reverse Mentoring 2025", loaded by the server's demo loader) started.
    public static let lastYearStart = CalendarDate(year: 2025, month: 9, day: 1)!

    /// Last year's cohort: 20 juniors (levels 1–3) and 20 seniors (5 and above) employed on its start day
    /// and in none of this year's programs, by employee id.
    public var lastYearCohort: (mentors: [Person], mentees: [Person]) {
        let start = Self.lastYearStart
        let taken = Set((enrolments + pilotEnrolments + circleEnrolments).map(\.employeeID))
        let employed = people.filter { !taken.contains($0.employeeID) && $0.hireDate < start && ($0.exitDate.map { $0 > start } ?? true) }
            .sorted { $0.employeeID < $1.employeeID }
        return (Array(employed.filter { $0.level <= 3 }.prefix(20)), Array(employed.filter { $0.level >= 5 }.prefix(20)))
    }

    /// An HR history for generated people: promotions (a level up) and moves between `departments` from
    /// `from` to `to`, before anyone's exit and at least half a year after their hire. Two in five people
    /// at levels 2–8 were promoted once, those in `promotedAfter` not before their day (the demo's last
    /// year's reverse mentors: a demo's story, not a finding); one in seventeen up to level 5 moved. Each
    /// change's "before" is worked back from where the person stands now.
    public static func history(people: [Person], departments: [String], from start: CalendarDate, to end: CalendarDate,
                               promotedAfter: [String: CalendarDate] = [:], seed: UInt64) -> [EmploymentChange] {
        var rng = SeededGenerator(seed: seed &+ 0x4157)
        let first = start.dayNumber, last = end.dayNumber
        var changes: [EmploymentChange] = []
        for person in people {
            let from = max(first, person.hireDate.dayNumber + 183), until = min(last, (person.exitDate?.dayNumber ?? last + 1) - 1)
            guard from < until else { continue }
            var events: [(day: Int, promotion: Bool)] = []
            if person.level >= 2 && person.level <= 8 && Int.random(in: 0..<100, using: &rng) < 40 {
                let start = max(from, promotedAfter[person.employeeID]?.dayNumber ?? from)
                if start < until { events.append((Int.random(in: start...until, using: &rng), true)) }
            }
            if person.level <= 5 && Int.random(in: 0..<100, using: &rng) < 6 { events.append((Int.random(in: from...until, using: &rng), false)) }
            // Worked back from now: the latest change ends where the person stands.
            var after = person.placement
            for event in events.sorted(by: { $0.day > $1.day }) {
                var before = after
                if event.promotion {
                    before.level -= 1
                } else {
                    let others = departments.filter { $0 != after.department }
                    before.department = others[Int.random(in: 0..<others.count, using: &rng)]
                }
                changes.append(EmploymentChange(employeeID: person.employeeID, effective: CalendarDate(dayNumber: event.day), before: before, after: after))
                after = before
            }
        }
        return changes.sorted { ($0.effective, $0.employeeID) < ($1.effective, $1.employeeID) }
    }

    static func asks(people: [Person], profiles: [TeachingProfile], enrolled: Set<String>, participant: String, senior: String, program: Program) -> [Ask] {
        func day(_ d: Int, _ hour: Int = 9) -> Date { CalendarDate(year: 2026, month: 11, day: d)!.startUTC.addingTimeInterval(Double(hour) * 3_600) }
        var asks: [Ask] = []
        let topic = profiles.first { $0.employeeID == participant }?.offers.first?.topic ?? Topic("generative ai")!
        asks.append(Ask(id: stableID(program: program.id, index: 7_000), kind: .request, fromID: senior, toID: participant, topics: [topic],
                        message: "I keep hearing about \(topic.key.replacingOccurrences(of: "-", with: " ")) from my team. Would you show me how you use it day to day? Thank you!",
                        createdAt: day(20)))
        let profiled = Set(profiles.map(\.employeeID))
        if let nominee = people.first(where: { $0.level <= 3 && $0.status == .active && !profiled.contains($0.employeeID) && !enrolled.contains($0.employeeID) }) {
            asks.append(Ask(id: stableID(program: program.id, index: 7_001), kind: .nomination, fromID: participant, toID: nominee.employeeID, programID: program.id,
                            topics: [Topic("short-form video")!], message: "You taught our whole team short-form video in an afternoon. You would be a great reverse mentor.",
                            createdAt: day(22)))
        }
        let open = profiles.filter { $0.openToRequests && !enrolled.contains($0.employeeID) }.prefix(8)
        for (i, p) in open.enumerated() {
            asks.append(Ask(id: stableID(program: program.id, index: 7_100 + i), kind: .invitation, fromID: Ask.programTeam, toID: p.employeeID, programID: program.id,
                            message: "We are looking for reverse mentors for \(program.name). We think you could be one. Would you enrol?",
                            createdAt: day(15), openedAt: i < 5 ? day(16, 10 + i) : nil))
        }
        return asks
    }

    static let languages = ["English", "German", "Spanish", "Portuguese", "Japanese", "Arabic", "French", "Hindi", "Polish", "Yoruba"]

    /// Juniors' teaching profiles (their own random stream, so the rest of the demo stays as it was): most
    /// who mentor in a program keep what they offer there; half of the others filled one in; about one
    /// in four says not to be asked. The demo participant's is open.
    static func teachingProfiles(people: [Person], enrolments: [Enrolment], participant: String, seed: UInt64) -> [TeachingProfile] {
        var rng = SeededGenerator(seed: seed &+ 0x7EAC)
        let offered = Dictionary(enrolments.filter { $0.role == .mentor }.map { ($0.employeeID, $0) }, uniquingKeysWith: { a, _ in a })
        var profiles: [TeachingProfile] = []
        for person in people where person.level <= 4 && person.status == .active {
            let enrolment = offered[person.employeeID]
            guard person.employeeID == participant || Int.random(in: 0..<(enrolment == nil ? 2 : 5), using: &rng) > 0 else { continue }
            let offers = enrolment?.offers ?? digitalTopics.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng))
                .map { TopicOffer(topic: Topic($0)!, proficiency: Int.random(in: 2...5, using: &rng)) }
            var spoken = ["English"]
            if Bool.random(using: &rng) { spoken.append(languages[Int.random(in: 1..<languages.count, using: &rng)]) }
            profiles.append(TeachingProfile(
                employeeID: person.employeeID, offers: offers,
                industries: enrolment?.industries ?? Array(industries.shuffled(using: &rng).prefix(Int.random(in: 0...1, using: &rng))),
                languages: spoken, channels: enrolment?.channels ?? channels(&rng), availability: enrolment?.availability ?? hours(&rng),
                openToRequests: person.employeeID == participant || Int.random(in: 0..<4, using: &rng) > 0,
                changedAt: CalendarDate(year: 2026, month: 10, day: 1)!.startUTC))
        }
        return profiles
    }

    public static func stableID(program: UUID, index: Int) -> UUID {
        UUID(uuidString: String(format: "8FBA616C-21B0-4E12-A000-%012d", index))!
    }

    static func channels(_ rng: inout SeededGenerator) -> [Channel] {
        let picked = Channel.allCases.filter { _ in Int.random(in: 0..<3, using: &rng) > 0 }
        return picked.isEmpty ? [.video] : picked
    }

    static func hours(_ rng: inout SeededGenerator) -> [HourRange] {
        let start = Int.random(in: 8...12, using: &rng)
        return [HourRange(start: start, end: start + Int.random(in: 2...5, using: &rng))!]
    }
}
