import CanaryAPI
import KubeCore
import Testing

/// `--no-cross-namespace-refs`: every reference a Canary makes to another namespace is refused naming its field;
/// without the flag, all are allowed.
@Suite struct CrossNamespaceRefsTests {
    static func canary() throws -> Canary {
        try JSONValue(
            parsing: #"""
                {"apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": {"name": "podinfo", "namespace": "demo"},
                 "spec": {"targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"}, "service": {"port": 9898},
                   "analysis": {"interval": "1m", "threshold": 5, "stepWeight": 10, "maxWeight": 50,
                     "metrics": [{"name": "own", "templateRef": {"name": "latency"}, "interval": "1m"},
                                 {"name": "shared", "templateRef": {"name": "errors", "namespace": "flagger-system"}, "interval": "1m"}],
                     "alerts": [{"name": "team", "providerRef": {"name": "slack", "namespace": "monitoring"}},
                                {"name": "local", "providerRef": {"name": "slack", "namespace": "demo"}}],
                     "webhooks": [{"name": "load", "url": "http://flagger-loadtester.test/"},
                                  {"name": "gate", "url": "http://gate.demo.svc.cluster.local/approve"},
                                  {"name": "svc", "url": "http://gate.ops.svc:8080/"},
                                  {"name": "saas", "url": "https://hooks.example.com/x"},
                                  {"name": "fqdn", "url": "https://example.com./x"},
                                  {"name": "ip", "url": "http://10.0.0.7/"}]}}}
                """#
        ).decode(as: Canary.self)
    }

    @Test func everyReferenceToAnotherNamespaceIsRefusedByField() throws {
        var context = ValidationContext()
        context.crossNamespaceRefs = false
        let issues = try Self.canary().validate(context).map(\.description)
        #expect(
            issues == [
                "spec.analysis.metrics[1].templateRef.namespace: can't access metric template errors.flagger-system, cross-namespace references are blocked (--no-cross-namespace-refs)",
                "spec.analysis.alerts[0].providerRef.namespace: can't access alert provider slack.monitoring, cross-namespace references are blocked (--no-cross-namespace-refs)",
                "spec.analysis.webhooks[0].url: can't access service flagger-loadtester.test, cross-namespace references are blocked (--no-cross-namespace-refs)",
                "spec.analysis.webhooks[2].url: can't access service gate.ops, cross-namespace references are blocked (--no-cross-namespace-refs)",
            ], "\(issues)")
        #expect(try Self.canary().validate(ValidationContext()).isEmpty, "allowed without the flag")
    }

    @Test func aGlooUpstreamInAnotherNamespaceIsRefused() throws {
        var json = try JSONValue(encoding: try Self.canary())
        json[path: "spec", "analysis", "metrics"] = nil
        json[path: "spec", "analysis", "alerts"] = nil
        json[path: "spec", "analysis", "webhooks"] = nil
        json[path: "spec", "provider"] = "gloo"
        json[path: "spec", "upstreamRef"] = ["apiVersion": "gloo.solo.io/v1", "kind": "Upstream", "name": "shared", "namespace": "gloo-system"]
        var context = ValidationContext(routers: [.gloo, .kubernetes])
        context.crossNamespaceRefs = false
        let issues = try json.decode(as: Canary.self).validate(context).map(\.description)
        #expect(issues.contains { $0.hasPrefix("spec.upstreamRef.namespace: can't access gloo upstream shared.gloo-system") }, "\(issues)")
    }
}
