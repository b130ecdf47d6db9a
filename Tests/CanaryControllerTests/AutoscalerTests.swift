import CanaryAPI
import KubeClient
import KubeCore
import Testing

/// The primary's HorizontalPodAutoscaler, as Flagger keeps it: created with the primary, changed only by
/// a promotion, with `primaryScalerReplicas` as its bounds.
@Suite struct AutoscalerTests {
    static func hpa(max: Int) -> JSONValue {
        [
            "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": ["name": "podinfo"],
            "spec": [
                "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"], "minReplicas": 2, "maxReplicas": .int(max),
                "metrics": [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]]]],
            ],
        ]
    }

    @Test func thePrimaryHPAChangesOnlyWithAPromotionAndTakesThePrimaryBounds() async throws {
        try await ReconcilerHarness.with { harness in
            try await harness.apply(.horizontalPodAutoscalers, Self.hpa(max: 4))
            try await harness.apply(.deployments, ReconcilerHarness.deployment("podinfo"))
            var canary = ReconcilerHarness.canary("podinfo")
            canary[path: "spec", "autoscalerRef"] = [
                "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "name": "podinfo",
                "primaryScalerReplicas": ["minReplicas": 3],
            ]
            try await harness.apply(ReconcilerHarness.canaries, canary)
            _ = try await harness.reconcile("podinfo")
            try await harness.markReady("podinfo-primary")
            _ = try await harness.reconcile("podinfo")
            let created = try await harness.get(.horizontalPodAutoscalers, "podinfo-primary")[path: "spec"]
            #expect(created?["scaleTargetRef"]?["name"] == "podinfo-primary" && created?["minReplicas"] == 3 && created?["maxReplicas"] == 4)

            _ = try await harness.client.resource(.horizontalPodAutoscalers, as: JSONValue.self).patch(
                "podinfo", namespace: "demo", patch: .merge(["spec": ["maxReplicas": 10]]))
            _ = try await harness.reconcile("podinfo")
            #expect(
                try await harness.get(.horizontalPodAutoscalers, "podinfo-primary")[path: "spec", "maxReplicas"] == 4,
                "an edit of the target's HPA waits for the next promotion")

            try await ReconcilerTests.release(harness, "podinfo")
            for _ in 0..<8 where try await harness.status("podinfo")["phase"] != "Succeeded" {
                harness.advance(by: 31)
                try await harness.markReady("podinfo-primary")
                _ = try await harness.reconcile("podinfo")
            }
            #expect(try await harness.status("podinfo")["phase"] == "Succeeded")
            let promoted = try await harness.get(.horizontalPodAutoscalers, "podinfo-primary")[path: "spec"]
            #expect(promoted?["maxReplicas"] == 10 && promoted?["minReplicas"] == 3, "the promotion copied it, with the primary's bounds")
        }
    }

    @Test func primaryScalerReplicasOutOfOrderAreRefusedByField() throws {
        var canary = try JSONValue(
            parsing:
                #"{"metadata":{"name":"p","namespace":"demo"},"spec":{"targetRef":{"kind":"Deployment","name":"p"},"service":{"port":80},"autoscalerRef":{"kind":"HorizontalPodAutoscaler","name":"p","primaryScalerReplicas":{"minReplicas":5,"maxReplicas":2}}}}"#
        ).decode(as: Canary.self)
        #expect(canary.validate().map(\.description) == ["spec.autoscalerRef.primaryScalerReplicas: minReplicas 5 is above maxReplicas 2"])
        canary.spec.autoscalerRef?.primaryScalerReplicas = ScalerReplicas(minReplicas: 0)
        #expect(canary.validate().map(\.field) == ["spec.autoscalerRef.primaryScalerReplicas.minReplicas"])
    }

    static let scaledObjects = KubeResource(group: "keda.sh", version: "v1alpha1", kind: "ScaledObject", plural: "scaledobjects", namespaced: true)

    static func scaledObject(max: Int) -> JSONValue {
        [
            "apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": ["name": "podinfo-so"],
            "spec": [
                "scaleTargetRef": ["name": "podinfo"], "minReplicaCount": 1, "maxReplicaCount": .int(max),
                "advanced": ["horizontalPodAutoscalerConfig": ["name": "podinfo-hpa"]],
                "triggers": [
                    [
                        "type": "prometheus", "name": "requests",
                        "metadata": [
                            "serverAddress": "http://prometheus:9090",
                            "query": #"sum(rate(http_requests_total{app="podinfo"}[1m])) + sum(up{job="podinfo-canary"})"#,
                        ],
                    ]
                ],
            ],
        ]
    }

    func paused(_ harness: ReconcilerHarness) async throws -> Bool {
        try await harness.get(Self.scaledObjects, "podinfo-so")[path: "metadata", "annotations", "autoscaling.keda.sh/paused-replicas"] == "0"
    }

    @Test func aKEDAScaledObjectGetsAPrimaryCopyAndIsPausedWhileTheTargetIsAtZero() async throws {
        try await ReconcilerHarness.with { harness in
            try await harness.apply(Self.scaledObjects, Self.scaledObject(max: 5))
            try await harness.apply(.deployments, ReconcilerHarness.deployment("podinfo"))
            var canary = ReconcilerHarness.canary("podinfo")
            canary[path: "spec", "autoscalerRef"] = ["apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "name": "podinfo-so"]
            try await harness.apply(ReconcilerHarness.canaries, canary)
            _ = try await harness.reconcile("podinfo")
            try await harness.markReady("podinfo-primary")
            _ = try await harness.reconcile("podinfo")
            #expect(try await harness.status("podinfo")["phase"] == "Initialized")
            let primary = try await harness.get(Self.scaledObjects, "podinfo-so-primary")
            #expect(primary[path: "spec", "scaleTargetRef", "name"] == "podinfo-primary")
            #expect(primary[path: "spec", "advanced", "horizontalPodAutoscalerConfig", "name"] == "podinfo-hpa-primary")
            #expect(
                primary[path: "spec", "triggers"]?[0]?[path: "metadata", "query"]
                    == #"sum(rate(http_requests_total{app="podinfo-primary"}[1m])) + sum(up{job="podinfo-primary"})"#)
            #expect(primary[path: "metadata", "ownerReferences"]?[0]?["kind"] == "Canary")
            #expect(try await paused(harness), "the target's ScaledObject is paused while the target is at zero")

            _ = try await harness.client.resource(Self.scaledObjects, as: JSONValue.self).patch(
                "podinfo-so", namespace: "demo",
                patch: .merge(["spec": ["maxReplicaCount": 9]]))
            try await ReconcilerTests.release(harness, "podinfo")
            #expect(try await !paused(harness), "resumed for the analysis")
            #expect(try await harness.get(Self.scaledObjects, "podinfo-so-primary")[path: "spec", "maxReplicaCount"] == 5)
            for _ in 0..<8 where try await harness.status("podinfo")["phase"] != "Succeeded" {
                harness.advance(by: 31)
                try await harness.markReady("podinfo-primary")
                _ = try await harness.reconcile("podinfo")
            }
            #expect(try await harness.status("podinfo")["phase"] == "Succeeded")
            #expect(try await harness.get(Self.scaledObjects, "podinfo-so-primary")[path: "spec", "maxReplicaCount"] == 9, "updated at promotion")
            #expect(try await paused(harness), "paused again once the target is back at zero")
        }
    }
}
