import ChildProcesses
import Foundation
import KubeAPIServer
import KubeCore
import KubeSandbox
import LocalCluster
import SerinTesting
import Testing

/// A GitOps tool (Flux's kustomize-controller) applies the user's manifests with server-side apply and its own
/// field manager, again and again; Serin runs rollouts between and during those applies. Neither may undo the
/// other: no conflict, no reverted scale-down, no restarted analysis.
@Suite(.serialized) struct GitOpsApplyTests {
    static let manager = "kustomize-controller"

    /// Flagger's advice for GitOps: the target Deployment leaves `replicas` out (the Canary, or an HPA, owns it).
    static func manifests(image: String) -> String {
        """
        apiVersion: v1
        kind: Namespace
        metadata: {name: demo}
        ---
        apiVersion: apps/v1
        kind: Deployment
        metadata: {name: web, namespace: demo, labels: {app: web}}
        spec:
          selector: {matchLabels: {app: web}}
          template:
            metadata: {labels: {app: web}, annotations: {sandbox.serin.dev/ready-after: 100ms}}
            spec: {containers: [{name: web, image: "\(image)", ports: [{containerPort: 80}]}]}
        ---
        apiVersion: flagger.app/v1beta1
        kind: Canary
        metadata: {name: web, namespace: demo}
        spec:
          targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
          service: {port: 8000, targetPort: 80}
          analysis: {interval: 1s, threshold: 2, maxWeight: 60, stepWeight: 10}
        """
    }

    @Test func reapplyingTheManifestsWithAGitOpsFieldManagerNeverFightsTheOperator() async throws {
        var options = Sandbox.Options()
        options.auditLog = true
        try await Sandbox.with(options) { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            func apply(_ image: String) async throws {
                let result = try await kubectl.run(
                    ["apply", "--server-side", "--field-manager", Self.manager, "-f", "-"],
                    stdin: Self.manifests(image: image))
                #expect(result.status == 0 && !result.stderr.contains("conflict"), "the GitOps apply: \(result)")
            }
            try await apply("kennethreitz/httpbin:v1")
            try await Self.withOperator(sandbox) { get, log in
                #expect(try await get("deploy", "web", ".spec.replicas") == "0", "the target is scaled down")

                try await apply("kennethreitz/httpbin:v1")  // the next reconciliation of the GitOps tool
                #expect(try await get("deploy", "web", ".spec.replicas") == "0", "the apply does not revert the scale-down")

                try await apply("kennethreitz/httpbin:v2")  // a commit: the new release
                #expect(try await eventually(timeout: .seconds(90)) { Int(try await get("canary", "web", ".status.canaryWeight")) ?? 0 >= 20 })
                let generation = try await get("deploy", "web", ".metadata.generation")
                try await apply("kennethreitz/httpbin:v2")  // reconciled again mid-rollout
                #expect(try await get("deploy", "web", ".metadata.generation") == generation, "an unchanged apply is no change")
                let weight = Int(try await get("canary", "web", ".status.canaryWeight")) ?? 0
                #expect(weight >= 20, "the analysis goes on where it was")
                #expect(
                    try await eventually(timeout: .seconds(120)) { try await get("canary", "web", ".status.phase") == "Succeeded" },
                    "\(OperatorRBACTests.tail(log))")
                try await apply("kennethreitz/httpbin:v2")
                #expect(try await get("deploy", "web", ".spec.replicas") == "0")
                #expect(try await get("deploy", "web-primary", ".spec.template.spec.containers[0].image") == "kennethreitz/httpbin:v2")
                #expect(try await kubectl.operatorBarrier(canary: "web", namespace: "demo"), "the operator reconciled after the apply")
                #expect(try await get("canary", "web", ".status.phase") == "Succeeded", "no new rollout after the last apply")

                let managers = try await get("deploy", "web", ".metadata.managedFields[*].manager")
                #expect(managers.contains(Self.manager) && managers.contains("serin"), "both own fields of the target: \(managers)")
                let audit = try #require(sandbox.audit)
                let scaleDowns = await audit.writes(of: "deployments").filter { entry in
                    entry.name == "web" && entry.userAgent.hasPrefix("serin") && entry.object[path: "spec", "replicas"] == 0
                }
                #expect(scaleDowns.count <= 2, "the operator scaled the target down \(scaleDowns.count) times: a drift war")
            }
        }
    }

    @Test func anApplyThatSetsAFieldTheOperatorOwnsConflictsUnlessForced() async throws {
        try await Sandbox.with { sandbox in
            let kubectl = Kubectl(sandbox)
            let withReplicas = Self.manifests(image: "web:1").replacingOccurrences(
                of: "  selector: {matchLabels: {app: web}}",
                with: "  replicas: 2\n  selector: {matchLabels: {app: web}}")
            try await kubectl.succeed(
                ["apply", "--server-side", "--field-manager", Self.manager, "-f", "-"],
                stdin: withReplicas.components(separatedBy: "---\n").prefix(2).joined(separator: "---\n"))
            try await kubectl.succeed(["scale", "deploy/web", "-n", "demo", "--replicas=0"])
            let refused = try await kubectl.run(
                ["apply", "--server-side", "--field-manager", Self.manager, "-f", "-"],
                stdin: withReplicas.components(separatedBy: "---\n").prefix(2).joined(separator: "---\n"))
            #expect(
                refused.status != 0
                    && refused.stderr.contains(#"Apply failed with 1 conflict: conflict with "kubectl" using apps/v1: .spec.replicas"#),
                "\(refused)")
            #expect(try await kubectl.succeed(["get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.spec.replicas}"]) == "0")
            try await kubectl.succeed(
                ["apply", "--server-side", "--force-conflicts", "--field-manager", Self.manager, "-f", "-"],
                stdin: withReplicas.components(separatedBy: "---\n").prefix(2).joined(separator: "---\n"))
            #expect(try await kubectl.succeed(["get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.spec.replicas}"]) == "2")
            let managers = try await kubectl.succeed(["get", "deploy", "web", "-n", "demo", "-o", "jsonpath={.metadata.managedFields[*].manager}"])
            #expect(!managers.contains("kubectl"), "forcing took the field over: \(managers)")
        }
    }
    /// Runs the operator on `sandbox` until `body` returns, once the Canary `demo/web` is initialized; `body` gets a
    /// jsonpath reader of objects in `demo` and the operator's log.
    static func withOperator(
        _ sandbox: Sandbox, _ body: (_ get: (String, String, String) async throws -> String, _ log: URL) async throws -> Void
    ) async throws {
        let kubectl = Kubectl(sandbox)
        let port = try PrometheusServer.freePort()
        let (process, log) = try SerinBinary.start([
            "operator", "--kubeconfig", sandbox.kubeconfigPath, "--port", "\(port)",
            "--min-analysis-interval", "500ms", "--metrics-server", "http://127.0.0.1:1",
        ])
        defer { ProcessGroup.stopInBackground(process) }
        func get(_ kind: String, _ name: String, _ path: String) async throws -> String {
            try await kubectl.succeed(["get", kind, name, "-n", "demo", "-o", "jsonpath={\(path)}"])
        }
        #expect(
            try await eventually(timeout: .seconds(90)) { try await get("canary", "web", ".status.phase") == "Initialized" },
            "\(OperatorRBACTests.tail(log))")
        try await body(get, log)
    }

    /// Flux's kustomize-controller as it treats the objects of a Kustomization: an object whose live copy carries
    /// `kustomize.toolkit.fluxcd.io/reconcile: disabled` is skipped; every other one is applied server-side with
    /// forced ownership.
    struct FluxStandIn {
        let kubectl: Kubectl

        /// Applies `manifests` (documents of namespace `demo`); returns the names of the objects it skipped.
        @discardableResult
        func reconcile(_ manifests: String) async throws -> [String] {
            var skipped: [String] = []
            for document in manifests.components(separatedBy: "---\n") {
                let object = try #require(try YAMLBridge.documents(document).first)
                let kind = object["kind"]?.stringValue ?? "", name = object[path: "metadata", "name"]?.stringValue ?? ""
                let live = try await kubectl.run(["get", kind, name, "-n", "demo", "-o", "jsonpath={.metadata.annotations}"])
                if live.status == 0, live.stdout.contains(#""kustomize.toolkit.fluxcd.io/reconcile":"disabled""#) {
                    skipped.append("\(kind)/\(name)")
                    continue
                }
                try await kubectl.succeed(
                    ["apply", "--server-side", "--force-conflicts", "--field-manager", GitOpsApplyTests.manager, "-f", "-"], stdin: document)
            }
            return skipped
        }
    }

    /// The user's manifests hold the apex Service, selecting the target's pods: Serin adopts it (its selector on
    /// the primary) and marks it for Flux, so that Flux re-applying the manifests mid-rollout does not put the
    /// selector back on the target, which Serin scaled to zero. Deleting the Canary gives the Service back.
    @Test func fluxSkipsTheAdoptedApexServiceWhileSerinRoutesIt() async throws {
        try await Sandbox.with { sandbox in
            let kubectl = Kubectl(sandbox)
            try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
            let flux = FluxStandIn(kubectl: kubectl)
            let service = """
                apiVersion: v1
                kind: Service
                metadata: {name: web, namespace: demo, annotations: {team: web}}
                spec: {selector: {app: web}, ports: [{name: http, port: 8000, targetPort: 80}]}
                """
            func manifests(_ image: String) -> String {
                Self.manifests(image: image).replacingOccurrences(of: "spec:\n  targetRef", with: "spec:\n  revertOnDeletion: true\n  targetRef")
                    + "\n---\n" + service
            }
            try await flux.reconcile(manifests("kennethreitz/httpbin:v1"))
            try await Self.withOperator(sandbox) { get, log in
                #expect(try await get("svc", "web", ".spec.selector.app") == "web-primary")
                #expect(try await get("svc", "web", ".metadata.annotations.helm\\.toolkit\\.fluxcd\\.io/driftDetection") == "disabled")

                #expect(try await flux.reconcile(manifests("kennethreitz/httpbin:v2")) == ["Service/web"], "Flux skips the adopted Service")
                #expect(try await eventually(timeout: .seconds(90)) { Int(try await get("canary", "web", ".status.canaryWeight")) ?? 0 >= 10 })
                try await flux.reconcile(manifests("kennethreitz/httpbin:v2"))  // reconciled again mid-rollout
                #expect(try await get("svc", "web", ".spec.selector.app") == "web-primary", "users still reach the primary")

                try await kubectl.succeed(["delete", "canary", "web", "-n", "demo"])
                #expect(try await get("svc", "web", ".metadata.annotations.kustomize\\.toolkit\\.fluxcd\\.io/reconcile").isEmpty, "Flux's again")
                #expect(try await get("svc", "web", ".metadata.annotations.team") == "web")
                #expect(try await flux.reconcile(service).isEmpty, "Flux applies the Service again")
            }
        }
    }
}
