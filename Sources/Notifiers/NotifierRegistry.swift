import CanaryAPI

/// What an AlertProvider says about where to post.
public struct NotifierConfig: Sendable {
    public var address: String
    public var channel: String
    public var username: String
    public var proxy: String?
    /// `Authorization: Bearer` from the provider's secret (key `token`).
    public var token: String?
    /// The robot's signing secret (DingTalk's and Feishu's "signature verification"), from the provider's
    /// secret (key `signingSecret`).
    public var signingSecret: String?

    public init(
        address: String, channel: String = "general", username: String = "flagger", proxy: String? = nil, token: String? = nil,
        signingSecret: String? = nil
    ) {
        self.address = address
        self.channel = channel
        self.username = username
        self.proxy = proxy
        self.token = token
        self.signingSecret = signingSecret.flatMap { $0.isEmpty ? nil : $0 }
    }
}

/// How to build one AlertProvider type's notifier.
public struct NotifierRegistration: Sendable {
    public var type: AlertProviderType
    public var make: @Sendable (NotifierConfig) throws -> any Notifier

    public init(type: AlertProviderType, make: @escaping @Sendable (NotifierConfig) throws -> any Notifier) {
        self.type = type
        self.make = make
    }
}

/// The notifiers Serin posts with: Flagger's five, the chat robots Flagger lacks (WeCom, DingTalk,
/// Feishu/Lark) and a generic JSON webhook, each a file with a ``Notifier`` and its registration here.
public enum NotifierRegistry {
    public static let registrations: [NotifierRegistration] = [
        SlackNotifier.registration, DiscordNotifier.registration, RocketNotifier.registration, MSTeamsNotifier.registration,
        GChatNotifier.registration, WeComNotifier.registration, DingTalkNotifier.registration, FeishuNotifier.registration,
        FeishuNotifier.larkRegistration, WebhookNotifier.registration,
    ]

    public static var implemented: Set<AlertProviderType> { Set(registrations.map(\.type)) }

    public static func registration(for type: AlertProviderType) -> NotifierRegistration? { registrations.first { $0.type == type } }
}
