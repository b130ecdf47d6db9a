import CanaryAPI
import Foundation
import KubeAPIServer
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Freeze windows and stop-the-line of a RolloutPolicy on the sandbox, on the wall clock: a release made during a
/// window waits `Frozen` and starts once it closes; two rollbacks stop the line, a third release waits `Stopped`
/// until the policy is resumed.
@Suite(.serialized) struct RolloutPolicyScenarioTests {
    /// A Canary `name` in `demo` with no metrics; a `failing` one calls a pre-rollout webhook nothing answers, so
    /// each of its releases rolls back at its first check.
    static func canary(_ name: String, failing: Bool = false) -> String {
        let hook = failing ? ", webhooks: [{name: gone, type: pre-rollout, url: \"http://127.0.0.1:1/\", timeout: 1s}]" : ""
        return """
            apiVersion: flagger.app/v1beta1
            kind: Canary
            metadata: {name: \(name), namespace: demo}
            spec:
              targetRef: {apiVersion: apps/v1, kind: Deployment, name: \(name)}
              service: {port: 80}
              analysis: {interval: 1s, threshold: 1, maxWeight: 50, stepWeight: 25\(hook)}
            """
    }

    static func policy(_ spec: String) -> String {
        """
        apiVersion: serin.dev/v1alpha1
        kind: RolloutPolicy
        metadata: {name: fleet}
        spec: {selector: {namespaces: [demo]}, \(spec)}
        """
    }

    static func release(_ world: Scenario, _ name: String) async throws {
        try await world.kubectl.succeed(["set", "image", "deploy/\(name)", "\(name)=kennethreitz/httpbin:v2", "-n", "demo"])
    }

    static func slotReason(_ world: Scenario, _ name: String) async throws -> String? {
        let conditions = try await world.status(name, namespace: "demo")["conditions"]?.arrayValue ?? []
        return conditions.first { $0["type"] == "RolloutSlot" }?["reason"]?.stringValue
    }

    @Test func aReleaseDuringAFreezeWindowWaitsAndStartsWhenItCloses() async throws {
        var setup = Scenario.Setup()
        setup.auditLog = true
        setup.rolloutPolicies = true
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"], stdin: Fixtures.documents(Fixtures.demoNamespace, Fixtures.workload("app"), Self.canary("app")))
            #expect(try await world.waitForPhase("Initialized", name: "app", namespace: "demo"))
            let end = Date().addingTimeInterval(12)
            let window = "{name: now, start: \"\(KubeTime(Date().addingTimeInterval(-60)).description)\", end: \"\(KubeTime(end).description)\"}"
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.policy("freezeWindows: [\(window)]"))
            try await Self.release(world, "app")
            let frozen = try await eventually(timeout: .seconds(12)) { try await Self.slotReason(world, "app") == "Frozen" }
            #expect(frozen, "the release waits for the window's end")
            #expect(try await world.status("app", namespace: "demo")["phase"] == "Waiting")
            #expect(try await world.waitForPhase("Succeeded", name: "app", namespace: "demo", timeout: .seconds(90)))

            let writes = await world.sandbox.audit?.writes() ?? []
            let started = writes.first { $0.plural == "canaries" && $0.object[path: "status", "phase"] == "Progressing" }
            let startedAt = try #require(started?.time)
            #expect(startedAt >= end.addingTimeInterval(-1), "no step before the window closed (started \(startedAt), end \(end))")
            #expect(startedAt.timeIntervalSince(end) < 65, "started within a minute of the end")
            let events = try await world.events("app", namespace: "demo")
            #expect(events.contains { $0.hasPrefix("Halt app.demo advancement frozen: window now of policy fleet until ") }, "\(events)")
        }
    }

    static func badEvents(_ world: Scenario) async throws -> [String] {
        try await world.events("bad-1", namespace: "demo") + world.events("bad-2", namespace: "demo")
    }

    @Test func twoRollbacksStopTheLineUntilThePolicyIsResumed() async throws {
        var setup = Scenario.Setup()
        setup.rolloutPolicies = true
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: Fixtures.documents(
                    Fixtures.demoNamespace, Self.policy("maxProgressing: 5, stopTheLine: {rollbacks: 2, within: 1h}"),
                    Fixtures.workload("bad-1"), Self.canary("bad-1", failing: true), Fixtures.workload("bad-2"), Self.canary("bad-2", failing: true),
                    Fixtures.workload("good"), Self.canary("good")))
            for name in ["bad-1", "bad-2", "good"] { #expect(try await world.waitForPhase("Initialized", name: name, namespace: "demo")) }
            try await Self.release(world, "bad-1")
            try await Self.release(world, "bad-2")
            for name in ["bad-1", "bad-2"] { #expect(try await world.waitForPhase("Failed", name: name, namespace: "demo")) }
            let stopped = try await eventually(timeout: .seconds(10)) {
                try await world.json(["get", "rolloutpolicy", "fleet"])[path: "status", "stopped"] != nil
            }
            #expect(stopped, "the line stops at the second rollback")
            // The Event follows the policy's status write: wait for it rather than read once.
            let announced = try await eventually(timeout: .seconds(10)) {
                try await Self.badEvents(world).contains {
                    $0.hasPrefix("Stop the line: policy fleet paused its Canaries after 2 rollbacks within 1h: demo/bad-")
                }
            }
            let events = try await Self.badEvents(world)
            #expect(announced, "\(events)")

            try await Self.release(world, "good")
            let held = try await eventually(timeout: .seconds(10)) { try await Self.slotReason(world, "good") == "Stopped" }
            #expect(held, "a release after the stop waits")
            #expect(try await world.status("good", namespace: "demo")["phase"] == "Waiting")
            try await world.kubectl.succeed([
                "patch", "rolloutpolicy", "fleet", "--subresource=status", "--type=merge", "-p", #"{"status":{"stopped":null,"rollbacks":null}}"#,
            ])
            #expect(try await world.waitForPhase("Succeeded", name: "good", namespace: "demo", timeout: .seconds(60)), "resumed, it ships")
        }
    }

    static let uncheckedCRD = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata: {name: rolloutpolicies.serin.dev}
        spec:
          group: serin.dev
          names: {kind: RolloutPolicy, listKind: RolloutPolicyList, plural: rolloutpolicies, singular: rolloutpolicy}
          scope: Cluster
          versions:
          - name: v1alpha1
            served: true
            storage: true
            subresources: {status: {}}
            schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
        """

    @Test func aPolicyTheOperatorCannotReadIsNamedInAWarning() async throws {
        var setup = Scenario.Setup()
        setup.rolloutPolicies = true
        try await Scenario.run(setup) { world in
            // A CRD that checks nothing (an install whose CRD and operator versions differ) lets in what the
            // operator cannot read.
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.uncheckedCRD)
            let manifest =
                #"{"apiVersion":"serin.dev/v1alpha1","kind":"RolloutPolicy","metadata":{"name":"broken"},"spec":{"freezeWindows":[{"name":7}]}}"#
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: manifest)
            let warned = try await eventually(timeout: .seconds(20)) {
                let events =
                    try await world.json(["get", "events", "-A", "--field-selector", "involvedObject.name=broken"])["items"]?.arrayValue ?? []
                return events.contains { $0["type"] == "Warning" && $0["message"]?.stringValue?.contains("it selects no Canary") == true }
            }
            #expect(warned, "an unreadable policy is not silently ignored")
        }
    }
}
