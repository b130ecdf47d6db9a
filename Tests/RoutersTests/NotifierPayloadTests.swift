import Foundation
import CanaryAPI
import KubeCore
import Notifiers
import Testing

/// Flagger's five chat payloads, member by member in the order of Flagger's Go structs, for an alert Flagger
/// would send (`alertMetadata` fields and the `--cluster-name` field).
@Suite struct NotifierPayloadTests {
    static let alert = Alert(
        canary: "podinfo", namespace: "test", message: "New revision detected, progressing canary analysis.",
        fields: [
            ("Cluster", "prod-eu"), ("Target", "Deployment/podinfo.test"), ("Failed checks threshold", "5"),
            ("Progress deadline", "600s"), ("Traffic routing", "Weight step: 10 max: 50"),
        ],
        severity: .info)

    static func text(_ value: JSONValue) -> String { String(decoding: value.serialized(), as: UTF8.self) }

    @Test func slackAndDiscordPostFlaggersSlackMessage() throws {
        let config = NotifierConfig(address: "https://hooks.slack.com/services/x", channel: "releases", username: "flagger")
        let slack = SlackNotifier.payload(Self.alert, config: config)
        try Golden.check(slack, "notifier-slack")
        #expect(
            Self.text(slack).hasPrefix(
                #"{"channel":"releases","username":"flagger","icon_url":"","icon_emoji":":rocket:","attachments":[{"color":"good","author_name":"podinfo.test","#
            ))
        #expect(slack[path: "attachments"]?[0]?["fields"]?[1] == ["title": "Target", "value": "Deployment/podinfo.test", "short": false])
        var failed = Self.alert
        failed.severity = .error
        #expect(SlackNotifier.payload(failed, config: config)[path: "attachments"]?[0]?["color"] == "danger")
        #expect(DiscordNotifier.payload(Self.alert, config: config) == slack, "Discord takes Slack's message")
    }

    @Test func rocketTeamsAndGoogleChatUseTheirOwnShapes() throws {
        let config = NotifierConfig(address: "https://chat.example.com/hooks/x")
        let rocket = RocketNotifier.payload(Self.alert, config: config)
        #expect(rocket[path: "attachments"]?[0]?["color"] == "#0076D7" && rocket["channel"] == "general" && rocket["username"] == "flagger")
        let teams = MSTeamsNotifier.payload(Self.alert)
        try Golden.check(teams, "notifier-msteams")
        #expect(
            Self.text(teams).hasPrefix(
                #"{"@type":"MessageCard","@context":"http://schema.org/extensions","themeColor":"0076D7","summary":"podinfo.test","#))
        var failed = Self.alert
        failed.severity = .error
        #expect(
            MSTeamsNotifier.payload(failed)["themeColor"] == "FF0000"
                && RocketNotifier.payload(failed, config: config)[path: "attachments"]?[0]?["color"] == "#FF0000")
        let chat = GChatNotifier.payload(Self.alert)
        try Golden.check(chat, "notifier-gchat")
        #expect(
            chat[path: "cards"]?[0]?["header"] == ["title": "Flagger", "subtitle": "podinfo.test", "imageUrl": "https://flagger.app/favicon.png"])
        #expect(chat[path: "cards"]?[0]?["sections"]?.arrayValue?.count == 6, "the message, then one paragraph per field")
    }

    /// WeCom's group robot: `{"msgtype":"markdown","markdown":{"content"}}`, colours `info`/`comment`/`warning`.
    @Test func weComPostsAMarkdownMessageWithTheFieldsQuoted() throws {
        let wecom = WeComNotifier.payload(Self.alert)
        try Golden.check(wecom, "notifier-wecom")
        #expect(wecom["msgtype"] == "markdown" && wecom.objectValue?.count == 2)
        let content = try #require(wecom[path: "markdown", "content"]?.stringValue)
        #expect(
            content.split(separator: "\n").map(String.init) == [
                #"<font color="info">**podinfo.test**</font>"#, "New revision detected, progressing canary analysis.",
                #"> Cluster: <font color="comment">prod-eu</font>"#, #"> Target: <font color="comment">Deployment/podinfo.test</font>"#,
                #"> Failed checks threshold: <font color="comment">5</font>"#, #"> Progress deadline: <font color="comment">600s</font>"#,
                #"> Traffic routing: <font color="comment">Weight step: 10 max: 50</font>"#,
            ])
        var failed = Self.alert
        failed.severity = .error
        failed.message = String(repeating: "告警", count: 2_000)  // 12,000 bytes of UTF-8
        let long = try #require(WeComNotifier.payload(failed)[path: "markdown", "content"]?.stringValue)
        #expect(long.hasPrefix(#"<font color="warning">"#) && long.utf8.count <= 4_096 && long.hasSuffix("…"), "WeCom refuses more than 4,096 bytes")
    }

    /// DingTalk's robot: `{"msgtype":"markdown","markdown":{"title","text"}}`, lines apart by blank lines;
    /// the signature is DingTalk's recipe, checked against `openssl dgst -sha256 -hmac`.
    @Test func dingTalkPostsMarkdownAndSignsWithDingTalksRecipe() throws {
        let dingtalk = DingTalkNotifier.payload(Self.alert)
        try Golden.check(dingtalk, "notifier-dingtalk")
        #expect(dingtalk["msgtype"] == "markdown")
        #expect(dingtalk[path: "markdown", "title"] == "podinfo.test: New revision detected, progressing canary analysis.")
        let text = try #require(dingtalk[path: "markdown", "text"]?.stringValue)
        #expect(
            text.components(separatedBy: "\n\n").prefix(3) == [
                "#### <font color=#2EB886>podinfo.test</font>",
                "New revision detected, progressing canary analysis.", "> **Cluster**: prod-eu",
            ])
        // printf '1700000000000\nSECtest' | openssl dgst -sha256 -hmac 'SECtest' -binary | base64
        #expect(
            RobotSignature.dingTalk(timestampMilliseconds: 1_700_000_000_000, secret: "SECtest") == "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g=")
        let query = DingTalkNotifier.signature(secret: "SECtest", now: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(
            query.map(\.name) == ["timestamp", "sign"] && query.map(\.value) == ["1700000000000", "aZLLrriXgn05YbwaGR7knYsLeJADjr9NwLaNNKpxh4g="])
        #expect(DingTalkNotifier.signature(secret: nil, now: Date()).isEmpty, "no secret, no signature")
    }

    /// Feishu's custom bot: an interactive card; signed, `timestamp` (seconds, a string) and `sign` lead the
    /// body, the signature Feishu's recipe (the key is "timestamp\nsecret", the message empty).
    @Test func feishuPostsACardAndSignsWithFeishusRecipe() throws {
        let feishu = FeishuNotifier.payload(Self.alert, signingSecret: "SECtest", now: Date(timeIntervalSince1970: 1_700_000_000))
        try Golden.check(feishu, "notifier-feishu")
        // printf '' | openssl dgst -sha256 -hmac "$(printf '1700000000\nSECtest')" -binary | base64
        #expect(feishu["timestamp"] == "1700000000" && feishu["sign"] == "G7XpBpG8NgG02fJOAhX6FRAObIljmFoxVReo8I62pEk=")
        #expect(feishu["msg_type"] == "interactive")
        #expect(feishu[path: "card", "header"] == ["template": "green", "title": ["tag": "plain_text", "content": "podinfo.test"]])
        #expect(feishu[path: "card", "elements"]?[0]?["text"]?["content"] == "New revision detected, progressing canary analysis.")
        #expect(feishu[path: "card", "elements"]?[1]?["fields"]?[0]?["text"]?["content"] == "**Cluster**\nprod-eu")
        var failed = Self.alert
        failed.severity = .error
        failed.fields = []
        let unsigned = FeishuNotifier.payload(failed)
        #expect(unsigned["sign"] == nil && unsigned[path: "card", "header", "template"] == "red")
        #expect(unsigned[path: "card", "elements"]?.arrayValue?.count == 1, "no fields, no field block")
    }

    @Test func theGenericWebhookPostsSerinsDocumentedBody() throws {
        let body = WebhookNotifier.payload(Self.alert)
        try Golden.check(body, "notifier-webhook")
        #expect(
            Self.text(body).hasPrefix(
                #"{"name":"podinfo","namespace":"test","severity":"info","message":"New revision detected, progressing canary analysis.","fields":[{"name":"Cluster","value":"prod-eu"}"#
            ))
    }

    @Test func aProviderWithoutUsableSettingsIsRefusedWithoutShowingItsAddress() {
        #expect(throws: NotifierError.self) { try SlackNotifier(NotifierConfig(address: "https://hooks.slack.com/x", username: "")) }
        do {
            _ = try MSTeamsNotifier(NotifierConfig(address: "not a url with secret-token-123"))
            Issue.record("an invalid address must be refused")
        } catch {
            #expect(!error.description.contains("secret-token-123"), "\(error)")
        }
        #expect(NotifierRegistry.implemented == Set(AlertProviderType.allCases))
    }
}
