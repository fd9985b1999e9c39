/// `/provisioning`: the SCIM endpoint, the tokens identity providers use, a token just made (once).
struct ProvisioningPage: Encodable {
    struct Made: Encodable { var name: String; var token: String }
    struct Row: Encodable {
        var id: String
        var name: String
        var createdBy: String
        var created: String
        var lastUsed: String
        var revoked: String?
    }

    var page: PageChrome
    var scimBase: String
    var made: Made?
    var problems: [ErrorDetail]
    var rows: [Row]
}
