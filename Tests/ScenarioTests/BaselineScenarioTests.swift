import Foundation
import KubeCore
import NIOHTTP1
import OutboundHTTP
import SerinTesting
import Testing

/// `analysis.baseline` on the sandbox: the baseline workload and its Service exist only during the analysis,
/// run the primary's version, take the canary's weight in the routing object, and survive an operator restart
/// without being made twice.
@Suite(.serialized) struct BaselineScenarioTests {
    /// The tutorial's analysis with a baseline: 10 % steps up to 50 %, each with a baseline at the same weight.
    static let analysis = """
            interval: 3s
            threshold: 3
            maxWeight: 50
            stepWeight: 10
            baseline: {enabled: true}
            metrics:
            - {name: request-success-rate, thresholdRange: {min: 99}, interval: 10s}
        """

    @Test func istioRunsTheBaselineOnlyDuringEachAnalysisAtTheCanarysWeight() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"], stdin: Podinfo.workload + "\n---\n" + Podinfo.canary(provider: "istio", analysis: Self.analysis))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            #expect(try await Self.baseline(world) == nil, "no baseline before an analysis")

            try await world.releasePodinfo()
            let started = try await world.splitsThreeWays { try await Self.virtualServiceWeights(world) }
            #expect(started, "the VirtualService gives the baseline the canary's weight")
            let baseline = try #require(try await Self.baseline(world))
            #expect(baseline[path: "metadata", "ownerReferences"]?[0]?["kind"] == "Canary")
            #expect(baseline[path: "spec", "selector", "matchLabels", "app"] == "podinfo-baseline")
            #expect(baseline[path: "spec", "replicas"] == 2, "the canary's size")
            let image = baseline[path: "spec", "template", "spec", "containers"]?[0]?["image"]
            #expect(image == "ghcr.io/stefanprodan/podinfo:6.0.0", "the primary's (old) version")
            let service = try await world.json(["get", "svc", "podinfo-baseline", "-n", "test"])
            #expect(service[path: "spec", "selector"] == ["app": "podinfo-baseline"] && service[path: "spec", "ports"]?[0]?["port"] == 80)
            #expect(try await Self.answered(world, by: "podinfo-baseline"), "Prometheus sees the baseline's requests")

            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test"))
            #expect(try await Self.isGone(world), "deleted at promotion")

            try await world.kubectl.succeed([
                "patch", "deploy", "podinfo", "-n", "test", "-p",
                #"{"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/error-ratio":"0.5"}}}}}"#,
            ])
            #expect(try await eventually(timeout: .seconds(30)) { try await Self.baseline(world) != nil }, "a new analysis, a new baseline")
            let second = try #require(try await Self.baseline(world))
            #expect(second[path: "spec", "template", "spec", "containers"]?[0]?["image"] == "ghcr.io/stefanprodan/podinfo:6.0.1")
            #expect(second[path: "spec", "template", "metadata", "annotations", "sandbox.serin.dev/error-ratio"] == nil, "not the canary's errors")
            #expect(try await world.waitForPhase("Failed", name: "podinfo", namespace: "test"))
            #expect(try await Self.isGone(world), "deleted at rollback")

            try await world.kubectl.succeed(["set", "image", "deploy/podinfo", "-n", "test", "podinfod=ghcr.io/stefanprodan/podinfo:6.0.2"])
            try await world.kubectl.succeed([
                "patch", "deploy", "podinfo", "-n", "test", "--type", "json", "-p",
                #"[{"op":"remove","path":"/spec/template/metadata/annotations/sandbox.serin.dev~1error-ratio"}]"#,
            ])
            #expect(try await eventually(timeout: .seconds(30)) { try await Self.baseline(world) != nil })
            try await world.kubectl.succeed(["delete", "canary", "podinfo", "-n", "test"])
            #expect(try await Self.isGone(world), "collected with the Canary")
        }
    }

    @Test func aRestartedOperatorFindsTheBaselineAgain() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"], stdin: Podinfo.workload + "\n---\n" + Podinfo.canary(provider: "istio", analysis: Self.analysis))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            try await world.releasePodinfo()
            #expect(try await world.splitsThreeWays { try await Self.virtualServiceWeights(world) })
            let uid = try #require(try await Self.baseline(world))[path: "metadata", "uid"]
            let weight = try await world.status("podinfo", namespace: "test")["canaryWeight"]?.intValue ?? 0
            world.killOperator()
            world.restartOperator()
            let advanced = try await eventually(timeout: .seconds(30)) {
                try await world.status("podinfo", namespace: "test")["canaryWeight"]?.intValue ?? 0 > weight
            }
            #expect(advanced, "the new operator goes on with the analysis")
            #expect(try await Self.baseline(world)?[path: "metadata", "uid"] == uid, "the same baseline, not a second one")
            #expect(try await world.splitsThreeWays { try await Self.virtualServiceWeights(world) })
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test"))
            #expect(try await Self.isGone(world))
        }
    }

    @Test func gatewayAPIRunsTheBaselineOnlyDuringTheAnalysis() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "gatewayapi:v1"
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: GatewayAPIScenarioTests.manifests(analysis: Self.analysis))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            #expect(try await Self.baseline(world) == nil)
            try await world.releasePodinfo()
            #expect(
                try await world.splitsThreeWays { try await Self.httpRouteWeights(world) }, "the HTTPRoute gives the baseline the canary's weight")
            #expect(try await world.json(["get", "svc", "podinfo-baseline", "-n", "test"])[path: "spec", "selector", "app"] == "podinfo-baseline")
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test"))
            #expect(try await Self.isGone(world))
            #expect(try await Self.httpRouteWeights(world) == ["podinfo-primary": 100, "podinfo-canary": 0])
        }
    }

    /// The `podinfo-baseline` Deployment, `nil` when there is none.
    static func baseline(_ world: Scenario) async throws -> JSONValue? {
        let list = try await world.json(["get", "deploy", "-n", "test"])
        return (list["items"]?.arrayValue ?? []).first { $0[path: "metadata", "name"] == "podinfo-baseline" }
    }

    /// Whether the Deployment and Service `name` (the baseline's) are both gone (waiting for it).
    static func isGone(_ world: Scenario, name: String = "podinfo-baseline") async throws -> Bool {
        try await eventually(timeout: .seconds(20)) {
            let services = try await world.json(["get", "svc", "-n", "test"])["items"]?.arrayValue ?? []
            let deployments = try await world.json(["get", "deploy", "-n", "test"])["items"]?.arrayValue ?? []
            return !(services + deployments).contains { $0[path: "metadata", "name"]?.stringValue == name }
        }
    }

    /// The weights of the VirtualService's first route, by destination host.
    static func virtualServiceWeights(_ world: Scenario) async throws -> [String: Int] {
        let route = try await world.json(["get", "virtualservice", "podinfo", "-n", "test"])[path: "spec", "http"]?[0]?["route"]?.arrayValue ?? []
        return Dictionary(route.map { ($0[path: "destination", "host"]?.stringValue ?? "", $0["weight"]?.intValue ?? 0) }) { first, _ in first }
    }

    /// The weights of the HTTPRoute's first rule, by backend.
    static func httpRouteWeights(_ world: Scenario) async throws -> [String: Int] {
        let backends =
            try await world.json(["get", "httproute", "podinfo", "-n", "test"])[path: "spec", "rules"]?[0]?["backendRefs"]?.arrayValue ?? []
        return Dictionary(backends.map { ($0["name"]?.stringValue ?? "", $0["weight"]?.intValue ?? 0) }) { first, _ in first }
    }

    /// Whether Prometheus has requests answered by `workload` (waiting for a scrape).
    static func answered(_ world: Scenario, by workload: String) async throws -> Bool {
        let query = "sum(istio_requests_total{destination_workload=\"\(workload)\"})"
        let url = "\(world.prometheus.url)/api/v1/query?query=\(query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
        return try await eventually(timeout: .seconds(30)) {
            let response = try await OutboundHTTP(proxies: ProxySettings()).send(.GET, url, timeout: .seconds(10))
            let result = try JSONValue(parsing: response.text)[path: "data", "result"]?.arrayValue ?? []
            return !result.isEmpty
        }
    }
}

extension Scenario {
    /// Waits until `weights` (by destination) give the baseline the canary's weight, above 0, and the primary
    /// the rest.
    func splitsThreeWays(_ weights: () async throws -> [String: Int]) async throws -> Bool {
        try await eventually(timeout: .seconds(60)) {
            let live = try await weights()
            guard let canary = live["podinfo-canary"], canary > 0 else { return false }
            return live["podinfo-baseline"] == canary && live["podinfo-primary"] == 100 - 2 * canary
        }
    }
}
