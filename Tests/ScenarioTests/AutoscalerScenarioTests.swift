import Foundation
import KubeCore
import SerinTesting
import Testing

/// A Canary scaled by KEDA on the sandbox (its ScaledObject CRD; no KEDA operator), with
/// `--include-label-prefix`: promoted, then a bad release rolled back; the primary's ScaledObject follows
/// promotions only, the target's is paused whenever the target is held at zero.
@Suite(.serialized) struct AutoscalerScenarioTests {
    static let manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: worker, namespace: demo, labels: {app: worker, team.example.com/owner: payments, internal: "yes"}}
        spec:
          replicas: 2
          selector: {matchLabels: {app: worker}}
          template:
            metadata:
              labels: {app: worker}
              annotations: {sandbox.serin.dev/ready-after: 100ms, sandbox.serin.dev/rps: "60"}
            spec: {containers: [{name: worker, image: "example/worker:1"}]}
        ---
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata: {name: worker, namespace: demo}
        spec:
          scaleTargetRef: {name: worker}
          minReplicaCount: 1
          maxReplicaCount: 5
          triggers:
          - {type: prometheus, name: queue, metadata: {serverAddress: "http://prometheus:9090", query: 'sum(queue_depth{deployment="worker"})', threshold: "10"}}
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: worker, namespace: demo}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: worker}
          autoscalerRef: {apiVersion: keda.sh/v1alpha1, kind: ScaledObject, name: worker, primaryScalerReplicas: {minReplicas: 2}}
          progressDeadlineSeconds: 60
          service: {port: 8080}
          analysis:
            interval: 3s
            threshold: 3
            maxWeight: 40
            stepWeight: 20
            metrics:
            - {name: request-success-rate, thresholdRange: {min: 99}, interval: 10s}
        """

    static func get(_ world: Scenario, _ kind: String, _ name: String, _ path: String) async throws -> String {
        try await world.kubectl.succeed(["get", kind, name, "-n", "demo", "-o", "jsonpath={\(path)}"])
    }

    static func paused(_ world: Scenario) async throws -> Bool {
        try await get(world, "scaledobject", "worker", ".metadata.annotations.autoscaling\\.keda\\.sh/paused-replicas") == "0"
    }

    @Test func aKEDAScaledCanaryPromotesAndRollsBackWithItsScalersFollowing() async throws {
        try await Scenario.run(Scenario.Setup(includeLabelPrefixes: ["team.example.com"])) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests)
            #expect(try await world.waitForPhase("Initialized", name: "worker"))
            #expect(try await Self.get(world, "scaledobject", "worker-primary", ".spec.scaleTargetRef.name") == "worker-primary")
            #expect(
                try await Self.get(world, "scaledobject", "worker-primary", ".spec.triggers[0].metadata.query")
                    == #"sum(queue_depth{deployment="worker-primary"})"#)
            #expect(try await Self.get(world, "scaledobject", "worker-primary", ".spec.minReplicaCount") == "2")
            #expect(try await Self.paused(world), "the target's ScaledObject is paused while the target is at zero")
            #expect(
                try await Self.get(world, "deploy", "worker-primary", ".metadata.labels")
                    == #"{"app":"worker-primary","team.example.com/owner":"payments"}"#,
                "only labels with an included prefix reach the primary")

            try await world.kubectl.succeed([
                "patch", "scaledobject", "worker", "-n", "demo", "--type=merge", "-p", #"{"spec":{"maxReplicaCount":8}}"#,
            ])
            try await world.kubectl.succeed(["set", "image", "deploy/worker", "-n", "demo", "worker=example/worker:2"])
            #expect(try await world.waitForPhase("Progressing", name: "worker", timeout: .seconds(30)))
            #expect(try await !Self.paused(world), "resumed for the analysis")
            #expect(try await Self.get(world, "scaledobject", "worker-primary", ".spec.maxReplicaCount") == "5", "not before the promotion")
            #expect(try await world.waitForPhase("Succeeded", name: "worker", timeout: .seconds(60)))
            #expect(try await Self.get(world, "scaledobject", "worker-primary", ".spec.maxReplicaCount") == "8", "the promotion copied it")
            #expect(try await eventually(timeout: .seconds(10)) { try await Self.paused(world) }, "paused again after the promotion")

            try await world.kubectl.succeed([
                "patch", "deploy", "worker", "-n", "demo", "-p",
                """
                {"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/error-ratio":"0.5"}},"spec":{"containers":[{"name":"worker","image":"example/worker:3"}]}}}}
                """,
            ])
            #expect(try await world.waitForPhase("Progressing", name: "worker", timeout: .seconds(30)))
            #expect(try await world.waitForPhase("Failed", name: "worker", timeout: .seconds(60)))
            #expect(try await Self.get(world, "deploy", "worker-primary", ".spec.template.spec.containers[0].image") == "example/worker:2")
            #expect(try await eventually(timeout: .seconds(10)) { try await Self.paused(world) }, "paused again after the rollback")
        }
    }
}
