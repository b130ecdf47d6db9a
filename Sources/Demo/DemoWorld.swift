import CanaryController
import Foundation
import KubeAPIServer
import KubeClient
import KubeSandbox
import LoadTester
import LocalCluster
import Logging
import OutboundHTTP

/// Everything the demo runs: the sandbox, a real Prometheus scraping it, `serin operator` and `serin loadtester`.
///
/// Prometheus and the load tester are reachable by their cluster names (`prometheus.istio-system:9090`,
/// `flagger-loadtester.test`) through the sandbox's proxy, as in a cluster.
final class DemoWorld: Sendable {
    let sandbox: Sandbox
    let prometheus: PrometheusServer
    let kubectl: Kubectl
    let client: KubeClient
    let loadTester: LoadTester
    let alerts: DemoAlertReceiver
    private let tasks: [Task<Void, any Error>]

    static let metricsServer = "http://prometheus.istio-system:9090"

    /// Starts everything; the CRDs in `crds` are installed before the operator starts, as in a cluster.
    static func start(console: DemoConsole, crds: String) async throws -> DemoWorld {
        var options = Sandbox.Options()
        options.logger.logLevel = .error
        let sandbox = try await Sandbox.start(options)
        console.ok("sandbox API server \(sandbox.url.absoluteString) (kubeconfig \(sandbox.kubeconfigPath))")
        let prometheus: PrometheusServer
        do { prometheus = try await PrometheusServer.start(scraping: ["127.0.0.1:\(sandbox.trafficURL.port ?? 0)"]) } catch {
            await sandbox.stop()
            throw error
        }
        console.ok("Prometheus \(prometheus.url), scraping the sandbox's Istio metrics every second")
        var quiet = Logger(label: "serin.demo")
        quiet.logLevel = .error
        var testerOptions = LoadTesterOptions()
        testerOptions.host = "127.0.0.1"
        testerOptions.port = 0
        testerOptions.heyProxy = sandbox.trafficURL
        let tester = try LoadTester(options: testerOptions, logger: quiet)
        let (testerPort, testerTask) = await tester.start()
        console.ok("serin loadtester on port \(testerPort), as flagger-loadtester.test")
        let alerts = try await DemoAlertReceiver.start(console: console)
        console.ok("an alert receiver on \(alerts.url), the demo's AlertProvider")
        let client = sandbox.client(logger: quiet)
        try await Kubectl(sandbox).succeed(["apply", "-f", crds])
        var operatorOptions = OperatorOptions(metricsServer: metricsServer)
        operatorOptions.minimumInterval = .seconds(1)
        operatorOptions.eventRefill = .seconds(1)
        operatorOptions.proxies = ProxySettings(httpProxy: sandbox.trafficURL)
        let canaryOperator = CanaryOperator(client: client, options: operatorOptions, logger: quiet)
        let operatorTask = Task { try await canaryOperator.run() }
        console.ok("serin operator (Istio, metrics from \(metricsServer))")
        let world = DemoWorld(
            sandbox: sandbox, prometheus: prometheus, client: client, loadTester: tester, alerts: alerts,
            tasks: [operatorTask, testerTask])
        let prometheusPort = URL(string: prometheus.url)?.port ?? 0
        try await world.kubectl.exposeOnLoopback(service: "flagger-loadtester", namespace: "test", port: 80, localPort: testerPort)
        try await world.kubectl.exposeOnLoopback(service: "prometheus", namespace: "istio-system", port: 9090, localPort: prometheusPort)
        return world
    }

    private init(
        sandbox: Sandbox, prometheus: PrometheusServer, client: KubeClient, loadTester: LoadTester, alerts: DemoAlertReceiver,
        tasks: [Task<Void, any Error>]
    ) {
        self.alerts = alerts
        self.sandbox = sandbox
        self.prometheus = prometheus
        self.kubectl = Kubectl(sandbox)
        self.client = client
        self.loadTester = loadTester
        self.tasks = tasks
    }

    /// Stops everything; no process is left behind.
    func stop() async {
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
        await prometheus.stopAndWait()
        await alerts.stop()
        do { try await client.shutdown() } catch {}  // the process is ending; nothing to report
        await sandbox.stop()
    }
}
