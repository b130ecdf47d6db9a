import CanaryAPI
import Foundation
import KubeAPIServer
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Rollout budgets (``CanaryAPI/RolloutPolicy``) on the sandbox: 40 Canaries released at once under a budget of
/// 5 — the audit log of every write never shows more than 5 analysing, the slots go first come first served,
/// and every release finishes. 40 workloads' simulated traffic loads both cores, which skews the timing of the
/// main run's latency judgements: `make test` runs it alone.
@Suite(
    .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1", "40 rollouts at once load both cores; make test runs it alone"))
struct FleetScenarioTests {
    static let count = 40

    static func manifests(image: String) -> String {
        var documents = [Fixtures.demoNamespace]
        for index in 0..<count {
            documents.append(Fixtures.workload("app-\(index)", image: image))
            documents.append(Fixtures.canary("app-\(index)", port: 80, analysis: "interval: 1s, threshold: 2, maxWeight: 50, stepWeight: 50"))
        }
        documents.append(
            """
            apiVersion: serin.dev/v1alpha1
            kind: RolloutPolicy
            metadata: {name: shared-libs}
            spec: {selector: {namespaces: [demo]}, maxProgressing: 5}
            """)
        return documents.joined(separator: "\n---\n")
    }

    static func phases(_ world: Scenario) async throws -> [String] {
        let list = try await world.json(["get", "canaries", "-n", "demo"])["items"]?.arrayValue ?? []
        return list.map { $0[path: "status", "phase"]?.stringValue ?? "" }
    }

    @Test func fortyCanariesReleasedAtOnceNeverExceedABudgetOfFive() async throws {
        var setup = Scenario.Setup()
        setup.auditLog = true
        setup.rolloutPolicies = true
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests(image: "kennethreitz/httpbin:v1"))
            let initialized = try await eventually(timeout: .seconds(120)) {
                let phases = try await Self.phases(world)
                return phases.count == Self.count && phases.allSatisfy { $0 == "Initialized" }
            }
            #expect(initialized)
            let metrics = try await world.operatorEndpoint("/metrics").text
            #expect(metrics.contains(#"serin_rollout_slots{policy="shared-libs"} 5"#), "the budget is exported")
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests(image: "kennethreitz/httpbin:v2"))
            let done = try await eventually(timeout: .seconds(300)) {
                let phases = try await Self.phases(world)
                return phases.count == Self.count && phases.allSatisfy { $0 == "Succeeded" }
            }
            let finished = try await Self.phases(world)
            #expect(done, "every release finishes: \(finished)")

            let audit = FleetAudit(await world.sandbox.audit?.writes() ?? [])
            #expect(audit.mostAnalysing == 5, "at most 5 analysing at once, and the budget used: \(audit.mostAnalysing)")
            #expect(audit.mostHolders == 5, "never more than 5 slots")
            #expect(audit.waited.count >= Self.count - 5, "the others waited, visibly: \(audit.waited.count)")
            #expect(audit.granted.count == Self.count && audit.granted == audit.arrived, "first come, first served")
            let policy = try await world.json(["get", "rolloutpolicy", "shared-libs"])
            #expect(policy[path: "status", "holders"] == nil && policy[path: "status", "queue"] == nil, "every slot given back: \(policy)")
            let events = try await world.events("app-39", namespace: "demo") + world.events("app-20", namespace: "demo")
            #expect(
                events.contains { $0.hasPrefix("Halt app-") && $0.contains("advancement waiting for a rollout slot: 5 of 5 in use") }, "\(events)")
        }
    }
}
