import CanaryAPI
import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// A 9-step `analysis.steps` script on Istio with a real Prometheus and real requests through the sandbox's
/// proxy: a scale-only step, a weight, a header route the insiders' requests follow, a timed pause with a
/// step-local load test, a mirror route, a manual pause released by `kubectl serin promote`, both routes removed,
/// a last weight.
@Suite(.serialized) struct StepRoutesScenarioTests {
    static let analysis = """
            interval: 2s
            threshold: 3
            steps:
            - setCanaryScale: {replicas: 1}
            - setWeight: 20
            - setHeaderRoute:
                name: insiders
                match: [{headerName: X-Canary, headerValue: {exact: insider}}]
            - pause: {duration: 4s}
              analysis:
                webhooks:
                - name: insiders-load-test
                  url: http://flagger-loadtester.test/
                  timeout: 5s
                  metadata: {cmd: "hey -z 2s -q 10 -c 1 -H 'X-Canary: insider' http://podinfo.test/"}
            - setMirrorRoute:
                name: copy
                match: [{method: {exact: GET}}]
            - pause: {}
            - setHeaderRoute: {name: insiders}
            - setMirrorRoute: {name: copy}
            - setWeight: 60
            metrics:
            - {name: request-success-rate, thresholdRange: {min: 99}, interval: 10s}
        """

    /// The names of the routes ahead of the weighted one on the VirtualService.
    static func leadingRoutes(_ world: Scenario) async throws -> [String] {
        let http = try await world.json(["get", "virtualservice", "podinfo", "-n", "test"])[path: "spec", "http"]?.arrayValue ?? []
        return http.prefix { $0["name"] != nil }.compactMap { $0["name"]?.stringValue }
    }

    /// Who answered each of `count` requests through the proxy.
    static func answers(_ world: Scenario, count: Int, insider: Bool) async throws -> [String] {
        var workloads: [String] = []
        for _ in 0..<count {
            workloads.append(try await world.visit("http://podinfo.test/", headers: insider ? [("X-Canary", "insider")] : []).workload)
        }
        return workloads
    }

    @Test func aNineStepScriptRoutesTheInsidersToTheCanaryUntilItsRouteIsRemoved() async throws {
        var setup = StepsScenarioTests.setup()
        setup.loadTester = true
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"], stdin: Podinfo.workload + "\n---\n" + Podinfo.canary(provider: "istio", analysis: Self.analysis))
            let initialized = try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test")
            if !initialized { Issue.record("not initialized: \(try await world.status("podinfo", namespace: "test"))") }
            try await world.releasePodinfo()
            // The journal keeps the last 10 checks: read it as soon as the timed pause is over.
            let mirrored = try await eventually(timeout: .seconds(60)) { try await StepsScenarioTests.step(world) ?? 0 >= 4 }
            #expect(mirrored, "past the timed pause")
            let journal = try await world.status("podinfo", namespace: "test")["journal"]?.arrayValue ?? []
            let loadTests = journal.filter { entry in
                (entry["webhooks"]?.arrayValue ?? []).contains { $0["name"] == "insiders-load-test" && $0["passed"] == true }
            }
            #expect(!loadTests.isEmpty, "the timed pause's own load test ran: \(journal)")
            #expect(loadTests.count <= 3, "and only during that step: \(loadTests.count) checks")
            let manual = try await eventually(timeout: .seconds(60)) { try await StepsScenarioTests.step(world) == 5 }
            if !manual { Issue.record("not at the manual pause: \(try await world.status("podinfo", namespace: "test"))") }
            #expect(try await Self.leadingRoutes(world) == ["insiders", "copy"])

            let insiders = try await Self.answers(world, count: 10, insider: true)
            #expect(Set(insiders) == ["podinfo"], "every insider's request reaches the canary: \(insiders)")
            let others = try await Self.answers(world, count: 30, insider: false)
            #expect(others.contains("podinfo-primary") && Set(others).isSubset(of: ["podinfo", "podinfo-primary"]), "\(others)")

            try await UndoScenarioTests.request(world, .promote)
            let removed = try await eventually(timeout: .seconds(30)) { try await StepsScenarioTests.step(world) ?? 0 >= 7 }
            #expect(removed)
            let after = try await Self.answers(world, count: 10, insider: true)
            #expect(after.contains("podinfo-primary"), "without its route, an insider is one of the 80% on the primary: \(after)")
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test", timeout: .seconds(60)))
            #expect(try await Self.leadingRoutes(world) == [], "no route of the script outlives the analysis")

            let events = try await world.events("podinfo", namespace: "test")
            for event in [
                "Scale podinfo.test canary to 1 replicas (replicas 1): step 1 of 9",
                "Route podinfo.test requests with header route insiders (x-canary = insider) to the canary: step 3 of 9",
                "Mirror podinfo.test requests to the canary by mirror route copy 100% (method = GET): step 5 of 9",
                "Pause of podinfo.test released by alice: step 6 of 9", "Remove header route insiders of podinfo.test: step 7 of 9",
                "Remove mirror route copy of podinfo.test: step 8 of 9",
            ] {
                #expect(events.contains(event), "\(event) in \(events)")
            }
            let weights = await StepsScenarioTests.weights(world)
            #expect(weights == [0, 20, 60, 0], "the script's weights, each written once: \(weights)")
            let last = try await world.status("podinfo", namespace: "test")["journal"]?.arrayValue ?? []
            let sixty = last.first { ($0["decision"]?.arrayValue ?? []).contains("Advance podinfo.test canary weight 60") }
            #expect(sixty != nil && sixty?["webhooks"]?.arrayValue?.contains { $0["name"] == "insiders-load-test" } != true, "\(last)")
        }
    }

    /// The same header route on the Gateway API: a rule ahead of the weighted one, through the Gateway.
    @Test func aHeaderRouteOnTheGatewayAPISendsTheInsidersToTheCanary() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "gatewayapi:v1"
        let analysis = """
                interval: 2s
                threshold: 3
                steps:
                - setWeight: 20
                - setHeaderRoute:
                    name: insiders
                    match: [{headerName: X-Canary, headerValue: {exact: insider}}]
                - pause: {}
                metrics:
                - {name: request-success-rate, thresholdRange: {min: 99}, interval: 10s}
            """
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: GatewayAPIScenarioTests.manifests(analysis: analysis))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            try await world.releasePodinfo()
            let paused = try await eventually(timeout: .seconds(60)) { try await StepsScenarioTests.step(world) == 2 }
            if !paused { Issue.record("not at the pause: \(try await world.status("podinfo", namespace: "test"))") }
            let rules = try await world.json(["get", "httproute", "podinfo", "-n", "test"])[path: "spec", "rules"]?.arrayValue ?? []
            #expect(rules.count == 2 && rules[0]["backendRefs"]?.arrayValue?.map { $0["name"] } == ["podinfo-canary"], "\(rules)")
            var insiders: [String] = [], others: [String] = []
            for _ in 0..<10 {
                insiders.append(try await world.visit("http://www.example.com/", headers: [("X-Canary", "insider")]).workload)
                others.append(try await world.visit("http://www.example.com/").workload)
                others.append(try await world.visit("http://www.example.com/").workload)
            }
            #expect(Set(insiders) == ["podinfo"], "every insider's request reaches the canary: \(insiders)")
            #expect(others.contains("podinfo-primary"), "\(others)")
            try await UndoScenarioTests.request(world, .promote)
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test", timeout: .seconds(60)))
            let after = try await world.json(["get", "httproute", "podinfo", "-n", "test"])[path: "spec", "rules"]?.arrayValue ?? []
            #expect(after.count == 1, "no rule of the script outlives the analysis: \(after)")
        }
    }
}
