import CanaryAPI
import KubeCore

/// The JSON body of a webhook call, with Flagger's fields: `name`, `namespace`, `phase`, `checksum`,
/// `type` and `metadata`.
public struct WebhookPayload: Sendable, Equatable {
    public var name: String
    public var namespace: String
    public var phase: CanaryPhase
    /// Identifies the rollout revision: a hash of the tracked configs and the applied spec.
    public var checksum: String
    public var type: String
    public var metadata: [String: String]

    /// The payload for `webhook` of `canary` in `phase`.
    public init(canary: Canary, webhook: CanaryWebhook, phase: CanaryPhase) {
        name = canary.metadata.name ?? ""
        namespace = canary.namespace
        self.phase = phase
        checksum = WebhookPayload.checksum(canary.status)
        type = webhook.type.flatMap { $0.isEmpty ? nil : $0 } ?? "rollout"
        metadata = webhook.metadata ?? [:]
    }

    /// The payload of an `event` webhook: the event's message, type (`Normal` or `Warning`) and time (Unix
    /// milliseconds) in `metadata`, over the webhook's own metadata.
    public static func event(
        canary: Canary, webhook: CanaryWebhook, phase: CanaryPhase, message: String, eventType: String,
        time: Double
    ) -> WebhookPayload {
        var payload = WebhookPayload(canary: canary, webhook: webhook, phase: phase)
        payload.type = "event"
        payload.metadata["eventMessage"] = message
        payload.metadata["eventType"] = eventType
        payload.metadata["timestamp"] = String(Int64((time * 1000).rounded()))
        return payload
    }

    /// A hash of `trackedConfigs` and `lastAppliedSpec`: the same for every call of one rollout revision.
    public static func checksum(_ status: CanaryStatus?) -> String {
        var configs = JSONObject()
        for (key, value) in (status?.trackedConfigs ?? [:]).sorted(by: { $0.key < $1.key }) { configs[key] = .string(value) }
        let basis: JSONValue = ["trackedConfigs": .object(configs), "lastAppliedSpec": .string(status?.lastAppliedSpec ?? "")]
        return basis.stableHash
    }

    public var json: JSONValue {
        var metadata = JSONObject()
        for (key, value) in self.metadata.sorted(by: { $0.key < $1.key }) { metadata[key] = .string(value) }
        return [
            "name": .string(name), "namespace": .string(namespace), "phase": .string(phase.rawValue), "checksum": .string(checksum),
            "type": .string(type), "metadata": .object(metadata),
        ]
    }
}
