import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Linkerd on the sandbox, both ways Flagger drives it: `provider: linkerd` with an SMI TrafficSplit and the
/// built-in queries over the proxies' `response_total`, and Flagger's current Linkerd tutorial, an HTTPRoute
/// attached to the Service (`gatewayapi:v1beta1`, Gateway API's mesh mode) judged by its MetricTemplates.
@Suite(.serialized) struct LinkerdScenarioTests {
    static func trafficSplitManifests(provider: String = "linkerd") -> String {
        """
        \(Podinfo.workload)
        ---
        \(Podinfo.canary(provider: provider, service: "{name: podinfo, port: 80, targetPort: 9898}"))
        """
    }

    /// The backends' weights, read through `version` (integers, or v1alpha1's quantity strings).
    static func weights(_ world: Scenario, version: String = "v1alpha1") async throws -> [String: Int] {
        let split = try await world.json(["get", "trafficsplits.\(version).split.smi-spec.io", "podinfo", "-n", "test"])
        var weights: [String: Int] = [:]
        for backend in split[path: "spec", "backends"]?.arrayValue ?? [] {
            weights[backend["service"]?.stringValue ?? ""] = backend["weight"]?.intValue ?? backend["weight"]?.stringValue.flatMap { Int($0) }
        }
        return weights
    }

    @Test func aGoodReleaseMovesTheTrafficSplitAndABadOneRollsBackOnTheProxiesMetrics() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "linkerd"
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.trafficSplitManifests())
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            #expect(try await Self.weights(world) == ["podinfo-primary": 100, "podinfo-canary": 0])
            let split = try await world.json(["get", "trafficsplits.v1alpha1.split.smi-spec.io", "podinfo", "-n", "test"])
            #expect(split[path: "spec", "service"] == "podinfo")
            #expect(split[path: "spec", "backends"]?[1]?["weight"] == "100", "Flagger's v1alpha1 quantity, as Go marshals it: \(split)")

            try await world.promotesThenRollsBack(metric: "request-duration", query: "response_latency_ms_bucket")
            #expect(try await Self.weights(world) == ["podinfo-primary": 100, "podinfo-canary": 0], "traffic back on the primary")
        }
    }

    @Test func openServiceMeshSplitsTheSameWayAndIsJudgedByItsOwnSeries() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "osm"
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.trafficSplitManifests(provider: "osm"))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            try await world.promotesThenRollsBack(
                metric: "request-success-rate", query: #"osm_request_total{destination_namespace="test",destination_kind="Deployment""#)
            #expect(
                try await Self.weights(world, version: "v1alpha2") == ["podinfo-primary": 100, "podinfo-canary": 0], "traffic back on the primary")
        }
    }

    @Test func smiV1alpha3SplitsByItsOwnVersionAndIsJudgedByFlaggersDefaultIstioQueries() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "smi:v1alpha3"
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.trafficSplitManifests(provider: "smi:v1alpha3"))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            let split = try await world.json(["get", "trafficsplits.v1alpha3.split.smi-spec.io", "podinfo", "-n", "test"])
            #expect(split[path: "spec", "backends"]?[1]?["weight"] == 100, "an integer weight: \(split)")
            try await world.promotesThenRollsBack(metric: "request-success-rate", query: #"istio_requests_total{reporter="destination""#)
            #expect(
                try await Self.weights(world, version: "v1alpha3") == ["podinfo-primary": 100, "podinfo-canary": 0], "traffic back on the primary")
        }
    }

    /// Flagger's Linkerd tutorial: its MetricTemplates, and the HTTPRoute attached to the apex Service.
    static let tutorial = """
        \(Podinfo.workload)
        ---
        apiVersion: flagger.app/v1beta1
        kind: MetricTemplate
        metadata: {name: success-rate, namespace: test}
        spec:
          provider: {type: prometheus, address: PROMETHEUS}
          query: |
            sum(rate(response_total{namespace="{{ namespace }}",deployment=~"{{ target }}",classification!="failure",direction="{{ variables.direction }}"}[{{ interval }}]))
            /
            sum(rate(response_total{namespace="{{ namespace }}",deployment=~"{{ target }}",direction="{{ variables.direction }}"}[{{ interval }}]))
            * 100
        ---
        apiVersion: flagger.app/v1beta1
        kind: MetricTemplate
        metadata: {name: latency, namespace: test}
        spec:
          provider: {type: prometheus, address: PROMETHEUS}
          query: |
            histogram_quantile(0.99, sum(rate(response_latency_ms_bucket{namespace="{{ namespace }}",deployment=~"{{ target }}",direction="{{ variables.direction }}"}[{{ interval }}])) by (le))
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test}
        spec:
          provider: gatewayapi:v1beta1
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
          service:
            port: 9898
            targetPort: 9898
            gatewayRefs: [{name: podinfo, namespace: test, group: core, kind: Service, port: 9898}]
          analysis:
            interval: 3s
            threshold: 3
            maxWeight: 50
            stepWeight: 10
            metrics:
            - {name: success-rate, templateRef: {name: success-rate, namespace: test}, thresholdRange: {min: 99}, interval: 10s, templateVariables: {direction: inbound}}
            - {name: latency, templateRef: {name: latency, namespace: test}, thresholdRange: {max: 500}, interval: 10s, templateVariables: {direction: inbound}}
        """

    @Test func flaggersLinkerdTutorialShiftsTheServicesHTTPRouteAndPromotes() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "gatewayapi:v1beta1"
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"], stdin: Self.tutorial.replacingOccurrences(of: "PROMETHEUS", with: world.prometheus.url))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            let route = try await world.json(["get", "httproutes.v1beta1.gateway.networking.k8s.io", "podinfo", "-n", "test"])
            #expect(route[path: "spec", "parentRefs"]?[0]?["kind"] == "Service" && route[path: "spec", "hostnames"] == nil, "\(route)")
            #expect(try await world.visit("http://podinfo.test:9898/").workload == "podinfo-primary", "the mesh routes the Service by its HTTPRoute")

            try await world.releasePodinfo()
            var weights: [Int] = []
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test", weights: &weights), "weights: \(weights)")
            #expect(weights.contains(10) && weights.contains(50), "\(weights)")
            let journal = try expandedJournal(try await world.status("podinfo", namespace: "test")["journal"])
            let rate = journal.flatMap { $0["metrics"]?.arrayValue ?? [] }.last { $0["name"] == "success-rate" }
            #expect(rate?["passed"] == true && rate?["query"]?.stringValue?.contains(#"direction="inbound""#) == true, "\(String(describing: rate))")
        }
    }
}
