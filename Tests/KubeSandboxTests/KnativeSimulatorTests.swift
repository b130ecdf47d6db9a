import Foundation
@testable import KubeAPIServer
import KubeClient
import KubeCore
import SerinTesting
import Testing
@testable import KubeSandbox

/// The simulated Knative Serving: a Revision per template, the Service's status as Knative reports it, and
/// the Service's host routed by `status.traffic`.
@Suite struct KnativeSimulatorTests {
    static let services = KubeResource(group: "serving.knative.dev", version: "v1", kind: "Service", plural: "services", namespaced: true)

    @Test func eachTemplateIsARevisionAndTheHostFollowsTheTraffic() async throws {
        let cluster = try await InMemoryCluster.start(meshes: [.knative])
        let client = cluster.client()
        defer { Task { try await client.shutdown() } }
        let simulator = Task { await KnativeSimulator(store: cluster.store).run() }
        defer { simulator.cancel() }
        let services = client.resource(Self.services, as: JSONValue.self)
        let template: JSONValue = [
            "metadata": ["annotations": ["sandbox.serin.dev/ready-after": "10ms"]], "spec": ["containers": [["image": "podinfo:6.0.0"]]],
        ]
        _ = try await services.create(["metadata": ["name": "podinfo"], "spec": ["template": template]], namespace: "default")
        #expect(
            try await eventually {
                try await services.get("podinfo", namespace: "default")[path: "status", "latestReadyRevisionName"] == "podinfo-00001"
            })
        let first = try await services.get("podinfo", namespace: "default")
        #expect(first[path: "status", "traffic"] == [["revisionName": "podinfo-00001", "latestRevision": true, "percent": 100]])
        #expect(first[path: "status", "url"] == "http://podinfo.default.example.com")

        // A new image is a new revision; traffic pinned to the first stays there until moved.
        _ = try await services.patch(
            "podinfo", namespace: "default",
            patch: .merge([
                "spec": [
                    "template": ["spec": ["containers": [["image": "podinfo:6.0.1"]]]],
                    "traffic": [["revisionName": "podinfo-00001", "percent": 100, "latestRevision": false]],
                ]
            ]))
        #expect(
            try await eventually {
                try await services.get("podinfo", namespace: "default")[path: "status", "latestReadyRevisionName"] == "podinfo-00002"
            })
        #expect(await workloads(of: "podinfo.default", cluster: cluster) == ["podinfo-00001": 100.0])
        _ = try await services.patch(
            "podinfo", namespace: "default",
            patch: .merge([
                "spec": [
                    "traffic": [
                        ["revisionName": "podinfo-00001", "percent": 70, "latestRevision": false],
                        ["revisionName": "podinfo-00002", "percent": 30, "latestRevision": false],
                    ]
                ]
            ]))
        #expect(
            try await eventually {
                await workloads(of: "podinfo.default.svc.cluster.local", cluster: cluster) == ["podinfo-00001": 70, "podinfo-00002": 30]
            })
        let service = try await services.get("podinfo", namespace: "default")
        #expect(service[path: "status", "observedGeneration"] == service[path: "metadata", "generation"])
        #expect(service[path: "status", "conditions"]?.arrayValue?.first { $0["type"] == "Ready" }?["status"] == "True")
    }

    @Test func aRevisionNotReadyYetIsNotTheLatestReady() {
        let service: JSONValue = ["metadata": ["name": "web", "namespace": "shop", "generation": 3], "spec": [:]]
        let ready: JSONValue = ["metadata": ["name": "web-00001"], "status": ["conditions": [["type": "Ready", "status": "True"]]]]
        let pending: JSONValue = ["metadata": ["name": "web-00002"], "status": ["conditions": [["type": "Ready", "status": "Unknown"]]]]
        let status = KnativeSimulator.status(of: service, revisions: [ready, pending], now: Date())
        #expect(status["latestCreatedRevisionName"] == "web-00002" && status["latestReadyRevisionName"] == "web-00001")
        #expect(status["observedGeneration"] == 3)
        #expect(status["conditions"]?.arrayValue?.first { $0["type"] == "ConfigurationsReady" }?["status"] == "Unknown")
        #expect(
            KnativeSimulator.resolvedTraffic([["latestRevision": true, "percent": 100]], latestReady: "web-00001")
                == [["revisionName": "web-00001", "latestRevision": true, "percent": 100]])
    }

    /// The revisions a request for `host` reaches, with their weights.
    private func workloads(of host: String, cluster: InMemoryCluster) async -> [String: Double] {
        guard case .weighted(let routing) = await ServiceResolver(store: cluster.store, meshes: [.knative]).resolve(host: host, port: nil) else {
            return [:]
        }
        var weights: [String: Double] = [:]
        for destination in routing.destinations { for backend in destination.backends { weights[backend.workload] = destination.weight } }
        return weights
    }
}
