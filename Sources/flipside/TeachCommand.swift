import ArgumentParser
import FlipsideServer
import Foundation

/// `flipside who-could-teach TOPIC... --for ID`: across the whole organisation, who would make a good
/// reverse mentor for this person — the page's and the API's answer.
struct WhoCouldTeachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "who-could-teach",
        abstract: "Who in the organisation could teach a person these topics (open people named, best first, with why; the rest counted).")

    @ArgumentParser.Argument(help: "Topics to learn.") var topics: [String] = []
    @ArgumentParser.Option(name: .customLong("for"), help: "The employee id of the person who wants to learn.") var askerID: String
    @ArgumentParser.Option(help: "Only people who worked in this industry.") var industry: String?
    @ArgumentParser.Option(help: "Only people who differ in this: department, location, career_path, previous_industry or generation.") var perspective: String?
    @ArgumentParser.Option(help: "Only people who speak this language.") var language: String?
    @ArgumentParser.Option(help: "Rank under this program's rules (id or exact name); the organisation's defaults otherwise.") var program: String?
    @ArgumentParser.Option(help: "How many people to name (1–100).") var limit: Int?
    @ArgumentParser.Flag(help: "Print the API's JSON answer.") var json = false

    func run() async throws {
        let text = try await withMigratedApplication {
            try await TeachingActions.whoCouldTeach(topics: topics, for: askerID, industry: industry, perspective: perspective, language: language,
                                                    program: program, limit: limit, json: json, app: $0)
        }
        print(text)
    }
}

/// `flipside gaps PROGRAM`: what a program's mentees want that no mentor who fits offers, who no mentor
/// fits, and who across the organisation could fill each gap.
struct GapsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gaps",
        abstract: "A program's gaps: topics without a mentor who fits, mentees no mentor fits (with why), and who could fill each gap.")

    @ArgumentParser.Argument(help: "The program's id or exact name.") var program: String
    @ArgumentParser.Flag(help: "Print the API's JSON answer.") var json = false

    func run() async throws {
        print(try await withMigratedApplication { try await TeachingActions.gaps(program: program, json: json, app: $0) })
    }
}
