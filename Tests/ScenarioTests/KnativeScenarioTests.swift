import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// Flagger's Knative tutorial and e2e test on the sandbox: `provider: knative`, a Knative Service as the
/// target, no object of Serin's own; the primary revision named by `flagger.app/primary-revision`, the
/// Service's `spec.traffic` split between revisions, and the built-in metrics from the gateway's Envoy
/// cluster of the canary revision (`envoy_cluster_name="test/podinfo-00002"`).
@Suite(.serialized) struct KnativeScenarioTests {
    static let manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: test}
        ---
        apiVersion: serving.knative.dev/v1
        kind: Service
        metadata: {name: podinfo, namespace: test}
        spec:
          template:
            metadata:
              annotations: {sandbox.serin.dev/latency-ms: "20", sandbox.serin.dev/rps: "50", sandbox.serin.dev/ready-after: 100ms}
            spec:
              containers: [{image: "ghcr.io/stefanprodan/podinfo:6.0.0", ports: [{containerPort: 9898}]}]
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test}
        spec:
          provider: knative
          targetRef: {apiVersion: serving.knative.dev/v1, kind: Service, name: podinfo}
          progressDeadlineSeconds: 60
          analysis:
        \(Podinfo.tutorialAnalysis)
        """

    @Test func aGoodReleaseMovesTheRevisionsTrafficAndABadOneRollsBack() async throws {
        var setup = Scenario.Setup()
        setup.meshProvider = "knative"
        try await Scenario.run(setup) { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests)
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            var service = try await world.json(["get", "services.serving", "podinfo", "-n", "test"])
            #expect(service[path: "metadata", "annotations", "flagger.app/primary-revision"] == "podinfo-00001", "Flagger's e2e check")
            #expect(
                service[path: "spec", "traffic"]?[0]?["revisionName"] == "podinfo-00001" && service[path: "spec", "traffic"]?[0]?["percent"] == 100)
            #expect(try await world.visit("http://podinfo.test/").workload == "podinfo-00001", "the host reaches the primary revision")
            let services = try await world.kubectl.succeed(["get", "services", "-n", "test", "-o", "name"])
            #expect(!services.contains("podinfo-primary") && !services.contains("podinfo-canary"), "Serin creates no Services: \(services)")

            // Flagger's e2e release: a new image in the template makes podinfo-00002.
            try await world.kubectl.succeed([
                "patch", "services.serving", "podinfo", "-n", "test", "--type=json", "-p",
                #"[{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "ghcr.io/stefanprodan/podinfo:6.0.1"}]"#,
            ])
            var weights: [Int] = []
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test", weights: &weights), "weights: \(weights)")
            #expect(weights.contains(10) && weights.contains(50), "the weights moved: \(weights)")
            let journal = try expandedJournal(try await world.status("podinfo", namespace: "test")["journal"])
            let check = journal.flatMap { $0["metrics"]?.arrayValue ?? [] }.last { $0["name"] == "request-success-rate" }
            #expect(check?["passed"] == true, "\(String(describing: check))")
            #expect(check?["query"]?.stringValue?.contains(#"envoy_cluster_upstream_rq{envoy_cluster_name=~"test/podinfo-00002""#) == true)
            service = try await world.json(["get", "ksvc", "podinfo", "-n", "test"])
            #expect(service[path: "metadata", "annotations", "flagger.app/primary-revision"] == "podinfo-00002", "promoted")
            #expect(KnativeScenarioTests.percent(of: "podinfo-00002", in: service) == 100, "\(String(describing: service[path: "spec", "traffic"]))")

            // A release answering 50 % errors: rolled back to podinfo-00002.
            try await world.kubectl.succeed([
                "patch", "ksvc", "podinfo", "-n", "test", "--type=merge", "-p",
                #"{"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/error-ratio":"0.5"}}}}}"#,
            ])
            #expect(
                try await world.waitForPhase("Failed", name: "podinfo", namespace: "test", timeout: .seconds(150)), "a bad release is rolled back")
            service = try await world.json(["get", "ksvc", "podinfo", "-n", "test"])
            #expect(service[path: "metadata", "annotations", "flagger.app/primary-revision"] == "podinfo-00002")
            #expect(service[path: "status", "latestCreatedRevisionName"] == "podinfo-00003")
            #expect(KnativeScenarioTests.percent(of: "podinfo-00002", in: service) == 100, "all back on the primary revision")
        }
    }

    /// The percent `spec.traffic` sends to `revision`.
    static func percent(of revision: String, in service: JSONValue) -> Int {
        (service[path: "spec", "traffic"]?.arrayValue ?? []).filter { $0["revisionName"]?.stringValue == revision }
            .reduce(0) { $0 + ($1["percent"]?.intValue ?? 0) }
    }
}
