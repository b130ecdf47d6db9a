import Analysis
import CanaryCore
import Foundation
import KubeClient
import KubeCore
import LocalCluster
import MetricProviders
import Routers

/// Follows the Canary live: each new event, and a progress line (weight bar, success rate and P99 from
/// Prometheus, failed checks) whenever the status moves.
final class RolloutFollower: Sendable {
    struct State: Equatable {
        var phase: String
        var weight: Int
        var failedChecks: Int
    }

    let world: DemoWorld
    let console: DemoConsole
    let seen = SeenEvents()

    /// Event counts already shown (an aggregated Event shows again when its count grows) and the last state shown.
    final class SeenEvents: @unchecked Sendable {
        // SAFETY: only used by the one follow loop of the demo, never concurrently.
        var counts: [String: Int] = [:]
        var last: State?
    }

    init(world: DemoWorld, console: DemoConsole) {
        self.world = world
        self.console = console
    }

    /// Shows the rollout until the phase is one of `phases`. With `afterLeaving`, the phase must first leave
    /// that set (a new release starts from `Succeeded`).
    func follow(until phases: Set<String>, afterLeaving: Bool = false, timeout: Duration) async throws -> State {
        let deadline = ContinuousClock.now + timeout
        var left = !afterLeaving
        let canaries = world.client.resource(
            KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries", namespaced: true),
            as: JSONValue.self)
        while ContinuousClock.now < deadline {
            let status = try await canaries.get("httpbin", namespace: "demo")["status"] ?? [:]
            try await showNewEvents()
            let state = State(
                phase: status["phase"]?.stringValue ?? "", weight: status["canaryWeight"]?.intValue ?? 0,
                failedChecks: status["failedChecks"]?.intValue ?? 0)
            if state != seen.last, !state.phase.isEmpty {
                await progress(state)
                seen.last = state
            }
            if !phases.contains(state.phase) { left = true } else if left { return state }
            try await Task.sleep(for: .milliseconds(300))
        }
        throw DemoFailure(
            "the Canary did not reach \(phases.sorted().joined(separator: " or ")) within \(timeout) (phase \(seen.last?.phase ?? "none"))")
    }

    private func progress(_ state: State) async {
        let phase = state.phase.padding(toLength: 16, withPad: " ", startingAt: 0)
        var line = "   " + console.style("▸", "36") + " " + console.style(phase, "1") + " " + console.bar(state.weight)
        if state.phase == "Progressing" || state.phase == "WaitingPromotion" {
            let (rate, p99) = await canaryMetrics()
            line +=
                "  success " + (rate.map { String(format: "%6.2f%%", $0) } ?? "     —") + "  p99 "
                + (p99.map { String(format: "%4.0f ms", $0) } ?? "   —")
            line += "  failed checks \(state.failedChecks)/3"
        }
        console.line(console.color ? line : line.replacingOccurrences(of: "▸", with: ">"))
    }

    /// The canary's success rate and P99 latency over the last 10 s, with the operator's own queries.
    private func canaryMetrics() async -> (Double?, Double?) {
        let template = QueryTemplate(values: ["namespace": "demo", "target": "httpbin", "interval": "10s"])
        let provider = PrometheusProvider(address: world.prometheus.url)
        func value(_ query: String) async -> Double? {
            do { return try await provider.query(try template.render(query)) } catch { return nil }  // no traffic yet: shown as —
        }
        return (await value(IstioRouter.queries.successRate), await value(IstioRouter.queries.requestDuration))
    }

    private func showNewEvents() async throws {
        let events = try await world.client.resource(.events, as: JSONValue.self).list(namespace: "demo").items
            .filter { $0[path: "involvedObject", "name"]?.stringValue == "httpbin" && $0[path: "involvedObject", "kind"]?.stringValue == "Canary" }
            .sorted {
                (($0["lastTimestamp"]?.stringValue ?? ""), ($0[path: "metadata", "name"]?.stringValue ?? ""))
                    < (($1["lastTimestamp"]?.stringValue ?? ""), ($1[path: "metadata", "name"]?.stringValue ?? ""))
            }
        for event in events {
            guard let message = event["message"]?.stringValue else { continue }
            let count = event["count"]?.intValue ?? 1
            guard (seen.counts[message] ?? 0) < count else { continue }
            seen.counts[message] = count
            if event["type"]?.stringValue == "Warning" { console.warn(message) } else { console.ok(message) }
        }
    }
}
