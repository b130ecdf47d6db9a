import ChildProcesses
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeSandbox
import LocalCluster
import Testing

/// charts/serin, rendered and linted by the real Helm engine (PyPI helm-python-sdk), applied to the sandbox.
@Suite(.serialized) struct ChartTests {
    static let chart = SerinBinary.repository.appendingPathComponent("charts/serin")

    /// Lints and renders the chart with `values`: the exit status, the output, and the manifests.
    static func render(_ values: String, namespace: String) async throws -> (status: Int32, output: String, manifests: String) {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("chart-\(UUID().uuidString).yaml")
        defer { try? FileManager.default.removeItem(at: out) }
        var command = Command(
            "python3", [SerinBinary.repository.appendingPathComponent("charts/tests/render.py").path, chart.path, values, namespace, out.path])
        command.mergesErrors = true
        let result = try await command.run(within: .seconds(300))
        let manifests = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        return (result.status, result.stdout, manifests)
    }

    @Test func theChartsCRDsAreTheRepositorysCRDs() throws {
        let top = SerinBinary.repository.appendingPathComponent("crds")
        let files = try FileManager.default.contentsOfDirectory(atPath: top.path).filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(!files.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: Self.chart.appendingPathComponent("crds").path).sorted() == files)
        for file in files {
            let original = try Data(contentsOf: top.appendingPathComponent(file))
            #expect(
                try Data(contentsOf: Self.chart.appendingPathComponent("crds/\(file)")) == original,
                "charts/serin/crds/\(file) drifted from crds/\(file): cp crds/*.yaml charts/serin/crds/")
        }
    }

    @Test(arguments: [
        ("{}", "serin-system"),
        (
            #"{"namespace": "apps", "leaderElection": {"enabled": true}, "replicaCount": 2, "podDisruptionBudget": {"enabled": true}, "loadtester": {"enabled": true, "allow": ["hey"], "tokenSecret": "loadtester-token", "secretMounts": ["concord-api"]}, "eventWebhook": "http://events.example/"}"#,
            "apps"
        ),
        (
            #"{"meshProvider": "nginx", "ingressAnnotationsPrefix": "custom.nginx.org", "ingressClass": "contour", "noCrossNamespaceRefs": true}"#,
            "ingress"
        ),
        (
            #"{"logFormat": "text", "configTracking": {"enabled": false}, "extraArgs": ["--min-analysis-interval=30s"], "serviceAccount": {"create": false, "name": "ops"}, "rbac": {"create": false}, "clusterName": "prod", "slack": {"url": "https://hooks.slack.com/services/T0/B0/x", "channel": "deploys"}, "alerts": {"existingSecret": "chat-robots", "stuckGateAfter": "30m"}, "controlplane": {"kubeconfig": {"secretName": "istio-cp", "key": "config"}}}"#,
            "ops"
        ),
    ])
    func rendersLintsCleanAndTheSandboxAcceptsIt(values: String, namespace: String) async throws {
        let rendered = try await Self.render(values, namespace: namespace)
        #expect(rendered.status == 0, "\(rendered.output)")
        try await Sandbox.with { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", "-"], stdin: "apiVersion: v1\nkind: Namespace\nmetadata: {name: \(namespace)}\n")
            let applied = try await kubectl.succeed(["apply", "-f", "-"], stdin: rendered.manifests)
            #expect(applied.contains("deployment.apps/serin created"), "\(applied)")
            let deployment = try JSONValue(parsing: try await kubectl.succeed(["get", "deploy", "serin", "-n", namespace, "-o", "json"]))
            let container = try #require(deployment[path: "spec", "template", "spec", "containers"]?[0])
            #expect(container[path: "securityContext", "readOnlyRootFilesystem"] == true)
            #expect(container[path: "securityContext", "allowPrivilegeEscalation"] == false)
            #expect(container[path: "securityContext", "capabilities", "drop"] == ["ALL"])
            #expect(deployment[path: "spec", "template", "spec", "securityContext", "runAsNonRoot"] == true)
            let arguments = (container["args"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(arguments.first == "operator")
            // The real binary accepts every flag the chart passes (it stops at the missing kubeconfig instead).
            let token = FileManager.default.temporaryDirectory.appendingPathComponent("token-\(UUID().uuidString)").path
            try "s3cret\n".write(toFile: token, atomically: true, encoding: .utf8)
            let local = arguments.map {
                $0.hasPrefix("--webhook-token=") ? $0.replacingOccurrences(of: "/var/run/secrets/serin-loadtester/token", with: token) : $0
            }
            let (status, output) = try await SerinBinary.run(local + ["--kubeconfig", "/nonexistent/kubeconfig"])
            #expect(status != 0 && output.contains("/nonexistent/kubeconfig") && !output.contains("Error: --"), "\(arguments): \(output)")
            if namespace == "ops" {
                #expect(
                    !arguments.contains { $0.hasPrefix("--slack-url") } && arguments.contains("--slack-channel=deploys"), "hook URLs never in args")
                #expect(arguments.contains("--alert-stuck-gate-after=30m") && arguments.contains("--cluster-name=prod"))
                #expect(arguments.contains("--kubeconfig-service-mesh=/etc/serin/controlplane/config"), "\(arguments)")
                #expect(
                    deployment[path: "spec", "template", "spec", "volumes"]?[0]?[path: "secret", "secretName"] == "istio-cp"
                        && container["volumeMounts"]?[0]?["mountPath"] == "/etc/serin/controlplane", "the mesh's kubeconfig from its Secret")
                #expect(
                    container["envFrom"] == [["secretRef": ["name": "serin-hook-urls"]], ["secretRef": ["name": "chat-robots"]]],
                    "the hook URLs and the robots' secrets come from Secrets")
            }
            if namespace == "ingress" {
                #expect(
                    arguments.contains("--mesh-provider=nginx") && arguments.contains("--ingress-annotations-prefix=custom.nginx.org")
                        && arguments.contains("--ingress-class=contour") && arguments.contains("--no-cross-namespace-refs"), "\(arguments)")
            }
            if namespace == "apps" {
                #expect(arguments.contains("--enable-leader-election") && arguments.contains("--namespace=apps"))
                #expect(try await kubectl.run(["get", "role", "serin", "-n", "apps"]).status == 0, "a namespaced Role with --namespace")
                #expect(try await kubectl.run(["get", "clusterrole", "serin"]).status != 0)
                #expect(try await kubectl.run(["get", "role", "serin-leader-election", "-n", "apps"]).status == 0)
                let loadTester = try JSONValue(parsing: try await kubectl.succeed(["get", "deploy", "serin-loadtester", "-n", "apps", "-o", "json"]))
                let mounts = loadTester[path: "spec", "template", "spec", "containers"]?[0]?["volumeMounts"]?.arrayValue ?? []
                #expect(
                    mounts.contains { $0["mountPath"] == "/var/run/secrets/concord-api" && $0["readOnly"] == true },
                    "a concord task's API key file from its Secret: \(mounts)")
                #expect(try await kubectl.run(["get", "pdb", "serin", "-n", "apps"]).status == 0)
            }
        }
    }

    @Test func shardsRenderAStatefulSetWhosePodsEachPreferTheirOwnShard() async throws {
        let rendered = try await Self.render(#"{"sharding": {"shards": 3}}"#, namespace: "serin-system")
        #expect(rendered.status == 0, "\(rendered.output)")
        let documents = try YAMLBridge.documents(rendered.manifests)
        let workload = try #require(documents.first { $0["kind"] == "StatefulSet" }, "\(rendered.manifests)")
        #expect(!documents.contains { $0["kind"] == "Deployment" && $0[path: "metadata", "name"] == "serin" })
        #expect(workload[path: "spec", "replicas"] == 3 && workload[path: "spec", "podManagementPolicy"] == "Parallel")
        let container = try #require(workload[path: "spec", "template", "spec", "containers"]?[0])
        let arguments = (container["args"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(arguments.contains("--shard=$(SHARD_INDEX)/3") && arguments.contains("--leader-election-namespace=serin-system"))
        #expect(!arguments.contains("--enable-leader-election"))
        #expect(
            container["env"]?[0] == [
                "name": "SHARD_INDEX",
                "valueFrom": ["fieldRef": ["fieldPath": "metadata.labels['apps.kubernetes.io/pod-index']"]],
            ])
        #expect(documents.contains { $0["kind"] == "Role" && $0[path: "metadata", "name"] == "serin-leader-election" }, "the shards' Leases")
        // Kubernetes expands $(SHARD_INDEX); the real binary accepts the result (it stops at the missing kubeconfig).
        let local = arguments.map { $0.replacingOccurrences(of: "$(SHARD_INDEX)", with: "2") }
        let (status, output) = try await SerinBinary.run(local + ["--kubeconfig", "/nonexistent/kubeconfig"])
        #expect(status != 0 && output.contains("/nonexistent/kubeconfig") && !output.contains("Error: --"), "\(local): \(output)")
        let both = try await Self.render(#"{"sharding": {"shards": 3}, "leaderElection": {"enabled": true}}"#, namespace: "serin-system")
        #expect(both.status != 0 && both.output.contains("sharding.shards > 1 elects a leader per shard"), "\(both.output)")
    }

    /// Hook URLs planted in every value that takes one appear only in the chart's Secret.
    @Test func hookURLsReachTheOperatorOnlyThroughASecret() async throws {
        let planted = [
            "slack": "https://hooks.slack.com/services/T0/B0/CHARTslackTOKEN01", "slackProxy": "http://u:CHART-proxy-pw@proxy:3128",
            "teams": "https://x.webhook.office.com/webhookb2/CHARTteamsTOKEN02", "teamsProxy": "http://u:CHART-teams-pw@proxy:3128",
            "events": "https://events.example/hook?token=CHART-event-TOKEN03",
        ]
        let values = """
            {"slack": {"url": "\(planted["slack"]!)", "proxy": "\(planted["slackProxy"]!)", "channel": "deploys"},
             "msteams": {"url": "\(planted["teams"]!)", "proxy": "\(planted["teamsProxy"]!)"}, "eventWebhook": "\(planted["events"]!)"}
            """
        let rendered = try await Self.render(values, namespace: "ops")
        #expect(rendered.status == 0, "\(rendered.output)")
        let documents = try YAMLBridge.documents(rendered.manifests)
        let secret = try #require(documents.first { $0["kind"] == "Secret" && $0[path: "metadata", "name"] == "serin-hook-urls" })
        #expect(
            secret["stringData"] == [
                "SLACK_URL": .string(planted["slack"]!), "SLACK_PROXY_URL": .string(planted["slackProxy"]!),
                "MSTEAMS_URL": .string(planted["teams"]!), "MSTEAMS_PROXY_URL": .string(planted["teamsProxy"]!),
                "EVENT_WEBHOOK_URL": .string(planted["events"]!),
            ])
        for document in documents where document[path: "metadata", "name"] != "serin-hook-urls" {
            let text = String(decoding: document.serialized(), as: UTF8.self)
            for (value, url) in planted { #expect(!text.contains(url), "\(value) in \(document["kind"] ?? "?")") }
        }
        let deployment = try #require(documents.first { $0["kind"] == "Deployment" })
        #expect(deployment[path: "spec", "template", "metadata", "annotations", "checksum/hook-urls"] != nil, "a changed URL restarts the operator")
    }

    @Test func refusedValuesSayWhy() async throws {
        let replicas = try await Self.render(#"{"replicaCount": 2}"#, namespace: "serin-system")
        #expect(replicas.status != 0 && replicas.output.contains("replicaCount > 1 needs leaderElection.enabled=true"), "\(replicas.output)")
        let mesh = try await Self.render(#"{"meshProvider": "appmesh"}"#, namespace: "serin-system")
        #expect(mesh.status != 0 && mesh.output.contains("meshProvider"), "\(mesh.output)")
    }
}
