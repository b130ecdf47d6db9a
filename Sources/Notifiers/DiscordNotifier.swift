import CanaryAPI
import Foundation
import KubeCore

/// `type: discord`: Slack's message posted to the webhook's Slack-compatible endpoint (`…/slack`, added
/// when the address lacks it); no token.
public struct DiscordNotifier: Notifier {
    public static let registration = NotifierRegistration(type: .discord) { config in try DiscordNotifier(config) }

    let post: ChatPost
    let config: NotifierConfig

    public init(_ config: NotifierConfig) throws(NotifierError) {
        try SlackNotifier.check(config, provider: "Discord")
        self.config = config
        self.post = try ChatPost(config, address: DiscordNotifier.slackEndpoint(config.address))
    }

    /// `address` ending in `/slack`.
    static func slackEndpoint(_ address: String) -> String {
        guard !address.hasSuffix("/slack"), var components = URLComponents(string: address) else { return address }
        components.path = components.path.hasSuffix("/") ? components.path + "slack" : components.path + "/slack"
        return components.string ?? address
    }

    public static func payload(_ alert: Alert, config: NotifierConfig) -> JSONValue {
        SlackPayload.build(alert, channel: config.channel, username: config.username, color: alert.severity == .error ? "danger" : "good")
    }

    public func post(_ alert: Alert) async throws { try await post.send(DiscordNotifier.payload(alert, config: config)) }
}
