import Foundation
import KubeCore
import SerinTesting
import Testing

/// Whole rollouts: the real operator + the sandbox + a real Prometheus, driven with real kubectl.
@Suite(.serialized) struct CanaryScenarioTests {
    @Test func theUsersExampleInitializesThenPromotesANewImageStepByStep() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Manifests.example(prometheus: world.prometheus.url))
            #expect(try await world.waitForPhase("Initialized"))

            let primary = try await world.json(["get", "deploy", "httpbin-primary", "-n", "demo"])
            #expect(primary[path: "metadata", "ownerReferences"]?[0]?["kind"] == "Canary")
            #expect(primary[path: "spec", "selector", "matchLabels", "app"] == "httpbin-primary")
            #expect(try await world.json(["get", "deploy", "httpbin", "-n", "demo"])[path: "spec", "replicas"] == 0)
            for name in ["httpbin", "httpbin-primary", "httpbin-canary"] {
                let service = try await world.json(["get", "svc", name, "-n", "demo"])
                #expect(service[path: "spec", "ports"]?[0]?["port"] == 8000 && service[path: "spec", "ports"]?[0]?["targetPort"] == 80)
                #expect(service[path: "spec", "selector", "app"] == (name == "httpbin-canary" ? "httpbin" : "httpbin-primary"))
            }
            for name in ["httpbin-primary", "httpbin-canary"] {
                #expect(try await world.json(["get", "destinationrule", name, "-n", "demo"])[path: "spec", "host"] == .string(name))
            }
            let virtualService = try await world.json(["get", "virtualservice", "httpbin", "-n", "demo"])
            #expect(virtualService[path: "spec", "gateways"] == ["public-gateway.istio-system.svc.cluster.local"])
            #expect(virtualService[path: "spec", "hosts"] == ["httpbin"])
            #expect(virtualService[path: "spec", "http"]?[0]?["route"]?[0]?["weight"] == 100)
            let hpa = try await world.json(["get", "hpa", "httpbin-primary", "-n", "demo"])
            #expect(hpa[path: "spec", "scaleTargetRef", "name"] == "httpbin-primary")

            try await world.kubectl.succeed(["set", "image", "deploy/httpbin", "-n", "demo", "httpbin=kennethreitz/httpbin:v2"])
            var weights: [Int] = []
            #expect(try await world.waitForPhase("Succeeded", weights: &weights))
            #expect(weights.contains(20) && weights.contains(40) && weights.contains(60) && weights.contains(80), "weights seen: \(weights)")
            #expect(weights.filter { $0 > 0 } == weights.filter { $0 > 0 }.sorted(), "never backwards: \(weights)")
            let promoted = try await world.json(["get", "deploy", "httpbin-primary", "-n", "demo"])
            #expect(promoted[path: "spec", "template", "spec", "containers"]?[0]?["image"] == "kennethreitz/httpbin:v2")
            #expect(try await world.json(["get", "deploy", "httpbin", "-n", "demo"])[path: "spec", "replicas"] == 0)
            let routes = try await world.json(["get", "virtualservice", "httpbin", "-n", "demo"])[path: "spec", "http"]?[0]?["route"]
            #expect(routes?[0]?["weight"] == 100 && routes?[1]?["weight"] == 0)
            let events = try await world.events()
            #expect(events.contains("Promotion completed! Scaling down httpbin.demo"))
        }
    }

    /// The stories of ``RolloutStories`` on the live backend; `CanaryControllerTests/VirtualRolloutTests`
    /// tells the same two on virtual time.
    @Test func theGoodReleaseStory() async throws {
        try await Scenario.run { world in try await RolloutStories.aGoodReleaseIsPromotedStepByStep(on: world) }
    }

    @Test func theFailingReleaseStory() async throws {
        try await Scenario.run { world in
            try await RolloutStories.aFailingReleaseRollsBackAtTheThresholdAndThePrimaryKeepsItsVersion(on: world)
        }
    }

    @Test func aLatencyRegressionCaughtByTheMetricTemplateRollsBack() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Manifests.example(prometheus: world.prometheus.url))
            #expect(try await world.waitForPhase("Initialized"))
            try await world.kubectl.succeed([
                "patch", "deploy", "httpbin", "-n", "demo", "-p",
                #"{"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/latency-ms":"900","sandbox.serin.dev/latency-p99-ms":"2000"}}}}}"#,
            ])
            #expect(try await world.waitForPhase("Failed"))
            #expect(try await world.events().contains { $0.hasPrefix("Halt httpbin.demo advancement latency ") && $0.hasSuffix("> 500") })
        }
    }
}
