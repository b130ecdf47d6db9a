import CanaryAPI
import CanaryCore
import KubeCore
@testable import Routers
import Testing

/// The Gloo router's Upstreams and RouteTable (Flagger's Gloo tutorial Canary), against golden JSON.
@Suite struct GlooRouterTests {
    static func canary(analysis: String = #"{"interval": "10s", "threshold": 5, "stepWeight": 10, "maxWeight": 50}"#) throws -> Canary {
        try JSONValue(
            parsing: Array(
                """
                {"apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": {"name": "podinfo", "namespace": "test", "uid": "c-1"},
                 "spec": {"provider": "gloo", "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
                          "service": {"port": 9898}, "analysis": \(analysis)}}
                """.utf8)
        ).decode(as: Canary.self)
    }

    static let context = ValidationContext(meshProvider: .gloo, routers: [.gloo, .kubernetes], implementedRouters: [.istio, .kubernetes, .gloo])
        .routed

    @Test func theUpstreamsNameTheServicesAndCopyTheReferencedUpstreamsSettings() throws {
        let canary = try Self.canary()
        #expect(canary.validate(Self.context).isEmpty, "\(canary.validate(Self.context))")
        let settings: JSONValue = ["loadBalancerConfig": ["roundRobin": [:]], "kube": ["serviceName": "other"], "useHttp2": true]
        let upstream = GlooRouter.desiredUpstream(canary, role: "canary", settings: settings, live: nil)
        try Golden.check(upstream, "upstream-canary")
        #expect(GlooRouter.upstreamName(canary, "primary") == "test-podinfo-primaryupstream-9898")
    }

    @Test func aNewRouteTableSendsEverythingToThePrimaryUpstream() throws {
        let canary = try Self.canary()
        let table = GlooRouter.desiredRouteTable(canary, live: nil)
        try Golden.check(table, "routetable-new")
        #expect(GlooRouter.weights(in: table, canary: canary) == .allPrimary)
        var live = table
        live[path: "spec", "routes"] = .array(GlooRouter.routes(canary, Routes(primary: 70, canary: 30)))
        #expect(GlooRouter.desiredRouteTable(canary, live: live) == live, "a reconcile keeps the live weights")
    }

    @Test func anABTestMatchesAnyBlockAndSendsTheRestToThePrimary() throws {
        let canary = try Self.canary(
            analysis: #"""
                {"interval": "10s", "threshold": 5, "iterations": 10,
                 "match": [{"headers": {"x-canary": {"exact": "insider"}}}, {"headers": {"user-agent": {"regex": ".*Firefox.*"}}}]}
                """#)
        #expect(canary.validate(Self.context).isEmpty, "\(canary.validate(Self.context))")
        let routes = GlooRouter.routes(canary, Routes(primary: 0, canary: 100))
        #expect(routes.count == 2 && routes[0]["matchers"]?.arrayValue?.count == 2, "one matcher per block: \(routes)")
        #expect(routes[1]["matchers"] == nil && routes[1][path: "routeAction", "multi", "destinations"]?[0]?["weight"] == 100)
    }

    @Test func whatARouteTableCannotCarryIsRefusedByName() throws {
        var canary = try Self.canary()
        canary.spec.service?.timeout = "10s"
        canary.spec.upstreamRef = TargetReference()
        canary.spec.upstreamRef?.kind = "Service"
        let issues = canary.validate(Self.context).map(\.description).joined(separator: "\n")
        for expected in [
            "spec.service.timeout: not supported by the gloo router", #"spec.upstreamRef.kind: "Service" is not Upstream"#,
            "spec.upstreamRef.name: required",
        ] {
            #expect(issues.contains(expected), "\(expected) in \(issues)")
        }
    }
}
