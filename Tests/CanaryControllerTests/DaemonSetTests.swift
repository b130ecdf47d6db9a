import CanaryAPI
import KubeClient
import KubeCore
import Targets
import Testing

/// DaemonSet targets, as Flagger runs them: scaled to zero by a node selector no node has.
@Suite struct DaemonSetTests {
    static func daemonSet(image: String = "fluentd:1") -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": "agent", "labels": ["app": "agent"]],
            "spec": [
                "selector": ["matchLabels": ["app": "agent"]], "updateStrategy": ["type": "RollingUpdate"],
                "template": [
                    "metadata": ["labels": ["app": "agent"]],
                    "spec": ["nodeSelector": ["kubernetes.io/os": "linux"], "containers": [["name": "agent", "image": .string(image)]]],
                ],
            ],
        ]
    }

    /// What the daemon-set controller would write once every scheduled pod runs the current template.
    static func markReady(_ harness: ReconcilerHarness, _ name: String) async throws {
        let live = try await harness.get(.daemonSets, name)
        let scheduled = live[path: "spec", "template", "spec", "nodeSelector", DaemonSetTarget.scaleDownSelector] == nil ? 3 : 0
        _ = try await harness.client.resource(.daemonSets, as: JSONValue.self).patch(
            name, namespace: "demo",
            patch: .merge([
                "status": [
                    "observedGeneration": live[path: "metadata", "generation"] ?? 1, "desiredNumberScheduled": .int(scheduled),
                    "updatedNumberScheduled": .int(scheduled), "numberReady": .int(scheduled), "numberAvailable": .int(scheduled),
                ]
            ]), subresource: "status")
    }

    static func canary() -> JSONValue {
        var canary = ReconcilerHarness.canary("agent")
        canary[path: "spec", "targetRef", "kind"] = "DaemonSet"
        return canary
    }

    @Test func aDaemonSetCanaryKeepsTheTargetOffEveryNodeUntilARevisionThenPromotesIt() async throws {
        try await ReconcilerHarness.with { harness in
            try await harness.apply(.daemonSets, Self.daemonSet())
            try await harness.apply(ReconcilerHarness.canaries, Self.canary())
            _ = try await harness.reconcile("agent")
            let primary = try await harness.get(.daemonSets, "agent-primary")
            #expect(primary[path: "spec", "selector", "matchLabels"] == ["app": "agent-primary"])
            #expect(primary[path: "spec", "template", "spec", "nodeSelector"] == ["kubernetes.io/os": "linux"])
            try await Self.markReady(harness, "agent-primary")
            _ = try await harness.reconcile("agent")
            #expect(try await harness.status("agent")["phase"] == "Initialized")
            let target = try await harness.get(.daemonSets, "agent")
            #expect(target[path: "spec", "template", "spec", "nodeSelector", DaemonSetTarget.scaleDownSelector] == "true", "scaled to zero")
            _ = try await harness.reconcile("agent")
            #expect(try await harness.status("agent")["phase"] == "Initialized", "scaling down is not a new revision")

            _ = try await harness.client.resource(.daemonSets, as: JSONValue.self).patch(
                "agent", namespace: "demo",
                patch: .merge(
                    ["spec": ["template": ["spec": ["containers": [["name": "agent", "image": "fluentd:2"]]]]]]))
            _ = try await harness.reconcile("agent")
            #expect(try await harness.status("agent")["phase"] == "Progressing")
            #expect(
                try await harness.get(.daemonSets, "agent")[path: "spec", "template", "spec", "nodeSelector"] == ["kubernetes.io/os": "linux"],
                "scaled up: back on the nodes")
            try await Self.markReady(harness, "agent")
            for _ in 0..<8 where try await harness.status("agent")["phase"] != "Succeeded" {
                harness.advance(by: 31)
                try await Self.markReady(harness, "agent-primary")
                try await Self.markReady(harness, "agent")
                _ = try await harness.reconcile("agent")
            }
            #expect(try await harness.status("agent")["phase"] == "Succeeded")
            let promoted = try await harness.get(.daemonSets, "agent-primary")[path: "spec", "template", "spec"]
            #expect(promoted?["containers"]?[0]?["image"] == "fluentd:2" && promoted?["nodeSelector"] == ["kubernetes.io/os": "linux"])
            #expect(
                try await harness.get(.daemonSets, "agent")[path: "spec", "template", "spec", "nodeSelector", DaemonSetTarget.scaleDownSelector]
                    == "true")
        }
    }

    @Test func aDaemonSetWithoutRollingUpdateIsRefusedOnTheCanary() async throws {
        try await ReconcilerHarness.with { harness in
            var daemonSet = Self.daemonSet()
            daemonSet[path: "spec", "updateStrategy"] = ["type": "OnDelete"]
            try await harness.apply(.daemonSets, daemonSet)
            try await harness.apply(ReconcilerHarness.canaries, Self.canary())
            _ = try? await harness.reconcile("agent")
            #expect(try await harness.warnings("agent", containing: "daemonset agent.demo must have RollingUpdate strategy but have OnDelete"))
        }
    }
}
