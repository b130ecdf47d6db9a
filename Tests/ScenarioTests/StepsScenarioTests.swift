import CanaryAPI
import Foundation
import KubeAPIServer
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// `analysis.steps` (Serin's) on Istio with a real Prometheus: a script of weights, a timed pause and a pause
/// released by a promote request, each step judged, the routes following the script; an operator killed during
/// the timed pause resumes with the time that was left.
@Suite(.serialized) struct StepsScenarioTests {
    static let analysis = """
            interval: 2s
            threshold: 3
            steps:
            - setCanaryScale: {replicas: 1}
            - setWeight: 10
            - pause: {duration: 8s}
              analysis:
                metrics:
                - {name: soak-only, query: "sum(istio_requests_total) >= 0", thresholdRange: {min: 0}, interval: 10s}
            - setWeight: 40
            - pause: {}
            - setWeight: 60
            metrics:
            - {name: request-success-rate, thresholdRange: {min: 99}, interval: 10s}
        """

    static func setup() -> Scenario.Setup {
        var setup = Scenario.Setup()
        setup.auditLog = true
        return setup
    }

    /// The metrics each journaled step checked, oldest first (steps without checks left out).
    static func checkedMetrics(_ world: Scenario) async throws -> [[String]] {
        let journal = try await world.status("podinfo", namespace: "test")["journal"]?.arrayValue ?? []
        return journal.map { ($0["metrics"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue } }.filter { !$0.isEmpty }
    }

    static func step(_ world: Scenario) async throws -> Int? { try await world.status("podinfo", namespace: "test")["currentStep"]?.intValue }

    /// The canary weights Serin wrote on the VirtualService, in order, each once.
    static func weights(_ world: Scenario) async -> [Int] {
        let writes = await (world.sandbox.audit?.writes() ?? []).filter { $0.plural == "virtualservices" && !$0.userAgent.hasPrefix("kubectl") }
        var weights: [Int] = []
        for write in writes {
            // The weighted route: the first without a name (a script's header and mirror routes go ahead of it).
            let weighted = write.object[path: "spec", "http"]?.arrayValue?.first { $0["name"] == nil }
            let route = weighted?["route"]?.arrayValue ?? []
            let canary = route.first { $0[path: "destination", "host"]?.stringValue == "podinfo-canary" }?["weight"]?.intValue ?? 0
            if weights.last != canary { weights.append(canary) }
        }
        return weights
    }

    @Test func aScriptOfWeightsAndPausesRunsInOrderAndAManualPauseWaitsForPromote() async throws {
        try await Scenario.run(Self.setup()) { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"], stdin: Podinfo.workload + "\n---\n" + Podinfo.canary(provider: "istio", analysis: Self.analysis))
            let initialized = try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test")
            if !initialized { Issue.record("not initialized: \(try await world.status("podinfo", namespace: "test"))") }
            try await world.releasePodinfo()
            let pausing = try await eventually(timeout: .seconds(30)) { try await Self.step(world) == 2 }
            #expect(pausing, "the timed pause")
            let canaryReplicas = try await world.json(["get", "deploy", "podinfo", "-n", "test"])[path: "spec", "replicas"]
            #expect(canaryReplicas == 1, "the canary runs 1 replica of the primary's 2 (setCanaryScale)")
            let pauseStarted = try await world.status("podinfo", namespace: "test")["stepStarted"]?.stringValue.flatMap {
                KubeTime(rfc3339: $0)?.date
            }
            world.killOperator()  // during the pause: the next operator keeps its start time
            world.restartOperator()
            let manual = try await eventually(timeout: .seconds(40)) { try await Self.step(world) == 4 }
            #expect(manual, "the manual pause")
            let status = try await world.status("podinfo", namespace: "test")
            let started = try #require(status["stepStarted"]?.stringValue.flatMap { KubeTime(rfc3339: $0)?.date })
            let paused = try #require(pauseStarted)
            #expect(
                started.timeIntervalSince(paused) >= 8 + 2 - 0.5, "8 s of pause, then one interval at 40%: \(started.timeIntervalSince(paused)) s")
            let pauseEvents = try await world.events("podinfo", namespace: "test")
            #expect(
                pauseEvents.contains("Pause podinfo.test at canary weight 40 until promoted (kubectl serin promote podinfo -n test): step 5 of 6"))
            let held = try await eventually(timeout: .seconds(6)) { try await Self.step(world) != 4 }
            #expect(!held, "held: no step for several intervals")
            // The timed pause's own check ran at its checks, and no longer runs at the manual pause's.
            let checked = try await Self.checkedMetrics(world)
            #expect(checked.contains { $0.contains("soak-only") }, "\(checked)")
            #expect(checked.last.map { $0.contains("request-success-rate") && !$0.contains("soak-only") } == true, "\(checked)")
            #expect(try await world.status("podinfo", namespace: "test")["stepStarted"]?.stringValue == KubeTime(started).description)

            try await UndoScenarioTests.request(world, .promote)
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test", timeout: .seconds(60)))
            let events = try await world.events("podinfo", namespace: "test")
            #expect(events.contains("Pause of podinfo.test released by alice: step 5 of 6"), "\(events)")
            #expect(events.contains("Pause podinfo.test at canary weight 10 for 8s: step 3 of 6"), "\(events)")
            let weights = await Self.weights(world)
            #expect(weights == [0, 10, 40, 60, 0], "the script's weights, each written once: \(weights)")
        }
    }
}
