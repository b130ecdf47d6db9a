import Crypto
import Foundation
import HTTPTypes
import KubeCore
import Notifiers
import SerinTesting
import Testing

/// The notifiers posting to local receivers over real HTTP: the body is the provider's payload, Discord's
/// goes to its Slack-compatible endpoint, Slack's carries the provider's token, DingTalk's and Feishu's
/// signatures verify as their robots verify them, and a refused delivery (a status, or a robot's `errcode`)
/// is an error that names the reason but never the address.
@Suite struct NotifierDeliveryTests {
    static let alert = Alert(
        canary: "podinfo", namespace: "test", message: "Failed checks threshold reached 2", fields: [("Cluster", "prod")],
        severity: .error)

    /// DingTalk's check of a signed post: `sign` is base64(HMAC-SHA256(secret, "timestamp\nsecret")) and the
    /// timestamp is within an hour of now.
    static func dingTalkAccepts(query: String, secret: String) -> Bool {
        var items: [String: String] = [:]
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
            if parts.count == 2 { items[parts[0]] = parts[1].removingPercentEncoding }
        }
        guard let timestamp = items["timestamp"], let milliseconds = Double(timestamp), let sign = items["sign"],
            abs(Date().timeIntervalSince1970 - milliseconds / 1000) < 3600
        else { return false }
        let expected = HMAC<Crypto.SHA256>.authenticationCode(for: Data("\(timestamp)\n\(secret)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return Data(expected).base64EncodedString() == sign
    }

    /// Feishu's check of a signed body: `sign` is base64(HMAC-SHA256(key "timestamp\nsecret", empty)).
    static func feishuAccepts(_ body: JSONValue, secret: String) -> Bool {
        guard let timestamp = body["timestamp"]?.stringValue, let seconds = Double(timestamp), let sign = body["sign"]?.stringValue,
            abs(Date().timeIntervalSince1970 - seconds) < 3600
        else { return false }
        let expected = HMAC<Crypto.SHA256>.authenticationCode(for: Data(), using: SymmetricKey(data: Data("\(timestamp)\n\(secret)".utf8)))
        return Data(expected).base64EncodedString() == sign
    }

    @Test func theChatRobotsPostTheirPayloadsAndSignAsTheirRobotsVerify() async throws {
        let robot = try await RecordingReceiver(answer: #"{"errcode":0,"errmsg":"ok"}"#)
        defer { robot.stop() }
        let feishu = try await RecordingReceiver(answer: #"{"code":0,"msg":"success","data":{}}"#)
        defer { feishu.stop() }
        try await WeComNotifier(NotifierConfig(address: "\(robot.url)cgi-bin/webhook/send?key=abc")).post(Self.alert)
        try await DingTalkNotifier(NotifierConfig(address: "\(robot.url)robot/send?access_token=xyz", signingSecret: "SEC123")).post(Self.alert)
        try await FeishuNotifier(NotifierConfig(address: "\(feishu.url)open-apis/bot/v2/hook/h1", signingSecret: "SEC456")).post(Self.alert)
        try await WebhookNotifier(NotifierConfig(address: "\(robot.url)alerts", token: "t0k")).post(Self.alert)
        #expect(robot.bodies == [WeComNotifier.payload(Self.alert), DingTalkNotifier.payload(Self.alert), WebhookNotifier.payload(Self.alert)])
        #expect(robot.requests.map(\.path) == ["/cgi-bin/webhook/send", "/robot/send", "/alerts"])
        #expect(robot.queries[0] == "key=abc" && robot.queries[1].hasPrefix("access_token=xyz&timestamp="))
        #expect(Self.dingTalkAccepts(query: robot.queries[1], secret: "SEC123"), "\(robot.queries[1])")
        #expect(!Self.dingTalkAccepts(query: robot.queries[1], secret: "SEC999"), "another secret does not verify")
        #expect(robot.requests.map(\.authorization) == [nil, nil, "Bearer t0k"])
        let card = try #require(feishu.bodies.first)
        #expect(Self.feishuAccepts(card, secret: "SEC456") && !Self.feishuAccepts(card, secret: "SEC999"))
        #expect(card["card"] == FeishuNotifier.payload(Self.alert)["card"] && card["msg_type"] == "interactive")
    }

    @Test func aRobotRefusingAMessageWithA200IsAFailedDelivery() async throws {
        let wecom = try await RecordingReceiver(answer: #"{"errcode":93000,"errmsg":"invalid webhook url"}"#)
        defer { wecom.stop() }
        do {
            try await WeComNotifier(NotifierConfig(address: "\(wecom.url)send?key=secret-key")).post(Self.alert)
            Issue.record("an errcode must fail the delivery")
        } catch {
            #expect("\(error)" == "sending notification refused: errcode 93000: invalid webhook url")
        }
        let feishu = try await RecordingReceiver(
            answer: #"{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}"#)
        defer { feishu.stop() }
        await #expect(throws: NotifierError.self) { try await FeishuNotifier(NotifierConfig(address: feishu.url)).post(Self.alert) }
    }
    @Test func eachNotifierPostsItsPayloadToItsReceiver() async throws {
        let alert = Alert(
            canary: "podinfo", namespace: "test", message: "Canary analysis completed successfully, promotion finished.",
            fields: [("Target", "Deployment/podinfo.test")], severity: .info)
        let receiver = try await RecordingReceiver()
        defer { receiver.stop() }
        let config = NotifierConfig(address: "\(receiver.url)hooks/abc", channel: "releases", username: "serin", token: "t0ken")
        try await SlackNotifier(config).post(alert)
        try await DiscordNotifier(config).post(alert)
        try await RocketNotifier(config).post(alert)
        try await MSTeamsNotifier(config).post(alert)
        try await GChatNotifier(config).post(alert)
        #expect(
            receiver.bodies == [
                SlackNotifier.payload(alert, config: config), DiscordNotifier.payload(alert, config: config),
                RocketNotifier.payload(alert, config: config), MSTeamsNotifier.payload(alert), GChatNotifier.payload(alert),
            ])
        #expect(receiver.requests.map(\.path) == ["/hooks/abc", "/hooks/abc/slack", "/hooks/abc", "/hooks/abc", "/hooks/abc"])
        #expect(receiver.requests.map(\.authorization) == ["Bearer t0ken", nil, nil, nil, nil], "only Slack sends the provider's token")
    }

    @Test func aRefusedDeliveryIsAnErrorWithoutTheAddress() async throws {
        let receiver = try await RecordingReceiver(status: .notFound)
        defer { receiver.stop() }
        let alert = Alert(canary: "podinfo", namespace: "test", message: "m", severity: .error)
        do {
            try await SlackNotifier(NotifierConfig(address: "\(receiver.url)secret-hook-path")).post(alert)
            Issue.record("a 404 must fail the delivery")
        } catch {
            #expect("\(error)" == "sending notification bad response 404: no such hook")
        }
    }
}
