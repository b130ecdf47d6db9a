import ChildProcesses
import Foundation
import KubeAPIServer
import KubeCore
import KubeSandbox
import LocalCluster
import SerinTesting
import Testing

/// `--kubeconfig-service-mesh`: the workloads and Canaries in one cluster, Istio's control plane in another.
/// The operator writes the VirtualService and DestinationRules to the mesh's cluster, naming their Canary by
/// annotation (an owner reference cannot cross clusters), moves the weights there during a rollout, and
/// deletes them with the Canary.
@Suite(.serialized) struct ServiceMeshClusterTests {
    /// GitOpsApplyTests' Deployment and Canary, deleted with `revertOnDeletion`.
    static let manifests = GitOpsApplyTests.manifests(image: "kennethreitz/httpbin:v1").replacingOccurrences(
        of: "spec:\n  targetRef", with: "spec:\n  revertOnDeletion: true\n  targetRef")

    @Test func routingObjectsLiveInTheMeshClusterNamingTheirCanaryByAnnotation() async throws {
        var meshOptions = Sandbox.Options()
        meshOptions.auditLog = true
        try await Sandbox.with { workloads in
            try await Sandbox.with(meshOptions) { mesh in
                let kubectl = Kubectl(workloads), meshctl = Kubectl(mesh)
                try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
                try await kubectl.succeed(["apply", "-f", "-"], stdin: Self.manifests)
                try await meshctl.succeed(["create", "namespace", "demo"])
                let port = try PrometheusServer.freePort()
                let (process, log) = try SerinBinary.start([
                    "operator", "--kubeconfig", workloads.kubeconfigPath, "--kubeconfig-service-mesh", mesh.kubeconfigPath,
                    "--port", "\(port)", "--min-analysis-interval", "500ms", "--metrics-server", "http://127.0.0.1:1",
                ])
                defer { ProcessGroup.stopInBackground(process) }
                func phase() async throws -> String {
                    try await kubectl.succeed(["get", "canary", "web", "-n", "demo", "-o", "jsonpath={.status.phase}"])
                }
                #expect(try await eventually(timeout: .seconds(90)) { try await phase() == "Initialized" }, "\(OperatorRBACTests.tail(log))")

                let service = try JSONValue(parsing: try await meshctl.succeed(["get", "virtualservice", "web", "-n", "demo", "-o", "json"]))
                #expect(service[path: "metadata", "annotations", "serin.dev/owner"] == "demo/web")
                #expect(service[path: "metadata", "ownerReferences"] == nil, "no owner reference across clusters")
                #expect(service[path: "metadata", "annotations", "kustomize.toolkit.fluxcd.io/reconcile"] == "disabled")
                #expect(try await meshctl.run(["get", "destinationrule", "web-canary", "-n", "demo"]).status == 0)
                #expect(
                    try await kubectl.run(["get", "virtualservice", "web", "-n", "demo"]).status != 0, "nothing routed in the workloads' cluster")
                #expect(try await kubectl.run(["get", "service", "web-primary", "-n", "demo"]).status == 0, "the Services stay beside the pods")

                try await kubectl.succeed(["set", "image", "deploy/web", "web=kennethreitz/httpbin:v2", "-n", "demo"])
                #expect(try await eventually(timeout: .seconds(90)) { try await phase() == "Succeeded" }, "\(OperatorRBACTests.tail(log))")
                let audit = try #require(mesh.audit)
                let canaryWeights = await audit.writes(of: "virtualservices").compactMap {
                    $0.object[path: "spec", "http"]?[0]?["route"]?[1]?["weight"]?.intValue
                }
                #expect(canaryWeights.contains(10) && canaryWeights.contains(30), "the weights moved in the mesh's cluster: \(canaryWeights)")

                try await kubectl.succeed(["delete", "canary", "web", "-n", "demo"])
                #expect(
                    try await eventually(timeout: .seconds(30)) {
                        try await meshctl.run(["get", "virtualservice", "web", "-n", "demo"]).status != 0
                    }, "garbage collection cannot reach the mesh's cluster: Serin deletes what it wrote there")
            }
        }
    }

    @Test func aMissingCRDInTheMeshClusterIsNamedWithTheCluster() async throws {
        var bare = Sandbox.Options()
        bare.meshes = []
        try await Sandbox.with { workloads in
            try await Sandbox.with(bare) { mesh in
                try await Kubectl(workloads).succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
                let (status, output) = try await SerinBinary.run([
                    "operator", "--kubeconfig", workloads.kubeconfigPath, "--kubeconfig-service-mesh", mesh.kubeconfigPath, "--port", "0",
                ])
                #expect(
                    status != 0 && output.contains("the CRD virtualservices.networking.istio.io is not installed in the service mesh cluster"),
                    "\(output)")
            }
        }
    }
}
