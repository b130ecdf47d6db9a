import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import MetricsTestKit
import Synchronization
import Testing

/// A related workload's status alone waits for a quiet key's time; its spec, and any change for a key that
/// is not quiet, reconcile at once. On the sandbox, with the statuses written by the test: the workload
/// simulator's own writes could reach the controller while the key is still queued from the spec's change, and
/// join that reconcile instead of waiting (on a loaded machine they did).
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
        var options = Sandbox.Options()
        options.simulateWorkloads = false
        try await Sandbox.with(options) { sandbox in
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
            let deployments = client.resource(.deployments)
            let written = Mutex(0)
            /// Writes a new status to `name`'s Deployment until `condition` holds: a status change that arrives
            /// while the key's reconcile is still running joins it, so one write may not be enough.
            func writeStatus(_ name: String, until condition: () -> Bool) async throws -> Bool {
                for _ in 0..<20 {
                    let number = written.withLock { count in
                        count += 1
                        return count
                    }
                    let status: JSONValue = ["status": ["observedGeneration": .int(number), "replicas": .int(number)]]
                    _ = try await deployments.patch(name, namespace: "default", patch: .merge(status), subresource: "status")
                    if await eventually(timeout: .seconds(3), condition) { return true }
                }
                return false
            }
            try await running([primary.run, workloads.run, controller.run]) {
                #expect(await eventually(timeout: .seconds(30)) { count("quiet") == 1 && count("awake") == 1 })
                for name in ["quiet", "awake"] { _ = try await deployments.create(Self.deployment(name, replicas: 2), namespace: "default") }
                // Created: a change as any other.
                #expect(await eventually(timeout: .seconds(30)) { count("quiet") == 2 && count("awake") == 2 })
                // A status alone: it waits for a quiet key, and reconciles a key that is not quiet.
                let quietWaited = try await writeStatus("quiet") { waited() >= 1 }
                #expect(quietWaited, "a status alone waits for a quiet key")
                let awakeReconciled = try await writeStatus("awake") { count("awake") >= 3 }
                #expect(awakeReconciled, "the status reconciles a key that is not quiet")
                #expect(count("quiet") == 2, "a status alone does not reconcile a quiet key: \(log.calls)")
                _ = try await deployments.patch("quiet", namespace: "default", patch: .merge(["spec": ["replicas": 3]]))
                #expect(await eventually(timeout: .seconds(30)) { count("quiet") == 3 }, "\(log.calls)")
                let waitedBefore = waited()
                let waitedAgain = try await writeStatus("quiet") { waited() > waitedBefore }
                #expect(waitedAgain, "the status after a new spec waits too")
                #expect(count("quiet") == 3, "a new spec reconciles once; its status waits: \(log.calls)")
            }
        }
    }
}
