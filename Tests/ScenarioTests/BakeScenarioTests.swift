import CanaryAPI
import Foundation
import KubeCore
import KubeSandbox
import NIOHTTP1
import OutboundHTTP
import SerinTesting
import Synchronization
import Testing

/// `analysis.bake` on Istio with a real Prometheus: a release that fails only at full traffic (the sandbox's
/// `error-ratio-as-primary`) passes its analysis and is rolled back during the bake, the primary ending on the
/// last good version and its tracked ConfigMap copy; with `keepPrevious` the rollback is one route change,
/// timed through the proxy; a kill -9 of the operator during a bake and during an instant rollback leaves no
/// orphan and the rollback happens once.
@Suite(.serialized) struct BakeScenarioTests {
    static func analysis(bake: String) -> String {
        """
            interval: 3s
            threshold: 2
            maxWeight: 20
            stepWeight: 10
            metrics:
            - {name: request-success-rate, thresholdRange: {min: 95}, interval: 10s}
            bake: \(bake)
        """
    }

    /// podinfo reading a tracked ConfigMap; pods ready `readyAfter` after they start.
    static func workload(readyAfter: String = "100ms") -> String {
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: test}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: podinfo-config, namespace: test}
        data: {color: blue}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: podinfo, namespace: test, labels: {app: podinfo}}
        spec:
          replicas: 2
          selector: {matchLabels: {app: podinfo}}
          template:
            metadata:
              labels: {app: podinfo}
              annotations: {sandbox.serin.dev/latency-ms: "10", sandbox.serin.dev/rps: "50", sandbox.serin.dev/ready-after: \(readyAfter)}
            spec:
              containers: [{name: podinfod, image: "ghcr.io/stefanprodan/podinfo:6.0.0", envFrom: [{configMapRef: {name: podinfo-config}}]}]
        """
    }

    /// A release of `image` that answers 60 % errors once it runs as the primary (at full traffic).
    static func releaseFailingAtFullTraffic(_ world: Scenario, image: String) async throws {
        try await world.kubectl.succeed([
            "patch", "deploy", "podinfo", "-n", "test", "-p",
            #"{"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/error-ratio-as-primary":"0.6"}},"#
                + #""spec":{"containers":[{"name":"podinfod","image":""# + image + #""}]}}}}"#,
        ])
    }

    static func primaryImage(_ world: Scenario) async throws -> String? {
        try await world.json(["get", "deploy", "podinfo-primary", "-n", "test"])[path: "spec", "template", "spec", "containers"]?[0]?["image"]?
            .stringValue
    }

    static func primaryColor(_ world: Scenario) async throws -> String? {
        try await world.json(["get", "configmap", "podinfo-config-primary", "-n", "test"])[path: "data", "color"]?.stringValue
    }

    /// Waits for the bake: `Finalising` with `bakeStarted` and a `Baking=True` condition.
    static func waitForBake(_ world: Scenario) async throws -> Bool {
        try await eventually(timeout: .seconds(90)) {
            let status = try await world.status("podinfo", namespace: "test")
            let baking = (status["conditions"]?.arrayValue ?? []).first { $0["type"] == "Baking" }
            return status["phase"] == "Finalising" && status["bakeStarted"] != nil && baking?["status"] == "True"
        }
    }

    static func bakingReason(_ world: Scenario) async throws -> String? {
        let conditions = try await world.status("podinfo", namespace: "test")["conditions"]?.arrayValue ?? []
        return conditions.first { $0["type"] == "Baking" }?["reason"]?.stringValue
    }

    @Test func aReleaseFailingAtFullTrafficIsRolledBackDuringTheBakeAndUndoRestoresTheConfig() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: Self.workload() + "\n---\n" + Podinfo.canary(provider: "istio", analysis: Self.analysis(bake: "{duration: 20s, interval: 3s}"))
            )
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))

            // A config release that stays good: baked, then Succeeded.
            try await world.kubectl.succeed(["patch", "configmap", "podinfo-config", "-n", "test", "-p", #"{"data":{"color":"green"}}"#])
            #expect(try await Self.waitForBake(world), "the promoted release bakes at full traffic")
            #expect(try await Self.primaryColor(world) == "green")
            let listed = try await world.kubectl.succeed(["get", "canary", "podinfo", "-n", "test"])
            #expect(listed.contains("Finalising"), "kubectl get canaries shows the bake as Flagger's Finalising: \(listed)")
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test", timeout: .seconds(60)))
            #expect(try await Self.bakingReason(world) == "Passed")

            // Undo after the bake: the primary's earlier version and config data come back.
            try await UndoScenarioTests.request(world, .undo)
            #expect(try await world.waitForPhase("Failed", name: "podinfo", namespace: "test"))
            #expect(try await eventually(timeout: .seconds(20)) { try await Self.primaryColor(world) == "blue" }, "the kept ConfigMap data is back")

            // A release that fails only at full traffic: the analysis passes, the bake rolls it back.
            try await Self.releaseFailingAtFullTraffic(world, image: "ghcr.io/stefanprodan/podinfo:6.0.2")
            #expect(try await Self.waitForBake(world))
            #expect(try await Self.primaryImage(world) == "ghcr.io/stefanprodan/podinfo:6.0.2")
            let sampler = TrafficSampler(url: "http://podinfo.test/", proxy: world.sandbox.trafficURL)
            let sampling = Task { await sampler.run() }
            #expect(try await world.waitForPhase("Failed", name: "podinfo", namespace: "test", timeout: .seconds(60)))
            #expect(try await eventually(timeout: .seconds(20)) { try await Self.primaryImage(world) == "ghcr.io/stefanprodan/podinfo:6.0.0" })
            try await Task.sleep(for: .seconds(2))  // answers after the primary's own rollback
            sampler.stop()
            await sampling.value
            let failedAt = try await world.status("podinfo", namespace: "test")["lastTransitionTime"]?.stringValue
            let decided = try #require(failedAt.flatMap { KubeTime(rfc3339: $0)?.date })
            let lastFailure = try #require(sampler.samples.last { $0.status != 200 }, "the bad primary answered errors")
            #expect(sampler.samples.last?.status == 200)
            let milliseconds = Int((lastFailure.received.timeIntervalSince(decided) * 1000).rounded())
            print("bake rolling rollback: last failed answer \(milliseconds) ms after the failing check; \(sampler.samples.count) requests sampled")
            #expect(try await Self.primaryColor(world) == "blue", "the last good version's config")
            #expect(try await Self.bakingReason(world) == "RolledBack")
            let events = try await world.events("podinfo", namespace: "test")
            #expect(events.contains { $0.hasPrefix("Promotion of podinfo.test finished, baking: podinfo-primary runs revision ") }, "\(events)")
            #expect(events.contains("Rolling back podinfo.test failed checks threshold reached 2"), "\(events)")
            #expect(events.contains { $0.hasPrefix("Bake of podinfo.test failed: podinfo-primary goes back to revision ") }, "\(events)")
            let journal = try (try await world.status("podinfo", namespace: "test")["journal"] ?? []).decode(as: [JournalEntry].self).expanded
            let query = journal.last?.metrics?.first?.query ?? ""
            #expect(query.contains(#"destination_workload=~"podinfo-primary""#), "the bake measured the primary: \(query)")
        }
    }

    @Test func keepingThePreviousVersionMakesTheRollbackOneRouteChangeAndSurvivesKills() async throws {
        try await Scenario.run { world in
            // Pods take 2 s to be ready: the primary's own rollback is slow enough to kill the operator during it.
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: Self.workload(readyAfter: "2s") + "\n---\n"
                    + Podinfo.canary(provider: "istio", analysis: Self.analysis(bake: "{duration: 15s, interval: 3s, keepPrevious: true}")))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))

            // A good release: the previous version runs beside it for the bake, through a kill -9.
            try await world.releasePodinfo()
            #expect(try await Self.waitForBake(world))
            let previous = try #require(try await Self.previous(world))
            #expect(previous[path: "spec", "template", "spec", "containers"]?[0]?["image"] == "ghcr.io/stefanprodan/podinfo:6.0.0")
            #expect(previous[path: "spec", "replicas"] == 2 && previous[path: "spec", "selector", "matchLabels", "app"] == "podinfo-previous")
            #expect(try await world.json(["get", "svc", "podinfo-previous", "-n", "test"])[path: "spec", "selector", "app"] == "podinfo-previous")
            #expect(try await Self.weights(world) == ["podinfo-primary": 100, "podinfo-canary": 0], "routed at weight 0")
            world.killOperator()
            world.restartOperator()
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test", timeout: .seconds(60)))
            #expect(try await BaselineScenarioTests.isGone(world, name: "podinfo-previous"), "removed when the bake ends, after a restart too")

            // A release failing at full traffic: all traffic moves to the previous version at once.
            try await Self.releaseFailingAtFullTraffic(world, image: "ghcr.io/stefanprodan/podinfo:6.0.2")
            #expect(try await Self.waitForBake(world))
            let sampler = TrafficSampler(url: "http://podinfo.test/", proxy: world.sandbox.trafficURL)
            let sampling = Task { await sampler.run() }
            #expect(try await eventually(timeout: .seconds(60)) { try await Self.weights(world)["podinfo-previous"] == 100 })
            world.killOperator()  // during the instant rollback: the primary is still rolling back
            let failedAt = try await world.status("podinfo", namespace: "test")["lastTransitionTime"]?.stringValue
            world.restartOperator()
            #expect(try await eventually(timeout: .seconds(60)) { try await Self.weights(world) == ["podinfo-primary": 100, "podinfo-canary": 0] })
            sampler.stop()
            await sampling.value
            #expect(try await world.status("podinfo", namespace: "test")["phase"] == "Failed")
            #expect(try await Self.primaryImage(world) == "ghcr.io/stefanprodan/podinfo:6.0.1", "the last good version")
            #expect(try await BaselineScenarioTests.isGone(world, name: "podinfo-previous"), "no orphan after the rollback")
            // That step changes no status: its Event is queued, written asynchronously after the route change. Wait for it.
            func routedBack() async throws -> [JSONValue] {
                try await world.eventObjects("podinfo", namespace: "test").filter {
                    ($0["message"]?.stringValue ?? "").hasPrefix("Routing all traffic back to podinfo-primary")
                }
            }
            _ = try await eventually(timeout: .seconds(10)) { try await !routedBack().isEmpty }
            let back = try await routedBack()
            #expect(back.count == 1 && back.first?["count"] == 1, "the rollback completes once: \(back)")

            let decided = try #require(failedAt.flatMap { KubeTime(rfc3339: $0)?.date })
            let samples = sampler.samples
            let switched = try #require(samples.first { $0.workload == "podinfo-previous" }, "requests reached the previous version")
            #expect(samples.filter { $0.sent > switched.sent }.allSatisfy { $0.status == 200 }, "no failed answer after the switch")
            let milliseconds = Int((switched.received.timeIntervalSince(decided) * 1000).rounded())
            print(
                "bake instant rollback: first answer from podinfo-previous \(milliseconds) ms after the failing check; \(samples.count) requests sampled"
            )
        }
    }

    static func previous(_ world: Scenario) async throws -> JSONValue? {
        let list = try await world.json(["get", "deploy", "-n", "test"])
        return (list["items"]?.arrayValue ?? []).first { $0[path: "metadata", "name"] == "podinfo-previous" }
    }

    static func weights(_ world: Scenario) async throws -> [String: Int] { try await BaselineScenarioTests.virtualServiceWeights(world) }
}

/// Sends one request after another through the sandbox's proxy until stopped, recording who answered.
final class TrafficSampler: Sendable {
    struct Sample: Sendable {
        var sent: Date
        var received: Date
        var workload: String
        var status: Int
    }

    let url: String
    let http: OutboundHTTP
    private let state = Mutex<(samples: [Sample], stopped: Bool)>(([], false))

    init(url: String, proxy: URL) {
        self.url = url
        http = OutboundHTTP(proxies: ProxySettings(httpProxy: proxy))
    }

    var samples: [Sample] { state.withLock { $0.samples } }
    func stop() { state.withLock { $0.stopped = true } }

    func run() async {
        while !state.withLock({ $0.stopped }) {
            let sent = Date()
            guard let response = try? await http.send(.GET, url, timeout: .seconds(10)) else { continue }
            let workload = (try? JSONValue(parsing: response.text))?["workload"]?.stringValue ?? ""
            let sample = Sample(sent: sent, received: Date(), workload: workload, status: response.status)
            state.withLock { $0.samples.append(sample) }
        }
    }
}
