import FlipsideCore
@testable import FlipsideServer
import Testing
import VaporTesting

@Suite(.serialized) struct OpenAPITests {
    @Test func documentsExactlyTheRoutesTheServerHas() async throws {
        let document = try OpenAPIDocument()
        #expect(document.root["openapi"] as? String == "3.1.0")
        try await TestWorld.run { world in
            let served = Set(world.app.routes.all.compactMap { route -> String? in
                let path = "/" + route.path.map { component -> String in
                    let text = component.description
                    return text.hasPrefix(":") ? "{\(text.dropFirst())}" : text
                }.joined(separator: "/")
                return path.hasPrefix("/api/v1/") ? "\(route.method.rawValue) \(path)" : nil
            })
            #expect(served.count >= 15)
            #expect(served == document.operations, "only served: \(served.subtracting(document.operations)); only documented: \(document.operations.subtracting(served))")
            let res = try await world.app.testing().sendRequest(.GET, "/openapi.json")
            #expect(res.status == .ok && res.headers.contentType == .json)
        }
    }

    /// Generated clients name their calls by operationId and group them by tag: every operation has a
    /// unique camel-case id and a tag the document describes.
    @Test func everyOperationHasAnIdAndATag() throws {
        let document = try OpenAPIDocument()
        let paths = try #require(document.root["paths"] as? [String: [String: Any]])
        let described = Set(((document.root["tags"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String })
        var ids: [String] = []
        for (path, item) in paths {
            for (method, value) in item where ["get", "post", "put", "patch", "delete"].contains(method) {
                let operation = try #require(value as? [String: Any])
                let id = operation["operationId"] as? String ?? ""
                #expect(id.range(of: "^[a-z][A-Za-z]+$", options: .regularExpression) != nil, "\(method) \(path): '\(id)'")
                let tags = operation["tags"] as? [String] ?? []
                #expect(!tags.isEmpty && tags.allSatisfy(described.contains), "\(method) \(path): \(tags)")
                ids.append(id)
            }
        }
        #expect(ids.count == Set(ids).count, "duplicate ids: \(Dictionary(grouping: ids, by: { $0 }).filter { $0.value.count > 1 }.keys)")
    }

    /// Every call of the role matrix, for every role: the status is documented and the body fits its schema.
    @Test(arguments: TestWorld.Role.allCases)
    func responsesMatchTheDocument(role: TestWorld.Role) async throws {
        let document = try OpenAPIDocument()
        try await TestWorld.run { world in
            for call in APIAccessTests.calls {
                let path = call.path(world)
                let (status, body) = try await world.api(call.method, path, as: role, json: call.json, csv: call.csv)
                let problems = document.check(call.method.rawValue, path, status: Int(status.code), body: body)
                #expect(problems.isEmpty, "\(role) \(call.method) \(path): \(problems)")
            }
            let (status, body) = try await world.api(.POST, "/api/v1/auth/token", as: .anonymous,
                                                     json: #"{"email":"coord@example.com","password":"\#(TestWorld.password)"}"#)
            #expect(document.check("POST", "/api/v1/auth/token", status: Int(status.code), body: body).isEmpty)
            let (badStatus, badBody) = try await world.api(.POST, "/api/v1/people/import", as: .coordinator, csv: "employee_id\nX\n")
            #expect(document.check("POST", "/api/v1/people/import", status: Int(badStatus.code), body: badBody).isEmpty)
        }
    }
}
