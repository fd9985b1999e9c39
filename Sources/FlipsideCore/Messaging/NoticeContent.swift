import Foundation

/// Where a message's button leads.
public enum NoticeTarget: Sendable, Hashable {
    case pair(UUID)
    case program(UUID)
    case chooseMentor(UUID)
    case impact
    case concerns(UUID)
    case health(UUID)
    case ask(UUID)
    case whoCouldTeach
}

/// A calendar part (iTIP, RFC 5546): the pair's series as a REQUEST (new, changed, cut short at the
/// end) or the CANCEL of one meeting.
public struct NoticeCalendar: Sendable {
    public enum Method: String, Sendable { case request = "REQUEST", cancel = "CANCEL" }
    public var method: Method
    public var series: CalendarSeries
    /// The cancelled meeting's planned start (CANCEL only).
    public var cancelled: Date?
}

/// What a message says, decided when it goes from the state of things then: a subject, a few sentences
/// and where its button leads, never a word anybody wrote in Flipside. `nil` content comes with the
/// reason it is no longer to be sent (`NoticeReading.Withdrawn`).
public struct NoticeContent: Sendable {
    public var subject: String
    public var greeting: String?
    public var paragraphs: [String]
    public var action: (label: String, target: NoticeTarget)?
    public var calendar: NoticeCalendar?

    public init(subject: String, greeting: String?, paragraphs: [String], action: (label: String, target: NoticeTarget)?, calendar: NoticeCalendar? = nil) {
        self.subject = subject
        self.greeting = greeting
        self.paragraphs = paragraphs
        self.action = action
        self.calendar = calendar
    }
}

/// Composing messages: the read model of what each kind says to its recipient now.
public enum NoticeReading {
    public struct Withdrawn: Error, Sendable, Equatable {
        public var reason: String
        public init(reason: String) { self.reason = reason }
    }

    /// A participant's message about their pair, read as that participant; `names` has both people's names.
    public static func participant(_ kind: NoticeKind, ref: String?, recipient: String, partnership sealed: Unredacted<Partnership>,
                                   names: [String: String], zone: TimeZone, now: Date) -> Result<NoticeContent, Withdrawn> {
        let p = sealed.value
        let pair = p.pair
        guard let side = pair.side(of: recipient) else { return .failure(Withdrawn(reason: "not one of the pair")) }
        let otherID = side == .mentee ? pair.mentorID : pair.menteeID
        let other = names[otherID] ?? otherID
        let program = p.program.name
        let status = p.status(now: now)
        let otherRole = side == .mentee ? "reverse mentor" : "mentee"
        func content(_ subject: String, _ paragraphs: [String], _ label: String, _ target: NoticeTarget) -> Result<NoticeContent, Withdrawn> {
            .success(NoticeContent(subject: subject, greeting: names[recipient], paragraphs: paragraphs, action: (label, target)))
        }
        func gone(_ reason: String) -> Result<NoticeContent, Withdrawn> { .failure(Withdrawn(reason: reason)) }

        switch kind {
        case .proposal:
            if status == .proposed {
                let answered = side == .mentee ? pair.menteeAccepted != nil : pair.mentorAccepted != nil
                if answered { return gone("already answered") }
                return content("Your reverse-mentoring match in \(program)",
                               ["\(program) proposes you and \(other) as a reverse-mentoring pair, with \(other) as your \(otherRole).",
                                "See why the two of you were matched, then accept or decline."],
                               "Answer the proposal", .pair(pair.id))
            }
            if status.isRunning, pair.source == .run, !p.program.settings.pairsNeedAcceptance {
                return content("You have been paired in \(program)",
                               ["You and \(other) are a reverse-mentoring pair in \(program), with \(other) as your \(otherRole).",
                                "Next: agree your goals and how often you meet."],
                               "Open your pair", .pair(pair.id))
            }
            return gone("the pair is \(status.rawValue)")
        case .request:
            guard status == .requested, side == .mentor else { return gone("the request is \(status.rawValue)") }
            let until = pair.expiresAt.map { " It is open until \(when($0, in: zone))." } ?? ""
            return content("\(other) asks you to be their reverse mentor",
                           ["In \(program), \(other) asks you to be their reverse mentor.\(until)", "See what the two of you have in common, then accept or decline."],
                           "Answer the request", .pair(pair.id))
        case .requestAnswered:
            guard side == .mentee else { return gone("not the mentee") }
            switch status {
            case .accepted, .active, .completed:
                return content("\(other) accepted your request",
                               ["\(other) is your reverse mentor in \(program).", "Next: agree your goals and how often you meet."],
                               "Open your pair", .pair(pair.id))
            case .declined:
                return content("Your request to \(other)",
                               ["\(other) cannot be your reverse mentor in \(program) this time.", "You can ask someone else."],
                               "Choose a mentor", .chooseMentor(pair.programID))
            case .expired:
                return content("Your request to \(other) lapsed",
                               ["\(other) did not answer your request in \(program) in time.", "You can ask someone else."],
                               "Choose a mentor", .chooseMentor(pair.programID))
            default:
                return gone("the request is \(status.rawValue)")
            }
        case .agreement:
            guard let latest = p.agreements.last, "v\(latest.number)" == ref else { return gone("a newer version was drafted") }
            guard !latest.isAgreed, !latest.accepted(by: side), status.isRunning else { return gone("already accepted") }
            return content("\(other) proposed an agreement for the two of you",
                           ["In \(program), \(other) proposed version \(latest.number) of your agreement: your goals and how often you meet.",
                            "Read it, then accept it or propose changes."],
                           "Read the agreement", .pair(pair.id))
        case .calendar:
            guard let series = p.calendarSeries(menteeName: names[pair.menteeID] ?? pair.menteeID, mentorName: names[pair.mentorID] ?? pair.mentorID,
                                                changedAt: now) else { return gone("no agreement in force") }
            if let c = ref?.range(of: "-c"), let t = Double(ref![c.upperBound...]) {
                let occurrence = Date(timeIntervalSince1970: t)
                if p.meetings.contains(where: { $0.occurrence == occurrence && $0.status == .cancelled }) {
                    var message = NoticeContent(subject: "Cancelled: your meeting with \(other) on \(when(occurrence, in: zone))",
                                                greeting: names[recipient],
                                                paragraphs: ["Your reverse-mentoring meeting with \(other) on \(when(occurrence, in: zone)) is cancelled. The rest of your meetings stay as they are."],
                                                action: ("Open your pair", .pair(pair.id)))
                    message.calendar = NoticeCalendar(method: .cancel, series: series, cancelled: occurrence)
                    return .success(message)
                }
            }
            let r = series.rhythm
            let ended = series.endedAt != nil || status == .completed
            let subject = ended ? "Your meetings with \(other) end here" : "Meetings with \(other): \(r.cadence.rawValue), \(r.minutes) minutes"
            let lead = ended
                ? "Your reverse-mentoring partnership with \(other) in \(program) has ended: the meetings from now on are taken out of your calendar."
                : "Your meetings with \(other) in \(program), as the two of you agreed: \(r.cadence.rawValue), \(r.minutes) minutes, from \(r.firstMeeting) (\(r.timeZone))."
            var message = NoticeContent(subject: subject, greeting: names[recipient],
                                        paragraphs: [lead, ended ? "Thank you for taking part." : "Accept the invitation to put them in your calendar; it updates when a meeting moves."],
                                        action: ("Open your pair", .pair(pair.id)))
            message.calendar = NoticeCalendar(method: .request, series: series, cancelled: nil)
            return .success(message)
        case .meetingReminder, .checkInDue, .pairFlagged:
            guard Reminders.stillDue(kind, ref: ref, in: p, for: recipient, now: now) else { return gone("no longer due") }
            let t = Date(timeIntervalSince1970: Double(ref?.dropFirst() ?? "") ?? 0)
            switch kind {
            case .meetingReminder:
                return content("Tomorrow: your meeting with \(other)",
                               ["You meet \(other) on \(when(t, in: zone)) (\(p.current?.rhythm.minutes ?? 0) minutes).",
                                "A good moment to look at your goals and what you want to talk about."],
                               "Open your pair", .pair(pair.id))
            case .checkInDue:
                return content("How did your meeting with \(other) go?",
                               ["Your meeting with \(other) on \(when(t, in: zone)) is over: a check-in takes two minutes and helps you both see how it goes."],
                               "Check in", .pair(pair.id))
            default:
                return content("Your reverse-mentoring partnership may need some attention",
                               ["Partnerships go through quiet or bumpy patches. It can help to talk with \(other) about how it is going, to look at your goals together, or to ask the program team for help.",
                                "Nothing here is shared with your partner."],
                               "Open your pair", .pair(pair.id))
            }
        case .actionDone:
            guard side == .mentor, let id = ref.flatMap(UUID.init(uuidString:)),
                  let action = p.actions.first(where: { $0.id == id }), action.status == .done else { return gone("the action is not done") }
            return content("What your input led to: an action done",
                           ["\(other) marked an action done that came from your conversations (\(action.kind.label.lowercased())).",
                            "See what your input led to."],
                           "What my input led to", .impact)
        case .programClosing:
            if p.checkIns.contains(where: { $0.authorID == recipient && $0.kind == .closing }) { return gone("already answered the closing check-in") }
            guard status.isOver else { return gone("the pair is \(status.rawValue)") }
            return content("\(program) has closed: how did it go?",
                           ["Thank you for taking part in \(program).", "Three questions on what your partnership with \(other) was worth: the closing check-in."],
                           "Answer the closing check-in", .pair(pair.id))
        case .invitation, .digest, .concernWaiting, .announcement, .teachingAsk, .teachingAnswer:
            return gone("not a message about a pair")
        }
    }

    /// A request, nomination or invitation, to the person it is for (`teachingAsk`), or a request's
    /// answer, to its sender (`teachingAnswer`), while still true. Never its message: that is read in
    /// Flipside, by the person it is for.
    public static func ask(_ kind: NoticeKind, _ ask: Ask, recipient: String, names: [String: String], programName: String?) -> Result<NoticeContent, Withdrawn> {
        let from = ask.fromID == Ask.programTeam ? "The program team" : names[ask.fromID] ?? ask.fromID
        let to = names[ask.toID] ?? ask.toID
        let topics = WhoCouldTeach.list(ask.topics.map(\.key))
        let inProgram = programName.map { " in \($0)" } ?? ""
        switch kind {
        case .teachingAsk:
            guard recipient == ask.toID else { return .failure(Withdrawn(reason: "not the person it is for")) }
            guard ask.status == .sent else { return .failure(Withdrawn(reason: "it was \(ask.status.rawValue)")) }
            let answer = "You answer in Flipside: yes, or not this time. You need not give a reason."
            switch ask.kind {
            case .request:
                return .success(NoticeContent(subject: "\(from) would like to learn from you", greeting: names[recipient],
                                              paragraphs: ["\(from) would like you to be their reverse mentor for \(topics): a newer colleague who teaches a senior one.",
                                                           "Read their note. \(answer)"],
                                              action: ("Read and answer", .ask(ask.id))))
            case .nomination:
                return .success(NoticeContent(subject: "\(from) thinks you would make a good reverse mentor", greeting: names[recipient],
                                              paragraphs: ["\(from) thinks you would make a good reverse mentor for \(topics)\(inProgram).",
                                                           "Reverse mentoring pairs a newer colleague, who teaches, with a senior one, who learns. It is your choice. \(answer)"],
                                              action: ("Read and answer", .ask(ask.id))))
            case .invitation:
                guard let programName else { return .failure(Withdrawn(reason: "the program is gone")) }
                return .success(NoticeContent(subject: "You are invited to enrol in \(programName)", greeting: names[recipient],
                                              paragraphs: ["The program team of \(programName) invites you to enrol as a reverse mentor: a newer colleague who teaches a senior one.",
                                                           "Read their note. \(answer)"],
                                              action: ("Read and answer", .ask(ask.id))))
            }
        case .teachingAnswer:
            guard recipient == ask.fromID, ask.kind == .request else { return .failure(Withdrawn(reason: "not the sender of a request")) }
            switch ask.status {
            case .accepted:
                guard let programID = ask.programID, let programName else { return .failure(Withdrawn(reason: "the program is gone")) }
                return .success(NoticeContent(subject: "\(to) said yes", greeting: names[recipient],
                                              paragraphs: ["\(to) said yes to your request and enrolled in \(programName) as a reverse mentor.",
                                                           "Enrol in \(programName) too, so that the two of you can be paired there."],
                                              action: ("Open \(programName)", .program(programID))))
            case .declined:
                return .success(NoticeContent(subject: "Your request to \(to)", greeting: names[recipient],
                                              paragraphs: ["\(to) cannot be your reverse mentor this time.", "You can ask someone else."],
                                              action: ("Who could teach me?", .whoCouldTeach)))
            default:
                return .failure(Withdrawn(reason: "the request is \(ask.status.rawValue)"))
            }
        default:
            return .failure(Withdrawn(reason: "not a message about an ask"))
        }
    }

    /// A program's week, for its coordinators: counts only, every one linking to its page.
    public struct DigestCounts: Sendable, Equatable {
        public var newFlags: Int
        public var declinedProposals: Int
        public var agreementsWaiting: Int
        public var concernsWaiting: Int
        public init(newFlags: Int, declinedProposals: Int, agreementsWaiting: Int, concernsWaiting: Int) {
            self.newFlags = newFlags
            self.declinedProposals = declinedProposals
            self.agreementsWaiting = agreementsWaiting
            self.concernsWaiting = concernsWaiting
        }
        public var isEmpty: Bool { newFlags + declinedProposals + agreementsWaiting + concernsWaiting == 0 }
    }

    public static func digest(program: Program, counts: DigestCounts, week: String) -> Result<NoticeContent, Withdrawn> {
        guard !counts.isEmpty else { return .failure(Withdrawn(reason: "nothing to report this week")) }
        func n(_ count: Int, _ one: String, _ many: String) -> String { "\(count) \(count == 1 ? one : many)" }
        var lines = ["\(program.name), week \(week):"]
        if counts.newFlags > 0 { lines.append("• \(n(counts.newFlags, "pair", "pairs")) flagged this week (health page)") }
        if counts.declinedProposals > 0 { lines.append("• \(n(counts.declinedProposals, "proposal", "proposals")) declined this week") }
        if counts.agreementsWaiting > 0 { lines.append("• \(n(counts.agreementsWaiting, "agreement", "agreements")) not accepted after 7 days") }
        if counts.concernsWaiting > 0 { lines.append("• \(n(counts.concernsWaiting, "concern", "concerns")) waiting for a reply") }
        return .success(NoticeContent(subject: "\(program.name): your week in Flipside", greeting: nil, paragraphs: lines,
                                      action: ("Open the health page", .health(program.id))))
    }

    public static func concernWaiting(program: Program, waiting: Int) -> Result<NoticeContent, Withdrawn> {
        guard waiting > 0 else { return .failure(Withdrawn(reason: "no concern is waiting")) }
        return .success(NoticeContent(subject: "\(program.name): an anonymous concern is waiting", greeting: nil,
                                      paragraphs: ["A new anonymous concern is waiting in \(program.name)'s inbox. Only the program team can read it there."],
                                      action: ("Open the inbox", .concerns(program.id))))
    }

    /// A program's news for its chat channel, while it is still true.
    public static func announcement(program: Program, ref: String?) -> Result<NoticeContent, Withdrawn> {
        guard program.status.rawValue == ref else { return .failure(Withdrawn(reason: "the program moved on to \(program.status.rawValue)")) }
        switch program.status {
        case .enrolling:
            return .success(NoticeContent(subject: "\(program.name): enrolment is open", greeting: nil,
                                          paragraphs: [program.purpose, "Sign up as a reverse mentor or as a mentee."].filter { !$0.isEmpty },
                                          action: ("Enrol", .program(program.id))))
        case .active:
            return .success(NoticeContent(subject: "\(program.name): pairs are published", greeting: nil,
                                          paragraphs: ["Everyone in a pair has heard by email; next, each pair agrees its goals and how often it meets."],
                                          action: ("Open the program", .program(program.id))))
        case .closed:
            return .success(NoticeContent(subject: "\(program.name) has closed", greeting: nil,
                                          paragraphs: ["Thank you to every pair. Everyone is asked for a short closing check-in."],
                                          action: ("Open the program", .program(program.id))))
        default:
            return .failure(Withdrawn(reason: "nothing to announce"))
        }
    }

    /// "Tuesday 8 December 2026, 09:30 (Europe/Berlin)".
    public static func when(_ date: Date, in zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .weekday], from: date)
        let weekdays = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        return "\(weekdays[c.weekday! - 1]) \(c.day!) \(months[c.month! - 1]) \(c.year!), " + String(format: "%02d:%02d", c.hour!, c.minute!) + " (\(zone.identifier))"
    }
}
