import KubeCore
import SerinTesting
import Testing

/// Flagger's tutorial workload, podinfo in the namespace `test`, shared by the router scenarios.
enum Podinfo {
    /// The tutorials' weighted analysis on the built-in metrics, shortened to seconds.
    static let tutorialAnalysis = """
            interval: 3s
            threshold: 3
            maxWeight: 50
            stepWeight: 10
            metrics:
            - {name: request-success-rate, thresholdRange: {min: 99}, interval: 10s}
            - {name: request-duration, thresholdRange: {max: 500}, interval: 10s}
        """

    /// The namespace and the Deployment (two replicas answering in about 20 ms, 50 requests a second).
    static let workload = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: test}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: podinfo, namespace: test, labels: {app: podinfo}}
        spec:
          replicas: 2
          selector: {matchLabels: {app: podinfo}}
          template:
            metadata:
              labels: {app: podinfo}
              annotations: {sandbox.serin.dev/latency-ms: "20", sandbox.serin.dev/rps: "50", sandbox.serin.dev/ready-after: 100ms}
            spec:
              containers: [{name: podinfod, image: "ghcr.io/stefanprodan/podinfo:6.0.0", ports: [{name: http, containerPort: 9898}]}]
        """
}

extension Podinfo {
    /// The tutorials' Canary `podinfo` for `provider`, with `references` (such as `routeRef: {…}`) and `service`.
    static func canary(
        provider: String, references: String = "", service: String = "{port: 80, targetPort: 9898}",
        analysis: String = Podinfo.tutorialAnalysis
    ) -> String {
        """
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: podinfo, namespace: test}
        spec:
          provider: \(provider)
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}\(references.isEmpty ? "" : "\n  " + references)
          service: \(service)
          analysis:
        \(analysis)
        """
    }
}

extension Scenario {
    /// Ships podinfo 6.0.1 to the Canary `podinfo` in `test`.
    func releasePodinfo() async throws {
        try await kubectl.succeed(["set", "image", "deploy/podinfo", "-n", "test", "podinfod=ghcr.io/stefanprodan/podinfo:6.0.1"])
    }

    /// A router tutorial's proof: a good release walks the weights (10 % to 50 %) to `Succeeded`, its last
    /// `metric` check passed with a query holding `query`; then a release answering 50 % errors is `Failed`.
    func promotesThenRollsBack(metric: String, query: String, sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try await releasePodinfo()
        var weights: [Int] = []
        #expect(
            try await waitForPhase("Succeeded", name: "podinfo", namespace: "test", weights: &weights), "weights: \(weights)",
            sourceLocation: sourceLocation)
        #expect(weights.contains(10) && weights.contains(50), "the weights moved: \(weights)", sourceLocation: sourceLocation)
        let journal = try expandedJournal(try await status("podinfo", namespace: "test")["journal"])
        let check = journal.flatMap { $0["metrics"]?.arrayValue ?? [] }.last { $0["name"]?.stringValue == metric }
        #expect(
            check?["passed"] == true && check?["query"]?.stringValue?.contains(query) == true, "\(String(describing: check))",
            sourceLocation: sourceLocation)
        try await kubectl.succeed([
            "patch", "deploy", "podinfo", "-n", "test", "-p",
            #"{"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/error-ratio":"0.5"}}}}}"#,
        ])
        #expect(try await waitForPhase("Failed", name: "podinfo", namespace: "test"), "a bad release is rolled back", sourceLocation: sourceLocation)
    }
}
