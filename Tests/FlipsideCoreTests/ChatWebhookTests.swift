import FlipsideCore
import Foundation
import Testing

/// The webhook field cannot reach into the server's own network: addresses classified, URLs checked.
@Suite struct ChatWebhookTests {
    @Test(arguments: [
        ("8.8.8.8", NetworkAddress.Kind.public), ("127.0.0.1", .loopback), ("127.8.9.10", .loopback), ("10.1.2.3", .private),
        ("172.16.0.1", .private), ("172.31.255.255", .private), ("172.32.0.1", .public), ("192.168.1.1", .private), ("100.64.0.1", .private),
        ("169.254.169.254", .forbidden), ("0.0.0.0", .forbidden), ("224.0.0.1", .forbidden), ("255.255.255.255", .forbidden),
        ("::1", .loopback), ("::", .forbidden), ("fe80::1", .forbidden), ("fe80::1%eth0", .forbidden), ("fd00::1", .private), ("fc12:3456::9", .private),
        ("::ffff:127.0.0.1", .loopback), ("::ffff:10.0.0.1", .private), ("::ffff:169.254.169.254", .forbidden), ("64:ff9b::a00:1", .private),
        ("2606:4700:4700::1111", .public), ("[::1]", .loopback), ("ff02::1", .forbidden),
    ])
    func addressesAreClassified(address: String, kind: NetworkAddress.Kind) {
        #expect(NetworkAddress.kind(of: address) == kind)
    }

    @Test func namesAndNonsenseAreNotAddresses() {
        for text in ["example.com", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1::2::3", "12345::1", ""] { #expect(NetworkAddress.kind(of: text) == nil, "\(text)") }
    }

    @Test func onlyHttpsToPublicHostsUnlessAllowed() {
        func ok(_ url: String, _ reach: WebhookReach = .publicOnly) -> Bool { (try? ChatWebhook.check(url, reach: reach).get()) != nil }
        #expect(ok("https://hooks.slack.com/services/T0/B0/x"))
        #expect(!ok("http://hooks.slack.com/services/T0/B0/x"), "no plain http to the internet")
        #expect(!ok("ftp://example.com/x") && !ok("not a url") && !ok("https://user:secret@example.com/x"))
        #expect(!ok("https://169.254.169.254/latest/meta-data", .private), "link-local never, whatever is allowed")
        #expect(!ok("https://10.0.0.5/hook") && ok("https://10.0.0.5/hook", .private))
        #expect(!ok("http://127.0.0.1:9000/hook") && ok("http://127.0.0.1:9000/hook", .loopback) && !ok("https://10.0.0.5/hook", .loopback))
        #expect(!ok("http://localhost:9000/hook") && ok("http://localhost:9000/hook", .loopback))
        #expect(!ok("https://[::1]/hook") && ok("https://[::1]/hook", .loopback))
        #expect(!ok("https://[::ffff:10.0.0.1]/hook"))
        #expect(!ChatWebhook.mayCall([], reach: .private), "a host that resolves to nothing")
        #expect(!ChatWebhook.mayCall(["93.184.216.34", "10.0.0.1"], reach: .publicOnly), "one private address among them is enough to refuse")
        #expect(ChatWebhook.mayCall(["93.184.216.34", "2606:2800:220:1::1"], reach: .publicOnly))
    }

    @Test func theBodyIsSlackCompatibleText() {
        let content = NoticeContent(subject: "Pilot: pairs are published", greeting: nil, paragraphs: ["Next: goals."], action: ("Open the program", .program(UUID())))
        #expect(ChatWebhook.body(content, link: "https://f.example.com/programs/x") == ["text": "*Pilot: pairs are published*\nNext: goals.\n<https://f.example.com/programs/x|Open the program>"])
    }
}
