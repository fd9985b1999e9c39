import Foundation
import Testing
@testable import FlipsideCore

/// One parser per input: the API and the web form both make these drafts, and applying one is Core's.
@Suite struct DraftTests {
    @Test func aProgramDraftChangesOnlyWhatItGives() {
        let program = Program(name: "Pilot", purpose: "Learn", startDate: CalendarDate(iso: "2026-01-05"),
                              settings: MatchingSettings(minLevelGap: 2, defaultCapacity: 2))
        var draft = ProgramDraft()
        draft.settings.requestDays = 10
        draft.settings.perspectiveAttributes = [" Career_Path ", "", "location"]
        let (changed, problems) = draft.applied(to: program)
        #expect(problems.isEmpty)
        #expect(changed.name == "Pilot" && changed.purpose == "Learn" && changed.startDate == program.startDate)
        #expect(changed.settings.minLevelGap == 2 && changed.settings.defaultCapacity == 2 && changed.settings.requestDays == 10)
        #expect(changed.settings.perspectiveAttributes == ["career_path", "location"])
        // A date given as "cleared" clears it; a date not given stays.
        draft.startDate = .some(nil)
        #expect(draft.applied(to: program).program.startDate == nil)
    }

    @Test func aProgramDraftReportsEveryProblemOnceWithTheUnreadFirst() {
        var draft = ProgramDraft()
        draft.name = "  "
        draft.settings.requestDays = 0
        draft.topicCatalogue = ["figma", String(repeating: "x", count: 500)]
        let unread = [FieldProblem(field: "settings.request_days", reason: "must be a whole number")]
        let (_, problems) = draft.applied(to: Program(name: "Pilot"), unread: unread)
        #expect(problems.first == unread[0])
        #expect(problems.filter { $0.field == "settings.request_days" }.count == 1)
        #expect(problems.contains { $0.field == "name" } && problems.contains { $0.field == "topic_catalogue" })
        // Without unread fields, the draft's own problems and then the rules'.
        let (_, alone) = draft.applied(to: Program(name: "Pilot"))
        #expect(alone.contains { $0.field == "settings.request_days" && $0.reason.contains("between 1 and 90") })
    }

    @Test func anEnrolmentDraftTakesTheProgramsDefaultCapacityForANewRole() throws {
        let program = Program(name: "Pilot", settings: MatchingSettings(defaultCapacity: 3))
        var draft = EnrolmentDraft()
        draft.role = .mentor
        draft.offers = [TopicOffer(topic: Topic("figma")!, proficiency: 4)]
        draft.industries = [" retail ", ""]
        draft.channels = [.video, .chat, .video]
        let mentor = try #require(draft.newEnrolment(of: "J1", in: program))
        #expect(mentor.capacity == 3 && mentor.industries == ["retail"] && Set(mentor.channels) == [.chat, .video] && mentor.channels.count == 2)
        // Switching to mentee without a capacity: one mentor; the mentee keeps their industries.
        var switched = mentor
        var toMentee = EnrolmentDraft()
        toMentee.role = .mentee
        toMentee.offers = []
        toMentee.wants = [TopicWant(topic: Topic("python")!, priority: 2)]
        toMentee.apply(to: &switched, in: program)
        #expect(switched.role == .mentee && switched.capacity == 1 && switched.industries == ["retail"])
        #expect(EnrolmentRules.problems(in: switched).isEmpty)
        // A capacity given wins, and the rules judge it.
        toMentee.capacity = 2
        var wrong = mentor
        toMentee.apply(to: &wrong, in: program)
        #expect(EnrolmentDraft.problems(wrong, unread: []).contains { $0.field == "capacity" })
        #expect(EnrolmentDraft().newEnrolment(of: "J1", in: program) == nil)
    }
}
