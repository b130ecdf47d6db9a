import Foundation
import KubeCore
import KubeSandbox
import LoadTester
import NIOHTTP1
import OutboundHTTP
import SerinTesting
import Testing

extension Scenario {
    /// POSTs a canary's payload to the load tester by its cluster name, as `curl` in the cluster would.
    @discardableResult
    func loadTester(_ path: String, name: String = "httpbin", namespace: String = "demo") async throws -> Int {
        let http = OutboundHTTP(proxies: ProxySettings(httpProxy: sandbox.trafficURL))
        let body = #"{"name":"\#(name)","namespace":"\#(namespace)"}"#
        return try await http.send(
            .POST, "http://flagger-loadtester.test\(path)", headers: [("Content-Type", "application/json")],
            body: Array(body.utf8), timeout: .seconds(10)
        ).status
    }

    func release(_ image: String, name: String = "httpbin") async throws {
        try await kubectl.succeed(["set", "image", "deploy/\(name)", "-n", "demo", "\(name)=kennethreitz/httpbin:\(image)"])
    }

    /// Replaces the Canary's webhooks.
    func setWebhooks(_ hooks: [JSONValue]) async throws {
        let patch: JSONValue = ["spec": ["analysis": ["webhooks": .array(hooks)]]]
        try await kubectl.succeed([
            "patch", "canary", "httpbin", "-n", "demo", "--type", "merge", "-p",
            String(decoding: patch.serialized(), as: UTF8.self),
        ])
    }

    /// Stays in `phase` for a while (several intervals).
    func holds(_ phase: String, for duration: Duration = .seconds(4)) async throws -> Bool {
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline {
            guard try await status()["phase"]?.stringValue == phase else { return false }
            try await Task.sleep(for: .milliseconds(200))
        }
        return true
    }
}

/// Webhooks end to end: the real operator calls `serin loadtester` (and other receivers) by cluster name.
@Suite(.serialized) struct WebhookScenarioTests {
    @Test func theUsersLoadTestRunsRealHeyDuringTheAnalysisAndStopsAfterwards() async throws {
        try await Scenario.run(Scenario.Setup(loadTester: true)) { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"], stdin: Manifests.example(prometheus: world.prometheus.url, webhooks: Manifests.loadTest))
            #expect(try await world.waitForPhase("Initialized"))
            let tester = try #require(world.loadTester)
            #expect(await tester.runningCommands.isEmpty, "no load test before the analysis")
            try await world.release("v2")
            #expect(try await eventually(timeout: .seconds(30)) { await !tester.runningCommands.isEmpty }, "hey started with the analysis")
            let pids = await tester.runningCommands
            #expect(try await world.waitForPhase("Succeeded"))
            let query = #"sum(istio_requests_total{destination_service_name="httpbin-canary",destination_workload_namespace="demo"})"#
            #expect(
                try await eventually(timeout: .seconds(20)) { (try await world.prometheus.value(of: query) ?? 0) > 0 },
                "hey's requests to httpbin-canary.demo:8000 reached the sandbox and Prometheus")
            #expect(try await eventually(timeout: .seconds(30)) { await tester.runningCommands.isEmpty }, "hey stopped once the calls stopped")
            #expect(pids.allSatisfy { kill($0, 0) != 0 }, "no hey process left: \(pids)")
        }
    }

    @Test func gatesHoldTheRolloutUntilOpened() async throws {
        try await Scenario.run(Scenario.Setup(loadTester: true)) { world in
            let gate = { (type: String) in "- {name: approval, type: \(type), url: http://flagger-loadtester.test/gate/check}" }
            try await world.kubectl.succeed(
                ["apply", "-f", "-"], stdin: Manifests.example(prometheus: world.prometheus.url, webhooks: gate("confirm-rollout")))
            #expect(try await world.waitForPhase("Initialized"))

            try await world.release("v2")
            #expect(try await world.waitForPhase("Waiting", timeout: .seconds(20)))
            #expect(try await world.holds("Waiting"), "held while the gate is closed")
            #expect(try await world.json(["get", "deploy", "httpbin", "-n", "demo"])[path: "spec", "replicas"] == 0, "the canary is not scaled up")
            #expect(try await world.events().contains("Halt httpbin.demo advancement waiting for approval approval"))
            #expect(try await world.loadTester("/gate/open") == 202)
            #expect(try await world.waitForPhase("Succeeded"))
            #expect(try await world.events().contains("Confirm-rollout check approval passed"))
            try await world.loadTester("/gate/close")

            let gateJSON = { (type: String) -> JSONValue in
                ["name": "approval", "type": .string(type), "url": "http://flagger-loadtester.test/gate/check"]
            }
            try await world.setWebhooks([gateJSON("confirm-traffic-increase")])
            try await world.release("v3")
            #expect(try await world.waitForPhase("Progressing", timeout: .seconds(20)))
            #expect(
                try await eventually(timeout: .seconds(20)) {
                    try await world.events().contains("Halt httpbin.demo advancement waiting for traffic increase approval approval")
                })
            #expect(try await world.holds("Progressing"))
            #expect(try await world.status()["canaryWeight"] == 0, "no traffic moves while closed")
            try await world.loadTester("/gate/open")
            #expect(try await world.waitForPhase("Succeeded"))
            try await world.loadTester("/gate/close")

            try await world.setWebhooks([gateJSON("confirm-promotion")])
            try await world.release("v4")
            var weights: [Int] = []
            #expect(try await world.waitForPhase("WaitingPromotion", weights: &weights))
            #expect(try await world.holds("WaitingPromotion"))
            #expect(try await world.status()["canaryWeight"] == 100, "held at the maximum weight")
            #expect(try await world.events().contains("Halt httpbin.demo advancement waiting for promotion approval approval"))
            let primary = try await world.json(["get", "deploy", "httpbin-primary", "-n", "demo"])
            #expect(primary[path: "spec", "template", "spec", "containers"]?[0]?["image"] == "kennethreitz/httpbin:v3", "not promoted yet")
            try await world.loadTester("/gate/open")
            #expect(try await world.waitForPhase("Succeeded"))
            let promoted = try await world.json(["get", "deploy", "httpbin-primary", "-n", "demo"])
            #expect(promoted[path: "spec", "template", "spec", "containers"]?[0]?["image"] == "kennethreitz/httpbin:v4")
        }
    }

    @Test func aFailingPreRolloutHookCountsFailedChecksThenRollsBack() async throws {
        try await Scenario.run(Scenario.Setup(loadTester: true)) { world in
            let hook =
                #"- {name: db-check, type: pre-rollout, url: http://flagger-loadtester.test/, metadata: {type: bash, cmd: "echo schema mismatch; exit 1"}}"#
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Manifests.example(prometheus: world.prometheus.url, webhooks: hook))
            #expect(try await world.waitForPhase("Initialized"))
            try await world.release("v2")
            #expect(try await world.waitForPhase("Failed"))
            #expect(try await world.status()["failedChecks"] == 3)
            let events = try await world.events()
            #expect(
                events.contains { $0.hasPrefix("Halt httpbin.demo advancement pre-rollout check db-check failed") && $0.contains("schema mismatch") },
                "\(events)")
            #expect(events.contains("Rolling back httpbin.demo failed checks threshold reached 3"))
            #expect(!events.contains { $0.hasPrefix("Advance httpbin.demo canary weight") }, "no traffic moved")
        }
    }

    @Test func openingTheRollbackGateRollsBackDuringTheAnalysis() async throws {
        try await Scenario.run(Scenario.Setup(loadTester: true)) { world in
            let hook = "- {name: manual-rollback, type: rollback, url: http://flagger-loadtester.test/rollback/check}"
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Manifests.example(prometheus: world.prometheus.url, webhooks: hook))
            #expect(try await world.waitForPhase("Initialized"))
            try await world.release("v2")
            #expect(try await eventually(timeout: .seconds(30)) { (try await world.status()["canaryWeight"]?.intValue ?? 0) >= 20 })
            #expect(try await world.loadTester("/rollback/open") == 202)
            #expect(try await world.waitForPhase("Failed", timeout: .seconds(20)))
            let events = try await world.events()
            #expect(events.contains("Rollback hook manual-rollback not signaling a rollback"))
            #expect(events.contains("Rolling back httpbin.demo manual webhook invoked"))
            let routes = try await world.json(["get", "virtualservice", "httpbin", "-n", "demo"])[path: "spec", "http"]?[0]?["route"]
            #expect(routes?[0]?["weight"] == 100 && routes?[1]?["weight"] == 0)
        }
    }

    @Test func aWebhookThatNeverAnswersIsCutAtItsTimeoutWithoutDelayingOtherCanaries() async throws {
        let hang = try await RecordingReceiver(delay: .seconds(3600))
        defer { hang.stop() }
        try await Scenario.run { world in
            let hook = "- {name: hang, url: \"\(hang.url)\", timeout: 15s}"
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Manifests.example(prometheus: world.prometheus.url, webhooks: hook))
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Manifests.plain("podinfo", interval: "1s"))
            #expect(try await world.waitForPhase("Initialized"))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo"))
            try await world.release("v2")
            try await world.release("v2", name: "podinfo")
            #expect(try await eventually(timeout: .seconds(30)) { !hang.bodies.isEmpty }, "httpbin's analysis called the hanging webhook")
            let called = ContinuousClock.now
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", timeout: .seconds(30)))
            let halt = "Halt httpbin.demo advancement external check hang failed"
            #expect(try await !world.events().contains { $0.hasPrefix(halt) }, "podinfo finished while httpbin's call still hung")
            #expect(try await eventually(timeout: .seconds(40)) { try await world.events().contains { $0.hasPrefix(halt) } })
            let elapsed = ContinuousClock.now - called
            #expect(elapsed >= .seconds(14) && elapsed < .seconds(40), "cut at the 15 s timeout, not before: \(elapsed)")
            #expect(try await world.status()["failedChecks"] == 1)
        }
    }

    @Test func theEventWebhookReceivesEveryEventOfARolloutInOrder() async throws {
        let receiver = try await RecordingReceiver()
        defer { receiver.stop() }
        try await Scenario.run(Scenario.Setup(eventWebhook: receiver.url)) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Manifests.example(prometheus: world.prometheus.url))
            #expect(try await world.waitForPhase("Initialized"))
            try await world.release("v2")
            #expect(try await world.waitForPhase("Succeeded"))
            let last = "Promotion completed! Scaling down httpbin.demo"
            #expect(
                try await eventually(timeout: .seconds(10)) { receiver.bodies.contains { $0[path: "metadata", "eventMessage"]?.stringValue == last } }
            )
            let bodies = receiver.bodies
            let messages = bodies.compactMap { $0[path: "metadata", "eventMessage"]?.stringValue }
            let story =
                ["Initialization done! httpbin.demo", "New revision detected! Scaling up httpbin.demo", "Starting canary analysis for httpbin.demo"]
                + [20, 40, 60, 80, 100].map { "Advance httpbin.demo canary weight \($0)" }
                + ["Copying httpbin.demo template spec to httpbin-primary.demo", "Routing all traffic to primary", last]
            #expect(messages.filter(story.contains) == story, "in order, each once: \(messages)")
            #expect(Set(try await world.events()).isSubset(of: Set(messages)), "every Kubernetes Event was also posted")
            let stamps = bodies.compactMap { $0[path: "metadata", "timestamp"]?.stringValue.flatMap { Int64($0) } }
            #expect(stamps.count == bodies.count && stamps == stamps.sorted())
            #expect(bodies.allSatisfy { $0["name"] == "httpbin" && $0["namespace"] == "demo" && $0["type"] == "event" })
            let final = bodies.first { $0[path: "metadata", "eventMessage"]?.stringValue == last }
            #expect(final?["phase"] == "Succeeded" && final?[path: "metadata", "eventType"] == "Normal")
        }
    }
}
