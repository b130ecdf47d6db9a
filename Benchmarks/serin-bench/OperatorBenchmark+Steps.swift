import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeSandbox
import Synchronization
import Yams

extension OperatorBenchmark {
    static let canaryResource = KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries", namespaced: true)

    func installCRDs(_ client: KubeClient) async throws {
        let crds = client.resource(.customResourceDefinitions, as: JSONValue.self)
        for file in try FileManager.default.contentsOfDirectory(atPath: OperatorBenchmark.crds.path).sorted() where file.hasSuffix(".yaml") {
            let text = try String(contentsOf: OperatorBenchmark.crds.appendingPathComponent(file), encoding: .utf8)
            for document in try YAMLBridge.documents(text) { _ = try await crds.create(document) }
        }
        try await Task.sleep(for: .milliseconds(200))
    }

    func create(
        _ index: Int, client: KubeClient, interval: String = "1m", name: String? = nil, maxWeight: Int = 100,
        stepWeight: Int = 25
    ) async throws {
        let name = name ?? "app-\(index)"
        let deployment: JSONValue = [
            "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "replicas": 1, "selector": ["matchLabels": ["app": .string(name)]],
                "template": [
                    "metadata": ["labels": ["app": .string(name)], "annotations": ["sandbox.serin.dev/ready-after": "10ms"]],
                    "spec": ["containers": [["name": "app", "image": "app:1"]]],
                ],
            ],
        ]
        _ = try await client.resource(.deployments, as: JSONValue.self).create(deployment, namespace: "default")
        let canary: JSONValue = [
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "targetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": .string(name)], "service": ["port": 80],
                "analysis": ["interval": .string(interval), "threshold": 1, "maxWeight": .int(maxWeight), "stepWeight": .int(stepWeight)],
            ],
        ]
        _ = try await client.resource(OperatorBenchmark.canaryResource, as: JSONValue.self).create(canary, namespace: "default")
    }

    func waitForPhase(_ phase: String, client: KubeClient, names: Set<String>? = nil) async throws {
        let canaries = client.resource(OperatorBenchmark.canaryResource, as: JSONValue.self)
        while true {
            let items = try await canaries.list(namespace: "default").items.filter {
                names?.contains($0[path: "metadata", "name"]?.stringValue ?? "") ?? true
            }
            if items.allSatisfy({ $0[path: "status", "phase"]?.stringValue == phase }) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Patches every target's image, one at a time, and times until the operator has scaled its canary up.
    func measureScaleUp(_ client: KubeClient) async throws -> [Double] {
        let deployments = client.resource(.deployments, as: JSONValue.self)
        let sent = SendTimes()
        let watcher = try await sent.watchScaleUps(deployments, expected: canaries)
        for index in 0..<canaries { try await sent.newImage(on: "app-\(index)", deployments) }
        return try await watcher.value
    }

    /// Runs one canary through its steps and measures how late each step came against `interval`.
    func measureDrift(_ client: KubeClient) async throws -> [Double] {
        try await create(0, client: client, interval: "\(interval)s", name: "drift")
        try await waitForPhase("Initialized", client: client, names: ["drift"])
        _ = try await client.resource(.deployments, as: JSONValue.self).patch(
            "drift", namespace: "default",
            patch: .strategicMerge(
                ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "app:2"]]]]]]))
        let canaries = client.resource(OperatorBenchmark.canaryResource, as: JSONValue.self)
        var changes: [ContinuousClock.Instant] = []
        var lastWeight = -1
        while changes.count < 4 {
            let status = try await canaries.get("drift", namespace: "default")["status"]
            let weight = status?["canaryWeight"]?.intValue ?? 0
            if weight > 0 && weight != lastWeight {
                changes.append(ContinuousClock.now)
                lastWeight = weight
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        return zip(changes.dropFirst(), changes).map { later, earlier in
            let gap = later - earlier
            return (Double(gap.components.seconds) + Double(gap.components.attoseconds) / 1e18 - Double(interval)) * 1000
        }
    }
}
