import Foundation
import KubeCore
import SerinTesting
import Testing

/// Blue/green and A/B testing end to end: the real operator on the sandbox, driven with kubectl.
@Suite(.serialized) struct StrategyScenarioTests {
    static func manifests(_ name: String, analysis: String) -> String {
        Manifests.plain(name, interval: "1s").replacingOccurrences(
            of: "analysis: {interval: 1s, threshold: 2, maxWeight: 50, stepWeight: 10}",
            with: "analysis: \(analysis)")
    }

    /// The weights of each HTTP route of the VirtualService, in order (`[[primary, canary]]`).
    static func routeWeights(_ world: Scenario, _ name: String) async throws -> [[Int]] {
        let service = try await world.json(["get", "virtualservice", name, "-n", "demo"])
        return (service[path: "spec", "http"]?.arrayValue ?? []).map { route in
            (route["route"]?.arrayValue ?? []).map { $0["weight"]?.intValue ?? 0 }
        }
    }

    @Test func aBlueGreenReleaseIteratesOnThePrimarySwitchesAtOnceAndPromotes() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n"
                    + Self.manifests("bluegreen", analysis: "{interval: 1s, threshold: 2, iterations: 3}"))
            #expect(try await world.waitForPhase("Initialized", name: "bluegreen"))
            try await world.kubectl.succeed(["set", "image", "deploy/bluegreen", "-n", "demo", "bluegreen=kennethreitz/httpbin:v2"])
            var seen: [[[Int]]] = []
            let succeeded = try await eventually(timeout: .seconds(60)) {
                let weights = try await Self.routeWeights(world, "bluegreen")
                if seen.last != weights { seen.append(weights) }
                return try await world.status("bluegreen")["phase"] == "Succeeded"
            }
            #expect(succeeded)
            #expect(seen.contains([[0, 100]]), "all traffic on the canary before promotion: \(seen)")
            #expect(!seen.contains { $0.first.map { $0[1] > 0 && $0[1] < 100 } ?? false }, "never a split: \(seen)")
            let events = try await world.events("bluegreen")
            for text in [
                "Advance bluegreen.demo canary iteration 1/3", "Advance bluegreen.demo canary iteration 3/3", "Routing all traffic to canary",
                "Routing all traffic to primary", "Promotion completed! Scaling down bluegreen.demo",
            ] {
                #expect(events.contains(text), "\(text) missing from \(events)")
            }
            let image = try await world.kubectl.succeed([
                "get", "deploy", "bluegreen-primary", "-n", "demo", "-o", "jsonpath={.spec.template.spec.containers[0].image}",
            ])
            #expect(image == "kennethreitz/httpbin:v2")
        }
    }

    @Test func anABTestSendsOnlyMatchingRequestsToTheCanaryThenPromotes() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n"
                    + Self.manifests(
                        "abtest", analysis: "{interval: 1s, threshold: 2, iterations: 3, match: [{headers: {x-canary: {exact: insider}}}]}"))
            #expect(try await world.waitForPhase("Initialized", name: "abtest"))
            let routes = try await world.json(["get", "virtualservice", "abtest", "-n", "demo"])[path: "spec", "http"]
            #expect(routes?[0]?["match"] == [["headers": ["x-canary": ["exact": "insider"]]]])
            #expect(routes?[1]?["match"] == nil && routes?[1]?["route"]?.arrayValue?.count == 1, "a default route to the primary")
            try await world.kubectl.succeed(["set", "image", "deploy/abtest", "-n", "demo", "abtest=kennethreitz/httpbin:v2"])
            #expect(
                try await eventually(timeout: .seconds(30)) { try await Self.routeWeights(world, "abtest") == [[0, 100], [100]] },
                "matching requests on the canary, the rest on the primary")
            #expect(try await world.waitForPhase("Succeeded", name: "abtest", timeout: .seconds(60)))
            #expect(try await Self.routeWeights(world, "abtest") == [[100, 0], [100]])
            #expect(try await world.events("abtest").contains("Advance abtest.demo canary iteration 3/3"))
        }
    }

    @Test func aCanaryWithMirroringMirrorsOneStepBeforeShiftingWeights() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: demo}\n---\n"
                    + Self.manifests(
                        "mirrored", analysis: "{interval: 1s, threshold: 2, maxWeight: 30, stepWeight: 10, mirror: true, mirrorWeight: 50}"))
            #expect(try await world.waitForPhase("Initialized", name: "mirrored"))
            try await world.kubectl.succeed(["set", "image", "deploy/mirrored", "-n", "demo", "mirrored=kennethreitz/httpbin:v2"])
            var shapes: [String] = []
            let succeeded = try await eventually(timeout: .seconds(60)) {
                let first = try await world.json(["get", "virtualservice", "mirrored", "-n", "demo"])[path: "spec", "http"]?[0]
                let weights = (first?["route"]?.arrayValue ?? []).map { $0["weight"]?.intValue ?? 0 }
                let shape = "\(weights)" + (first?["mirror"] == nil ? "" : " mirror \(first?[path: "mirrorPercentage", "value"]?.intValue ?? 100)%")
                if shapes.last != shape { shapes.append(shape) }
                return try await world.status("mirrored")["phase"] == "Succeeded"
            }
            #expect(succeeded)
            #expect(shapes.contains("[100, 0] mirror 50%"), "a mirror step: \(shapes)")
            #expect(!shapes.contains { $0.contains("mirror") && !$0.hasPrefix("[100, 0]") }, "no mirror once weights move: \(shapes)")
            let events = try await world.events("mirrored")
            let zero = events.firstIndex(of: "Advance mirrored.demo canary weight 0"),
                ten = events.firstIndex(of: "Advance mirrored.demo canary weight 10")
            #expect(zero != nil && ten != nil && zero! < ten!, "\(events)")
        }
    }

    /// Flagger's user example turned into a dark launch: only requests with `X-Canary: insider` reach the
    /// canary, and the load test sends them (real `hey` through the sandbox's proxy).
    static func darkLaunch(_ prometheus: String) -> String {
        Manifests.example(
            prometheus: prometheus, threshold: 2,
            webhooks: """
                - name: insiders
                  url: http://flagger-loadtester.test/
                  timeout: 5s
                  metadata:
                    cmd: "hey -z 1m -q 10 -c 2 -H 'X-Canary: insider' http://httpbin.demo:8000/headers"
                """
        )
        .replacingOccurrences(
            of: "    maxWeight: 100\n    stepWeight: 20\n",
            with: "    iterations: 8\n    match: [{headers: {x-canary: {exact: insider}}}]\n")
    }

    @Test func aBadReleaseUnderABTestingIsCaughtThroughTheMatchingTrafficAloneAndRolledBack() async throws {
        try await Scenario.run(Scenario.Setup(loadTester: true)) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.darkLaunch(world.prometheus.url))
            #expect(try await world.waitForPhase("Initialized"))
            try await world.kubectl.succeed([
                "patch", "deploy", "httpbin", "-n", "demo", "-p",
                #"{"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/error-ratio":"0.5"}}}}}"#,
            ])
            #expect(try await world.waitForPhase("Failed", timeout: .seconds(90)))
            let events = try await world.events()
            #expect(events.contains { $0.hasPrefix("Halt httpbin.demo advancement success rate") }, "\(events)")
            #expect(events.contains("Rolling back httpbin.demo failed checks threshold reached 2"))
            #expect(
                events.contains("Advance httpbin.demo canary iteration 1/8") && !events.contains { $0.contains("canary weight") },
                "an A/B test, not weights: \(events)")
            #expect(try await Self.routeWeights(world, "httpbin") == [[100, 0], [100]], "back on the primary, the match route kept")
            let insiders = #"sum(istio_requests_total{destination_workload="httpbin",destination_workload_namespace="demo"})"#
            #expect(try await world.prometheus.value(of: insiders) ?? 0 > 0, "the canary was reached by the insiders' requests")
            let others =
                #"sum(istio_requests_total{destination_workload="httpbin-primary",destination_workload_namespace="demo",response_code=~"5.*"})"#
            #expect((try await world.prometheus.value(of: others) ?? 0) == 0, "everyone else kept getting the healthy primary")
            let image = try await world.kubectl.succeed([
                "get", "deploy", "httpbin-primary", "-n", "demo", "-o",
                "jsonpath={.spec.template.metadata.annotations.sandbox\\.serin\\.dev/error-ratio}",
            ])
            #expect(image.isEmpty, "the primary is untouched")
        }
    }
}
