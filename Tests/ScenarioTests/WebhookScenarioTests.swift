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
}

/// Webhooks end to end: the real operator calls `serin loadtester` (and other receivers) by cluster name.
/// Gates, rollback gates, failing hooks and the event webhook are stories on virtual time
/// (`CanaryControllerTests/VirtualWebhookTests`), with the same load tester over real HTTP.
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
            // Stopped three call gaps after the last call: a loaded machine stretches the gaps (3 s apart at rest).
            #expect(try await eventually(timeout: .seconds(90)) { await tester.runningCommands.isEmpty }, "hey stopped once the calls stopped")
            #expect(pids.allSatisfy { kill($0, 0) != 0 }, "no hey process left: \(pids)")
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
            // A step writes its Events before the status that records it: the count follows the Halt event.
            #expect(try await eventually(timeout: .seconds(10)) { try await world.status()["failedChecks"] == 1 })
        }
    }
}
