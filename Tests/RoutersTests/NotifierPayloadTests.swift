import CanaryAPI
import KubeCore
import Notifiers
import Testing

/// Flagger's five chat payloads, member by member in the order of Flagger's Go structs, for an alert Flagger
/// would send (`alertMetadata` fields and the `--cluster-name` field).
@Suite struct NotifierPayloadTests {
    static let alert = Alert(canary: "podinfo", namespace: "test", message: "New revision detected, progressing canary analysis.",
                             fields: [("Cluster", "prod-eu"), ("Target", "Deployment/podinfo.test"), ("Failed checks threshold", "5"),
                                      ("Progress deadline", "600s"), ("Traffic routing", "Weight step: 10 max: 50")],
                             severity: .info)

    static func text(_ value: JSONValue) -> String { String(decoding: value.serialized(), as: UTF8.self) }

    @Test func slackAndDiscordPostFlaggersSlackMessage() throws {
        let config = NotifierConfig(address: "https://hooks.slack.com/services/x", channel: "releases", username: "flagger")
        let slack = SlackNotifier.payload(Self.alert, config: config)
        try Golden.check(slack, "notifier-slack")
        #expect(Self.text(slack).hasPrefix(#"{"channel":"releases","username":"flagger","icon_url":"","icon_emoji":":rocket:","attachments":[{"color":"good","author_name":"podinfo.test","#))
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
        #expect(Self.text(teams).hasPrefix(#"{"@type":"MessageCard","@context":"http://schema.org/extensions","themeColor":"0076D7","summary":"podinfo.test","#))
        var failed = Self.alert
        failed.severity = .error
        #expect(MSTeamsNotifier.payload(failed)["themeColor"] == "FF0000" && RocketNotifier.payload(failed, config: config)[path: "attachments"]?[0]?["color"] == "#FF0000")
        let chat = GChatNotifier.payload(Self.alert)
        try Golden.check(chat, "notifier-gchat")
        #expect(chat[path: "cards"]?[0]?["header"] == ["title": "Flagger", "subtitle": "podinfo.test", "imageUrl": "https://flagger.app/favicon.png"])
        #expect(chat[path: "cards"]?[0]?["sections"]?.arrayValue?.count == 6, "the message, then one paragraph per field")
    }

    @Test func aProviderWithoutUsableSettingsIsRefusedWithoutShowingItsAddress() {
        #expect(throws: NotifierError.self) { try SlackNotifier(NotifierConfig(address: "https://hooks.slack.com/x", username: "")) }
        do {
            _ = try MSTeamsNotifier(NotifierConfig(address: "not a url with secret-token-123"))
            Issue.record("an invalid address must be refused")
        } catch {
            #expect(!error.description.contains("secret-token-123"), "\(error)")
        }
        #expect(NotifierRegistry.implemented == [.slack, .discord, .rocket, .msteams, .gchat])
    }
}
