import CanaryAPI
import CanaryCore
import KubeCore
import KubeRuntime
@testable import Routers
import Testing

/// The SMI router's TrafficSplit (Flagger's linkerd example), against golden JSON.
@Suite struct SMIRouterTests {
    static func canary(analysis: String = #"{"interval": "15s", "threshold": 10, "stepWeight": 5, "maxWeight": 50}"#) throws -> Canary {
        try JSONValue(
            parsing: Array(
                """
                {"apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": {"name": "podinfo", "namespace": "test", "uid": "c-1"},
                 "spec": {"provider": "linkerd", "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
                          "service": {"name": "podinfo", "port": 80, "targetPort": 9898}, "analysis": \(analysis)}}
                """.utf8)
        ).decode(as: Canary.self)
    }

    static let context = ValidationContext(
        meshProvider: .linkerd, routers: [.linkerd, .kubernetes], implementedRouters: [.istio, .kubernetes, .linkerd]
    ).routed

    @Test(arguments: SMIRouter.Version.allCases)
    func aNewTrafficSplitSendsEverythingToThePrimary(version: SMIRouter.Version) throws {
        let canary = try Self.canary()
        #expect(canary.validate(Self.context).isEmpty, "\(canary.validate(Self.context))")
        let split = SMIRouter.desiredTrafficSplit(canary, version: version, live: nil)
        try Golden.check(split, "trafficsplit-\(version.rawValue)-new")
        #expect(split["apiVersion"] == .string("split.smi-spec.io/\(version.rawValue)"))
        #expect(SMIRouter.weights(in: split, canary: canary) == .allPrimary)
    }

    @Test func v1alpha1WeightsAreQuantityStringsAsFlaggerMarshalsThemAndLaterVersionsIntegers() throws {
        let canary = try Self.canary()
        let routes = Routes(primary: 55, canary: 45)
        #expect(SMIRouter.backends(canary, routes, version: .v1alpha1)[0]?["weight"] == "45")
        #expect(SMIRouter.backends(canary, routes, version: .v1alpha2)[0]?["weight"] == 45)
        #expect(SMIRouter.backends(canary, routes, version: .v1alpha3)[1]?["weight"] == 55)
    }

    @Test func eachProviderWritesTheVersionFlaggersFactoryGivesIt() throws {
        let expected: [(MeshProvider, String)] = [
            (.linkerd, "v1alpha1"), (.osm, "v1alpha2"), (.smiV1alpha1, "v1alpha1"), (.smiV1alpha2, "v1alpha2"), (.smiV1alpha3, "v1alpha3"),
        ]
        for (provider, version) in expected {
            let registration = try #require(RouterRegistry.registration(for: provider), "\(provider) is routed")
            #expect(registration.resources.map(\.resource.version) == [version], "\(provider)")
            #expect(registration.resources.compactMap(\.crd) == ["trafficsplits.split.smi-spec.io"])
        }
    }

    @Test(arguments: [MeshProvider.smiV1alpha1, .smiV1alpha2, .smiV1alpha3])
    func theSMIProvidersAreJudgedByFlaggersDefaultIstioQueriesAndRefuseMatchesByName(provider: MeshProvider) throws {
        var canary = try Self.canary(
            analysis: #"{"interval": "15s", "threshold": 10, "iterations": 5, "match": [{"headers": {"x-canary": {"exact": "insider"}}}]}"#)
        canary.spec.provider = provider.rawValue
        let context = ValidationContext(meshProvider: provider, routers: [provider, .kubernetes], implementedRouters: [.kubernetes, provider]).routed
        let issues = canary.validate(context).map(\.description)
        #expect(issues == ["spec.analysis.match: A/B testing is not supported by the \(provider) provider (SMI TrafficSplit)"], "\(issues)")
        canary.spec.analysis?.match = nil
        canary.spec.analysis?.iterations = nil
        canary.spec.analysis?.stepWeight = 10
        canary.spec.analysis?.maxWeight = 50
        #expect(canary.validate(context).isEmpty, "\(canary.validate(context))")
        let registration = try #require(RouterRegistry.registration(for: provider))
        #expect(registration.resources.first?.resource.version == String(provider.rawValue.dropFirst("smi:".count)))
    }

    @Test func aReconcileKeepsTheLiveWeightsIncludingAFlaggerV1alpha1Quantity() throws {
        let canary = try Self.canary()
        var live = SMIRouter.desiredTrafficSplit(canary, version: .v1alpha2, live: nil)
        live[path: "metadata", "annotations"] = ["owner": "platform"]
        live[path: "spec", "backends"] = [["service": "podinfo-canary", "weight": "30"], ["service": "podinfo-primary", "weight": "70"]]
        #expect(SMIRouter.weights(in: live, canary: canary) == Routes(primary: 70, canary: 30), "weights written by Flagger as quantities")
        let desired = SMIRouter.desiredTrafficSplit(canary, version: .v1alpha2, live: live)
        #expect(desired[path: "spec", "backends"] == SMIRouter.backends(canary, Routes(primary: 70, canary: 30), version: .v1alpha2))
        #expect(desired[path: "metadata", "annotations", "owner"] == "platform")
        #expect(SMIRouter.desiredTrafficSplit(canary, version: .v1alpha2, live: desired) == desired, "a second reconcile changes nothing")
        live[path: "spec", "backends"] = [["service": "podinfo-canary", "weight": "300m"]]
        #expect(SMIRouter.weights(in: live, canary: canary) == nil, "a fractional quantity is no weight Serin reads")
    }

    @Test func whatATrafficSplitCannotCarryIsRefusedByName() throws {
        var canary = try Self.canary(
            analysis: #"""
                {"interval": "15s", "threshold": 10, "iterations": 5, "mirror": true, "match": [{"headers": {"x-canary": {"exact": "insider"}}}]}
                """#)
        canary.spec.service?.timeout = "10s"
        canary.spec.service?.hosts = ["podinfo", "podinfo.example.com"]
        let issues = canary.validate(Self.context).map(\.description).joined(separator: "\n")
        for expected in [
            "spec.analysis.match: A/B testing is not supported by the linkerd provider",
            "spec.analysis.mirror: not supported by the linkerd provider",
            "spec.service.timeout: not supported by the linkerd provider", "spec.service.hosts: a TrafficSplit splits one Service",
        ] {
            #expect(issues.contains(expected), "\(expected) in \(issues)")
        }
    }

    @Test func theBuiltinQueriesAreFlaggersOverTheInboundProxies() {
        #expect(
            SMIRouter.linkerdQueries.successRate.contains(
                #"response_total{namespace="{{ namespace }}",deployment=~"{{ target }}",classification!="failure",direction="inbound"}"#))
        #expect(SMIRouter.linkerdQueries.requestDuration.hasPrefix("histogram_quantile(0.99, sum(rate(response_latency_ms_bucket{"))
    }

    @Test func osmIsTheSameTrafficSplitJudgedByOSMsTelemetry() throws {
        let registration = try #require(RouterRegistry.registration(for: .osm))
        #expect(registration.resources.compactMap(\.crd) == ["trafficsplits.split.smi-spec.io"])
        #expect(
            SMIRouter.osmQueries.successRate.contains(
                #"osm_request_total{destination_namespace="{{ namespace }}",destination_kind="Deployment",destination_name="{{ target }}",response_code!~"5.*"}"#
            ))
        var canary = try Self.canary()
        canary.spec.provider = "osm"
        let context = ValidationContext(meshProvider: .osm, routers: [.osm, .kubernetes], implementedRouters: [.istio, .kubernetes, .osm]).routed
        #expect(canary.validate(context).isEmpty, "\(canary.validate(context))")
    }
}
