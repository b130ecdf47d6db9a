import Foundation
import KubeCore
import Testing

@Suite struct RedactionTests {
    @Test(arguments: [
        ("http://user:PASSWORD@prom:9090/api", "http://user:REDACTED@prom:9090/api"),
        ("https://ghp_TOKEN@github.com/x", "https://REDACTED@github.com/x"),
        ("https://hooks.slack.com/services/T0/B0/XXXXXXXXXXXXXXXXXXXXXXXX", "https://hooks.slack.com/services/T0/B0/REDACTED"),
        (
            "https://discord.com/api/webhooks/123456789012345678/aBcD3fGhIjKlMnOpQrStUvWxYz0123456789-_aBcD3fGhIjKl",
            "https://discord.com/api/webhooks/123456789012345678/REDACTED"
        ),
        ("https://open.feishu.cn/open-apis/bot/v2/hook/0b1c2d3e-4f5a-6b7c-8d9e", "https://open.feishu.cn/open-apis/bot/v2/hook/REDACTED"),
        ("https://oapi.dingtalk.com/robot/send?access_token=abc123", "https://oapi.dingtalk.com/robot/send?access_token=REDACTED"),
        (
            "https://chat.googleapis.com/v1/spaces/AAAA/messages?key=K1&token=T1&threadKey=x",
            "https://chat.googleapis.com/v1/spaces/AAAA/messages?key=REDACTED&token=REDACTED&threadKey=REDACTED"
        ),
        (
            "https://x.logic.azure.com/workflows/1/triggers?api-version=2016&sp=%2Ftriggers&sig=S1G",
            "https://x.logic.azure.com/workflows/1/triggers?api-version=2016&sp=%2Ftriggers&sig=REDACTED"
        ),
        ("http://prometheus:9090/api/v1/query?query=sum(up)", "http://prometheus:9090/api/v1/query?query=sum(up)"),
        ("http://flagger-loadtester.test/gate/approve", "http://flagger-loadtester.test/gate/approve"),
    ])
    func aURLKeepsWhereItGoesAndLosesItsCredentials(url: String, expected: String) {
        #expect(Redaction.url(url) == expected)
        #expect(Redaction.scrub("failed to query \(url): connection refused") == "failed to query \(expected): connection refused")
    }

    @Test func urlsInsideSentencesAndQuotesAreFoundAndPunctuationIsKept() {
        let text = #"Metric template x.platform error: "http://u:p4ss@prom:9090/api/v1/query": timed out (see https://a:b@c/d)."#
        #expect(
            Redaction.scrub(text)
                == #"Metric template x.platform error: "http://u:REDACTED@prom:9090/api/v1/query": timed out (see https://a:REDACTED@c/d)."#)
        #expect(Redaction.scrub("no urls, just text: a://") == "no urls, just text: a://")
        #expect(Redaction.scrub("://nothing before") == "://nothing before")
    }

    @Test func authorizationWordsAreMasked() {
        #expect(Redaction.scrub("header Authorization: Bearer abc.def.ghi was refused") == "header Authorization: Bearer REDACTED was refused")
        #expect(Redaction.scrub("Basic dXNlcjpwYXNz, then") == "Basic REDACTED, then")
    }

    @Test func anEndpointIsSchemeHostAndPortOnly() {
        #expect(Redaction.endpoint("https://u:p@hooks.slack.com:443/services/T/B/S?x=1") == "https://hooks.slack.com:443/…")
        #expect(Redaction.endpoint("http://events.example") == "http://events.example")
        #expect(Redaction.endpoint("not a url/with/token") == "(not a URL)")
    }

    @Test func jsonStringsAreScrubbedAndKeysAndOtherValuesKept() {
        let status: JSONValue = [
            "phase": "Failed", "journal": [["message": "query http://a:SECRET@p/x failed", "value": 1.5]],
            "http://k:v@key": true,
        ]
        let scrubbed = Redaction.scrub(status)
        #expect(scrubbed[path: "journal"]?[0]?["message"] == "query http://a:REDACTED@p/x failed")
        #expect(scrubbed[path: "journal"]?[0]?["value"] == 1.5)
        #expect(scrubbed["http://k:v@key"] == true, "keys are field names, not data")
        #expect(scrubbed["phase"] == "Failed")
    }

    @Test func everyWayACredentialCanStartIsFoundWhereverItIsInTheText() {
        // The first pass looks at bytes for `://`, `Bearer ` and `Basic `: at the start, the end, after
        // multi-byte characters, and in a string Foundation bridged (not contiguous UTF-8).
        for text in ["x://u:PW@h", "é😀 see http://u:PW@h", "…Bearer PW", "Basic PW", "ok: //no, then s://u:PW@h"] {
            #expect(!Redaction.scrub(text).contains("PW"), "\(text)")
            #expect(!Redaction.scrub(String(NSString(string: text))).contains("PW"), "bridged \(text)")
        }
        for text in ["", "a:/b", ": //", "Bearer", "Basics", "bearer x", "http:/ /x", "é😀"] {
            #expect(Redaction.scrub(text) == text, "\(text)")
        }
        let clean: JSONValue = ["phase": "Progressing", "journal": [["message": "weight 10", "at": 3]]]
        #expect(Redaction.scrub(clean) == clean)
        #expect(Redaction.scrub(["a": [["b": ["Bearer DEEP"]]]])[path: "a"]?[0]?["b"]?[0] == "Bearer REDACTED")
    }

    @Test func anyTextGivesText() {
        for text in ["", "://", "a://@", "x://:@/?=&#", "h://\u{0}:\u{1}@", String(repeating: "http://", count: 50), "Bearer ", "Basic"] {
            _ = Redaction.scrub(text)
            _ = Redaction.url(text)
            _ = Redaction.endpoint(text)
        }
        #expect(Redaction.scrub("http://") == "http://")
    }
}
