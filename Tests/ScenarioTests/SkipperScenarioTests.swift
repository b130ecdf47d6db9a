import Foundation
import KubeCore
import SerinTesting
import Testing

/// Flagger's Skipper tutorial on the sandbox: `provider: skipper`, the user's Ingress of class `skipper` for
/// `app.example.com`, the weighted copy Serin writes, and the built-in metrics from Skipper's route series in
/// a real Prometheus.
@Suite struct SkipperScenarioTests {
    static let manifests = """
        \(Podinfo.workload)
        ---
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: podinfo
          namespace: test
          labels: {app: podinfo}
          annotations: {kubernetes.io/ingress.class: skipper}
        spec:
          rules:
          - host: app.example.com
            http:
              paths:
              - {path: /, pathType: Prefix, backend: {service: {name: podinfo, port: {number: 80}}}}
        ---
        \(Podinfo.canary(provider: "skipper", references: "ingressRef: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: podinfo}"))
        """

    static func annotations(_ world: Scenario) async throws -> JSONValue {
        try await world.json(["get", "ingress", "podinfo-canary", "-n", "test"])[path: "metadata", "annotations"] ?? [:]
    }

    @Test func aGoodReleaseWeighsTheCopysBackendsAndABadOneRollsBackOnSkippersRouteMetrics() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "skipper"
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests)
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            let copy = try await world.json(["get", "ingress", "podinfo-canary", "-n", "test"])
            let backends = (copy[path: "spec", "rules"]?[0]?[path: "http", "paths"]?.arrayValue ?? []).map {
                $0[path: "backend", "service", "name"]?.stringValue ?? ""
            }
            #expect(backends == ["podinfo-primary", "podinfo-canary"], "\(copy)")
            #expect(copy[path: "metadata", "annotations", "zalando.org/backend-weights"] == #"{"podinfo-canary":0,"podinfo-primary":100}"#)
            #expect(copy[path: "metadata", "annotations", "zalando.org/skipper-predicate"] == "False()", "no canary traffic: the copy is off")
            #expect(try await world.visit("http://app.example.com/").workload == "podinfo-primary", "the user's Ingress serves the primary")

            try await world.promotesThenRollsBack(
                metric: "request-success-rate", query: #"skipper_response_duration_seconds_bucket{route=~"kube(ew)?_test__podinfo_canary__"#)
            let annotations = try await Self.annotations(world)
            #expect(annotations["zalando.org/backend-weights"] == #"{"podinfo-canary":0,"podinfo-primary":100}"#, "traffic back on the primary")
            #expect(annotations["zalando.org/skipper-predicate"] == "False()")
            let events = try await world.events("podinfo", namespace: "test")
            #expect(events.contains { $0.hasPrefix("Halt podinfo.test advancement success rate") }, "\(events)")
            let user = try await world.json(["get", "ingress", "podinfo", "-n", "test"])
            #expect(
                user[path: "spec", "rules"]?[0]?[path: "http", "paths"]?[0]?[path: "backend", "service", "name"] == "podinfo"
                    && user[path: "metadata", "annotations", "zalando.org/backend-weights"] == nil, "the user's Ingress is untouched: \(user)")
        }
    }
}
