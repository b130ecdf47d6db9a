import CanaryAPI
import KubeCore

/// `type: webhook`: Serin's own JSON body, for receivers of your own (an incident tool's generic
/// webhook, a bridge to another chat): `{"name", "namespace", "severity", "message", "fields": [{"name",
/// "value"}]}`, with the provider's token as `Authorization: Bearer`. Any 2xx is a delivery.
public struct WebhookNotifier: Notifier {
    public static let registration = NotifierRegistration(type: .webhook) { config in try WebhookNotifier(config) }

    let post: ChatPost

    public init(_ config: NotifierConfig) throws(NotifierError) {
        self.post = try ChatPost(config, sendsToken: true)
    }

    /// The body posted for `alert`. Pure.
    public static func payload(_ alert: Alert) -> JSONValue {
        let fields: [JSONValue] = alert.fields.map { ["name": .string($0.name), "value": .string($0.value)] }
        return [
            "name": .string(alert.canary), "namespace": .string(alert.namespace), "severity": .string(alert.severity.rawValue),
            "message": .string(alert.message), "fields": .array(fields),
        ]
    }

    public func post(_ alert: Alert) async throws { try await post.send(WebhookNotifier.payload(alert)) }
}
