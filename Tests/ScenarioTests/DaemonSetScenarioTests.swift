import Foundation
import KubeCore
import SerinTesting
import Testing

/// A DaemonSet Canary on the sandbox (one node, `kubernetes.io/os: linux`): promoted when good, rolled back
/// when its canary answers with errors, its primary untouched.
@Suite(.serialized) struct DaemonSetScenarioTests {
    static let manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        ---
        apiVersion: apps/v1
        kind: DaemonSet
        metadata: {name: agent, namespace: demo, labels: {app: agent}}
        spec:
          selector: {matchLabels: {app: agent}}
          updateStrategy: {type: RollingUpdate}
          template:
            metadata:
              labels: {app: agent}
              annotations: {sandbox.serin.dev/ready-after: 100ms, sandbox.serin.dev/rps: "60"}
            spec:
              nodeSelector: {kubernetes.io/os: linux}
              containers: [{name: agent, image: "fluent/fluentd:v1.16"}]
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: agent, namespace: demo}
        spec:
          targetRef: {apiVersion: apps/v1, kind: DaemonSet, name: agent}
          progressDeadlineSeconds: 60
          service: {port: 24224}
          analysis:
            interval: 3s
            threshold: 3
            maxWeight: 40
            stepWeight: 20
            metrics:
            - {name: request-success-rate, thresholdRange: {min: 99}, interval: 10s}
        """

    static func image(_ world: Scenario, _ name: String) async throws -> String {
        try await world.kubectl.succeed(["get", "ds", name, "-n", "demo", "-o", "jsonpath={.spec.template.spec.containers[0].image}"])
    }

    @Test func aDaemonSetReleaseIsPromotedAndABadOneRolledBack() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests)
            #expect(try await world.waitForPhase("Initialized", name: "agent"))
            let scheduled = try await world.kubectl.succeed(["get", "ds", "agent", "-n", "demo", "-o", "jsonpath={.status.desiredNumberScheduled}"])
            #expect(scheduled == "0", "the target runs on no node")

            try await world.kubectl.succeed(["set", "image", "ds/agent", "-n", "demo", "agent=fluent/fluentd:v1.17"])
            #expect(try await world.waitForPhase("Progressing", name: "agent", timeout: .seconds(10)))
            #expect(try await world.waitForPhase("Succeeded", name: "agent", timeout: .seconds(60)))
            #expect(try await Self.image(world, "agent-primary") == "fluent/fluentd:v1.17")

            try await world.kubectl.succeed([
                "patch", "ds", "agent", "-n", "demo", "-p",
                """
                {"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/error-ratio":"0.5"}},"spec":{"containers":[{"name":"agent","image":"fluent/fluentd:v1.18"}]}}}}
                """,
            ])
            #expect(try await world.waitForPhase("Progressing", name: "agent", timeout: .seconds(10)))
            #expect(try await world.waitForPhase("Failed", name: "agent", timeout: .seconds(60)))
            #expect(try await world.events("agent").contains("Rolling back agent.demo failed checks threshold reached 3"))
            #expect(try await Self.image(world, "agent-primary") == "fluent/fluentd:v1.17", "the primary is untouched")
            #expect(
                try await eventually(timeout: .seconds(10)) {
                    try await world.kubectl.succeed(["get", "ds", "agent", "-n", "demo", "-o", "jsonpath={.status.desiredNumberScheduled}"]) == "0"
                }, "the failed canary is taken off the node again")
        }
    }
}
