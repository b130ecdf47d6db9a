import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import Logging

/// Posts every event about a Canary to its `event` webhooks, or to the operator's `--event-webhook` when it
/// has none (Flagger's rule), without making the reconcile wait.
///
/// ``post(_:canary:phase:)`` only enqueues. ``run()`` delivers, one ordered lane per URL: a slow or dead
/// receiver delays its own events only, never a reconcile nor another receiver. A lane holds at most
/// ``laneCapacity`` events; beyond that new events are dropped and logged.
public final class EventWebhooks: Sendable {
    public static let laneCapacity = 1_000

    struct Delivery: Sendable {
        var webhook: CanaryWebhook
        var payload: WebhookPayload
    }

    let client: WebhookClient
    let global: String?
    let logger: Logger
    private let queue: AsyncStream<Delivery>
    private let input: AsyncStream<Delivery>.Continuation

    /// - Parameter global: `--event-webhook`, the receiver for Canaries without `event` webhooks.
    public init(client: WebhookClient, global: String?, logger: Logger) {
        self.client = client
        self.global = global.flatMap { $0.isEmpty ? nil : $0 }
        self.logger = logger
        (queue, input) = AsyncStream.makeStream(of: Delivery.self)
    }

    /// One event about `canary`, whose phase is now `phase`.
    public func post(_ event: CanaryAction, canary: Canary, phase: CanaryPhase, now: Date = Date()) {
        guard case .event(let severity, let message) = event else { return }
        var webhooks = canary.webhooks(of: .event)
        if webhooks.isEmpty, let global {
            webhooks = [CanaryWebhook(name: "event-webhook", type: WebhookType.event.rawValue, url: global)]
        }
        for webhook in webhooks {
            let payload = WebhookPayload.event(
                canary: canary, webhook: webhook, phase: phase, message: message,
                eventType: severity.rawValue, time: now.timeIntervalSince1970)
            input.yield(Delivery(webhook: webhook, payload: payload))
        }
    }

    /// Delivers until cancelled.
    public func run() async {
        await withDiscardingTaskGroup { group in
            var lanes: [String: AsyncStream<Delivery>.Continuation] = [:]
            for await delivery in queue {
                let url = delivery.webhook.url
                if lanes[url] == nil {
                    let (lane, continuation) = AsyncStream.makeStream(
                        of: Delivery.self, bufferingPolicy: .bufferingOldest(EventWebhooks.laneCapacity))
                    lanes[url] = continuation
                    group.addTask { [client, logger] in
                        for await delivery in lane {
                            if case .failure(let reason) = await client.call(delivery.webhook, payload: delivery.payload) {
                                // The hook's URL is its credential: logged as its endpoint only, in the error too.
                                let shown = Redaction.endpoint(url)
                                logger.warning(
                                    "event webhook failed",
                                    metadata: ["endpoint": "\(shown)", "error": "\("\(reason)".replacingOccurrences(of: url, with: shown))"])
                            }
                        }
                    }
                }
                if case .dropped = lanes[url]?.yield(delivery) {
                    logger.warning("event webhook lane full, event dropped", metadata: ["endpoint": "\(Redaction.endpoint(url))"])
                }
            }
            for lane in lanes.values { lane.finish() }
        }
    }
}
