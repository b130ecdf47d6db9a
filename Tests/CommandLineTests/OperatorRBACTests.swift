import ChildProcesses
import Foundation
import KubeAPIServer
import KubeCore
import KubeRuntime
import KubeSandbox
import LocalCluster
import SerinTesting
import Testing

/// The chart's RBAC, enforced and measured: per mesh provider, `serin operator` runs with its ServiceAccount's
/// token on a sandbox that decides every request by RBAC, with the chart rendered for that provider, through
/// rollouts that use what an operator can use (a Deployment with an HPA, tracked config and alerts through a
/// Secret; a DaemonSet; a Deployment scaled by KEDA; routing objects that existed before, adopted). Nothing may
/// be refused, and every grant of the chart must have been used by some request.
///
/// Run end to end for three providers (istio: two routing kinds; nginx: a user's object read; kubernetes:
/// none); ``ChartRBACTests`` compares every provider's chart with the registries statically. Three operator
/// processes with full rollouts load both cores, so `make test` runs the suite alone, after the main run.
@Suite(
    .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1",
        "three operators' rollouts; make test runs it alone"))
struct OperatorRBACTests {
    static let operatorUser = "system:serviceaccount:serin-system:serin"

    @Test(arguments: ["istio", "nginx", "kubernetes"])
    func theOperatorUsesEveryGrantOfTheChartAndIsRefusedNothing(provider: String) async throws {
        var options = Sandbox.Options()
        options.authorization = true
        try await Sandbox.with(options) { sandbox in
            let access = try #require(sandbox.access)
            let kubectl = Kubectl(sandbox)
            let (kubeconfig, granted) = try await Self.install(provider, on: sandbox)
            defer { try? FileManager.default.removeItem(atPath: kubeconfig) }
            try await kubectl.succeed(["apply", "-f", "-"], stdin: RBACWorkloads.manifests(provider: provider))

            let port = try PrometheusServer.freePort()
            let (process, log) = try SerinBinary.start([
                "operator", "--kubeconfig", kubeconfig, "--mesh-provider", provider, "--enable-leader-election",
                "--leader-election-namespace", "serin-system", "--port", "\(port)", "--min-analysis-interval", "500ms",
                "--metrics-server", "http://127.0.0.1:1",
            ])
            defer { ProcessGroup.stopInBackground(process) }
            try await Self.rollOut(kubectl, provider: provider, log: log)

            let denials = await access.denials
            #expect(denials.isEmpty, "\(provider): the chart's RBAC refused the operator: \(denials.map(\.message).joined(separator: "\n"))")
            let used = Set(
                (await access.allowed[Self.operatorUser] ?? []).map {
                    PolicyRule.Permission(group: $0.group, resource: $0.resource, verb: $0.verb)
                })
            // A grant of every resource of a group (the External Metrics API's metrics) is used by any of them.
            let unused = PolicyRule.permissions(of: granted).subtracting(used).filter { grant in
                !(grant.resource == "*" && used.contains { $0.group == grant.group && $0.verb == grant.verb })
            }.sorted().map(\.description)
            #expect(unused.isEmpty, "\(provider): grants of the chart no request used: \(unused)")
            if provider == "istio" { try await Self.expectRefusals(kubeconfig: kubeconfig) }
        }
    }

    /// The CRDs, the chart rendered for `provider` with leader election, and a kubeconfig of its ServiceAccount;
    /// returns the kubeconfig's path and the rules the chart grants (its ClusterRole's and Lease Role's).
    static func install(_ provider: String, on sandbox: Sandbox) async throws -> (kubeconfig: String, granted: [PolicyRule]) {
        let kubectl = Kubectl(sandbox)
        try await kubectl.succeed(["apply", "-f", SerinBinary.repository.appendingPathComponent("crds").path])
        let chart = try await ChartTests.render(#"{"meshProvider": "\#(provider)", "leaderElection": {"enabled": true}}"#, namespace: "serin-system")
        #expect(chart.status == 0, "\(chart.output)")
        let granted =
            try #require(try ChartRBACTests.rules(in: chart.manifests, named: "serin"))
            + (try #require(try ChartRBACTests.rules(in: chart.manifests, named: "serin-leader-election")))
        try await kubectl.succeed(["create", "namespace", "serin-system"])
        try await kubectl.succeed(["apply", "-f", "-"], stdin: chart.manifests)
        let kubeconfig = NSTemporaryDirectory() + "serin-rbac-\(UUID().uuidString).kubeconfig"
        try await sandbox.writeKubeconfig(serviceAccount: "serin", namespace: "serin-system", to: kubeconfig)
        return (kubeconfig, granted)
    }

    /// Every Canary initialized; the routing objects Serin made handed over to nobody (as objects that existed
    /// before a Canary, which it adopts); a release of each; then a config change of `web`.
    static func rollOut(_ kubectl: Kubectl, provider: String, log: URL) async throws {
        func phases() async throws -> [String] {
            try await kubectl.succeed(["get", "canaries", "-n", "demo", "-o", "jsonpath={.items[*].status.phase}"]).split(separator: " ").map(
                String.init)
        }
        func all(_ phase: String) async throws -> Bool { try await phases() == Array(repeating: phase, count: RBACWorkloads.canaries.count) }
        let initialized = try await eventually(timeout: .seconds(60)) { try await all("Initialized") }
        let afterStart = try await phases()
        #expect(initialized, "\(afterStart) \(Self.tail(log))")
        try await orphanRouting(kubectl, provider: provider)
        try await kubectl.succeed(["patch", "hpa", "web", "-n", "demo", "--type=merge", "-p", #"{"spec":{"maxReplicas":4}}"#])
        for (name, kind) in RBACWorkloads.canaries {
            try await kubectl.succeed(["set", "image", "\(kind)/\(name)", "-n", "demo", "\(name)=example/\(name):2"])
        }
        #expect(try await eventually(timeout: .seconds(30)) { try await phases().contains("Progressing") })
        let succeeded = try await eventually(timeout: .seconds(90)) { try await all("Succeeded") }
        let now = try await phases()
        #expect(succeeded, "\(now) \(Self.tail(log))")
        #expect(try await kubectl.succeed(["get", "hpa", "web-primary", "-n", "demo", "-o", "jsonpath={.spec.maxReplicas}"]) == "4")
        try await kubectl.succeed(["patch", "configmap", "web-config", "-n", "demo", "--type=merge", "-p", #"{"data":{"mode":"b"}}"#])
        try await kubectl.succeed(["patch", "secret", "web-secret", "-n", "demo", "--type=merge", "-p", #"{"stringData":{"token":"b"}}"#])
        func web() async throws -> String {
            try await kubectl.succeed(["get", "canary", "web", "-n", "demo", "-o", "jsonpath={.status.phase}"])
        }
        #expect(try await eventually(timeout: .seconds(30)) { try await web() == "Progressing" }, "a config change is a rollout")
        #expect(try await eventually(timeout: .seconds(90)) { try await web() == "Succeeded" }, "\(Self.tail(log))")
        let primaryConfig = try await kubectl.succeed(["get", "configmap", "web-config-primary", "-n", "demo", "-o", "jsonpath={.data.mode}"])
        #expect(primaryConfig == "b")
        try await repeatAWarning(kubectl)
        try await rollBackAStatefulSet(kubectl, log: log)
    }

    /// A release of `db` whose pod never becomes ready: at the progress deadline the updated pod is deleted
    /// (listed, then deleted) and made again from the good revision.
    static func rollBackAStatefulSet(_ kubectl: Kubectl, log: URL) async throws {
        try await kubectl.succeed([
            "patch", "statefulset", "db", "-n", "demo", "--type=merge", "-p",
            #"{"spec":{"template":{"metadata":{"annotations":{"sandbox.serin.dev/never-ready":"true"}}}}}"#,
        ])
        func phase() async throws -> String {
            try await kubectl.succeed(["get", "canary", "db", "-n", "demo", "-o", "jsonpath={.status.phase}"])
        }
        #expect(try await eventually(timeout: .seconds(60)) { try await phase() == "Failed" }, "\(Self.tail(log))")
        func rolledBack() async throws -> Bool {
            try await kubectl.succeed(["get", "statefulset", "db", "-n", "demo", "-o", "jsonpath={.status.updatedReplicas}"]) == "0"
        }
        #expect(try await eventually(timeout: .seconds(30)) { try await rolledBack() }, "the updated pod is made again from the good revision")
    }

    /// The same Warning twice, which the recorder writes as one Event whose count it patches: an invalid spec,
    /// then a change that reconciles it again. (A run's own repeated Events, such as readiness waits, depend
    /// on timing.)
    static func repeatAWarning(_ kubectl: Kubectl) async throws {
        try await kubectl.succeed(["patch", "canary", "web", "-n", "demo", "--type=merge", "-p", #"{"spec":{"analysis":{"threshold":-1}}}"#])
        func count() async throws -> Int {
            let listed = try JSONValue(parsing: try await kubectl.succeed(["get", "events", "-n", "demo", "-o", "json"]))
            return (listed["items"]?.arrayValue ?? []).filter { $0["message"]?.stringValue?.hasPrefix("invalid canary spec") == true }
                .compactMap { $0["count"]?.intValue }.max() ?? 0
        }
        #expect(try await eventually(timeout: .seconds(30)) { try await count() >= 1 }, "the invalid spec is a Warning")
        try await kubectl.succeed(["annotate", "canary", "web", "-n", "demo", "touched=again"])
        #expect(try await eventually(timeout: .seconds(30)) { try await count() >= 2 }, "the same Warning again patches its count")
    }

    /// Removes the owner references of the Services and routing objects the Canaries own: the next reconcile
    /// adopts them, as it adopts a user's existing Service or VirtualService.
    static func orphanRouting(_ kubectl: Kubectl, provider: String) async throws {
        let kinds = ["services"] + (RBACWorkloads.routingKinds[provider] ?? [])
        for kind in kinds {
            let listed = try JSONValue(parsing: try await kubectl.succeed(["get", kind, "-n", "demo", "-o", "json"]))
            for item in listed["items"]?.arrayValue ?? [] where item[path: "metadata", "ownerReferences"] != nil {
                let name = item[path: "metadata", "name"]?.stringValue ?? ""
                try await kubectl.succeed([
                    "patch", kind, name, "-n", "demo", "--type=json", "-p", #"[{"op":"remove","path":"/metadata/ownerReferences"}]"#,
                ])
            }
        }
    }

    /// What the operator's account cannot do: delete, escalate, read what it has no business reading.
    static func expectRefusals(kubeconfig: String) async throws {
        let operatorKubectl = Kubectl(kubeconfig: kubeconfig)
        for (command, refusal) in [
            (
                // (Deployments and Services it may delete with Istio: the baselines of analysis.baseline.)
                ["delete", "daemonset", "agent", "-n", "demo"],
                #"daemonsets.apps "agent" is forbidden: User "system:serviceaccount:serin-system:serin" cannot delete resource "daemonsets" in API group "apps" in the namespace "demo""#
            ),
            (
                ["create", "clusterrolebinding", "escalate", "--clusterrole=cluster-admin", "--serviceaccount=serin-system:serin"],
                #"cannot create resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the cluster scope"#
            ),
            // (Pods it may list and delete: a StatefulSet's rollback.)
            (["get", "nodes"], #"cannot list resource "nodes" in API group "" at the cluster scope"#),
            (["get", "ingresses", "-n", "demo"], #"cannot list resource "ingresses" in API group "networking.k8s.io" in the namespace "demo""#),
        ] {
            let result = try await operatorKubectl.run(command)
            #expect(result.status != 0 && result.stderr.contains(refusal), "kubectl \(command.joined(separator: " ")): \(result)")
        }
        #expect(try await operatorKubectl.run(["auth", "can-i", "patch", "canaries.flagger.app/status", "-n", "demo"]).stdout.contains("yes"))
    }

    static func tail(_ log: URL) -> String {
        String(((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(3000))
    }
}
