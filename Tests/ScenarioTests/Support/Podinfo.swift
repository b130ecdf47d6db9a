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
