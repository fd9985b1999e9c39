import Foundation

/// Every page path in one place, so routes and links never drift apart.
enum SiteURL {
    case home
    case login(next: String?)
    case logout
    case people(query: String? = nil, department: String? = nil, page: Int? = nil)
    case person(String)
    case peopleImport
    case personInvite(String)
    case invitation(token: String)
    case programs
    case newProgram
    case program(UUID)
    case programStatus(UUID)
    case editProgram(UUID)
    case deleteProgram(UUID)
    case enrolmentImport(UUID)
    case enrol(UUID)
    case withdraw(program: UUID, enrolment: UUID)
    case me
    case openAPI
    case matching(UUID)
    case runs(UUID)
    case run(program: UUID, run: UUID)
    case publishRun(program: UUID, run: UUID)
    case compareRuns(program: UUID, first: UUID?, second: UUID?)
    case pairRules(UUID)
    case deletePairRule(program: UUID, rule: UUID)
    case pair(UUID)
    case pairResponse(UUID)
    case chooseMentor(UUID)
    case mentorRequests(UUID)
    case calendarFeed(String)
    case pairCalendar(UUID)
    case pairAction(UUID, String)
    case impact
    case calendar
    case concerns(UUID)
    case raiseConcern(UUID)
    case readConcern
    case health(UUID)
    case guidance(UUID)
    case messagePreferences
    case unsubscribe(token: String, kind: String)
    case teachingProfile
    case whoCouldTeach
    /// The enrolment form started from the person's teaching profile.
    case enrolFromProfile(UUID)
    /// One request, nomination or invitation; the list of one's own.
    case ask(UUID)
    case asks

    var path: String {
        switch self {
        case .home: return "/"
        case let .login(next):
            guard let next = SiteURL.localPath(next) else { return "/login" }
            return "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        case .logout: return "/logout"
        case let .people(query, department, page):
            var items: [URLQueryItem] = []
            if let query, !query.isEmpty { items.append(URLQueryItem(name: "q", value: query)) }
            if let department, !department.isEmpty { items.append(URLQueryItem(name: "department", value: department)) }
            if let page, page > 1 { items.append(URLQueryItem(name: "page", value: String(page))) }
            var components = URLComponents()
            components.path = "/people"
            components.queryItems = items.isEmpty ? nil : items
            return components.string ?? "/people"
        case let .person(id): return "/people/" + (id.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? id)
        case .peopleImport: return "/people/import"
        case let .personInvite(id): return SiteURL.person(id).path + "/invite"
        case let .invitation(token): return "/invite/" + token
        case .programs: return "/programs"
        case .newProgram: return "/programs/new"
        case let .program(id): return "/programs/\(id.uuidString.lowercased())"
        case let .programStatus(id): return "/programs/\(id.uuidString.lowercased())/status"
        case let .editProgram(id): return "/programs/\(id.uuidString.lowercased())/edit"
        case let .deleteProgram(id): return "/programs/\(id.uuidString.lowercased())/delete"
        case let .enrolmentImport(id): return "/programs/\(id.uuidString.lowercased())/enrolments/import"
        case let .enrol(id): return "/programs/\(id.uuidString.lowercased())/enrol"
        case let .withdraw(program, enrolment): return "/programs/\(program.uuidString.lowercased())/enrolments/\(enrolment.uuidString.lowercased())/withdraw"
        case .me: return "/me"
        case .openAPI: return "/openapi.json"
        case let .matching(id): return SiteURL.program(id).path + "/matching"
        case let .runs(id): return SiteURL.program(id).path + "/runs"
        case let .run(program, run): return SiteURL.runs(program).path + "/\(run.uuidString.lowercased())"
        case let .publishRun(program, run): return SiteURL.run(program: program, run: run).path + "/publish"
        case let .compareRuns(program, first, second):
            var path = SiteURL.runs(program).path + "/compare"
            if let first, let second { path += "?first=\(first.uuidString.lowercased())&second=\(second.uuidString.lowercased())" }
            return path
        case let .pairRules(id): return SiteURL.program(id).path + "/rules"
        case let .deletePairRule(program, rule): return SiteURL.pairRules(program).path + "/\(rule.uuidString.lowercased())/delete"
        case let .pair(id): return "/pairs/\(id.uuidString.lowercased())"
        case let .pairResponse(id): return SiteURL.pair(id).path + "/response"
        case let .chooseMentor(id): return SiteURL.program(id).path + "/choose"
        case let .mentorRequests(id): return SiteURL.program(id).path + "/requests"
        case let .calendarFeed(token): return "/calendar/\(token).ics"
        case let .pairCalendar(id): return SiteURL.pair(id).path + "/calendar.ics"
        case let .pairAction(id, action): return SiteURL.pair(id).path + "/" + action
        case .impact: return "/me/impact"
        case .calendar: return "/me/calendar"
        case let .concerns(id): return SiteURL.program(id).path + "/concerns"
        case let .raiseConcern(id): return SiteURL.program(id).path + "/concern"
        case .readConcern: return "/concerns/read"
        case let .health(id): return SiteURL.program(id).path + "/health"
        case let .guidance(id): return SiteURL.program(id).path + "/guidance"
        case .messagePreferences: return "/me/messages"
        case let .unsubscribe(token, kind): return "/unsubscribe/\(token)/\(kind)"
        case .teachingProfile: return "/me/teaching"
        case .whoCouldTeach: return "/who-could-teach"
        case let .enrolFromProfile(id): return SiteURL.enrol(id).path + "?from=profile"
        case let .ask(id): return "/asks/\(id.uuidString.lowercased())"
        case .asks: return "/me/asks"
        }
    }

    /// `raw` when it is a path on this site that is safe to redirect to after sign-in, else `nil`
    /// (no open redirect). Takes the decoded value: it must start with a single `/` followed by a
    /// character that is not `/`, `\`, white space or a control character, and hold no white space or
    /// control character anywhere (browsers drop tabs and line breaks, so `/<TAB>/evil.example`
    /// would become `//evil.example`, another site).
    static func localPath(_ raw: String?) -> String? {
        guard let raw, raw.utf8.count <= 2_000 else { return nil }
        let scalars = Array(raw.unicodeScalars)
        guard scalars.first == "/" else { return nil }
        if scalars.count > 1, scalars[1] == "/" || scalars[1] == "\\" { return nil }
        guard !scalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }) else { return nil }
        return raw
    }
}
