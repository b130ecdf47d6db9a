import CanaryAPI
import KubeCore

/// `type: rocket`: Slack's message with Rocket.Chat's colours (`#0076D7`, `#FF0000` for errors); no token.
public struct RocketNotifier: Notifier {
    public static let registration = NotifierRegistration(type: .rocket) { config in try RocketNotifier(config) }

    let post: ChatPost
    let config: NotifierConfig

    public init(_ config: NotifierConfig) throws(NotifierError) {
        try SlackNotifier.check(config, provider: "Rocket")
        self.config = config
        self.post = try ChatPost(config)
    }

    public static func payload(_ alert: Alert, config: NotifierConfig) -> JSONValue {
        SlackPayload.build(alert, channel: config.channel, username: config.username, color: alert.severity == .error ? "#FF0000" : "#0076D7")
    }

    public func post(_ alert: Alert) async throws { try await post.send(RocketNotifier.payload(alert, config: config)) }
}
