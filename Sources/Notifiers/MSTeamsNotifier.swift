import CanaryAPI
import KubeCore

/// `type: msteams`: an Office 365 connector `MessageCard` (theme `0076D7`, `FF0000` for errors), the
/// message as the activity title and the fields as facts; no token.
public struct MSTeamsNotifier: Notifier {
    public static let registration = NotifierRegistration(type: .msteams) { config in try MSTeamsNotifier(config) }

    let post: ChatPost

    public init(_ config: NotifierConfig) throws(NotifierError) {
        self.post = try ChatPost(config)
    }

    /// The card Flagger's MS Teams notifier posts. Pure.
    public static func payload(_ alert: Alert) -> JSONValue {
        let subject = "\(alert.canary).\(alert.namespace)"
        let facts: [JSONValue] = alert.fields.map { ["name": .string($0.name), "value": .string($0.value)] }
        return [
            "@type": "MessageCard", "@context": "http://schema.org/extensions", "themeColor": alert.severity == .error ? "FF0000" : "0076D7",
            "summary": .string(subject),
            "sections": [["activityTitle": .string(alert.message), "activitySubtitle": .string(subject), "facts": .array(facts)]],
        ]
    }

    public func post(_ alert: Alert) async throws { try await post.send(MSTeamsNotifier.payload(alert)) }
}
