import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import SerinTesting
import Testing

/// Every step once, in order, and its Event once: with a tenth of all API requests failing (before or after
/// their write committed, watches expiring) and the operator thrown away mid-flight every 0.6 s.
@Suite(.serialized) struct ExactlyOnceScenarioTests {
    static let rollouts = 20
    static let weights = [10, 20, 30, 40, 50]

    @Test func twentyRolloutsUnderFaultsAndKillsWriteEachRouteAndEachStepEventOnce() async throws {
        var setup = Scenario.Setup()
        setup.auditLog = true
        try await Scenario.run(setup) { world in
            let names = (1...ExactlyOnceScenarioTests.rollouts).map { "app\($0)" }
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n"
                    + names.map { Manifests.plain($0, interval: "1s") }.joined(separator: "\n---\n"))
            for name in names { #expect(try await world.waitForPhase("Initialized", name: name)) }
            let retry = RetryPolicy(attempts: 20)
            let deployments = world.client.resource(.deployments)
            await world.sandbox.faults.chaos(rate: 0.1, seed: 7)
            for name in names {
                let patch: JSONValue = [
                    "spec": ["template": ["spec": ["containers": [["name": .string(name), "image": "kennethreitz/httpbin:v2"]]]]]
                ]
                _ = try await retry.run { try await deployments.patch(name, namespace: "demo", patch: .strategicMerge(patch)) }
            }
            var kills = 0
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(600))
                world.killOperator()  // its memory (queued events, caches, unwritten statuses) is gone
                kills += 1
                world.restartOperator()
                if try await ExactlyOnceScenarioTests.allSucceeded(world, names, retry: retry) { break }
            }
            let injected = await world.sandbox.faults.chaosInjected
            await world.sandbox.faults.reset()
            #expect(
                try await eventually(timeout: .seconds(60)) { try await ExactlyOnceScenarioTests.allSucceeded(world, names, retry: retry) },
                "every rollout promoted")
            #expect(kills >= 8, "the operator was killed \(kills) times")
            #expect(injected >= 50, "\(injected) faults were injected")
            let writes = await world.sandbox.audit?.writes(of: "virtualservices") ?? []
            let total = await world.sandbox.audit?.writes().count ?? 0
            print("exactly-once: \(names.count) rollouts, \(kills) operator kills, \(injected) injected faults, \(total) writes audited")
            let events = try await world.client.resource(.events, as: JSONValue.self).listAll(namespace: "demo").items
            for name in names {
                let weights = writes.filter { $0.name == name }.compactMap { $0.object[path: "spec", "http"]?[0]?["route"]?[1]?["weight"]?.intValue }
                let changes = weights.enumerated().filter { $0.offset == 0 || weights[$0.offset - 1] != $0.element }.map(\.element)
                #expect(changes == [0] + ExactlyOnceScenarioTests.weights + [0], "\(name): each route change once, in order: \(weights)")
                let messages = events.filter { $0[path: "involvedObject", "name"]?.stringValue == name }
                for message in ExactlyOnceScenarioTests.stepMessages(name) {
                    let matching = messages.filter { $0["message"]?.stringValue == message }
                    #expect(matching.count == 1 && matching.first?["count"] == 1, "\(name): \"\(message)\" recorded \(matching.count) times")
                }
            }
        }
    }

    static func stepMessages(_ name: String) -> [String] {
        ["New revision detected! Scaling up \(name).demo", "Starting canary analysis for \(name).demo"]
            + weights.map { "Advance \(name).demo canary weight \($0)" }
            + [
                "Copying \(name).demo template spec to \(name)-primary.demo", "Routing all traffic to primary",
                "Promotion completed! Scaling down \(name).demo",
            ]
    }

    static func allSucceeded(_ world: Scenario, _ names: [String], retry: RetryPolicy) async throws -> Bool {
        for name in names {
            let status = try await retry.run { try await world.status(name) }
            if status["phase"]?.stringValue != "Succeeded" { return false }
        }
        return true
    }
}
