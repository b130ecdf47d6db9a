import CanaryAPI
import CanaryController
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// The metric providers the cluster itself answers, through whole rollouts on virtual time: External Metrics
/// (the sandbox's adapter), Keptn (the sandbox's Keptn simulator) and Serin's `job` (the sandbox runs the Jobs).
/// A good release is promoted; a release failing half its requests is rolled back.
@Suite(.serialized) struct ClusterMetricRolloutTests {
    /// `externalmetrics` without an address asks the operator's own API server, where the sandbox serves the
    /// External Metrics API from its workloads' traffic.
    @Test func externalMetricsFromTheClustersAdapterPromoteAndRollBack() async throws {
        try await VirtualRollout.with { rollout in
            try await rollout.create(
                MetricTemplate.resource,
                [
                    "apiVersion": "flagger.app/v1beta1", "kind": "MetricTemplate", "metadata": ["name": "success-rate"],
                    "spec": [
                        "provider": ["type": "externalmetrics"],
                        "query": "{{ namespace }}/request-success-rate?labelSelector=deployment%3D{{ target }}",
                    ],
                ])
            let events = try await Self.promoteThenRollBack(rollout, analysis: VendorMetricRolloutTests.analysis)
            #expect(events.contains("Halt podinfo.demo advancement success-rate 50.00 < 99"), "\(events)")
        }
    }

    /// `keptn` reads the cluster's Keptn resources, which the sandbox's Keptn simulator keeps current: a
    /// KeptnMetric's value, and an Analysis created per check (passed is 1), then deleted.
    @Test(arguments: [
        "keptnmetric/demo/podinfo-success-rate",
        "analysis/demo/success-rate/2m/workload={{ target }};min=99",
    ])
    func keptnMetricsAndAnalysesPromoteAndRollBack(query: String) async throws {
        try await VirtualRollout.with { rollout in
            try await rollout.create(
                KubeResource(group: "metrics.keptn.sh", version: "v1beta1", kind: "KeptnMetric", plural: "keptnmetrics", namespaced: true),
                [
                    "apiVersion": "metrics.keptn.sh/v1beta1", "kind": "KeptnMetric", "metadata": ["name": "podinfo-success-rate"],
                    "spec": ["provider": ["name": "sandbox"], "query": "request-success-rate deployment=podinfo", "fetchIntervalSeconds": 10],
                ])
            let threshold: JSONValue = query.hasPrefix("analysis") ? ["min": 1] : ["min": 99]
            let analysis: JSONValue = [
                "interval": "1m", "threshold": 2, "stepWeight": 10, "maxWeight": 30,
                "metrics": [["name": "success-rate", "templateRef": ["name": "success-rate"], "thresholdRange": threshold, "interval": "1m"]],
            ]
            try await rollout.create(
                MetricTemplate.resource,
                [
                    "apiVersion": "flagger.app/v1beta1", "kind": "MetricTemplate", "metadata": ["name": "success-rate"],
                    "spec": ["provider": ["type": "keptn"], "query": .string(query)],
                ])
            let events = try await Self.promoteThenRollBack(rollout, analysis: analysis)
            let halt =
                query.hasPrefix("analysis")
                ? "Halt podinfo.demo advancement success-rate 0.00 < 1" : "Halt podinfo.demo advancement success-rate 50.00 < 99"
            #expect(events.contains(halt), "\(events)")
            let left = try await rollout.client.resource(
                KubeResource(group: "metrics.keptn.sh", version: "v1beta1", kind: "Analysis", plural: "analyses", namespaced: true),
                as: JSONValue.self
            ).list(namespace: "demo").items
            #expect(left.isEmpty, "every Analysis is deleted after its check: \(left.count) left")
        }
    }

    /// `job` runs a smoke test per check as a Job in the Canary's namespace, which the sandbox runs against the
    /// canary's Service: a good release passes every check; one failing half its requests fails the smoke test,
    /// and the failure's reason (the Job's `Failed` condition) is in the Warning.
    @Test func smokeTestJobsPromoteAndRollBack() async throws {
        try await VirtualRollout.with { rollout in
            let query = """
                metadata:
                  labels: {team: checkout}
                spec:
                  template:
                    metadata:
                      annotations:
                        sandbox.serin.dev/smoke-test: {{ service }}-canary.{{ namespace }}
                    spec:
                      containers:
                        - name: smoke
                          image: curlimages/curl:8.10.1
                          command: [curl, -sf, "http://{{ service }}-canary.{{ namespace }}/"]
                """
            try await rollout.create(
                MetricTemplate.resource,
                [
                    "apiVersion": "flagger.app/v1beta1", "kind": "MetricTemplate", "metadata": ["name": "smoke-test"],
                    "spec": ["provider": ["type": "job"], "query": .string(query)],
                ])
            let analysis: JSONValue = [
                "interval": "1m", "threshold": 2, "stepWeight": 10, "maxWeight": 30,
                "metrics": [["name": "smoke-test", "templateRef": ["name": "smoke-test"], "thresholdRange": ["min": 1], "interval": "1m"]],
            ]
            let events = try await Self.promoteThenRollBack(rollout, analysis: analysis)
            let halt = try #require(events.first { $0.hasPrefix("Halt podinfo.demo advancement smoke-test 0.00 < 1: Job demo/podinfo-smoke-test-") })
            #expect(halt.hasSuffix(" failed: BackoffLimitExceeded: Job has reached the specified backoff limit"), "\(halt)")
            let jobs = try await rollout.client.resource(
                KubeResource(group: "batch", version: "v1", kind: "Job", plural: "jobs", namespaced: true), as: JSONValue.self
            ).list(namespace: "demo").items
            let pods = try await rollout.client.resource(.pods, as: JSONValue.self).list(namespace: "demo").items
            #expect(jobs.isEmpty && pods.isEmpty, "every Job goes with its pods after its check: \(jobs.count) Jobs, \(pods.count) pods left")
        }
    }

    /// A good release of `podinfo` under `analysis` (its templates created) is promoted with no provider named
    /// unavailable; then one failing half its requests is rolled back. The Canary's events after the rollback.
    static func promoteThenRollBack(_ rollout: VirtualRollout, analysis: JSONValue) async throws -> [String] {
        #expect(try await eventually { rollout.cached("metrictemplates") })
        try await rollout.create(.deployments, ReconcilerHarness.deployment("podinfo"))
        try await rollout.create(ReconcilerHarness.canaries, ReconcilerHarness.canary("podinfo", analysis: analysis))
        #expect(try await rollout.progress("podinfo") { $0["phase"] == "Initialized" }.reached)
        try await rollout.release("podinfo", image: "ghcr.io/stefanprodan/podinfo:6.0.1")
        let promoted = try await rollout.progress("podinfo") { $0["phase"] == "Succeeded" }
        let afterPromotion = try await rollout.events("podinfo")
        #expect(promoted.reached, "\(promoted.seen) \(afterPromotion)")
        #expect(!afterPromotion.contains { $0.contains("not available") }, "\(afterPromotion)")
        try await rollout.annotateTemplate("podinfo", [WorkloadBehaviour.Annotation.errorRatio: "0.5"])
        let failed = try await rollout.progress("podinfo") { $0["phase"] == "Failed" }
        let events = try await rollout.events("podinfo")
        #expect(failed.reached, "\(failed.seen) \(events)")
        return events
    }
}
