import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Flagger's `kubernetes` provider on the sandbox: no mesh, blue/green iterations with the load tester
/// calling `<svc>-canary` directly (the apex Service stays on the primary), judged by the application's own
/// `http_request_duration_seconds` in a real Prometheus.
@Suite(.serialized) struct KubernetesProviderScenarioTests {
    static let analysis = """
            interval: 3s
            threshold: 3
            iterations: 4
            metrics:
            - {name: request-success-rate, thresholdRange: {min: 99}, interval: 10s}
            webhooks:
            - name: load-test
              url: http://flagger-loadtester.test/
              timeout: 15s
              metadata: {cmd: "hey -z 1m -q 20 -c 2 http://podinfo-canary.test:9898/"}
        """

    @Test func aGoodReleasePromotesAfterItsIterationsAndABadOneRollsBack() async throws {
        var setup = Scenario.Setup(loadTester: true)
        setup.meshProvider = "kubernetes"
        try await Scenario.run(setup) { world in
            let manifests =
                Podinfo.workload + "\n---\n"
                + Podinfo.canary(provider: "kubernetes", service: "{port: 9898, targetPort: 9898}", analysis: Self.analysis)
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: manifests)
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            try await world.releasePodinfo()
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test", timeout: .seconds(120)))
            let events = try await world.events("podinfo", namespace: "test")
            #expect(events.contains("Advance podinfo.test canary iteration 4/4"), "\(events)")
            let journal = try expandedJournal(try await world.status("podinfo", namespace: "test")["journal"])
            let rate = journal.flatMap { $0["metrics"]?.arrayValue ?? [] }.last { $0["name"] == "request-success-rate" }
            #expect(
                rate?["passed"] == true && rate?["query"]?.stringValue?.contains("http_request_duration_seconds_count") == true,
                "\(String(describing: rate))")
            #expect(
                try await world.json(["get", "service", "podinfo", "-n", "test"])[path: "spec", "selector"] == ["app": "podinfo-primary"],
                "the apex Service stays on the primary")

            try await world.kubectl.succeed([
                "patch", "deploy", "podinfo", "-n", "test", "-p",
                #"{"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/error-ratio":"0.5"}}}}}"#,
            ])
            #expect(try await world.waitForPhase("Failed", name: "podinfo", namespace: "test", timeout: .seconds(120)))
            #expect(try await world.events("podinfo", namespace: "test").contains { $0.hasPrefix("Halt podinfo.test advancement success rate") })
        }
    }
}
