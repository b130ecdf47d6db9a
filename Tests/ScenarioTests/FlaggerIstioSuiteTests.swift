import Foundation
import KubeCore
import KubeSandbox
import NIOHTTP1
import OutboundHTTP
import SerinTesting
import Testing

/// Flagger's Istio end-to-end suite (`test/istio/*.sh`), script by script, with its manifests
/// (`FlaggerIstio/`, differences in its README) and its checks; Flagger's `install.sh` is replaced by the
/// sandbox, a real Prometheus as `prometheus.istio-system:9090`, the operator and `serin loadtester`.
@Suite(.serialized) struct FlaggerIstioSuiteTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("FlaggerIstio")

    /// `install.sh` and `test/workloads/init.sh`: Prometheus by its cluster name, the ingress gateway's
    /// Service, the podinfo workload.
    static func install(_ world: Scenario) async throws {
        try await world.kubectl.exposeOnLoopback(
            service: "prometheus", namespace: "istio-system", port: 9090,
            localPort: URL(string: world.prometheus.url)!.port!)
        try await apply(world, "istio-ingressgateway.yaml", "workloads.yaml")
    }

    static func apply(_ world: Scenario, _ files: String...) async throws {
        for file in files { try await world.kubectl.succeed(["apply", "-f", directory.appendingPathComponent(file).path]) }
    }

    static func waitFor(_ world: Scenario, _ phase: String, timeout: Duration = .seconds(90)) async throws -> Bool {
        try await world.waitForPhase(phase, name: "podinfo", namespace: "test", timeout: timeout)
    }

    static func image(_ world: Scenario, _ deployment: String) async throws -> String {
        try await world.kubectl.succeed(["-n", "test", "get", "deploy", deployment, "-o", "jsonpath={.spec.template.spec.containers[0].image}"])
    }

    static func release(_ world: Scenario, _ tag: String) async throws {
        try await world.kubectl.succeed(["-n", "test", "set", "image", "deployment/podinfo", "podinfod=ghcr.io/stefanprodan/podinfo:\(tag)"])
    }

    /// `kubectl describe deployment/podinfo-primary | grep <tag>`, then `get canary | grep Succeeded`.
    static func promoted(_ world: Scenario, _ tag: String) async throws -> Bool {
        let copied = try await eventually(timeout: .seconds(150)) { try await image(world, "podinfo-primary").hasSuffix(":\(tag)") }
        var succeeded = copied
        if copied { succeeded = try await waitFor(world, "Succeeded") }
        if !succeeded {
            // What the Canary went through, for a failure on a loaded machine.
            let status = try await world.status("podinfo", namespace: "test")
            Issue.record("\(tag) not promoted: \(status["phase"] ?? .null), events \(try await world.events("podinfo", namespace: "test"))")
        }
        return succeeded
    }

    static func visit(_ world: Scenario, _ url: String, cookie: String? = nil) async throws -> (workload: String, setCookie: String?) {
        try await world.visit(url, cookie: cookie)
    }

    @Test func testCanary() async throws {
        try await Scenario.run(Scenario.Setup(loadTester: true)) { world in
            try await Self.install(world)
            try await Self.apply(world, "latency-template.yaml", "canary.yaml")
            #expect(try await Self.waitFor(world, "Initialized"), "Canary initialization")
            let apex = try await world.json(["-n", "test", "get", "svc", "podinfo"])
            #expect(apex[path: "metadata", "annotations", "test"] == "annotations-test")
            #expect(apex[path: "metadata", "labels", "test"] == "labels-test")
            #expect(apex[path: "spec", "selector", "app"] == "podinfo-primary", "Canary service custom metadata")

            try await Self.release(world, "6.0.1")
            #expect(try await Self.promoted(world, "6.0.1"), "Canary promotion")

            try await Self.apply(world, "canary-blue-green.yaml")
            try await Self.release(world, "6.0.2")
            #expect(try await Self.promoted(world, "6.0.2"), "B/G promotion")
            #expect(
                try await world.events("podinfo", namespace: "test").contains("Pre-rollout check http-acceptance-test passed"),
                "curl reached podinfo-canary.test through the proxy")

            try await Self.apply(world, "canary-ab-testing.yaml")
            try await Self.release(world, "6.0.3")
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    try await Self.visit(world, "http://podinfo.test/", cookie: "type=insider").workload == "podinfo"
                }, "during the A/B test an insider's cookie reaches the canary")
            #expect(try await Self.visit(world, "http://podinfo.test/").workload == "podinfo-primary", "everyone else the primary")
            #expect(try await Self.promoted(world, "6.0.3"), "A/B testing promotion")
            let events = try await world.events("podinfo", namespace: "test")
            #expect(events.contains("Confirm-promotion check promote-gate passed") && events.contains("Post-rollout check post passed"), "\(events)")

            try await Self.apply(world, "canary-revert-on-deletion.yaml")
            #expect(
                try await eventually(timeout: .seconds(20)) {
                    try await world.kubectl.succeed(["-n", "test", "get", "canary", "podinfo", "-o", "jsonpath={.metadata.finalizers}"]).contains(
                        "finalizer.flagger.app")
                }, "finalizers present")
            try await world.kubectl.succeed(["-n", "test", "delete", "canary", "podinfo"])
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    try await world.kubectl.succeed(["-n", "test", "get", "deployment", "podinfo", "-o", "jsonpath={.spec.replicas}"]) == "1"
                }, "Delete testing: the target scaled back up")

            try await Self.apply(world, "canary-user-objects.yaml")
            #expect(try await Self.waitFor(world, "Initialized"))
            try await world.kubectl.succeed(["-n", "test", "delete", "canary", "podinfo"])
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    let names = try await world.kubectl.succeed([
                        "-n", "test", "get", "svc/podinfo", "vs/podinfo", "-o", "jsonpath={range .items[*]}{.metadata.name}{'\\n'}{end}",
                    ])
                    return names.split(separator: "\n").count == 2
                }, "Revert testing: the user's Service and VirtualService are still there")
            let service = try await world.json(["-n", "test", "get", "svc", "podinfo"])
            #expect(service[path: "spec", "selector"] == ["app": "podinfo"] && service[path: "spec", "ports"]?[0]?["port"] == 9898, "\(service)")
            let virtualService = try await world.json(["-n", "test", "get", "vs", "podinfo"])
            #expect(virtualService[path: "spec", "hosts"] == ["app.example.com", "podinfo"])
            #expect(virtualService[path: "spec", "http"]?[0]?["route"] == [["destination": ["host": "podinfo"]]])
            #expect(
                try await Self.visit(world, "http://podinfo.test:9898/").workload == "podinfo", "the user's objects answer again, from the target")
        }
    }

    @Test func testSkipAnalysis() async throws {
        try await Scenario.run(Scenario.Setup(loadTester: true)) { world in
            try await Self.install(world)
            try await Self.apply(world, "skip-analysis.yaml")
            #expect(try await Self.waitFor(world, "Initialized"))
            try await Self.release(world, "6.0.1")
            #expect(try await Self.promoted(world, "6.0.1"), "Canary promotion")
            let events = try await world.events("podinfo", namespace: "test")
            #expect(
                events.contains("Promotion completed! Canary analysis was skipped for podinfo.test")
                    && !events.contains { $0.contains("canary weight") })

            // A bad release: an image that does not exist (the sandbox pulls none: never ready).
            try await world.kubectl.succeed([
                "-n", "test", "patch", "deployment", "podinfo", "-p",
                """
                {"spec":{"progressDeadlineSeconds":2,"template":{"metadata":{"annotations":{"sandbox.serin.dev/never-ready":"true"}},\
                "spec":{"containers":[{"name":"podinfod","image":"stefanprodan/potato:1.0.0"}]}}}}
                """,
            ])
            #expect(try await Self.waitFor(world, "Failed"), "Canary failed")
            #expect(
                try await world.kubectl.succeed(["-n", "test", "get", "deployment", "podinfo-primary", "-o", "jsonpath={.spec.replicas}"]) == "1")
            #expect(try await Self.image(world, "podinfo-primary") == "ghcr.io/stefanprodan/podinfo:6.0.1", "the primary keeps the good version")
        }
    }

    @Test func testDelegation() async throws {
        try await Scenario.run(Scenario.Setup(loadTester: true)) { world in
            try await Self.install(world)
            try await Self.apply(world, "delegation.yaml")
            #expect(try await Self.waitFor(world, "Initialized"))
            let delegate = try await world.json(["-n", "test", "get", "vs", "podinfo"])
            #expect(delegate[path: "spec", "hosts"] == [] && delegate[path: "spec", "gateways"] == [], "a delegate has no hosts or gateways")
            #expect(
                try await Self.visit(world, "http://istio-ingressgateway.istio-system/podinfo").workload == "podinfo-primary",
                "the gateway's root VirtualService delegates to the primary")
            try await Self.release(world, "6.0.1")
            var reached = false
            // Several visits per look: a fast analysis leaves few looks while traffic is split.
            let promoted = try await eventually(timeout: .seconds(90)) {
                for _ in 0..<5 where !reached {
                    if try await Self.visit(world, "http://istio-ingressgateway.istio-system/podinfo").workload == "podinfo" { reached = true }
                }
                return try await Self.image(world, "podinfo-primary").hasSuffix(":6.0.1")
            }
            #expect(promoted && reached, "the canary was reached through the root VirtualService during the analysis")
            #expect(try await Self.waitFor(world, "Succeeded"), "Canary promotion")
            let hey = #"sum(istio_requests_total{destination_workload="podinfo",destination_workload_namespace="test"})"#
            #expect(
                try await eventually(timeout: .seconds(20)) { try await world.prometheus.value(of: hey) ?? 0 > 0 },
                "the requests through the gateway reached the canary's metrics")
        }
    }

    @Test func testSessionAffinity() async throws {
        try await Scenario.run(Scenario.Setup(loadTester: true)) { world in
            try await Self.install(world)
            try await Self.apply(world, "session-affinity.yaml")
            #expect(try await Self.waitFor(world, "Initialized"))
            try await Self.release(world, "6.0.1")
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    (try await world.status("podinfo", namespace: "test")["canaryWeight"]?.intValue ?? 0) >= 10
                },
                "initial traffic shift")

            // verify_session_affinity.go: visit until each version answers with its cookie, then stay pinned.
            let gateway = "http://istio-ingressgateway.istio-system/"
            var cookies: [String: String] = [:]
            for _ in 0..<200 where cookies.count < 2 {
                let answer = try await Self.visit(world, gateway)
                if let set = answer.setCookie, let pair = set.split(separator: ";").first { cookies[answer.workload] = String(pair) }
            }
            let canaryCookie = try #require(cookies["podinfo"]), primaryCookie = try #require(cookies["podinfo-primary"])
            #expect(canaryCookie.hasPrefix("canary-flagger-cookie=") && primaryCookie.hasPrefix("primary-flagger-cookie="))
            for _ in 0..<5 {
                #expect(try await Self.visit(world, gateway, cookie: canaryCookie).workload == "podinfo")
                #expect(try await Self.visit(world, gateway, cookie: primaryCookie).workload == "podinfo-primary")
            }

            #expect(try await Self.promoted(world, "6.0.1"), "Canary promotion")
            let previous = try #require(try await world.status("podinfo", namespace: "test")["previousSessionAffinityCookie"]?.stringValue)
            let cleanup = try await Self.visit(world, gateway, cookie: previous)
            #expect(cleanup.setCookie?.hasPrefix(previous) == true && cleanup.setCookie?.contains("Max-Age=-1") == true, "cookie cleanup: \(cleanup)")
            try await world.kubectl.succeed(["-n", "test", "delete", "canary", "podinfo"])
        }
    }
}
