import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// A Kubernetes Service as the target (`targetRef.kind: Service`, fluxcd/flagger#372) on Istio: the Service
/// `podinfo` selects the blue Deployment; a release points it at another. Serin keeps `podinfo-canary` a copy of
/// it and `podinfo-primary` the last promoted copy, and splits traffic between the two; a MetricTemplate judges the
/// canary by its Service's Istio metrics, through a real Prometheus.
@Suite(.serialized) struct ServiceTargetScenarioTests {
    static func deployment(_ version: String, annotations: String = "") -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: podinfo-\(version), namespace: test}
        spec:
          replicas: 1
          selector: {matchLabels: {app: podinfo, version: \(version)}}
          template:
            metadata:
              labels: {app: podinfo, version: \(version)}
              annotations: {sandbox.serin.dev/rps: "50", sandbox.serin.dev/ready-after: 100ms\(annotations)}
            spec: {containers: [{name: podinfod, image: "ghcr.io/stefanprodan/podinfo:6.0.0", ports: [{containerPort: 9898}]}]}
        """
    }

    static let manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: test}
        ---
        \(deployment("blue"))
        ---
        \(deployment("green"))
        ---
        \(deployment("red", annotations: #", sandbox.serin.dev/error-ratio: "0.5""#))
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: podinfo, namespace: test, labels: {team: web}}
        spec: {selector: {app: podinfo, version: blue}, ports: [{name: http, port: 9898, targetPort: 9898}]}
        ---
        apiVersion: flagger.app/v1beta1
        kind: MetricTemplate
        metadata: {name: canary-service-success, namespace: test}
        spec:
          provider: {type: prometheus}
          query: |
            sum(rate(istio_requests_total{destination_service_name="{{ target }}-canary",response_code!~"5.*"}[{{ interval }}]))
            / sum(rate(istio_requests_total{destination_service_name="{{ target }}-canary"}[{{ interval }}])) * 100
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test}
        spec:
          targetRef: {apiVersion: v1, kind: Service, name: podinfo}
          service: {port: 9898}
          analysis:
            interval: 3s
            threshold: 3
            maxWeight: 50
            stepWeight: 10
            metrics:
            - {name: success, templateRef: {name: canary-service-success}, thresholdRange: {min: 99}, interval: 10s}
        """

    @Test func aServiceTargetIsCopiedRoutedPromotedAndRolledBack() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests)
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            func selector(_ name: String) async throws -> JSONValue? {
                try await world.json(["get", "svc", name, "-n", "test"])[path: "spec", "selector", "version"]
            }
            #expect(try await selector("podinfo-primary") == "blue")
            #expect(try await selector("podinfo-canary") == "blue")
            let primary = try await world.json(["get", "svc", "podinfo-primary", "-n", "test"])
            #expect(primary[path: "metadata", "labels", "team"] == "web", "the copy keeps the target's labels")
            #expect(try await world.json(["get", "deploy", "podinfo-blue", "-n", "test"])[path: "spec", "replicas"] == 1, "nothing is scaled")

            try await world.kubectl.succeed(["patch", "svc", "podinfo", "-n", "test", "-p", #"{"spec":{"selector":{"version":"green"}}}"#])
            var weights: [Int] = []
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test", weights: &weights), "weights: \(weights)")
            #expect(weights.contains(10) && weights.contains(50), "the weights moved: \(weights)")
            #expect(try await selector("podinfo-primary") == "green", "promotion copies the target's spec to the primary")

            try await world.kubectl.succeed(["patch", "svc", "podinfo", "-n", "test", "-p", #"{"spec":{"selector":{"version":"red"}}}"#])
            #expect(try await world.waitForPhase("Failed", name: "podinfo", namespace: "test"), "a bad release is rolled back")
            #expect(try await selector("podinfo-primary") == "green", "the primary keeps the last good release")
            let route = try await world.json(["get", "virtualservice", "podinfo", "-n", "test"])[path: "spec", "http"]?[0]?["route"]
            #expect(route?[0]?["weight"] == 100, "traffic back on the primary: \(String(describing: route))")
        }
    }
}
