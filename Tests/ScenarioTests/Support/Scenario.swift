import CanaryController
import Foundation
import KubeClient
import KubeCore
import KubeSandbox
import Logging
import Synchronization
import SerinTesting
import Testing

/// A whole world for one scenario: the sandbox, a real Prometheus scraping its traffic, the CRDs, and the
/// canary operator running in-process against the sandbox over HTTP.
final class Scenario: Sendable {
    let sandbox: Sandbox
    let prometheus: PrometheusServer
    let kubectl: Kubectl
    let client: KubeClient
    private let operatorTask: Mutex<Task<Void, any Error>?>

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    static func run<T>(_ body: (Scenario) async throws -> T) async throws -> T {
        var options = Sandbox.Options()
        options.trafficTick = .milliseconds(100)
        return try await Sandbox.with(options) { sandbox in
            let prometheus = try await PrometheusServer.start(scraping: ["127.0.0.1:\(sandbox.trafficURL.port!)"])
            defer { prometheus.stop() }
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", repository.appendingPathComponent("crds").path])
            let client = sandbox.client()
            let scenario = Scenario(sandbox: sandbox, prometheus: prometheus, kubectl: kubectl, client: client)
            defer { scenario.stop() }
            return try await body(scenario)
        }
    }

    private init(sandbox: Sandbox, prometheus: PrometheusServer, kubectl: Kubectl, client: KubeClient) {
        self.sandbox = sandbox
        self.prometheus = prometheus
        self.kubectl = kubectl
        self.client = client
        operatorTask = Mutex(Scenario.startOperator(client: client, prometheus: prometheus.url))
    }

    /// Kills the operator (as a crash would: no graceful shutdown).
    func killOperator() {
        operatorTask.withLock { task in
            task?.cancel()
            task = nil
        }
    }

    /// Starts a fresh operator process-equivalent: new caches, new memory, the same cluster.
    func restartOperator() {
        operatorTask.withLock { $0 = Scenario.startOperator(client: client, prometheus: prometheus.url) }
    }

    static func startOperator(client: KubeClient, prometheus: String) -> Task<Void, any Error> {
        var options = OperatorOptions(metricsServer: prometheus)
        options.minimumInterval = .milliseconds(500)
        var logger = Logger(label: "scenario.operator")
        logger.logLevel = .warning
        let canaryOperator = CanaryOperator(client: client, options: options, logger: logger)
        return Task { try await canaryOperator.run() }
    }

    func stop() {
        killOperator()
        Task { [client] in try await client.shutdown() }
    }

    /// The Canary's status, read through the API.
    func status(_ name: String = "httpbin", namespace: String = "demo") async throws -> JSONValue {
        try await client.resource(KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries", namespaced: true),
                                  as: JSONValue.self).get(name, namespace: namespace)["status"] ?? [:]
    }

    /// Waits for a phase, recording every canary weight seen on the way.
    func waitForPhase(_ phase: String, name: String = "httpbin", timeout: Duration = .seconds(90), weights: inout [Int]) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let status = try await status(name)
            if let weight = status["canaryWeight"]?.intValue, weights.last != weight { weights.append(weight) }
            if status["phase"]?.stringValue == phase { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    func waitForPhase(_ phase: String, name: String = "httpbin", timeout: Duration = .seconds(90)) async throws -> Bool {
        var ignored: [Int] = []
        return try await waitForPhase(phase, name: name, timeout: timeout, weights: &ignored)
    }

    func json(_ arguments: [String]) async throws -> JSONValue {
        try JSONValue(parsing: try await kubectl.succeed(arguments + ["-o", "json"]))
    }

    func events(_ name: String = "httpbin") async throws -> [String] {
        try await eventObjects(name).compactMap { $0["message"]?.stringValue }
    }

    /// The Event objects of a Canary (each with its aggregated `count`).
    func eventObjects(_ name: String = "httpbin") async throws -> [JSONValue] {
        let list = try await client.resource(.events, as: JSONValue.self).list(namespace: "demo").items
        return list.filter { $0[path: "involvedObject", "name"]?.stringValue == name }
    }
}
