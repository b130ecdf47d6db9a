import CanaryAPI
import CanaryCore
import KubeCore
@testable import Routers
import Targets
import Testing

/// `analysis.bake.keepPrevious`: a failed bake moves all traffic to `<svc>-previous` in one write of the
/// routing object, which reads it back; `<target>-previous` runs the primary's earlier template with its kept
/// config copies.
@Suite struct PreviousRoutingTests {
    @Test func theVirtualServiceSendsEverythingToThePreviousVersionAndBack() throws {
        var canary = try fullCanary()
        canary.spec.analysis?.bake = CanaryBake(duration: "30m", keepPrevious: true)
        let service = IstioRouter.desiredVirtualService(canary, live: nil)
        let http = try #require(IstioRouter.routed(service, canary: canary, routes: .allPrevious))
        let hosts = (http[0]?["route"]?.arrayValue ?? []).map {
            "\($0[path: "destination", "host"]?.stringValue ?? "")=\($0["weight"]?.intValue ?? -1)"
        }
        #expect(hosts == ["podinfo-primary=0", "podinfo-canary=0", "podinfo-previous=100"])
        var live = service
        live[path: "spec", "http"] = http
        #expect(IstioRouter.weights(in: live, canary: canary) == .allPrevious)
        let back = try #require(IstioRouter.routed(live, canary: canary, routes: .allPrimary))
        #expect(back[0]?["route"]?.arrayValue?.count == 2, "no previous destination without weight")
        #expect(IstioRouter.destinationHosts(canary) == ["podinfo-primary", "podinfo-canary", "podinfo-previous"])
    }

    @Test func theHTTPRouteSendsEverythingToThePreviousVersion() throws {
        let canary = try GatewayAPIRouterTests.canary()
        let route = GatewayAPIRouter.desiredHTTPRoute(canary, live: nil, routes: .allPrevious)
        let backends = (route[path: "spec", "rules"]?[0]?["backendRefs"]?.arrayValue ?? []).map {
            "\($0["name"]?.stringValue ?? "")=\($0["weight"]?.intValue ?? -1)"
        }
        #expect(backends == ["podinfo-primary=0", "podinfo-canary=0", "podinfo-previous=100"])
        #expect(GatewayAPIRouter.weights(in: route, canary: canary) == .allPrevious)
    }

    @Test func thePreviousWorkloadAndServiceStandInForThePrimary() throws {
        let canary = try fullCanary()
        let role = KubernetesServiceRouter.role(.previous, canary, selector: ("app", "podinfo"))
        #expect(role.name == "podinfo-previous" && role.selector == ["app": "podinfo-previous"])
        let primary: JSONValue = [
            "metadata": ["labels": ["app": "podinfo-primary", "team": "a"], "annotations": [.init(DeploymentTarget.sourceHashAnnotation): "v2"]],
            "spec": ["replicas": 3, "minReadySeconds": 5, "template": ["metadata": ["labels": ["app": "podinfo-primary"]]]],
        ]
        let old: JSONValue = ["metadata": ["labels": ["app": "podinfo-primary"]], "spec": ["containers": [["image": "podinfo:6.0.0"]]]]
        let previous = DeploymentTarget.sideWorkload(
            template: old, revision: "v1", primary: primary, label: ("app", "podinfo-previous"), replicas: 3, live: nil)
        #expect(previous[path: "spec", "selector", "matchLabels", "app"] == "podinfo-previous")
        #expect(previous[path: "spec", "template", "metadata", "labels", "app"] == "podinfo-previous", "not selected by the primary's Service")
        #expect(previous[path: "spec", "template", "spec", "containers"]?[0]?["image"] == "podinfo:6.0.0", "the earlier version")
        #expect(previous[path: "metadata", "annotations", DeploymentTarget.sourceHashAnnotation] == "v1")
        #expect(
            previous[path: "metadata", "labels", "team"] == "a" && previous[path: "spec", "minReadySeconds"] == 5
                && previous[path: "spec", "replicas"] == 3)
    }

    @Test func configReferencesAreRenamedToTheKeptCopies() {
        let spec: JSONValue = [
            "volumes": [["name": "config", "configMap": ["name": "podinfo-config-primary"]]],
            "containers": [["envFrom": [["secretRef": ["name": "podinfo-env-primary"]], ["configMapRef": ["name": "shared"]]]]],
        ]
        let renamed = PodConfigReferences.renamed(
            spec,
            ["configmap/podinfo-config-primary": "podinfo-config-primary-previous", "secret/podinfo-env-primary": "podinfo-env-primary-previous"])
        #expect(
            PodConfigReferences.references(in: renamed).map(\.name) == ["podinfo-config-primary-previous", "podinfo-env-primary-previous", "shared"])
    }
}
