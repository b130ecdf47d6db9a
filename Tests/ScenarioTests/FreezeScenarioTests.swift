import CanaryAPI
import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// `analysis.onFailure: freeze` on Istio with a real Prometheus: a release answering 50 % errors reaches the
/// threshold and is frozen at its weight (no rollback) over several intervals; `kubectl serin promote` then
/// finishes it.
@Suite(.serialized) struct FreezeScenarioTests {
    static let manifests = """
        \(Podinfo.workload)
        ---
        \(Podinfo.canary(provider: "istio", analysis: Podinfo.tutorialAnalysis.replacingOccurrences(of: "threshold: 3", with: "threshold: 2\n    onFailure: freeze")))
        """

    @Test func aFailingReleaseIsFrozenAtItsWeightUntilPromoted() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests)
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            try await world.kubectl.succeed([
                "patch", "deploy", "podinfo", "-n", "test", "-p",
                #"{"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/error-ratio":"0.5"}}}}}"#,
            ])
            func status() async throws -> JSONValue { try await world.status("podinfo", namespace: "test") }
            let frozen = try await eventually(timeout: .seconds(90)) { try await status()["failedChecks"]?.intValue == 2 }
            let reached = try await status()
            #expect(frozen, "\(reached)")
            let weight = try await status()["canaryWeight"]?.intValue ?? -1
            #expect(weight > 0, "frozen with traffic on the canary")
            let events = try await world.events("podinfo", namespace: "test")
            #expect(events.contains { $0.contains("frozen at canary weight \(weight) (analysis.onFailure: freeze)") }, "\(events)")

            // Three intervals later: still Progressing at the same weight, the VirtualService unchanged, no rollback.
            // Time passing is what is asserted on here, so the test waits for it (the pure FreezeTests do it on
            // virtual time).
            try await Task.sleep(for: .seconds(9))
            let held = try await status()
            #expect(held["phase"] == "Progressing" && held["canaryWeight"]?.intValue == weight, "\(held)")
            let route = try await world.json(["get", "virtualservice", "podinfo", "-n", "test"])[path: "spec", "http"]?[0]?["route"]
            #expect(route?[1]?["weight"]?.intValue == weight, "\(String(describing: route))")
            let after = try await world.events("podinfo", namespace: "test")
            #expect(!after.contains { $0.hasPrefix("Canary failed!") }, "\(after)")

            let revision = try await status()["lastAppliedSpec"]?.stringValue ?? ""
            let request = String(
                decoding: ControlRequest(action: .promote, revision: revision, by: "alice", at: "2026-12-06T11:00:00Z").json.serialized(),
                as: UTF8.self)
            try await world.kubectl.succeed(["annotate", "canary", "podinfo", "-n", "test", "\(ControlRequest.annotation)=\(request)"])
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test"))
        }
    }
}
