import CanaryAPI
import CanaryCore
import KubeCore
@testable import Routers
import Testing

/// The Gateway API router's desired HTTPRoute (Flagger's gateway-api tutorial Canary), against golden JSON.
@Suite struct GatewayAPIRouterTests {
    static func canary(analysis: String = #""analysis": {"interval": "1m", "threshold": 5, "stepWeight": 10, "maxWeight": 50}"#) throws -> Canary {
        try canary(service: nil, analysis: String(analysis.dropFirst(#""analysis": "#.count)))
    }

    @Test func aNewHTTPRouteSendsEverythingToThePrimaryThroughTheGateway() throws {
        try Golden.check(GatewayAPIRouter.desiredHTTPRoute(try Self.canary(), live: nil), "httproute-new")
    }

    @Test func anABTestMatchesTheCanaryFirstAndSendsTheRestToThePrimary() throws {
        let canary = try Self.canary(
            analysis: #"""
                "analysis": {"interval": "1m", "threshold": 5, "iterations": 10,
                             "match": [{"headers": {"x-canary": {"exact": "insider"}}}, {"headers": {"cookie": {"regex": "^(.*?;)?(canary=always)(;.*)?$"}}}]}
                """#)
        try Golden.check(GatewayAPIRouter.desiredHTTPRoute(canary, live: nil), "httproute-ab")
    }

    @Test func aReconcileKeepsTheLiveWeightsAndWhatSerinDoesNotOwn() throws {
        let canary = try Self.canary()
        var live = GatewayAPIRouter.desiredHTTPRoute(canary, live: nil)
        live[path: "metadata", "annotations"] = ["owner": "platform"]
        live[path: "spec", "rules"] = [
            [
                "matches": [["path": ["type": "PathPrefix", "value": "/"]]],
                "backendRefs": GatewayAPIRouter.backends(canary, Routes(primary: 70, canary: 30)),
            ]
        ]
        let desired = GatewayAPIRouter.desiredHTTPRoute(canary, live: live)
        #expect(GatewayAPIRouter.weights(in: desired, canary: canary) == Routes(primary: 70, canary: 30))
        #expect(desired[path: "metadata", "annotations", "owner"] == "platform")
        #expect(desired == GatewayAPIRouter.desiredHTTPRoute(canary, live: desired), "a second reconcile changes nothing")
    }

    @Test func istioOnlyFieldsAndAMissingGatewayAreRefusedByName() throws {
        var canary = try Self.canary()
        canary.spec.service?.gatewayRefs = nil
        canary.spec.service?.retries = ["attempts": 3]
        let context = ValidationContext(
            meshProvider: .gatewayAPIV1, routers: [.gatewayAPIV1, .kubernetes],
            implementedRouters: [.istio, .kubernetes, .gatewayAPIV1]
        ).routed
        let issues = canary.validate(context).map(\.description).joined(separator: "\n")
        #expect(issues.contains("spec.service.gatewayRefs: required by the Gateway API provider"), "\(issues)")
        #expect(issues.contains("spec.service.retries: not supported by the Gateway API router yet"), "\(issues)")
    }

    /// Flagger's tutorial Canary with `service` members added to its service and `analysis` as its analysis.
    static func canary(service: String?, analysis: String) throws -> Canary {
        try JSONValue(
            parsing: Array(
                """
                {"apiVersion": "flagger.app/v1beta1", "kind": "Canary",
                 "metadata": {"name": "podinfo", "namespace": "test", "uid": "c-1"},
                 "spec": {
                   "provider": "gatewayapi:v1",
                   "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
                   "service": {"port": 9898, "hosts": ["www.example.com"], "gatewayRefs": [{"name": "gateway", "namespace": "istio-ingress"}]
                               \(service.map { ", " + $0 } ?? "")},
                   "analysis": \(analysis)
                 }}
                """.utf8)
        ).decode(as: Canary.self)
    }

    @Test func headersRewriteMirrorsCORSAndTimeoutsBecomeTheRulesFiltersAsFlaggerMapsThem() throws {
        let canary = try Self.canary(
            service: #"""
                "timeout": "30s", "backendTimeout": "10s",
                "match": [{"uri": {"prefix": "/api"}}],
                "rewrite": {"uri": "/", "type": "ReplacePrefixMatch", "authority": "podinfo.internal"},
                "headers": {"request": {"set": {"x-b": "2", "x-a": "1"}, "remove": ["x-debug"]}, "response": {"add": {"x-served-by": "serin"}}},
                "mirror": [{"backendRef": {"name": "podinfo-shadow", "port": 9898}, "percent": 5}],
                "corsPolicy": {"allowOrigin": ["https://example.com"], "allowMethods": ["GET", "POST"], "allowCredentials": true, "maxAge": "24h"}
                """#, analysis: #"{"interval": "1m", "threshold": 5, "stepWeight": 10, "maxWeight": 50}"#)
        #expect(canary.validate(Self.context).isEmpty, "\(canary.validate(Self.context))")
        let route = GatewayAPIRouter.desiredHTTPRoute(canary, live: nil, routes: Routes(primary: 80, canary: 20))
        try Golden.check(route, "httproute-filters")
        #expect(GatewayAPIRouter.weights(in: route, canary: canary) == Routes(primary: 80, canary: 20))
    }

    @Test func blueGreenMirroringCopiesTheRequestsToTheCanaryAndIsReadBack() throws {
        let canary = try Self.canary(service: nil, analysis: #"{"interval": "1m", "threshold": 5, "iterations": 10, "mirror": true}"#)
        let mirrored = GatewayAPIRouter.desiredHTTPRoute(canary, live: nil, routes: Routes(primary: 100, canary: 0, mirrored: true))
        try Golden.check(mirrored, "httproute-mirrored")
        #expect(GatewayAPIRouter.weights(in: mirrored, canary: canary) == Routes(primary: 100, canary: 0, mirrored: true))
        let after = GatewayAPIRouter.desiredHTTPRoute(canary, live: mirrored, routes: .allPrimary)
        #expect(after[path: "spec", "rules"]?[0]?["filters"] == nil, "the mirror goes when the analysis ends: \(after)")
        #expect(GatewayAPIRouter.desiredHTTPRoute(canary, live: mirrored) == mirrored, "a reconcile keeps the live mirror")
    }

    @Test func sessionAffinityPinsCookieHoldersWithStickyRulesBeforeTheWeightedOne() throws {
        var canary = try Self.canary(
            service: nil,
            analysis: #"""
                {"interval": "1m", "threshold": 5, "stepWeight": 10, "maxWeight": 50,
                 "sessionAffinity": {"cookieName": "flagger-cookie", "primaryCookieName": "flagger-primary", "maxAge": 600}}
                """#)
        var status = CanaryStatus()
        status.sessionAffinityCookie = "flagger-cookie=abcdefghij"
        status.primarySessionAffinityCookie = "flagger-primary=klmnopqrst"
        canary.status = status
        let sticky = GatewayAPIRouter.desiredHTTPRoute(canary, live: nil, routes: Routes(primary: 70, canary: 30))
        try Golden.check(sticky, "httproute-sticky")
        #expect(GatewayAPIRouter.weights(in: sticky, canary: canary) == Routes(primary: 70, canary: 30), "the weighted rule, not a sticky one")
        #expect(GatewayAPIRouter.desiredHTTPRoute(canary, live: sticky) == sticky, "a reconcile changes nothing")

        canary.status?.sessionAffinityCookie = nil
        canary.status?.primarySessionAffinityCookie = nil
        canary.status?.previousSessionAffinityCookie = "flagger-cookie=abcdefghij"
        let after = GatewayAPIRouter.desiredHTTPRoute(canary, live: sticky, routes: .allPrimary)
        let rules = after[path: "spec", "rules"]?.arrayValue ?? []
        #expect(rules.count == 2, "one rule expiring the previous cookie, then the weighted one: \(after)")
        #expect(
            rules.first?[path: "filters"]?[0]?[path: "responseHeaderModifier", "add"] == [
                ["name": "Set-Cookie", "value": "flagger-cookie=abcdefghij; Max-Age=-1"]
            ])
        #expect(rules.first?[path: "matches"]?[0]?["headers"]?[0]?["value"] == ".*flagger-cookie.*abcdefghij.*")
        #expect(GatewayAPIRouter.weights(in: after, canary: canary) == .allPrimary)
    }

    @Test func aRuleTheUserAddedThatSendsElsewhereIsKeptAfterSerinsRules() throws {
        let canary = try Self.canary()
        var live = GatewayAPIRouter.desiredHTTPRoute(canary, live: nil)
        let health: JSONValue = [
            "matches": [["path": ["type": "Exact", "value": "/healthz"]]],
            "filters": [["type": "ExtensionRef", "extensionRef": ["group": "example.com", "kind": "Auth", "name": "none"]]],
            "backendRefs": [["group": "", "kind": "Service", "name": "health", "port": 8080, "weight": 1]],
        ]
        live[path: "spec", "rules"] = .array((live[path: "spec", "rules"]?.arrayValue ?? []) + [health])
        let desired = GatewayAPIRouter.desiredHTTPRoute(canary, live: live, routes: Routes(primary: 90, canary: 10))
        #expect(desired[path: "spec", "rules"]?[1] == health, "\(desired)")
        #expect(GatewayAPIRouter.weights(in: desired, canary: canary) == Routes(primary: 90, canary: 10))
    }

    static let context = ValidationContext(
        meshProvider: .gatewayAPIV1, routers: [.gatewayAPIV1, .kubernetes],
        implementedRouters: [.istio, .kubernetes, .gatewayAPIV1]
    ).routed

    @Test func whatGatewayAPICannotCarryIsRefusedByName() throws {
        let canary = try Self.canary(
            service: #"""
                "timeout": "1.5s", "backendTimeout": "2m", "rewrite": {"uri": "/", "type": "ReplaceRegex"},
                "corsPolicy": {"allowOrigins": [{"exact": "https://example.com"}]}, "mirror": [{"backendRef": {"port": 80}}]
                """#, analysis: #"{"interval": "1m", "threshold": 5, "stepWeight": 10, "maxWeight": 50}"#)
        let issues = canary.validate(Self.context).map(\.description).joined(separator: "\n")
        for expected in [
            #"spec.service.timeout: "1.5s" is not a Gateway API duration"#,
            "spec.service.backendTimeout: 2m0s is longer than the request timeout 1.5s",
            #"spec.service.rewrite.type: "ReplaceRegex" is not ReplaceFullPath or ReplacePrefixMatch"#,
            "spec.service.corsPolicy.allowOrigins: not supported by the Gateway API router yet", "spec.service.mirror[0].backendRef.name: required",
        ] {
            #expect(issues.contains(expected), "\(expected) in \(issues)")
        }
    }

    @Test func gatewayAPIFieldsUnderIstioAreRefusedByName() throws {
        var canary = try Self.canary(
            service: #""backendTimeout": "10s", "mirror": [{"backendRef": {"name": "shadow"}}]"#,
            analysis: #"{"interval": "1m", "threshold": 5, "stepWeight": 10, "maxWeight": 50}"#)
        canary.spec.provider = "istio"
        canary.spec.service?.gatewayRefs = nil
        let context = ValidationContext(
            meshProvider: .istio, routers: [.istio, .kubernetes], implementedRouters: [.istio, .kubernetes, .gatewayAPIV1]
        ).routed
        let issues = canary.validate(context).map(\.description).joined(separator: "\n")
        #expect(issues.contains("spec.service.backendTimeout: used only by the Gateway API providers"), "\(issues)")
        #expect(issues.contains("spec.service.mirror: used only by the Gateway API providers"), "\(issues)")
    }

    @Test func aGRPCServiceGetsAGRPCRouteWithItsMethodAndHeaderMatches() throws {
        let canary = try Self.canary(
            service:
                #""appProtocol": "grpc", "match": [{"uri": {"prefix": "/grpc.health.v1.Health/"}}], "headers": {"request": {"set": {"x-route": "canary"}}}"#,
            analysis: #"{"interval": "1m", "threshold": 5, "iterations": 10, "match": [{"headers": {"x-canary": {"exact": "insider"}}}]}"#)
        #expect(canary.validate(Self.context).isEmpty, "\(canary.validate(Self.context))")
        let route = GatewayAPIRouter.desiredGRPCRoute(canary, live: nil)
        try Golden.check(route, "grpcroute-ab")
        #expect(route["kind"] == "GRPCRoute" && GatewayAPIRouter.weights(in: route, canary: canary) == .allPrimary)
        let moved = GatewayAPIRouter.desiredGRPCRoute(canary, live: route, routes: Routes(primary: 0, canary: 100))
        #expect(GatewayAPIRouter.weights(in: moved, canary: canary) == Routes(primary: 0, canary: 100))
        #expect(GatewayAPIRouter.desiredGRPCRoute(canary, live: moved) == moved, "a reconcile keeps the live weights")
    }

    @Test func whatAGRPCRouteCannotCarryIsRefusedByName() throws {
        let canary = try Self.canary(
            service: #""appProtocol": "grpc", "timeout": "10s", "match": [{"uri": {"regex": ".*"}, "queryParams": {"a": {"exact": "b"}}}]"#,
            analysis: #"{"interval": "1m", "threshold": 5, "stepWeight": 10, "maxWeight": 50}"#)
        let issues = canary.validate(Self.context).map(\.description).joined(separator: "\n")
        for expected in [
            "spec.service.timeout: not carried by a GRPCRoute",
            "spec.service.match[0].queryParams: a GRPCRoute matches headers and the method (uri) only",
            "spec.service.match[0].uri: a gRPC method is exact: /<service>/<method> or prefix: /<service>/",
        ] {
            #expect(issues.contains(expected), "\(expected) in \(issues)")
        }
        var beta = canary
        beta.spec.provider = "gatewayapi:v1beta1"
        let betaContext = ValidationContext(meshProvider: .gatewayAPIV1beta1, routers: [.gatewayAPIV1beta1], implementedRouters: [.gatewayAPIV1beta1])
            .routed
        #expect(
            beta.validate(betaContext).map(\.description).contains {
                $0.hasPrefix("spec.service.appProtocol: GRPCRoute is served as gateway.networking.k8s.io/v1 only")
            })
    }
}
