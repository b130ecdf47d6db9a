import CanaryAPI
import CanaryController
import Foundation
import KubeAPIServer
import KubeCore
import KubeRuntime
import KubeSandbox
import Routers
import Testing

/// The chart's RBAC is the code's: for every mesh provider the registries implement, with config tracking on
/// and off, the rendered ClusterRole grants exactly what ``CanaryOperator/rules(meshProvider:configTracking:)``
/// declares (the registrations' rules and the operator's core), and the Lease Role exactly
/// ``PolicyRule/leaderElection``. A grant the code does not declare is an extra; one it declares that the chart
/// lacks is missing.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1",
        "22 renders by the real Helm engine; make test runs it alone")) struct ChartRBACTests
{
    static let providers = RouterRegistry.registrations.map(\.provider)

    /// The rules of the rendered Role or ClusterRole `name`.
    static func rules(in manifests: String, named name: String) throws -> [PolicyRule]? {
        let role = try YAMLBridge.documents(manifests).first { document in
            ["Role", "ClusterRole"].contains(document["kind"]?.stringValue ?? "") && document[path: "metadata", "name"]?.stringValue == name
        }
        return try role.map { role in
            try (role["rules"]?.arrayValue ?? []).map { rule in
                func strings(_ key: String) throws -> [String] {
                    try (rule[key]?.arrayValue ?? []).map { try #require($0.stringValue, "\(key) in \(rule)") }
                }
                return PolicyRule(apiGroups: try strings("apiGroups"), resources: try strings("resources"), verbs: try strings("verbs"))
            }
        }
    }

    /// What `granted` has beyond `declared` and lacks of it, one permission a line.
    static func difference(granted: [PolicyRule], declared: [PolicyRule]) -> (extra: [String], missing: [String]) {
        let granted = PolicyRule.permissions(of: granted), declared = PolicyRule.permissions(of: declared)
        return (granted.subtracting(declared).sorted().map(\.description), declared.subtracting(granted).sorted().map(\.description))
    }

    @Test(arguments: providers, [true, false])
    func theClusterRoleGrantsExactlyWhatTheRegistriesDeclare(provider: MeshProvider, configTracking: Bool) async throws {
        let values =
            #"{"meshProvider": "\#(provider.rawValue)", "configTracking": {"enabled": \#(configTracking)}, "leaderElection": {"enabled": true}}"#
        let rendered = try await ChartTests.render(values, namespace: "serin-system")
        #expect(rendered.status == 0, "\(rendered.output)")
        let granted = try #require(try Self.rules(in: rendered.manifests, named: "serin"), "no ClusterRole serin in \(rendered.manifests)")
        let (extra, missing) = Self.difference(
            granted: granted, declared: CanaryOperator.rules(meshProvider: provider, configTracking: configTracking))
        #expect(extra.isEmpty, "\(provider), configTracking \(configTracking): the chart grants what the code does not use: \(extra)")
        #expect(missing.isEmpty, "\(provider), configTracking \(configTracking): the chart lacks what the code uses: \(missing)")
        let lease = try #require(try Self.rules(in: rendered.manifests, named: "serin-leader-election"))
        #expect(Self.difference(granted: lease, declared: [.leaderElection]) == ([], []))
    }

    @Test func rolloutPoliciesAddTheirGrantsAndFlagOnlyWhenEnabled() async throws {
        let rendered = try await ChartTests.render(
            #"{"meshProvider": "istio", "rolloutPolicies": {"enabled": true}, "leaderElection": {"enabled": true}}"#, namespace: "serin-system")
        #expect(rendered.status == 0, "\(rendered.output)")
        let granted = try #require(try Self.rules(in: rendered.manifests, named: "serin"))
        let (extra, missing) = Self.difference(
            granted: granted, declared: CanaryOperator.rules(meshProvider: .istio, configTracking: true, rolloutPolicies: true))
        #expect(extra.isEmpty && missing.isEmpty, "extra \(extra), missing \(missing)")
        #expect(rendered.manifests.contains("- --rollout-policies"))
        let off = try await ChartTests.render(#"{"meshProvider": "istio"}"#, namespace: "serin-system")
        let offRules = try #require(try Self.rules(in: off.manifests, named: "serin"))
        #expect(
            !off.manifests.contains("- --rollout-policies") && !PolicyRule.permissions(of: offRules).contains { "\($0)".contains("rolloutpolicies") })
    }

    @Test func theChartOffersExactlyTheImplementedProviders() throws {
        let schema = try JSONValue(parsing: String(contentsOf: ChartTests.chart.appendingPathComponent("values.schema.json"), encoding: .utf8))
        let offered = (schema[path: "properties", "meshProvider", "enum"]?.arrayValue ?? []).compactMap(\.stringValue)
        #expect(Set(offered) == Set(Self.providers.map(\.rawValue)))
    }

    @Test func aProviderGrantsNothingOfAnother() {
        let istio = PolicyRule.permissions(of: CanaryOperator.rules(meshProvider: .istio, configTracking: false))
        #expect(!istio.contains { $0.group == "gateway.networking.k8s.io" || $0.resource == "ingresses" || $0.resource == "configmaps" })
        #expect(!istio.contains { $0.resource == "secrets" && $0.verb != "get" }, "without config tracking, Secrets are only read one by one")
        let deletes = istio.filter { ["delete", "deletecollection", "update", "*"].contains($0.verb) }
        // With the pods a StatefulSet's rollback deletes (the controller makes each again from the good revision).
        let created: Set<PolicyRule.Permission> = [
            PolicyRule.Permission(group: "metrics.keptn.sh", resource: "analyses", verb: "delete"),
            PolicyRule.Permission(group: "batch", resource: "jobs", verb: "delete"),
            PolicyRule.Permission(group: "", resource: "pods", verb: "delete"),
        ]
        let baseline: Set<PolicyRule.Permission> = [
            PolicyRule.Permission(group: "apps", resource: "deployments", verb: "delete"),
            PolicyRule.Permission(group: "", resource: "services", verb: "delete"),
        ]
        #expect(
            Set(deletes) == created.union(baseline),
            "nothing deletes or replaces, but the Keptn Analyses and the Jobs the keptn and job providers create, a StatefulSet's updated pods on rollback, and the baselines"
        )
        let nginx = PolicyRule.permissions(of: CanaryOperator.rules(meshProvider: .nginx, configTracking: false))
        #expect(Set(nginx.filter { $0.verb == "delete" }) == created, "a router that cannot route a baseline deletes none")
    }
}
