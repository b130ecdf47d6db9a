import CanaryAPI
import CanaryCore
import KubeCore
@testable import Routers
import Targets
import Testing

/// `analysis.baseline`: the routing objects carry a third destination, `<svc>-baseline`, while it has weight,
/// and read it back; the baseline's Deployment and Service are the primary's and the canary's kin.
@Suite struct BaselineRoutingTests {
    static func baselineCanary() throws -> Canary {
        var canary = try fullCanary()
        canary.spec.analysis?.baseline = CanaryBaseline()
        return canary
    }

    @Test func theVirtualServiceSplitsThreeWaysAndIsReadBack() throws {
        let canary = try Self.baselineCanary()
        let service = IstioRouter.desiredVirtualService(canary, live: nil)
        let routes = Routes(primary: 60, canary: 20, baseline: 20)
        let http = try #require(IstioRouter.routed(service, canary: canary, routes: routes))
        let hosts = (http[0]?["route"]?.arrayValue ?? []).map {
            "\($0[path: "destination", "host"]?.stringValue ?? "")=\($0["weight"]?.intValue ?? -1)"
        }
        #expect(hosts == ["podinfo-primary=60", "podinfo-canary=20", "podinfo-baseline=20"])
        var live = service
        live[path: "spec", "http"] = http
        #expect(IstioRouter.weights(in: live, canary: canary) == routes)
        #expect(IstioRouter.desiredVirtualService(canary, live: live)[path: "spec", "http"] == http, "a reconcile keeps the three weights")
        let back = try #require(IstioRouter.routed(live, canary: canary, routes: Routes(primary: 80, canary: 20)))
        #expect(back[0]?["route"]?.arrayValue?.count == 2, "no baseline destination without weight")
        #expect(IstioRouter.destinationHosts(canary) == ["podinfo-primary", "podinfo-canary", "podinfo-baseline"])
        #expect(IstioRouter.destinationHosts(try fullCanary()) == ["podinfo-primary", "podinfo-canary"])
    }

    @Test func theHTTPRouteSplitsThreeWaysAndIsReadBack() throws {
        var canary = try GatewayAPIRouterTests.canary()
        canary.spec.analysis?.baseline = CanaryBaseline()
        let routes = Routes(primary: 50, canary: 25, baseline: 25)
        let route = GatewayAPIRouter.desiredHTTPRoute(canary, live: nil, routes: routes)
        let backends = (route[path: "spec", "rules"]?[0]?["backendRefs"]?.arrayValue ?? []).map {
            "\($0["name"]?.stringValue ?? "")=\($0["weight"]?.intValue ?? -1)"
        }
        #expect(backends == ["podinfo-primary=50", "podinfo-canary=25", "podinfo-baseline=25"])
        #expect(GatewayAPIRouter.weights(in: route, canary: canary) == routes)
        #expect(GatewayAPIRouter.desiredHTTPRoute(canary, live: route) == route, "a reconcile keeps the three weights")
        let back = GatewayAPIRouter.desiredHTTPRoute(canary, live: route, routes: .allPrimary)
        #expect(back[path: "spec", "rules"]?.arrayValue?.count == 1 && back[path: "spec", "rules"]?[0]?["backendRefs"]?.arrayValue?.count == 2)
    }

    @Test func theBaselineServiceSelectsTheBaselinePodsWithTheCanarysPorts() throws {
        let canary = try Self.baselineCanary()
        let role = KubernetesServiceRouter.baselineRole(canary, selector: ("app", "podinfo"))
        let service = KubernetesServiceRouter.desiredService(canary, role: role, live: nil)
        let canaryRole = KubernetesServiceRouter.roles(canary, selector: ("app", "podinfo"))[2]
        #expect(service[path: "spec", "selector"] == ["app": "podinfo-baseline"])
        #expect(service[path: "spec", "ports"] == KubernetesServiceRouter.desiredService(canary, role: canaryRole, live: nil)[path: "spec", "ports"])
        #expect(service[path: "metadata", "labels", "app"] == "podinfo-baseline" && service[path: "metadata", "labels", "track"] == "canary")
    }

    @Test func theBaselineDeploymentRunsThePrimarysTemplateAtTheGivenSize() throws {
        let primary: JSONValue = [
            "metadata": [
                "name": "podinfo-primary", "labels": ["app": "podinfo-primary", "team": "web"],
                "annotations": ["serin.dev/source-template-hash": "abc"],
            ],
            "spec": [
                "replicas": 4, "minReadySeconds": 5, "selector": ["matchLabels": ["app": "podinfo-primary"]],
                "template": [
                    "metadata": ["labels": ["app": "podinfo-primary", "version": "v1"], "annotations": ["flagger-id": "1"]],
                    "spec": ["containers": [["name": "podinfo", "image": "podinfo:6.0.0"]]],
                ],
            ],
        ]
        let baseline = DeploymentTarget.desiredBaseline(primary: primary, key: "app", value: "podinfo", replicas: 2, live: nil)
        #expect(baseline[path: "spec", "replicas"] == 2 && baseline[path: "spec", "minReadySeconds"] == 5)
        #expect(baseline[path: "spec", "selector"] == ["matchLabels": ["app": "podinfo-baseline"]])
        #expect(baseline[path: "spec", "template", "metadata", "labels"] == ["app": "podinfo-baseline", "version": "v1"])
        #expect(baseline[path: "spec", "template", "spec"] == primary[path: "spec", "template", "spec"])
        #expect(baseline[path: "metadata", "labels"] == ["app": "podinfo-baseline", "team": "web"])
        #expect(baseline[path: "metadata", "annotations"] == ["serin.dev/source-template-hash": "abc"])
        var live = baseline
        live[path: "spec", "template", "spec", "containers"] = [["name": "podinfo", "image": "podinfo:5"]]
        let resized = DeploymentTarget.desiredBaseline(primary: primary, key: "app", value: "podinfo", replicas: 3, live: live)
        #expect(
            resized[path: "spec", "replicas"] == 3 && resized[path: "spec", "template"] == live[path: "spec", "template"], "only its size follows")
    }
}
