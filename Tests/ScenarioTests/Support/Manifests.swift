import SerinTesting

/// The user's example (issue 5) with a short interval, as the scenarios apply it.
enum Manifests {
    /// The load test of the user's example, run by `serin loadtester`.
    static let loadTest = """
        - name: load-test
          url: http://flagger-loadtester.test/
          timeout: 15s
          metadata:
            cmd: "hey -z 1m -q 10 -c 2 http://httpbin-canary.demo:8000/headers"
        """

    static func example(
        prometheus: String, interval: String = "3s", threshold: Int = 3,
        metricInterval: String = "10s", webhooks: String? = nil
    ) -> String {
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        ---
        apiVersion: flagger.app/v1beta1
        kind: MetricTemplate
        metadata: {name: latency, namespace: istio-system}
        spec:
          provider: {type: prometheus, address: "\(prometheus)"}
          query: |
            histogram_quantile(0.99,
              sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination",
                destination_workload_namespace="{{ namespace }}",destination_workload=~"{{ target }}"}[{{ interval }}])) by (le))
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: httpbin, namespace: demo, labels: {app: httpbin}}
        spec:
          replicas: 2
          selector: {matchLabels: {app: httpbin}}
          template:
            metadata:
              labels: {app: httpbin}
              annotations: {sandbox.serin.dev/latency-ms: "20", sandbox.serin.dev/rps: "50", sandbox.serin.dev/ready-after: 100ms}
            spec:
              containers: [{name: httpbin, image: "kennethreitz/httpbin:v1", ports: [{containerPort: 80}]}]
        ---
        apiVersion: autoscaling/v2
        kind: HorizontalPodAutoscaler
        metadata: {name: httpbin, namespace: demo}
        spec:
          scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: httpbin}
          minReplicas: 2
          maxReplicas: 4
          metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: httpbin, namespace: demo}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: httpbin}
          progressDeadlineSeconds: 60
          autoscalerRef: {apiVersion: autoscaling/v2beta1, kind: HorizontalPodAutoscaler, name: httpbin}
          service:
            port: 8000
            targetPort: 80
            gateways: [public-gateway.istio-system.svc.cluster.local]
          analysis:
            interval: \(interval)
            threshold: \(threshold)
            maxWeight: 100
            stepWeight: 20
            metrics:
            - name: request-success-rate
              thresholdRange: {min: 99}
              interval: \(metricInterval)
            - name: latency
              templateRef: {name: latency, namespace: istio-system}
              thresholdRange: {max: 500}
              interval: \(metricInterval)
        \(webhooks.map { "    webhooks:\n" + $0.split(separator: "\n").map { "    " + $0 }.joined(separator: "\n") } ?? "")
        """
    }

    /// A second workload and a Canary without metrics: each step passes as soon as it is due.
    static func plain(_ name: String, interval: String) -> String {
        Fixtures.documents(
            Fixtures.workload(name),
            Fixtures.canary(name, port: 9898, analysis: "interval: \(interval), threshold: 2, maxWeight: 50, stepWeight: 10"))
    }
}
