import Foundation
import KubeCore
import KubeSandbox
import LocalCluster
import SerinTesting
import Testing

/// The chart's RBAC, enforced: `serin operator` runs with its ServiceAccount's token on a sandbox that decides
/// every request by RBAC, through rollouts that use what a rollout can use, and is refused anything else.
@Suite(.serialized) struct OperatorRBACTests {
    static let manifests = """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: web-config, namespace: demo}
        data: {mode: a}
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
              containers: [{name: web, image: "kennethreitz/httpbin:v1", volumeMounts: [{name: config, mountPath: /config}]}]
              volumes: [{name: config, configMap: {name: web-config}}]
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
        apiVersion: flagger.app/v1beta1
        kind: AlertProvider
        metadata: {name: nowhere, namespace: demo}
        spec: {type: webhook, address: "http://127.0.0.1:1/"}
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: web, namespace: demo}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          autoscalerRef: {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: web}
          service: {port: 8000}
          analysis:
            interval: 1s
            threshold: 2
            maxWeight: 50
            stepWeight: 25
            alerts: [{name: on-call, severity: info, providerRef: {name: nowhere}}]
        """

    @Test func theOperatorRunsWholeRolloutsUnderTheChartsRBACAndIsRefusedAnythingElse() async throws {
        var options = Sandbox.Options()
        options.authorization = true
        try await Sandbox.with(options) { sandbox in
            let access = try #require(sandbox.access)
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            let chart = try await ChartTests.render(#"{"leaderElection": {"enabled": true}}"#, namespace: "serin-system")
            #expect(chart.status == 0, "\(chart.output)")
            try await kubectl.succeed(["create", "namespace", "serin-system"])
            try await kubectl.succeed(["apply", "-f", "-"], stdin: chart.manifests)
            let kubeconfig = NSTemporaryDirectory() + "serin-rbac-\(UUID().uuidString).kubeconfig"
            try await sandbox.writeKubeconfig(serviceAccount: "serin", namespace: "serin-system", to: kubeconfig)
            try await kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests)

            let port = try PrometheusServer.freePort()
            let (process, log) = try SerinBinary.start([
                "operator", "--kubeconfig", kubeconfig, "--enable-leader-election", "--leader-election-namespace", "serin-system",
                "--port", "\(port)", "--min-analysis-interval", "500ms", "--metrics-server", "http://127.0.0.1:1",
            ])
            defer { if process.isRunning { process.terminate() } }
            func phase() async throws -> String {
                try await kubectl.succeed(["get", "canary", "web", "-n", "demo", "-o", "jsonpath={.status.phase}"])
            }
            #expect(try await eventually(timeout: .seconds(30)) { try await phase() == "Initialized" }, "\(Self.tail(log))")
            try await kubectl.succeed(["set", "image", "deploy/web", "-n", "demo", "web=kennethreitz/httpbin:v2"])
            #expect(try await eventually(timeout: .seconds(60)) { try await phase() == "Progressing" })
            #expect(try await eventually(timeout: .seconds(60)) { try await phase() == "Succeeded" }, "\(Self.tail(log))")
            try await kubectl.succeed(["patch", "configmap", "web-config", "-n", "demo", "--type=merge", "-p", #"{"data":{"mode":"b"}}"#])
            #expect(try await eventually(timeout: .seconds(60)) { try await phase() == "Progressing" }, "a ConfigMap change is a rollout")
            #expect(try await eventually(timeout: .seconds(60)) { try await phase() == "Succeeded" }, "\(Self.tail(log))")
            let primaryConfig = try await kubectl.succeed(["get", "configmap", "web-config-primary", "-n", "demo", "-o", "jsonpath={.data.mode}"])
            #expect(primaryConfig == "b")

            let denials = await access.denials
            #expect(denials.isEmpty, "the chart's RBAC refused the operator: \(denials.map(\.message).joined(separator: "\n"))")

            let operatorKubectl = Kubectl(kubeconfig: kubeconfig)
            for (command, refusal) in [
                (["delete", "deployment", "web", "-n", "demo"],
                 #"deployments.apps "web" is forbidden: User "system:serviceaccount:serin-system:serin" cannot delete resource "deployments" in API group "apps" in the namespace "demo""#),
                (["create", "clusterrolebinding", "escalate", "--clusterrole=cluster-admin", "--serviceaccount=serin-system:serin"],
                 #"cannot create resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the cluster scope"#),
                (["get", "pods", "-n", "demo"], #"cannot list resource "pods" in API group "" in the namespace "demo""#),
            ] {
                let result = try await operatorKubectl.run(command)
                #expect(result.status != 0 && result.stderr.contains(refusal), "kubectl \(command.joined(separator: " ")): \(result)")
            }
            #expect(try await operatorKubectl.run(["auth", "can-i", "patch", "canaries.flagger.app/status", "-n", "demo"]).stdout
                .contains("yes"))
            try? FileManager.default.removeItem(atPath: kubeconfig)
        }
    }

    static func tail(_ log: URL) -> String {
        String(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(3000))
    }
}
