import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Flagger's Gateway API tutorial on the sandbox: `provider: gatewayapi:v1`, an HTTPRoute through a Gateway
/// for `www.example.com`, the built-in metrics from the application's own `http_request_duration_seconds`.
@Suite(.serialized) struct GatewayAPIScenarioTests {
    static func manifests(prometheus: String) -> String {
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: test}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gateway, namespace: test}
        spec:
          gatewayClassName: istio
          listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: podinfo, namespace: test, labels: {app: podinfo}}
        spec:
          replicas: 2
          selector: {matchLabels: {app: podinfo}}
          template:
            metadata:
              labels: {app: podinfo}
              annotations: {sandbox.serin.dev/latency-ms: "20", sandbox.serin.dev/rps: "50", sandbox.serin.dev/ready-after: 100ms}
            spec:
              containers: [{name: podinfod, image: "ghcr.io/stefanprodan/podinfo:6.0.0", ports: [{name: http, containerPort: 9898}]}]
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test}
        spec:
          provider: gatewayapi:v1
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          service:
            port: 9898
            targetPort: 9898
            hosts: [www.example.com]
            gatewayRefs: [{name: gateway, namespace: test}]
          analysis:
            interval: 3s
            threshold: 3
            maxWeight: 50
            stepWeight: 10
            metrics:
            - {name: request-success-rate, thresholdRange: {min: 99}, interval: 10s}
            - {name: request-duration, thresholdRange: {max: 500}, interval: 10s}
        """
    }

    @Test func aGoodReleaseShiftsTheHTTPRoutesWeightsAndABadOneRollsBack() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "gatewayapi:v1"
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests(prometheus: world.prometheus.url))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            let route = try await world.json(["get", "httproute", "podinfo", "-n", "test"])
            #expect(route[path: "spec", "parentRefs"] == [["group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "gateway", "namespace": "test"]],
                    "the CRD's defaults for gatewayRefs, carried over")
            #expect(route[path: "spec", "hostnames"] == ["www.example.com"])
            let backends = route[path: "spec", "rules"]?[0]?["backendRefs"]
            #expect(backends?[0]?["name"] == "podinfo-primary" && backends?[0]?["weight"] == 100 && backends?[1]?["weight"] == 0, "\(route)")

            try await world.kubectl.succeed(["set", "image", "deploy/podinfo", "-n", "test", "podinfod=ghcr.io/stefanprodan/podinfo:6.0.1"])
            var weights: [Int] = []
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test", weights: &weights), "weights: \(weights)")
            #expect(weights.contains(10) && weights.contains(50), "the HTTPRoute's weights moved: \(weights)")
            let journal = try await world.status("podinfo", namespace: "test")["journal"]?.arrayValue ?? []
            let rate = journal.flatMap { $0["metrics"]?.arrayValue ?? [] }.last { $0["name"] == "request-success-rate" }
            #expect(rate?["passed"] == true && rate?["query"]?.stringValue?.contains("http_request_duration_seconds_count") == true, "\(String(describing: rate))")

            try await world.kubectl.succeed(["patch", "deploy", "podinfo", "-n", "test", "-p",
                #"{"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/error-ratio":"0.5"}}}}}"#])
            #expect(try await world.waitForPhase("Failed", name: "podinfo", namespace: "test"))
            let after = try await world.json(["get", "httproute", "podinfo", "-n", "test"])
            #expect(after[path: "spec", "rules"]?[0]?["backendRefs"]?[1]?["weight"] == 0, "traffic back on the primary")
        }
    }
}
