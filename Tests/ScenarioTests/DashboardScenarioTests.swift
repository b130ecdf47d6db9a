import CanaryAPI
import Dashboard
import Foundation
import KubeClient
import KubeCore
import KubeSandbox
import LocalCluster
import Logging
import NIOHTTP1
import OutboundHTTP
import SerinTesting
import Testing

/// `serin dashboard` in a real headless Chromium against the sandbox, with a real Prometheus: the overview
/// follows a release without a reload, a Canary's page shows the values Prometheus gave, and its promote
/// button finishes the release; a user who may only read Canaries is refused with Kubernetes' own message,
/// and a request from another origin or host is refused outright. Chromium loads both cores while it starts:
/// `make test` runs these alone.
@Suite(
    .serialized,
    .enabled(if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1", "a browser loads both cores; make test runs it alone"))
struct DashboardScenarioTests {
    static let analysis = """
            interval: 3s
            threshold: 5
            maxWeight: 50
            stepWeight: 5
            metrics:
            - {name: request-success-rate, thresholdRange: {min: 95}, interval: 10s}
        """

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Keeps a screenshot the test took: in `docs/` with `SERIN_UPDATE_SCREENSHOTS=1`, else in a temporary file.
    static func keep(_ png: Data, as name: String) throws {
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]), "a PNG")
        let update = ProcessInfo.processInfo.environment["SERIN_UPDATE_SCREENSHOTS"] == "1"
        let folder = update ? repository.appendingPathComponent("docs/images") : FileManager.default.temporaryDirectory
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try png.write(to: folder.appendingPathComponent(name))
    }

    /// A dashboard with `client` (shut down at the end) and a browser; both stopped whatever happens.
    static func withDashboard(_ client: KubeClient, _ body: (DashboardServer, HeadlessBrowser) async throws -> Void) async throws {
        var logger = Logger(label: "test.dashboard")
        logger.logLevel = .warning
        let outcome: Result<Void, any Error>
        do {
            let dashboard = try await DashboardServer.start(client: client, user: "alice", namespace: "test", port: 0, logger: logger)
            do {
                let browser = try await HeadlessBrowser.start()
                do { outcome = .success(try await body(dashboard, browser)) } catch { outcome = .failure(error) }
                await browser.quit()
            } catch { outcome = .failure(error) }
            await dashboard.stop()
        } catch { outcome = .failure(error) }
        try await client.shutdown()
        try outcome.get()
    }

    @Test func theOverviewFollowsAReleaseAndTheCanaryPagePromotesIt() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"], stdin: Podinfo.workload + "\n---\n" + Podinfo.canary(provider: "istio", analysis: Self.analysis))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            try await Self.withDashboard(world.sandbox.client()) { dashboard, browser in
                try await browser.open(dashboard.url)
                let weight = #"tr[data-key="test/podinfo"] .weight"#
                #expect(try await eventually(timeout: .seconds(20)) { try await browser.text(weight) == "0%" }, "the row is drawn")
                _ = try await browser.run("window.serinMarker = 'same page'; return true;")
                try await world.releasePodinfo()
                let moved = try await eventually(timeout: .seconds(60)) {
                    let text = try await browser.text(weight) ?? ""
                    return (Int(text.dropLast()) ?? 0) >= 10
                }
                let seen = try await browser.text(weight) ?? "no row"
                #expect(moved, "the weight advanced on the open page: \(seen)")
                #expect(try await browser.run("return window.serinMarker;") == "same page", "pushed, not reloaded")
                try Self.keep(try await browser.screenshot(), as: "dashboard-overview.png")

                try await browser.open(dashboard.url + "canary/test/podinfo")
                let value = #".metric-value[data-metric="request-success-rate"]"#
                #expect(try await eventually(timeout: .seconds(30)) { try await browser.text(value) != nil })
                let shown = try await browser.text(value) ?? ""
                let journal = try await world.status("podinfo", namespace: "test")["journal"]?.arrayValue ?? []
                let values = journal.flatMap { $0["metrics"]?.arrayValue ?? [] }.compactMap { $0["value"]?.doubleValue }
                let formatted = values.map { $0 == $0.rounded() ? String(Int($0)) : String(format: "%.4g", $0) }
                #expect(formatted.contains(shown), "the page shows what Prometheus answered: \(shown) in \(formatted)")
                let charts = try await browser.run("return document.querySelectorAll('svg.chart').length;").intValue ?? 0
                #expect(try await browser.text("#charts-h") == "Steps" && charts >= 2, "the weight and the metric charts")
                try Self.keep(try await browser.screenshot(), as: "dashboard-canary.png")

                try await browser.click(#"button[data-action="promote"]"#)
                #expect(try await browser.acceptPrompt() == "promote canary test/podinfo?")
                #expect(
                    try await eventually(timeout: .seconds(10)) {
                        (try await browser.text("#result") ?? "").hasPrefix("promote requested for canary test/podinfo")
                    })
                #expect(
                    try await eventually(timeout: .seconds(60)) { try await browser.text("#phase") == "Succeeded" }, "the page follows the operator")
                let events = try await world.events("podinfo", namespace: "test")
                #expect(events.contains("Promotion of podinfo.test requested by alice: skipping the rest of the analysis"), "\(events)")
            }
        }
    }

    @Test func aReaderIsRefusedWithKubernetesMessageAndOtherOriginsAreRefused() async throws {
        try await Scenario.run(Scenario.Setup(authorization: true)) { world in
            try await world.kubectl.succeed(
                ["apply", "-f", "-"], stdin: Podinfo.workload + "\n---\n" + Podinfo.canary(provider: "istio", analysis: Self.analysis))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.viewer)
            let kubeconfig = NSTemporaryDirectory() + "serin-viewer-\(UUID().uuidString).kubeconfig"
            try await world.sandbox.writeKubeconfig(serviceAccount: "viewer", namespace: "test", to: kubeconfig)
            let viewer = KubeClient(configuration: try ClientConfiguration.infer(explicitKubeconfig: kubeconfig, context: nil))
            try await Self.withDashboard(viewer) { dashboard, browser in
                try await browser.open(dashboard.url + "canary/test/podinfo")
                #expect(try await eventually(timeout: .seconds(20)) { try await browser.text("#phase") == "Initialized" })
                let events = try await browser.text("#events-h + p") ?? ""
                #expect(events.hasPrefix("Events could not be read:") && events.contains("forbidden"), "\(events)")
                try await browser.click(#"button[data-action="abort"]"#)
                _ = try await browser.acceptPrompt()
                let refused = try await eventually(timeout: .seconds(10)) { (try await browser.text("#result") ?? "").hasPrefix("Refused (403)") }
                let result = try await browser.text("#result") ?? ""
                #expect(refused && result.contains("forbidden") && result.contains("viewer"), "Kubernetes' own message: \(result)")
                let canary = try await world.json(["get", "canary", "podinfo", "-n", "test"])
                #expect(canary[path: "metadata", "annotations", ControlRequest.annotation] == nil, "nothing changed")

                let http = OutboundHTTP(proxies: ProxySettings())
                let action = dashboard.url + "canary/test/podinfo/abort"
                let crossSite = try await http.send(
                    .POST, action, headers: [("Origin", "http://evil.example"), ("X-Serin-Token", dashboard.token)], timeout: .seconds(10))
                #expect(crossSite.status == 403 && crossSite.text.contains("refused: a request from http://evil.example"), "\(crossSite.text)")
                let rebound = try await http.send(.GET, dashboard.url, headers: [("Host", "evil.example:\(dashboard.port)")], timeout: .seconds(10))
                #expect(rebound.status == 403 && rebound.text.contains("is not this dashboard's"), "\(rebound.text)")
                let tokenless = try await http.send(.POST, action, timeout: .seconds(10))
                #expect(tokenless.status == 403 && tokenless.text.contains("no valid session token"))
                let page = try await http.send(.GET, dashboard.url, timeout: .seconds(10))
                #expect(page.headers(named: "Content-Security-Policy").first?.hasPrefix("default-src 'none'; script-src 'self'") == true)
            }
        }
    }

    /// A ServiceAccount that may read Canaries and nothing else.
    static let viewer = """
        apiVersion: v1
        kind: ServiceAccount
        metadata: {name: viewer, namespace: test}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: Role
        metadata: {name: canary-viewer, namespace: test}
        rules:
        - {apiGroups: [flagger.app], resources: [canaries], verbs: [get, list, watch]}
        ---
        apiVersion: rbac.authorization.k8s.io/v1
        kind: RoleBinding
        metadata: {name: canary-viewer, namespace: test}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: canary-viewer}
        subjects:
        - {kind: ServiceAccount, name: viewer, namespace: test}
        """
}
