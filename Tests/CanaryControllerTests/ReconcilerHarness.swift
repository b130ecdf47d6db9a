import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import Logging
import SerinTesting
import Synchronization
import Testing
@testable import CanaryController

/// The fast tier: the operator's reconciler called directly, one reconcile at a time, against an
/// in-memory cluster (the sandbox's API server without a socket or simulators) through a real client.
/// Time is the harness's: ``advance(by:)`` moves the reconciler's clock. No Prometheus, no kubectl.
final class ReconcilerHarness: Sendable {
    let cluster: InMemoryCluster
    let client: KubeClient
    let canaryOperator: CanaryOperator
    private let time = VirtualTime()

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let canaries = KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries", namespaced: true)

    private init(cluster: InMemoryCluster, options: OperatorOptions) {
        self.cluster = cluster
        client = cluster.client()
        canaryOperator = CanaryOperator(client: client, options: options, logger: Logger(label: "test.operator"), clock: .virtual(time))
    }

    /// Runs `body` with Serin's CRDs installed, the namespace `demo`, and the operator's caches and event
    /// recorder running (its controller does not: the test reconciles).
    static func with(
        options: OperatorOptions = OperatorOptions(metricsServer: "http://127.0.0.1:1"), istio: Bool = true,
        _ body: (ReconcilerHarness) async throws -> Void
    ) async throws {
        let harness = ReconcilerHarness(
            cluster: try await InMemoryCluster.start(meshes: istio ? SimulatedMesh.defaults : SimulatedMesh.defaults.removing("istio", "keda")),
            options: options)
        try await installSerinCRDs(harness.client)
        _ = try await harness.client.resource(.namespaces, as: JSONValue.self).create(["metadata": ["name": "demo"]], namespace: nil)
        let op = harness.canaryOperator
        let services: [@Sendable () async throws -> Void] =
            [op.canaries.run, op.events.run] + op.related.map { reflector in { try await reflector.run() } }
        let tasks = services.map { service in Task { try await service() } }
        defer { for task in tasks { task.cancel() } }
        try await op.waitUntilSynced()
        try await body(harness)
        try await harness.client.shutdown()
    }

    /// Creates Serin's CRDs (Canary, MetricTemplate, AlertProvider) from the repository's `crds/`.
    static func installSerinCRDs(_ client: KubeClient) async throws {
        let crds = client.resource(.customResourceDefinitions, as: JSONValue.self)
        for file in [
            "canaries.flagger.app.yaml", "metrictemplates.flagger.app.yaml", "alertproviders.flagger.app.yaml", "rolloutpolicies.serin.dev.yaml",
        ] {
            let text = try String(contentsOf: repository.appendingPathComponent("crds/\(file)"), encoding: .utf8)
            for document in try YAMLBridge.documents(text) { _ = try await crds.create(document, namespace: nil) }
        }
    }

    var now: Date { time.date }

    func advance(by seconds: TimeInterval) { time.advance(by: .milliseconds(Int64(seconds * 1000))) }

    /// Waits until every cache holds what the API server holds, then reconciles the Canary once.
    func reconcile(_ name: String) async throws -> ReconcileAction {
        try await settle()
        let context = ReconcileContext(reconcileID: "test", logger: Logger(label: "test.reconcile"))
        return try await canaryOperator.reconciler.reconcile(ObjectKey(namespace: "demo", name: name), context: context)
    }

    /// Every cache in step with the server (the watch events of the last writes have arrived).
    func settle() async throws {
        for reflector in [canaryOperator.canaries] + canaryOperator.related {
            let resource = client.resource(reflector.resource, as: DynamicObject.self)
            let settled = try await eventually(timeout: .seconds(5)) {
                let served = Set(try await resource.list(namespace: "demo").items.map { "\($0.name ?? "")@\($0.resourceVersion ?? "")" })
                let cached = Set(reflector.cache.list(namespace: "demo").map { "\($0.name ?? "")@\($0.resourceVersion ?? "")" })
                return served == cached
            }
            #expect(settled, "the \(reflector.resourceName) cache caught up")
        }
    }

    func apply(_ resource: KubeResource, _ object: JSONValue) async throws {
        _ = try await client.resource(resource, as: JSONValue.self).create(object, namespace: "demo")
    }

    func get(_ resource: KubeResource, _ name: String) async throws -> JSONValue {
        try await client.resource(resource, as: JSONValue.self).get(name, namespace: "demo")
    }

    func status(_ name: String) async throws -> JSONValue { try await get(Self.canaries, name)["status"] ?? [:] }

    /// What the deployment controller would write once every replica of the current template is ready.
    func markReady(_ deployment: String) async throws {
        let live = try await get(.deployments, deployment)
        let replicas = live[path: "spec", "replicas"] ?? 1
        _ = try await client.resource(.deployments, as: JSONValue.self).patch(
            deployment, namespace: "demo",
            patch: .merge([
                "status": [
                    "observedGeneration": live[path: "metadata", "generation"] ?? 1, "replicas": replicas, "updatedReplicas": replicas,
                    "readyReplicas": replicas, "availableReplicas": replicas,
                ]
            ]), subresource: "status")
    }

    /// Warning events on the Canary, once the recorder has written them.
    func warnings(_ name: String, containing text: String) async throws -> Bool {
        try await eventually(timeout: .seconds(5)) {
            try await client.resource(.events, as: JSONValue.self).list(namespace: "demo").items.contains {
                $0[path: "involvedObject", "name"]?.stringValue == name && $0["type"] == "Warning"
                    && $0["message"]?.stringValue?.contains(text) == true
            }
        }
    }

    static func deployment(_ name: String, image: String = "ghcr.io/stefanprodan/podinfo:6.0.0") -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "labels": ["app": .string(name)]],
            "spec": [
                "replicas": 2, "selector": ["matchLabels": ["app": .string(name)]],
                "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "app", "image": .string(image)]]]],
            ],
        ]
    }

    static func canary(_ name: String, analysis: JSONValue = ["interval": "30s", "threshold": 2, "stepWeight": 10, "maxWeight": 30]) -> JSONValue {
        [
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": ["name": .string(name)],
            "spec": [
                "targetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(name)], "service": ["port": 9898],
                "analysis": analysis,
            ],
        ]
    }
}
