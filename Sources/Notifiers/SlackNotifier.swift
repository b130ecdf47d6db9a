import CanaryAPI
import KubeCore

/// `type: slack`: an incoming-webhook message (colour `good`, `danger` for errors), with the provider's
/// token as `Authorization: Bearer` when its secret has one.
public struct SlackNotifier: Notifier {
    public static let registration = NotifierRegistration(type: .slack) { config in try SlackNotifier(config) }

    let post: ChatPost
    let config: NotifierConfig

    public init(_ config: NotifierConfig) throws(NotifierError) {
        try SlackNotifier.check(config, provider: "Slack")
        self.config = config
        self.post = try ChatPost(config, sendsToken: true)
    }

    /// The message Flagger's Slack notifier posts. Pure.
    public static func payload(_ alert: Alert, config: NotifierConfig) -> JSONValue {
        SlackPayload.build(alert, channel: config.channel, username: config.username, color: alert.severity == .error ? "danger" : "good")
    }

    public func post(_ alert: Alert) async throws { try await post.send(SlackNotifier.payload(alert, config: config)) }

    /// Flagger's checks of a Slack-compatible provider: a username and a channel.
    static func check(_ config: NotifierConfig, provider: String) throws(NotifierError) {
        if config.username.isEmpty { throw NotifierError("empty \(provider) username") }
        if config.channel.isEmpty { throw NotifierError("empty \(provider) channel") }
    }
}
