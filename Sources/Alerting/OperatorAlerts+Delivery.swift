import Foundation
import KubeRuntime
import Logging
import Notifiers

extension OperatorAlerts {
    /// Delivers until cancelled: one ordered lane per destination.
    public func run() async {
        await withDiscardingTaskGroup { group in
            var lanes: [AlertDestination: AsyncStream<Delivery>.Continuation] = [:]
            for await delivery in queue {
                let destination = delivery.destination
                if lanes[destination] == nil {
                    let (lane, continuation) = AsyncStream.makeStream(
                        of: Delivery.self, bufferingPolicy: .bufferingOldest(OperatorAlerts.laneCapacity))
                    lanes[destination] = continuation
                    group.addTask { await self.drain(lane) }
                }
                if case .dropped = lanes[destination]?.yield(delivery) {
                    metrics?.alert(provider: destination.metricLabel, result: "dropped")
                    logger.warning(
                        "alert lane full, alert dropped",
                        metadata: [
                            "canary": "\(delivery.alert.namespace)/\(delivery.alert.canary)",
                            "provider": "\(destination.metricLabel)",
                        ])
                }
            }
            for lane in lanes.values { lane.finish() }
        }
    }

    /// One destination's lane: at most 20 posts a minute, each retried, each outcome counted.
    private func drain(_ lane: AsyncStream<Delivery>) async {
        var window = AlertSendWindow()
        for await delivery in lane {
            let wait = window.delay(at: now())
            if wait > 0 {
                do { try await clock.sleep(for: .seconds(wait)) } catch { return }  // cancelled: the lane ends with the operator
            }
            let label = delivery.destination.metricLabel
            do {
                try await deliver(delivery)
                metrics?.alert(provider: label, result: "sent")
            } catch {
                metrics?.alert(provider: label, result: "failed")
                let canary = "\(delivery.alert.namespace)/\(delivery.alert.canary)"
                logger.warning("alert not delivered", metadata: ["canary": "\(canary)", "provider": "\(label)", "error": "\(error)"])
                events?.record(
                    delivery.reference, type: .warning, reason: "AlertFailed",
                    message: "failed to post alert \"\(delivery.alert.message)\" to \(delivery.destination): \(error)")
            }
        }
    }

    /// Posts one alert, trying again after `retryDelay`, `2 × retryDelay`… when the failure is worth it.
    private func deliver(_ delivery: Delivery) async throws {
        let notifier: any Notifier
        switch delivery.destination {
        case .global(let type):
            guard let global = globals[type] else { throw AlertProviderResolver.ResolveError(description: "no global \(type) provider") }
            notifier = global
        case .provider(let namespace, let name):
            guard let resolver else { throw AlertProviderResolver.ResolveError(description: "AlertProviders cannot be read here") }
            notifier = try await resolver.notifier(namespace: namespace, name: name)
        }
        var delay = retryDelay
        for attempt in 0... {
            do {
                return try await notifier.post(delivery.alert)
            } catch let error as NotifierError where error.retryable && attempt < retries {
                try await clock.sleep(for: delay)
                delay *= 2
            }
        }
    }
}
