import Foundation
import KubeClient
import KubeCore
import Testing

/// Rollout stories written once and told on either ``RolloutBackend``: a Deployment `podinfo` in `demo`
/// behind Istio, its Canary stepping 10% a step to 30% with Flagger's two built-in checks, and a release
/// that is good or fails half its requests. What a story asserts holds on both backends: the steps'
/// Events, their order and spacing in the journal, and what the primary, the canary and the routes end as.
public enum RolloutStories {
    static let canaries = KubeResource(group: "flagger.app", version: "v1beta1", kind: "Canary", plural: "canaries", namespaced: true)
    static let virtualServices = KubeResource(
        group: "networking.istio.io", version: "v1beta1", kind: "VirtualService", plural: "virtualservices", namespaced: true)
    static let released = "ghcr.io/stefanprodan/podinfo:6.0.1"
    static let running = "ghcr.io/stefanprodan/podinfo:6.0.0"

    /// A good release steps once per interval to the maximum weight, each step one Event, and is promoted.
    @discardableResult
    public static func aGoodReleaseIsPromotedStepByStep(on world: some RolloutBackend) async throws -> RolloutProgress {
        try await initialize(world)
        try await patchTemplate(world, ["spec": ["containers": [["name": "podinfo", "image": .string(released)]]]])
        let promoted = try await world.progress("podinfo") { $0["phase"] == "Succeeded" }
        let status = try await status(world)
        let evidence = promoted.reached ? "" : await world.metricsEvidence()
        #expect(promoted.reached, "\(promoted.seen) \(status) \(evidence)")
        let events = try await events(world)
        let advances = events.filter { $0.hasPrefix("Advance podinfo.demo canary weight") }
        #expect(advances.sorted() == [10, 20, 30].map { "Advance podinfo.demo canary weight \($0)" }, "each step once: \(events)")
        #expect(events.contains("Promotion completed! Scaling down podinfo.demo"), "\(events)")
        // The journal's steps in order, never closer than the interval.
        let times = journalTimes(status, steps: ["Progressing 10%", "Progressing 20%", "Progressing 30%", "Promoting"])
        #expect(times.count == 4, "\(status)")
        for (earlier, later) in zip(times, times.dropFirst()) {
            #expect(later.timeIntervalSince(earlier) >= Double(world.storyInterval.components.seconds), "\(earlier) → \(later)")
        }
        #expect(try await image(world, "podinfo-primary") == .string(released))
        #expect(try await deployment(world, "podinfo")[path: "spec", "replicas"] == 0, "the canary is scaled to zero")
        #expect(try await routes(world) == [100, 0])
        return promoted
    }

    /// A release failing half its requests halts at each check and rolls back when the failed checks reach
    /// the threshold (2); the primary keeps the running version and all the traffic.
    @discardableResult
    public static func aFailingReleaseRollsBackAtTheThresholdAndThePrimaryKeepsItsVersion(
        on world: some RolloutBackend
    ) async throws
        -> RolloutProgress
    {
        try await initialize(world)
        try await patchTemplate(
            world,
            [
                "metadata": ["annotations": ["sandbox.serin.dev/error-ratio": "0.5"]],
                "spec": ["containers": [["name": "podinfo", "image": .string(released)]]],
            ])
        let failed = try await world.progress("podinfo") { $0["phase"] == "Failed" }
        let status = try await status(world)
        let evidence = failed.reached ? "" : await world.metricsEvidence()
        #expect(failed.reached, "\(failed.seen) \(status) \(evidence)")
        #expect(status["canaryWeight"] == 0 && status["failedChecks"] == 2, "\(status)")
        #expect(!failed.seen.contains { $0.hasPrefix("Promoting") }, "\(failed.seen)")
        let events = try await events(world)
        #expect(events.contains { $0.hasPrefix("Halt podinfo.demo advancement success rate") }, "\(events)")
        #expect(events.contains("Rolling back podinfo.demo failed checks threshold reached 2"), "\(events)")
        #expect(events.contains("Canary failed! Scaling down podinfo.demo"), "\(events)")
        let primary = try await deployment(world, "podinfo-primary")
        #expect(primary[path: "spec", "template", "spec", "containers"]?[0]?["image"] == .string(running))
        #expect(primary[path: "spec", "template", "metadata", "annotations", "sandbox.serin.dev/error-ratio"] == nil, "primary untouched")
        #expect(primary[path: "status", "readyReplicas"] == 2, "the primary keeps serving: \(primary["status"] ?? [:])")
        #expect(try await deployment(world, "podinfo")[path: "spec", "replicas"] == 0, "the canary is scaled to zero")
        #expect(try await routes(world) == [100, 0])
        return failed
    }

    /// The namespace, the Deployment and its Canary, initialized.
    static func initialize(_ world: some RolloutBackend) async throws {
        do {
            _ = try await world.client.resource(.namespaces, as: JSONValue.self).create(["metadata": ["name": "demo"]], namespace: nil)
        } catch let error as KubeAPIError where error.isAlreadyExists {}  // the backend made it
        _ = try await world.client.resource(.deployments, as: JSONValue.self).create(deploymentManifest(), namespace: "demo")
        _ = try await world.client.resource(canaries, as: JSONValue.self).create(canaryManifest(world), namespace: "demo")
        let initialized = try await world.progress("podinfo") { $0["phase"] == "Initialized" }
        try #require(initialized.reached, "\(initialized.seen)")
    }

    /// `podinfo`, whose pods are ready 100 ms after a change and (live) serve 20 requests a second in 20 ms.
    static func deploymentManifest() -> JSONValue {
        let labels: JSONValue = ["app": "podinfo"]
        let behaviour: JSONValue = ["sandbox.serin.dev/ready-after": "100ms", "sandbox.serin.dev/rps": "20", "sandbox.serin.dev/latency-ms": "20"]
        return [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "podinfo", "labels": labels],
            "spec": [
                "replicas": 2, "selector": ["matchLabels": labels],
                "template": [
                    "metadata": ["labels": labels, "annotations": behaviour],
                    "spec": ["containers": [["name": "podinfo", "image": .string(running), "ports": [["containerPort": 9898]]]]],
                ],
            ],
        ]
    }

    static func canaryManifest(_ world: some RolloutBackend) -> JSONValue {
        let interval = JSONValue.string("\(world.storyInterval.components.seconds)s")
        let metricInterval = JSONValue.string("\(world.storyMetricInterval.components.seconds)s")
        return [
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": ["name": "podinfo"],
            "spec": [
                "targetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"], "service": ["port": 9898],
                "analysis": [
                    "interval": interval, "threshold": 2, "stepWeight": 10, "maxWeight": 30,
                    "metrics": [
                        ["name": "request-success-rate", "thresholdRange": ["min": 99], "interval": metricInterval],
                        ["name": "request-duration", "thresholdRange": ["max": 500], "interval": metricInterval],
                    ],
                ],
            ],
        ]
    }
}
