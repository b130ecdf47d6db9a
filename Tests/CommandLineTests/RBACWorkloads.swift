import SerinTesting

/// What ``OperatorRBACTests`` rolls out: four Canaries between them using every grant the chart makes
/// whatever the provider (with Istio, `worker` runs a baseline).
enum RBACWorkloads {
    /// The Canaries and their targets' kinds (for `kubectl set image`).
    static let canaries = [("web", "deployment"), ("agent", "daemonset"), ("worker", "deployment"), ("db", "statefulset")]

    /// `db`: a StatefulSet (Serin's): its partition patched, and after the releases a bad one rolled back,
    /// which lists and deletes its updated pod.
    static let statefulSet = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: db, namespace: demo, labels: {app: db}}
        spec:
          replicas: 2
          serviceName: db
          selector: {matchLabels: {app: db}}
          updateStrategy: {type: RollingUpdate}
          template:
            metadata: {labels: {app: db}, annotations: {sandbox.serin.dev/ready-after: 100ms}}
            spec: {containers: [{name: db, image: "example/db:1"}]}
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: db, namespace: demo}
        spec:
          targetRef: {apiVersion: apps/v1, kind: StatefulSet, name: db}
          progressDeadlineSeconds: 3
          analysis: {interval: 1s, threshold: 2, stepWeights: [50]}
        """

    /// The kinds of routing object each provider's router owns.
    static let routingKinds = ["istio": ["virtualservices", "destinationrules"], "nginx": ["ingresses"]]

    /// `web`: a Deployment with an HPA, a ConfigMap and a Secret (config tracking), alerts through an
    /// AlertProvider whose address is in a Secret, and `revertOnDeletion` (a finalizer); `agent`: a DaemonSet;
    /// `worker`: a Deployment scaled by a KEDA ScaledObject, judged by External Metrics, a KeptnMetric and a
    /// Keptn Analysis (the sandbox serves all three).
    static func manifests(provider: String) -> String {
        let objects = """
            apiVersion: v1
            kind: Namespace
            metadata: {name: demo}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: web-config, namespace: demo}
            data: {mode: a}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: web-secret, namespace: demo}
            stringData: {token: a}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: on-call, namespace: demo}
            stringData: {address: "http://127.0.0.1:1/"}
            ---
            apiVersion: flagger.app/v1beta1
            kind: AlertProvider
            metadata: {name: on-call, namespace: demo}
            spec: {type: webhook, secretRef: {name: on-call}}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: demo, labels: {app: web}}
            spec:
              replicas: 1
              selector: {matchLabels: {app: web}}
              template:
                metadata: {labels: {app: web}, annotations: {sandbox.serin.dev/ready-after: 100ms}}
                spec:
                  containers: [{name: web, image: "example/web:1", volumeMounts: [{name: config, mountPath: /config}, {name: secret, mountPath: /secret}]}]
                  volumes: [{name: config, configMap: {name: web-config}}, {name: secret, secret: {secretName: web-secret}}]
            ---
            apiVersion: autoscaling/v2
            kind: HorizontalPodAutoscaler
            metadata: {name: web, namespace: demo}
            spec:
              scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
              minReplicas: 1
              maxReplicas: 3
              metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 80}}}]
            ---
            \(Fixtures.workload("agent", image: "example/agent:1", kind: "DaemonSet", replicas: nil))
            ---
            \(Fixtures.workload("worker", image: "example/worker:1"))
            ---
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata: {name: worker, namespace: demo}
            spec:
              scaleTargetRef: {name: worker}
              triggers: [{type: prometheus, metadata: {serverAddress: "http://127.0.0.1:1", query: 'sum(queue{deployment="worker"})', threshold: "10"}}]
            ---
            apiVersion: flagger.app/v1beta1
            kind: MetricTemplate
            metadata: {name: external, namespace: demo}
            spec:
              provider: {type: externalmetrics}
              query: "demo/request-success-rate?labelSelector=deployment%3D{{ target }}"
            ---
            apiVersion: metrics.keptn.sh/v1beta1
            kind: KeptnMetric
            metadata: {name: worker-success-rate, namespace: demo}
            spec: {provider: {name: sandbox}, query: "request-success-rate deployment=worker", fetchIntervalSeconds: 10}
            ---
            apiVersion: flagger.app/v1beta1
            kind: MetricTemplate
            metadata: {name: keptn-metric, namespace: demo}
            spec: {provider: {type: keptn}, query: keptnmetric/demo/worker-success-rate}
            ---
            apiVersion: flagger.app/v1beta1
            kind: MetricTemplate
            metadata: {name: keptn-analysis, namespace: demo}
            spec: {provider: {type: keptn}, query: "analysis/demo/success-rate/1m/workload={{ target }}"}
            ---
            apiVersion: flagger.app/v1beta1
            kind: MetricTemplate
            metadata: {name: smoke-test, namespace: demo}
            spec:
              provider: {type: job}
              query: |
                template:
                  metadata: {annotations: {sandbox.serin.dev/smoke-test: "{{ target }}-canary.{{ namespace }}"}}
                  spec: {containers: [{name: smoke, image: curlimages/curl:8.10.1}]}
            """
        let canaries = [
            canary(
                "web", port: 8000, provider: provider,
                extra: """
                      targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
                      autoscalerRef: {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: web}
                      revertOnDeletion: true
                    """, alerts: "    alerts: [{name: on-call, severity: info, providerRef: {name: on-call}}]\n"),
            canary("agent", port: 8001, provider: provider, extra: "  targetRef: {apiVersion: apps/v1, kind: DaemonSet, name: agent}\n"),
            canary(
                "worker", port: 8002, provider: provider,
                extra: """
                      targetRef: {apiVersion: apps/v1, kind: Deployment, name: worker}
                      autoscalerRef: {apiVersion: keda.sh/v1alpha1, kind: ScaledObject, name: worker}
                    """,
                metrics: """
                        metrics:
                        - {name: external, templateRef: {name: external}, thresholdRange: {min: 99}}
                        - {name: keptn-metric, templateRef: {name: keptn-metric}, thresholdRange: {min: 99}}
                        - {name: keptn-analysis, templateRef: {name: keptn-analysis}, thresholdRange: {min: 1}}
                        - {name: smoke-test, templateRef: {name: smoke-test}, thresholdRange: {min: 1}}

                    """),
        ]
        return ([objects] + canaries + [statefulSet]).joined(separator: "\n---\n")
    }

    /// A Canary of `name` (its spec's `extra` lines), with what `provider` needs: an Ingress for nginx,
    /// iterations for kubernetes (which cannot shift weights), and for `worker` with Istio a baseline (whose
    /// Deployment and Service are deleted after the analysis).
    static func canary(_ name: String, port: Int, provider: String, extra: String, alerts: String = "", metrics: String = "") -> String {
        var steps = provider == "kubernetes" ? "    iterations: 2\n" : "    maxWeight: 50\n    stepWeight: 25\n"
        if provider == "istio" && name == "worker" { steps += "    baseline: {enabled: true}\n" }
        let extra = extra.hasSuffix("\n") ? extra : extra + "\n"
        var routing = "", objects = ""
        if provider == "nginx" {
            routing = "  ingressRef: {apiVersion: networking.k8s.io/v1, kind: Ingress, name: \(name)}\n"
            objects = """
                apiVersion: networking.k8s.io/v1
                kind: Ingress
                metadata: {name: \(name), namespace: demo}
                spec:
                  ingressClassName: nginx
                  rules: [{host: \(name).example.com, http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: \(name), port: {number: \(port)}}}}]}}]
                ---

                """
        }
        return objects + """
            apiVersion: flagger.app/v1beta1
            kind: Canary
            metadata: {name: \(name), namespace: demo}
            spec:
            \(extra)\(routing)  service: {port: \(port)}
              analysis:
                interval: 1s
                threshold: 2

            """ + steps + alerts + metrics
    }
}
