import FlipsideCore
import Fluent
import Foundation
import SQLKit
import Vapor

/// A large synthetic organisation with years of reverse-mentoring history, for load tests and the
/// outcomes benchmark (`flipside synthesize`): people from the HR import path, programs from the
/// program use case, then enrolments, pairs, agreements, meetings, check-ins, insights and actions
/// written in bulk (the use cases would take one transaction per meeting). Deterministic: the same
/// sizes give the same organisation.
public struct SyntheticOrganisation: Sendable {
    public var people: Int
    public var programs: Int
    public var pairs: Int
    public var checkIns: Int
    /// People (level 4 and below) who keep a teaching profile, three in four of them open to being asked.
    public var teachingProfiles: Int

    public init(people: Int = 100_000, programs: Int = 5, pairs: Int = 10_000, checkIns: Int = 200_000, teachingProfiles: Int = 20_000) {
        self.people = people
        self.programs = programs
        self.pairs = pairs
        self.checkIns = checkIns
        self.teachingProfiles = teachingProfiles
    }

    public struct Result: Sendable {
        public var people: Int; public var programs: [Program]; public var pairs: Int; public var meetings: Int; public var checkIns: Int; public var actions: Int
        public var teachingProfiles: Int = 0
    }

    static let departments = ["Engineering", "Product", "Marketing", "Sales", "Finance", "People & Culture", "Operations", "Legal"]
    static let sites = [("Berlin", "Europe/Berlin"), ("London", "Europe/London"), ("New York", "America/New_York"),
                        ("Singapore", "Asia/Singapore"), ("Lisbon", "Europe/Lisbon")]
    static let topics = ["generative ai", "figma", "data visualisation", "slack workflows", "short-form video", "python", "accessibility", "tiktok"]

    /// Topics people say they could teach (more than programs use, as people list what they know).
    static let teachable = topics + ["prompt engineering", "no-code automation", "the new crm", "gen z consumer trends", "cloud basics",
                                     "spreadsheet automation", "sql", "canva", "instagram", "podcasting", "notion", "power bi"]

    /// Teaching profiles for `teachingProfiles` of the juniors still employed (their own random stream).
    func writeTeachingProfiles(_ everyone: [Person], now: Date, db: any Database) async throws -> Int {
        var rng = SeededGenerator(seed: 2027)
        let juniors = everyone.filter { $0.level <= 4 && $0.status == .active }
        let step = max(1, juniors.count / max(1, teachingProfiles))
        let chosen = stride(from: 0, to: juniors.count, by: step).prefix(teachingProfiles).map { juniors[$0] }
        let profiles = chosen.map { person in
            TeachingProfile(employeeID: person.employeeID,
                            offers: Self.teachable.shuffled(using: &rng).prefix(Int.random(in: 1...3, using: &rng))
                                .map { TopicOffer(topic: Topic($0)!, proficiency: Int.random(in: 2...5, using: &rng)) },
                            languages: ["English"], channels: FlipsideCore.Channel.allCases.filter { _ in Bool.random(using: &rng) }.nonEmpty ?? [.video],
                            openToRequests: Int.random(in: 0..<4, using: &rng) > 0, changedAt: now)
        }
        for start in stride(from: 0, to: profiles.count, by: 2_000) {
            try await db.writeTransaction { tx in
                for profile in profiles[start..<min(start + 2_000, profiles.count)] { try await TeachingProfileRows.save(profile, on: tx) }
            }
        }
        return profiles.count
    }

    public func load(into app: Application) async throws -> Result {
        guard people >= 4 * pairs / max(programs, 1), programs >= 1, pairs >= programs else {
            throw ConfigError("Need at least four people per pair of a program and one pair per program.")
        }
        let db = app.db
        guard try await ProgramModel.query(on: db).count() == 0 else {
            throw ConfigError("The database already has programs: synthesize into an empty database.")
        }
        var rng = SeededGenerator(seed: 2026)
        // People: a reporting tree (up to 8 reports each), levels 1–8, hired 2005–2025; about one in
        // ten has left, on a day from 2022 to 2026.
        var everyone: [Person] = []
        everyone.reserveCapacity(people)
        for i in 0..<people {
            let level = Int.random(in: 1...8, using: &rng)
            let site = Self.sites[Int.random(in: 0..<Self.sites.count, using: &rng)]
            let exited = Double.random(in: 0..<1, using: &rng) < 0.1
            let exit = exited ? CalendarDate(year: Int.random(in: 2022...2026, using: &rng), month: Int.random(in: 1...10, using: &rng), day: 15) : nil
            everyone.append(Person(employeeID: String(format: "S%06d", i), name: "Person \(i)", email: "person.\(i)@synthetic.example",
                                   title: "Specialist", level: level,
                                   hireDate: CalendarDate(year: Int.random(in: 2005...2021, using: &rng), month: Int.random(in: 1...12, using: &rng),
                                                          day: Int.random(in: 1...28, using: &rng))!,
                                   department: Self.departments[i % Self.departments.count], location: site.0, timeZone: site.1,
                                   managerID: i == 0 ? nil : String(format: "S%06d", (i - 1) / 8), status: exited ? .exited : .active, exitDate: exit,
                                   attributes: ["career_path": ["graduate scheme", "career changer", "apprenticeship"][i % 3]]))
        }
        _ = try await Importing.people(csv: PeopleCSV.render(everyone), actor: .system, now: app.clock.now, store: FluentPeopleImportStore(db: db, audit: .system(app.clock)))
        // Five years of promotions and moves: the outcomes place people as they stood on each program's start.
        let history = DemoOrganisation.history(people: everyone, departments: Self.departments, from: CalendarDate(year: 2021, month: 1, day: 1)!,
                                               to: CalendarDate(year: 2026, month: 10, day: 31)!, seed: 2026)
        try await db.writeTransaction { tx in try await EmploymentHistoryRows.record(history, at: app.clock.now, source: .synthetic, on: tx as! any SQLDatabase) }

        let juniors = everyone.filter { $0.level <= 3 }, seniors = everyone.filter { $0.level >= 5 }
        var result = Result(people: everyone.count, programs: [], pairs: 0, meetings: 0, checkIns: 0, actions: 0)
        result.teachingProfiles = try await writeTeachingProfiles(everyone, now: app.clock.now, db: db)
        let perProgram = pairs / programs
        // Check-ins: spread evenly, a few more for pairs that meet the most, until the total is reached.
        let checkInsPerPair = 2 * ((checkIns + 2 * pairs - 1) / (2 * pairs)) + 2
        var checkInsLeft = checkIns
        let store = FluentProgramStore(db: db, audit: .system(app.clock))
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        func at(_ d: CalendarDate, hour: Int = 9) -> Date { utc.date(from: DateComponents(year: d.year, month: d.month, day: d.day, hour: hour))! }
        let lastYear = 2026
        for p in 0..<programs {
            let year = lastYear - (programs - 1 - p)
            let start = CalendarDate(year: year, month: 3, day: 1)!, end = CalendarDate(year: year, month: 11, day: 30)!
            let current = p == programs - 1
            let program = try await Programs.create(
                Program(name: "Reverse Mentoring \(year)", purpose: "Cohort \(year): leaders learn from their newest colleagues.",
                        startDate: start, endDate: end, status: .draft, settings: MatchingSettings(minLevelGap: 2, defaultCapacity: 1,
                                                                                                     perspectiveAttributes: ["career_path"])),
                actor: .system, store: store)
            for status in [ProgramStatus.enrolling, .matching, .active] {
                _ = try await Programs.transition(program.id, to: status, actor: .system, now: at(start), store: store)
            }
            // People employed at the start, a different slice of the organisation every year.
            let employed = { (x: Person) in x.hireDate < start && (x.exitDate.map { $0 > start } ?? true) }
            let mentors = Array(juniors.lazy.filter(employed).dropFirst(p * perProgram).prefix(perProgram))
            let mentees = Array(seniors.lazy.filter(employed).dropFirst(p * perProgram).prefix(perProgram))
            let count = min(mentors.count, mentees.count)
            var enrolments: [EnrolmentModel] = []
            var made: [MentoringPair] = []
            var agreements: [AgreementRow] = [], meetings: [MeetingRow] = [], checkInRows: [CheckInRow] = []
            var texts: [PairTextRow] = [], actions: [ActionRow] = []
            for i in 0..<count {
                let mentor = mentors[i], mentee = mentees[i]
                let topic = Topic(Self.topics[(i + p) % Self.topics.count])!
                enrolments.append(EnrolmentModel(Enrolment(programID: program.id, employeeID: mentor.employeeID, role: .mentor,
                                                           offers: [TopicOffer(topic: topic, proficiency: 4)], channels: [.video], cadence: .weekly)))
                enrolments.append(EnrolmentModel(Enrolment(programID: program.id, employeeID: mentee.employeeID, role: .mentee,
                                                           wants: [TopicWant(topic: topic, priority: 3)], channels: [.video], cadence: .weekly)))
                // Someone who left before the end ended the pair that day; the others complete (or, this year, go on).
                let leftDuring = [mentor.exitDate, mentee.exitDate].compactMap { $0 }.filter { $0 <= end }.min()
                let status: PairStatus = leftDuring != nil ? .ended : current ? .active : .completed
                let pair = MentoringPair(programID: program.id, menteeID: mentee.employeeID, mentorID: mentor.employeeID, status: status, source: .run,
                                         score: 80, menteeAccepted: true, mentorAccepted: true, createdAt: at(start))
                made.append(pair)
                let rhythm = Rhythm(cadence: .weekly, minutes: 45,
                                    firstMeeting: LocalDateTime(date: CalendarDate(year: year, month: 3, day: 9 + i % 5)!, hour: 10, minute: 0)!,
                                    timeZone: "UTC", endDate: end, channel: .video)
                let goal = Goal(title: "Get hands-on with \(topic.key)", kind: .newTechOrApps, success: "Use it in my own work", topic: topic)
                agreements.append(try AgreementRow(AgreementVersion(pairID: pair.id, number: 1, authorID: mentor.employeeID, goals: [goal], rhythm: rhythm,
                                                                    createdAt: at(start, hour: 10), menteeAcceptedAt: at(start, hour: 12),
                                                                    mentorAcceptedAt: at(start, hour: 10))))
                guard let schedule = Schedule(rhythm) else { continue }
                let stop = min(app.clock.now, leftDuring.map { at($0) } ?? .distantFuture)
                let occurrences = schedule.occurrences(to: stop)
                var answered = 0
                for (n, meeting) in occurrences.enumerated() {
                    // One pair in six stops meeting after the first months; one meeting in eight is missed.
                    let held = !(i % 6 == 5 && n > 6) && (i + n) % 8 != 0
                    meetings.append(MeetingRow(MeetingLog(pairID: pair.id, occurrence: meeting, status: held ? .held : .missed,
                                                          loggedBy: mentee.employeeID, loggedAt: meeting.addingTimeInterval(3_600))))
                    guard held, answered + 2 <= checkInsPerPair, checkInsLeft >= 2 else { continue }
                    answered += 2
                    checkInsLeft -= 2
                    checkInRows.append(try CheckInRow(CheckIn(pairID: pair.id, authorID: mentor.employeeID, side: .mentor, kind: .regular,
                                                              at: meeting.addingTimeInterval(7_200), meeting: meeting, satisfaction: 2 + (i + n) % 4,
                                                              direction: .yes, listened: 2 + (i + 2 * n) % 4)))
                    checkInRows.append(try CheckInRow(CheckIn(pairID: pair.id, authorID: mentee.employeeID, side: .mentee, kind: .regular,
                                                              at: meeting.addingTimeInterval(7_200), meeting: meeting, satisfaction: 3 + (i + n) % 3,
                                                              direction: .yes)))
                }
                guard i % 2 == 0, let first = occurrences.dropFirst(3).first else { continue }
                let insight = PairText(pairID: pair.id, kind: .insight, authorID: mentee.employeeID, visibility: .programTeam,
                                       body: "New colleagues learn tools by doing.", createdAt: first.addingTimeInterval(3_600))
                texts.append(PairTextRow(insight))
                let created = first.addingTimeInterval(Double(1 + i % 20) * 86_400)
                let done = i % 4 == 0 && created < app.clock.now
                actions.append(ActionRow(ActionItem(pairID: pair.id, authorID: mentee.employeeID, insightID: insight.id, kind: .shareWithTeam,
                                                    due: nil, status: done ? .done : .planned, visibility: .ourPair, createdAt: created,
                                                    updatedAt: done ? created.addingTimeInterval(20 * 86_400) : nil,
                                                    doneAt: done ? created.addingTimeInterval(20 * 86_400) : nil)))
            }
            let rows = (enrolments, made, agreements, meetings, checkInRows, texts, actions)
            try await db.writeTransaction { tx in
                let sql = tx as! any SQLDatabase
                for start in stride(from: 0, to: rows.0.count, by: 1000) { try await Array(rows.0[start..<min(start + 1000, rows.0.count)]).create(on: tx) }
                func insert<Row: Encodable & Sendable>(_ table: String, _ all: [Row]) async throws {
                    for start in stride(from: 0, to: all.count, by: 1000) {
                        try await sql.insert(into: table).models(Array(all[start..<min(start + 1000, all.count)]), nilEncodingStrategy: .asNil).run()
                    }
                }
                try await insert(MatchingTables.pairs, rows.1.map(PairRow.init))
                try await FluentMatchingStore.insert(rows.1.map { PairEvent(pairID: $0.id, status: .accepted, at: $0.createdAt, actor: "system", reason: "Synthetic cohort") },
                                                     on: sql)
                try await insert(PartnershipTables.agreements, rows.2)
                try await insert(PartnershipTables.meetings, rows.3)
                try await insert(PartnershipTables.checkIns, rows.4)
                try await insert(PartnershipTables.texts, rows.5)
                try await insert(PartnershipTables.actions, rows.6)
            }
            if !current { _ = try await Programs.transition(program.id, to: .closed, actor: .system, now: at(end, hour: 18), store: store) }
            result.programs.append(program)
            result.pairs += made.count
            result.meetings += meetings.count
            result.checkIns += checkInRows.count
            result.actions += actions.count
        }
        return result
    }
}

extension Array {
    /// The array, or nil when it is empty.
    var nonEmpty: [Element]? { isEmpty ? nil : self }
}
