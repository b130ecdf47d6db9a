import Foundation
import KubeCore
import KubeSandbox
import NIOHTTP1
import OutboundHTTP
import SerinTesting
import Testing

@Suite(.serialized) struct OperatorScenarioTests {
    @Test func anOperatorKilledMidRolloutContinuesFromStatusWithoutRepeatingOrSkippingAStep() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Manifests.example(prometheus: world.prometheus.url, threshold: 5))
            #expect(try await world.waitForPhase("Initialized"))
            try await world.kubectl.succeed(["set", "image", "deploy/httpbin", "-n", "demo", "httpbin=kennethreitz/httpbin:v2"])
            var weights: [Int] = []
            let deadline = ContinuousClock.now + .seconds(60)
            while (weights.last ?? 0) < 40, ContinuousClock.now < deadline {
                _ = try await world.waitForPhase("Progressing", timeout: .milliseconds(200), weights: &weights)
            }
            world.killOperator()
            let frozen = try await world.status()["canaryWeight"]?.intValue ?? 0
            let journal = try expandedJournal(try await world.status()["journal"])
            try await Task.sleep(for: .seconds(5))  // longer than an interval: the next step is overdue at restart
            #expect(try await world.status()["canaryWeight"]?.intValue == frozen, "nothing moves while the operator is down")
            world.restartOperator()
            #expect(try await world.waitForPhase("Succeeded", weights: &weights))
            let steps = weights.filter { $0 > 0 }
            #expect(steps == [20, 40, 60, 80, 100], "every step once, in order: \(weights)")
            // The decision journal is in the status: what the killed operator journaled is still there.
            let after = try expandedJournal(try await world.status()["journal"])
            let lastBeforeKill = try #require(journal.last, "the killed operator journaled its steps")
            #expect(after.contains(lastBeforeKill), "the journal survives the restart")
            let checked = after.flatMap { $0["metrics"]?.arrayValue ?? [] }
            let rate = try #require(checked.last { $0["name"] == "request-success-rate" }, "\(after)")
            #expect(rate["passed"] == true && (rate["value"]?.doubleValue ?? 0) >= 99 && rate["threshold"] == ">= 99", "\(rate)")
            #expect(
                rate["query"]?.stringValue?.contains(#"istio_requests_total{"#) == true && rate["query"]?.stringValue?.contains("{{") == false,
                "the query as sent, rendered: \(rate)")
            #expect(after.last?["to"] == "Succeeded 0%" && after.count <= 10)
            for weight in [20, 40, 60, 80, 100] {
                let advances = try await world.eventObjects().filter { $0["message"]?.stringValue == "Advance httpbin.demo canary weight \(weight)" }
                #expect(advances.count == 1 && advances.first?["count"] == 1, "weight \(weight) advanced once: \(advances)")
            }
        }
    }

    @Test func invalidCanariesGetAConditionAndAWarningWhileOthersKeepProgressing() async throws {
        // Without schema validation: a missing target or threshold is what an older or looser CRD lets through.
        var setup = Scenario.Setup()
        setup.validateCustomResources = false
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Manifests.example(prometheus: world.prometheus.url))
            let invalid = """
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata: {name: no-target, namespace: demo}
                spec:
                  service: {port: 80}
                  analysis: {interval: 10s, stepWeight: 10}
                ---
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata: {name: bad-interval, namespace: demo}
                spec:
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: httpbin}
                  service: {port: 80}
                  analysis: {interval: 1x, stepWeight: 10}
                ---
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata: {name: unknown-metric, namespace: demo}
                spec:
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: httpbin}
                  service: {port: 80}
                  analysis: {interval: 10s, stepWeight: 10, metrics: [{name: error-budget, thresholdRange: {max: 1}}]}
                ---
                apiVersion: flagger.app/v1beta1
                kind: Canary
                metadata: {name: missing-target, namespace: demo}
                spec:
                  targetRef: {apiVersion: apps/v1, kind: Deployment, name: ghost}
                  service: {port: 80}
                  analysis: {interval: 10s, stepWeight: 10}
                """
            try await world.kubectl.succeed(["apply", "-f", "-", "--validate=false"], stdin: invalid)
            let expected = [
                ("no-target", "spec.targetRef: required"),
                ("bad-interval", "spec.analysis.interval: invalid duration \"1x\": unknown unit \"x\""),
                ("unknown-metric", "spec.analysis.metrics[0]: \"error-budget\" is not a built-in metric"),
                ("missing-target", "Deployment demo/ghost not found"),
            ]
            for (name, message) in expected {
                let condition = try await conditionEventually(world, name)
                #expect(condition?["status"] == "False", "\(name)")
                #expect(condition?["message"]?.stringValue?.contains(message) == true, "\(name): \(String(describing: condition))")
                // The Warning is written after the condition: wait for it too.
                #expect(
                    try await eventually { try await world.events(name).contains { $0.hasPrefix("invalid canary spec: ") && $0.contains(message) } },
                    "\(name)")
            }
            #expect(try await world.waitForPhase("Initialized"), "the valid canary is not held up")
            try await world.kubectl.succeed(["set", "image", "deploy/httpbin", "-n", "demo", "httpbin=kennethreitz/httpbin:v2"])
            #expect(try await world.waitForPhase("Succeeded"))
        }
    }

    @Test func aVirtualServiceFieldSerinDoesNotModelSurvivesEveryReconcile() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Manifests.example(prometheus: world.prometheus.url, threshold: 5))
            #expect(try await world.waitForPhase("Initialized"))
            try await world.kubectl.succeed([
                "patch", "virtualservice", "httpbin", "-n", "demo", "--type", "json", "-p",
                #"[{"op":"add","path":"/spec/http/0/fault","value":{"delay":{"percentage":{"value":0.1},"fixedDelay":"5s"}}},{"op":"add","path":"/spec/exportTo","value":["."]}]"#,
            ])
            try await world.kubectl.succeed(["set", "image", "deploy/httpbin", "-n", "demo", "httpbin=kennethreitz/httpbin:v2"])
            #expect(try await world.waitForPhase("Succeeded"))
            let service = try await world.json(["get", "virtualservice", "httpbin", "-n", "demo"])
            #expect(service[path: "spec", "http"]?[0]?["fault"] == ["delay": ["percentage": ["value": 0.1], "fixedDelay": "5s"]])
            #expect(service[path: "spec", "exportTo"] == ["."])
        }
    }

    @Test func kubectlShowsFlaggersColumnsAndTheCanarysEvents() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Manifests.example(prometheus: world.prometheus.url))
            #expect(try await world.waitForPhase("Initialized"))
            let table = try await world.kubectl.succeed(["get", "canaries", "-n", "demo"])
            let header = table.split(separator: "\n").first.map(String.init) ?? ""
            #expect(header.split(separator: " ", omittingEmptySubsequences: true) == ["NAME", "STATUS", "WEIGHT", "LASTTRANSITIONTIME"])
            #expect(table.contains("Initialized"))
            let wide = try await world.kubectl.succeed(["get", "canaries", "-n", "demo", "-o", "wide"])
            #expect(wide.contains("FAILEDCHECKS") && wide.contains("STEPWEIGHT") && wide.contains("MAXWEIGHT"))
            let described = try await world.kubectl.succeed(["describe", "canary", "httpbin", "-n", "demo"])
            #expect(described.contains("Initialization done! httpbin.demo"), "\(described)")
            #expect(described.contains("Synced"))
        }
    }

    func conditionEventually(_ world: Scenario, _ name: String) async throws -> JSONValue? {
        for _ in 0..<100 {
            let status = try await world.status(name)
            if let condition = status["conditions"]?.arrayValue?.first(where: { $0["type"] == "Valid" }) { return condition }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }
}

@Suite struct RevertOnDeletionScenarioTests {
    @Test func deletingACanaryWithRevertOnDeletionScalesTheTargetBackUpFirst() async throws {
        try await Scenario.run { world in
            let manifest = Manifests.example(prometheus: world.prometheus.url)
                .replacingOccurrences(of: "  progressDeadlineSeconds: 60", with: "  progressDeadlineSeconds: 60\n  revertOnDeletion: true")
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: manifest)
            #expect(try await world.waitForPhase("Initialized"))
            let finalizers = try await world.json(["get", "canary", "httpbin", "-n", "demo"])[path: "metadata", "finalizers"]
            #expect(finalizers == ["finalizer.flagger.app"])
            #expect(try await world.json(["get", "deploy", "httpbin", "-n", "demo"])[path: "spec", "replicas"] == 0)
            try await world.kubectl.succeed(["delete", "canary", "httpbin", "-n", "demo", "--wait=false"])
            #expect(
                try await eventually(timeout: .seconds(20)) {
                    try await world.kubectl.run(["get", "canary", "httpbin", "-n", "demo"]).status != 0
                }, "the finalizer is removed once the target serves again")
            let target = try await world.json(["get", "deploy", "httpbin", "-n", "demo"])
            #expect(target[path: "spec", "replicas"] == 2 && target[path: "status", "readyReplicas"] == 2)
            // Termination writes its status first and queues its Events, which the recorder writes asynchronously
            // (the last one queued just before the finalizer is removed): wait for them.
            let terminated = try await eventually(timeout: .seconds(10)) {
                try await Set(["Terminating canary httpbin.demo", "Terminated canary httpbin.demo"]).isSubset(of: world.events())
            }
            let events = try await world.events()
            #expect(terminated, "\(events)")
            #expect(
                try await eventually(timeout: .seconds(10)) {
                    try await world.kubectl.run(["get", "deploy", "httpbin-primary", "-n", "demo"]).status != 0
                }, "what the Canary owned is garbage-collected")
        }
    }

    @Test func theUsersOwnServiceAndVirtualServiceAreRestoredOnDeletionAndAnswerAgain() async throws {
        try await Scenario.run { world in
            let users = """
                apiVersion: v1
                kind: Namespace
                metadata: {name: demo}
                ---
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: demo}
                spec: {selector: {app: web}, ports: [{name: http, port: 9898, targetPort: 9898}]}
                ---
                apiVersion: networking.istio.io/v1beta1
                kind: VirtualService
                metadata: {name: web, namespace: demo}
                spec: {hosts: [web], http: [{timeout: 7s, route: [{destination: {host: web}}]}]}
                ---

                """
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: users
                    + Manifests.plain("web", interval: "1s").replacingOccurrences(
                        of: "  service: {port: 9898}", with: "  service: {port: 9898}\n  revertOnDeletion: true"))
            #expect(try await world.waitForPhase("Initialized", name: "web"))
            #expect(try await world.json(["get", "service", "web", "-n", "demo"])[path: "spec", "selector"] == ["app": "web-primary"])
            let proxy = OutboundHTTP(proxies: ProxySettings(httpProxy: world.sandbox.trafficURL))
            // A loaded main run once needed more than 5 s for this first request through the proxy.
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    (try? await proxy.send(.GET, "http://web.demo:9898/", timeout: .seconds(10)).status) == 200
                }, "served by the primary")

            try await world.kubectl.succeed(["delete", "canary", "web", "-n", "demo", "--wait=false"])
            #expect(try await eventually(timeout: .seconds(20)) { try await world.kubectl.run(["get", "canary", "web", "-n", "demo"]).status != 0 })
            #expect(
                try await eventually(timeout: .seconds(10)) {
                    try await world.kubectl.run(["get", "deploy", "web-primary", "-n", "demo"]).status != 0
                }, "the primary Serin created is garbage-collected")
            let service = try await world.json(["get", "service", "web", "-n", "demo"])
            #expect(service[path: "spec", "selector"] == ["app": "web"], "the user's selector is back")
            #expect(service[path: "metadata", "annotations", "serin.dev/original-configuration"] == nil)
            let routes = try await world.json(["get", "virtualservice", "web", "-n", "demo"])[path: "spec"]
            #expect(routes == ["hosts": ["web"], "http": [["timeout": "7s", "route": [["destination": ["host": "web"]]]]]])
            #expect(
                try await eventually(timeout: .seconds(10)) {
                    (try? await proxy.send(.GET, "http://web.demo:9898/", timeout: .seconds(5)).status) == 200
                }, "the user's Service answers through the target again")
        }
    }
}
