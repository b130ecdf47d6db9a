import CanaryAPI
import CanaryCore

/// Calls a Canary's webhooks of one type in the order of its spec, for the decision to judge.
///
/// Gates and checks stop at the first failure, rollback hooks at the first success (Flagger's order and
/// early exits); post-rollout hooks all run.
public struct WebhookRunner: Sendable {
    let client: WebhookClient

    public init(client: WebhookClient) { self.client = client }

    public func run(_ type: WebhookType, canary: Canary, phase: CanaryPhase) async -> [HookResult] {
        var results: [HookResult] = []
        for webhook in canary.webhooks(of: type) {
            let result: HookResult
            switch await client.call(webhook, payload: WebhookPayload(canary: canary, webhook: webhook, phase: phase)) {
            case .success: result = HookResult(name: webhook.name, passed: true)
            case .failure(let reason): result = HookResult(name: webhook.name, passed: false, message: reason)
            }
            results.append(result)
            if type.stops(afterPassing: result.passed) { break }
        }
        return results
    }
}
