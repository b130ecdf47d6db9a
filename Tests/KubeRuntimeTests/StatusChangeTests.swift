import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import MetricsTestKit
import Testing

/// A related workload's status alone waits for a quiet key's time; its spec, and any change for a key that
/// is not quiet, reconcile at once. On the sandbox, whose workload simulator writes a Deployment's status
/// (progressing, then available) after each change of its spec.
@Suite struct StatusChangeTests {
    static func deployment(_ name: String, replicas: Int) -> DynamicObject {
        let labels: JSONValue = ["app": .string(name)]
        return DynamicObject(json: [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "replicas": .int(replicas), "selector": ["matchLabels": labels],
                "template": ["metadata": ["labels": labels], "spec": ["containers": [["name": "app", "image": "app:1"]]]],
            ],
        ])
    }

    /// ConfigMaps as the primary kind, each reconciled again when the Deployment of its name changes; the
    /// reconcile of `quiet` waits for time alone (an hour), that of `awake` waits for a change.
    @Test func aDeploymentsStatusWaitsForAQuietKeyAndReconcilesAnother() async throws {
        let metrics = TestMetrics()
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            for name in ["quiet", "awake"] { _ = try await maps.create(configMap(name), namespace: "default") }
            let log = ReconcileLog()
            let primary = Reflector<DynamicObject>(client: client, resource: .configMaps, namespace: "default")
            let workloads = Reflector<DynamicObject>(client: client, resource: .deployments, namespace: "default")
            let controller = Controller(
                name: "status", primary: primary,
                reconciler: ReconcilerFunction { request, _ in
                    log.begin(request.name)
                    log.end(request.name, version: nil)
                    return request.name == "quiet" ? .quiet(requeueAfter: .seconds(3600)) : .awaitChange
                }, metrics: RuntimeMetrics(factory: metrics)
            ).watches(workloads, statusChanges: .waitForTime) { [ObjectKey(namespace: $0.namespace, name: $0.name ?? "")] }
            func count(_ name: String) -> Int { log.calls.filter { $0 == name }.count }
            func waited() -> Int {
                Int((try? metrics.expectCounter("serin_reconcile_status_changes_waited_total", [("controller", "status")]).totalValue) ?? 0)
            }
            try await running([primary.run, workloads.run, controller.run]) {
                #expect(await eventually(timeout: .seconds(30)) { count("quiet") == 1 && count("awake") == 1 })
                let deployments = client.resource(.deployments)
                for name in ["quiet", "awake"] { _ = try await deployments.create(Self.deployment(name, replicas: 2), namespace: "default") }
                // Created: a change as any other. Then the simulator makes both available: a status alone.
                #expect(await eventually(timeout: .seconds(30)) { count("quiet") == 2 && waited() >= 1 })
                #expect(await eventually(timeout: .seconds(30)) { count("awake") >= 3 }, "the status reconciles a key that is not quiet")
                let quietBefore = count("quiet")
                _ = try await deployments.patch("quiet", namespace: "default", patch: .merge(["spec": ["replicas": 3]]))
                #expect(await eventually(timeout: .seconds(30)) { count("quiet") == quietBefore + 1 && waited() >= 2 }, "\(log.calls)")
                #expect(count("quiet") == quietBefore + 1, "a new spec reconciles once; its status waits: \(log.calls)")
            }
        }
    }
}
