import CanaryAPI
import KubeCore
import Routers
import Testing

/// Per router, malformed fields the routing object's schema would refuse, fields the router cannot carry and
/// fields of other providers: each refused on the Canary by its own field, before anything is written.
@Suite struct RouterFieldValidationTests {
    /// A malformed field: the provider, a merge patch of `spec`, and the issue that must name it.
    struct Row: Sendable, CustomStringConvertible {
        var provider: String
        var patch: String
        var expected: String
        var description: String { "\(provider): \(expected)" }

        init(_ provider: String, _ patch: String, _ expected: String) {
            self.provider = provider
            self.patch = patch
            self.expected = expected
        }
    }

    static let routers: Set<MeshProvider> = [
        .istio, .gatewayAPIV1, .gatewayAPIV1beta1, .contour, .nginx, .apisix, .gloo, .traefik, .linkerd, .osm, .kubernetes,
    ]
    static let context = ValidationContext(meshProvider: .istio, routers: routers, implementedRouters: routers).routed

    /// A valid Canary of Flagger's tutorials for `provider` (`grpc`: Gateway API with a GRPCRoute).
    static func canary(_ provider: String, patch: String = "{}") throws -> Canary {
        let extra: String
        switch provider {
        case "istio": extra = #""service": {"hosts": ["app.example.com"], "gateways": ["istio-system/public-gateway"]}"#
        case "gatewayapi:v1", "gatewayapi:v1beta1":
            extra = #""service": {"hosts": ["app.example.com"], "gatewayRefs": [{"name": "gateway", "namespace": "istio-ingress"}]}"#
        case "grpc": extra = #""service": {"appProtocol": "grpc", "gatewayRefs": [{"name": "gateway", "namespace": "istio-ingress"}]}"#
        case "nginx": extra = #""ingressRef": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": "podinfo"}"#
        case "apisix": extra = #""routeRef": {"apiVersion": "apisix.apache.org/v2", "kind": "ApisixRoute", "name": "podinfo"}"#
        case "kubernetes": extra = #""analysis": {"stepWeight": null, "maxWeight": null, "iterations": 10}"#
        default: extra = ""
        }
        let name = provider == "grpc" ? "gatewayapi:v1" : provider
        let base = try JSONValue(
            parsing: Array(
                """
                {"provider": "\(name)", "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
                 "service": {"port": 9898}, "analysis": {"interval": "1m", "threshold": 5, "stepWeight": 10, "maxWeight": 50}}
                """.utf8))
        let spec = base.applyingMergePatch(try JSONValue(parsing: Array("{\(extra)}".utf8)))
            .applyingMergePatch(try JSONValue(parsing: Array(patch.utf8)))
        let object: JSONValue = [
            "apiVersion": "flagger.app/v1beta1", "kind": "Canary",
            "metadata": ["name": "podinfo", "namespace": "test"], "spec": spec,
        ]
        return try object.decode(as: Canary.self)
    }

    /// `analysis` as an A/B test with `match`.
    static func abTest(_ match: String) -> String {
        #"{"analysis": {"stepWeight": null, "maxWeight": null, "iterations": 10, "match": \#(match)}}"#
    }

    @Test(arguments: [
        "istio", "gatewayapi:v1", "gatewayapi:v1beta1", "grpc", "contour", "nginx", "apisix", "gloo", "traefik", "linkerd", "osm", "kubernetes",
    ])
    func eachRoutersTutorialCanaryIsValid(provider: String) throws {
        let canary = try Self.canary(provider)
        #expect(canary.validate(Self.context).isEmpty, "\(canary.validate(Self.context))")
    }

    @Test(
        arguments: RouterFieldValidationTests.istio + RouterFieldValidationTests.gatewayAPI + RouterFieldValidationTests.grpc
            + RouterFieldValidationTests.contour + RouterFieldValidationTests.others)
    func aMalformedFieldIsRefusedByItsCanaryField(row: Row) throws {
        let issues = try Self.canary(row.provider, patch: row.patch).validate(Self.context).map(\.description)
        #expect(issues.contains { $0.hasPrefix(row.expected) }, "\(row.expected) in \(issues)")
        #expect(issues.allSatisfy { $0.count < 400 }, "a message never echoes a long value whole: \(issues.map(\.count))")
    }

    @Test func valuesTheRoutingObjectsAcceptPass() throws {
        let istio = try Self.canary(
            "istio",
            patch: #"""
                {"service": {"hosts": ["*.example.com", "*", "podinfo.test.svc.cluster.local", "Shop.Example.com"], "gateways": ["mesh", "public-gateway"],
                             "match": [{"uri": {"regex": "^/api/(?P<version>v[0-9]+)/.*"}}],
                             "retries": {"attempts": 3, "perTryTimeout": "1s", "retryOn": "gateway-error,connect-failure,503"},
                             "headers": {"request": {"set": {"x-b3-sampled": "1"}, "remove": ["x-debug"]}},
                             "corsPolicy": {"allowMethods": ["GET", "POST"], "allowOrigins": [{"regex": "https://.*\\.example\\.com"}], "maxAge": "24h"}}}
                """#)
        #expect(istio.validate(Self.context).isEmpty, "\(istio.validate(Self.context))")
        let gateway = try Self.canary(
            "gatewayapi:v1",
            patch: #"""
                {"service": {"hosts": ["*.example.com"], "gatewayRefs": [{"name": "gateway", "namespace": "istio-ingress", "sectionName": "https", "port": 443}],
                             "match": [{"uri": {"prefix": "/api"}}], "headers": {"request": {"set": {"x-canary": "1"}}},
                             "mirror": [{"backendRef": {"name": "shadow", "port": 80}, "fraction": {"numerator": 1, "denominator": 10}}]},
                 "analysis": {"stepWeight": null, "maxWeight": null, "iterations": 10,
                              "match": [{"headers": {"x-user": {"regex": "^(alice|bob)$"}}, "method": {"exact": "GET"}, "queryParams": {"v": {"exact": "2"}}}]}}
                """#)
        #expect(gateway.validate(Self.context).isEmpty, "\(gateway.validate(Self.context))")
        let contour = try Self.canary(
            "contour", patch: #"{"service": {"timeout": "15s", "retries": {"attempts": -1, "perTryTimeout": "500ms", "retryOn": "5xx,reset"}}}"#)
        #expect(contour.validate(Self.context).isEmpty, "\(contour.validate(Self.context))")
    }

    @Test(arguments: [
        ("HTTPRoute", "spec.hostnames[1]", "spec.service.hosts[1]"),
        ("HTTPRoute", "spec.parentRefs[0].name", "spec.service.gatewayRefs[0].name"),
        ("GRPCRoute", "spec.parentRefs[2].port", "spec.service.gatewayRefs[2].port"),
        ("HTTPRoute", "spec.rules[0].filters[1].requestHeaderModifier.set[0].value", "spec.service.headers.request"),
        ("HTTPRoute", "spec.rules[0].filters[2].requestMirror.percent", "spec.service.mirror"),
        ("HTTPRoute", "spec.rules[1].matches[0].path.value", "spec.service.match or spec.analysis.match"),
        ("VirtualService", "spec.http[0].retries.attempts", "spec.service.retries.attempts"),
        ("VirtualService", "spec.gateways[0]", "spec.service.gateways[0]"),
        ("HTTPProxy", "spec.routes[0].retryPolicy.count", "spec.service.retries.attempts"),
        ("HTTPProxy", "spec.routes[1].timeoutPolicy.response", "spec.service.timeout"),
    ])
    func aRoutingObjectsRefusedFieldIsNamedAsTheCanaryFieldItCameFrom(kind: String, field: String, canaryField: String) {
        #expect(RoutingFieldMap.canaryField(kind: kind, field: field) == canaryField)
    }

    @Test func aFieldSerinOwnsAloneMapsToNoCanaryField() {
        #expect(RoutingFieldMap.canaryField(kind: "HTTPRoute", field: "spec.rules[0].backendRefs[0].weight") == nil)
        #expect(RoutingFieldMap.canaryField(kind: "Gateway", field: "spec.hostnames[0]") == nil)
    }

    static let istio: [Row] = [
        Row("istio", #"{"service": {"hosts": ["app.example.com", "bad host!!"]}}"#, #"spec.service.hosts[1]: "bad host!!" is not an Istio host"#),
        Row("istio", #"{"service": {"hosts": ["*.*.x"]}}"#, #"spec.service.hosts[0]: "*.*.x" is not an Istio host"#),
        Row("istio", #"{"service": {"gateways": ["a/b/c"]}}"#, #"spec.service.gateways[0]: "a/b/c" is not <namespace>/<name>"#),
        Row("istio", #"{"service": {"gateways": ["Public_Gateway"]}}"#, #"spec.service.gateways[0]: "Public_Gateway" is not a Gateway name"#),
        Row("istio", #"{"service": {"match": [{"uri": {"regex": "(("}}]}}"#, #"spec.service.match[0].uri.regex: "((" is not a regular expression"#),
        Row("istio", #"{"service": {"match": [{"uri": {"exact": "/a", "prefix": "/b"}}]}}"#, "spec.service.match[0].uri: sets exact and prefix"),
        Row("istio", #"{"service": {"match": [{"uri": {"prefix": ""}}]}}"#, "spec.service.match[0].uri.prefix: must not be empty"),
        Row(
            "istio", abTest(#"[{"headers": {"x-user": {"regex": "(?=admin)"}}}]"#),
            "spec.analysis.match[0].headers.x-user.regex: \"(?=admin)\" uses a lookahead"),
        Row(
            "istio", abTest(#"[{"headers": {"x-user": {"regex": "(a)\\1"}}}]"#),
            "spec.analysis.match[0].headers.x-user.regex: \"(a)\\1\" uses a backreference"),
        Row("istio", abTest(#"[{"headers": {"x user": {"exact": "a"}}}]"#), #"spec.analysis.match[0].headers.x user: "x user" is not a header name"#),
        Row("istio", #"{"service": {"retries": {"attempts": -1}}}"#, "spec.service.retries.attempts: -1 is out of range (0-2147483647)"),
        Row("istio", #"{"service": {"retries": {"attempts": "three"}}}"#, "spec.service.retries.attempts: must be an integer"),
        Row(
            "istio", #"{"service": {"retries": {"retryOn": "5xx,sometimes"}}}"#,
            #"spec.service.retries.retryOn: "sometimes" is not a retry condition"#),
        Row(
            "istio", #"{"service": {"retries": {"perTryTimeout": "500us"}}}"#,
            "spec.service.retries.perTryTimeout: 500us is shorter than Istio's minimum of 1ms"),
        Row("istio", #"{"service": {"timeout": "1.0005s"}}"#, "spec.service.timeout: 1.0005s is not a whole number of milliseconds"),
        Row(
            "istio", #"{"service": {"headers": {"request": {"set": {"bad name": "v"}}}}}"#,
            #"spec.service.headers.request.set.bad name: "bad name" is not a header name"#),
        Row(
            "istio", #"{"service": {"corsPolicy": {"allowMethods": ["FETCH"]}}}"#,
            #"spec.service.corsPolicy.allowMethods[0]: "FETCH" is not an HTTP method"#),
        Row(
            "istio", #"{"service": {"corsPolicy": {"allowOrigins": [{"regex": "[a-"}]}}}"#,
            "spec.service.corsPolicy.allowOrigins[0].regex: \"[a-\" is not a regular expression"),
        Row("istio", #"{"service": {"gatewayRefs": [{"name": "gateway"}]}}"#, "spec.service.gatewayRefs: used only by the Gateway API providers"),
        Row("istio", #"{"ingressRef": {"name": "podinfo"}}"#, "spec.ingressRef: used only by the nginx provider; this Canary's provider is istio"),
        Row("istio", #"{"upstreamRef": {"name": "podinfo"}}"#, "spec.upstreamRef: used only by the gloo provider"),
    ]

    static let big = String(repeating: "x", count: 300_000)

    static let gatewayAPI: [Row] = [
        Row(
            "gatewayapi:v1", #"{"ingressRef": {"name": "podinfo"}}"#,
            "spec.ingressRef: used only by the nginx provider; this Canary's provider is gatewayapi:v1"),
        Row("gatewayapi:v1", #"{"routeRef": {"name": "podinfo"}}"#, "spec.routeRef: used only by the apisix provider"),
        Row(
            "gatewayapi:v1beta1", #"{"upstreamRef": {"name": "podinfo"}}"#,
            "spec.upstreamRef: used only by the gloo provider; this Canary's provider is gatewayapi:v1beta1"),
        Row("gatewayapi:v1", #"{"service": {"hosts": ["bad host!!"]}}"#, #"spec.service.hosts[0]: "bad host!!" is not a Gateway API hostname"#),
        Row(
            "gatewayapi:v1", #"{"service": {"hosts": ["app.example.com", "*.*.x"]}}"#,
            #"spec.service.hosts[1]: "*.*.x" is not a Gateway API hostname"#),
        Row(
            "gatewayapi:v1", #"{"service": {"hosts": ["App.Example.com"]}}"#,
            #"spec.service.hosts[0]: "App.Example.com" is not a Gateway API hostname"#),
        Row(
            "gatewayapi:v1", #"{"service": {"headers": {"request": {"set": {"x-big": "\#(big)"}}}}}"#,
            #"spec.service.headers.request.set.x-big: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…" (300000 characters) is longer than 4096 characters"#),
        Row(
            "gatewayapi:v1", #"{"service": {"headers": {"response": {"add": {"x y": "1"}}}}}"#,
            #"spec.service.headers.response.add.x y: "x y" is not an HTTP header name"#),
        Row(
            "gatewayapi:v1", #"{"service": {"match": [{"uri": {"regex": "(("}}]}}"#,
            #"spec.service.match[0].uri.regex: "((" is not a regular expression"#),
        Row(
            "gatewayapi:v1", #"{"service": {"match": [{"uri": {"prefix": "/a//b"}}]}}"#,
            #"spec.service.match[0].uri.prefix: "/a//b" must not contain //"#),
        Row(
            "gatewayapi:v1", #"{"service": {"match": [{"uri": {"exact": "api"}}]}}"#,
            #"spec.service.match[0].uri.exact: "api" must be an absolute path"#),
        Row(
            "gatewayapi:v1", #"{"service": {"match": [{"uri": {"suffix": ".js"}}]}}"#,
            "spec.service.match[0].uri: an HTTPRoute path match is one of exact, prefix or regex"),
        Row(
            "gatewayapi:v1", #"{"service": {"match": [{"authority": {"exact": "a"}}]}}"#,
            "spec.service.match[0].authority: an HTTPRoute match carries uri, headers, queryParams and method only"),
        Row(
            "gatewayapi:v1", #"{"service": {"mirror": [{"backendRef": {"name": "shadow", "port": 80}, "percent": 1000}]}}"#,
            "spec.service.mirror[0].percent: 1000 is out of range (0-100)"),
        Row(
            "gatewayapi:v1", #"{"service": {"mirror": [{"backendRef": {"name": "shadow"}}]}}"#,
            "spec.service.mirror[0].backendRef.port: required for a Service"),
        Row(
            "gatewayapi:v1", #"{"service": {"mirror": [{"backendRef": {"name": "s", "port": 80}, "fraction": {"numerator": 5, "denominator": 2}}]}}"#,
            "spec.service.mirror[0].fraction: numerator 5 is above denominator 2"),
        Row("gatewayapi:v1", #"{"service": {"gatewayRefs": [{"namespace": "istio-ingress"}]}}"#, "spec.service.gatewayRefs[0].name: required"),
        Row(
            "gatewayapi:v1", #"{"service": {"gatewayRefs": [{"name": "gateway", "port": 70000}]}}"#,
            "spec.service.gatewayRefs[0].port: 70000 is out of range (1-65535)"),
        Row(
            "gatewayapi:v1", #"{"service": {"gatewayRefs": [{"name": "gateway", "namespace": "Istio_Ingress"}]}}"#,
            #"spec.service.gatewayRefs[0].namespace: "Istio_Ingress" is not a namespace"#),
        Row(
            "gatewayapi:v1", #"{"service": {"rewrite": {"authority": "*.example.com"}}}"#,
            #"spec.service.rewrite.authority: "*.example.com" is not a precise hostname"#),
        Row(
            "gatewayapi:v1",
            #"{"service": {"rewrite": {"uri": "/", "type": "ReplacePrefixMatch"}, "match": [{"uri": {"prefix": "/a"}}, {"uri": {"prefix": "/b"}}]}}"#,
            "spec.service.rewrite.type: ReplacePrefixMatch needs a rule with exactly one path prefix match"),
        Row(
            "gatewayapi:v1", abTest(#"[{"headers": {"x-user": {"exact": "\#(String(repeating: "a", count: 5000))"}}}]"#),
            "spec.analysis.match[0].headers.x-user.exact: \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa…\" (5000 characters) is longer than 4096 characters"),
        Row(
            "gatewayapi:v1", abTest(#"[{"headers": {"x-user": {"prefix": "a"}}}]"#),
            "spec.analysis.match[0].headers.x-user: a Gateway API match is exact or regex only"),
        Row(
            "gatewayapi:v1", abTest(#"[{"headers": {"x-user": {"regex": "(?<!a)b"}}}]"#),
            "spec.analysis.match[0].headers.x-user.regex: \"(?<!a)b\" uses a negative lookbehind"),
        Row("gatewayapi:v1", abTest(#"[{"method": {"exact": "FETCH"}}]"#), #"spec.analysis.match[0].method.exact: "FETCH" is not one of"#),
        Row(
            "gatewayapi:v1", abTest(#"[{"queryParams": {"q": {"exact": "\#(String(repeating: "q", count: 1025))"}}}]"#),
            "spec.analysis.match[0].queryParams.q.exact:"),
        Row(
            "gatewayapi:v1", #"{"service": {"corsPolicy": {"allowOrigin": ["example.com"]}}}"#,
            #"spec.service.corsPolicy.allowOrigin[0]: "example.com" is not an origin"#),
    ]

    static let grpc: [Row] = [
        Row(
            "grpc", #"{"service": {"match": [{"uri": {"exact": "/bad service/Get"}}]}}"#,
            #"spec.service.match[0].uri.exact: "bad service" is not a gRPC service name"#),
        Row(
            "grpc", #"{"service": {"match": [{"uri": {"exact": "/shop.Cart/Get-Item"}}]}}"#,
            #"spec.service.match[0].uri.exact: "Get-Item" is not a gRPC method name"#),
        Row("grpc", abTest(#"[{"headers": {"x y": {"exact": "a"}}}]"#), #"spec.analysis.match[0].headers.x y: "x y" is not an HTTP header name"#),
        Row(
            "grpc", abTest(#"[{"headers": {"x-user": {"regex": "(("}}}]"#),
            #"spec.analysis.match[0].headers.x-user.regex: "((" is not a regular expression"#),
        Row("grpc", #"{"service": {"hosts": ["bad host!!"]}}"#, #"spec.service.hosts[0]: "bad host!!" is not a Gateway API hostname"#),
        Row("grpc", #"{"ingressRef": {"name": "podinfo"}}"#, "spec.ingressRef: used only by the nginx provider"),
    ]

    static let contour: [Row] = [
        Row("contour", #"{"service": {"retries": {"attempts": -5}}}"#, "spec.service.retries.attempts: -5 is out of range (-1-2147483647)"),
        Row(
            "contour", #"{"service": {"retries": {"retryOn": "5xx,sometimes"}}}"#,
            #"spec.service.retries.retryOn: "sometimes" is not one of Contour's retry conditions"#),
        Row(
            "contour", #"{"service": {"retries": {"perTryTimeout": "5 s"}}}"#, #"spec.service.retries.perTryTimeout: "5 s" is not a Contour duration"#
        ),
        Row("contour", #"{"service": {"match": [{"uri": {"prefix": "api"}}]}}"#, #"spec.service.match[0].uri.prefix: "api" must start with /"#),
        Row("contour", abTest(#"[{"headers": {"x y": {"exact": "a"}}}]"#), #"spec.analysis.match[0].headers.x y: "x y" is not an HTTP header name"#),
        Row("contour", #"{"service": {"gatewayRefs": [{"name": "gateway"}]}}"#, "spec.service.gatewayRefs: used only by the Gateway API providers"),
        Row(
            "contour", #"{"ingressRef": {"name": "podinfo"}}"#, "spec.ingressRef: used only by the nginx provider; this Canary's provider is contour"),
    ]

    static let others: [Row] = [
        Row(
            "nginx", abTest(#"[{"headers": {"x-canary": {"regex": "(("}}}]"#),
            #"spec.analysis.match[0].headers.x-canary.regex: "((" is not a regular expression"#),
        Row(
            "nginx", abTest(#"[{"headers": {"cookie": {"exact": "bad cookie"}}}]"#),
            #"spec.analysis.match[0].headers.cookie.exact: "bad cookie" is not a cookie name"#),
        Row(
            "nginx", abTest(#"[{"headers": {"x canary": {"exact": "a"}}}]"#),
            #"spec.analysis.match[0].headers.x canary: "x canary" is not an HTTP header name"#),
        Row("nginx", #"{"routeRef": {"name": "podinfo"}}"#, "spec.routeRef: used only by the apisix provider; this Canary's provider is nginx"),
        Row(
            "nginx", #"{"service": {"mirror": [{"backendRef": {"name": "s", "port": 80}}]}}"#,
            "spec.service.mirror: used only by the Gateway API providers"),
        Row("apisix", #"{"ingressRef": {"name": "podinfo"}}"#, "spec.ingressRef: used only by the nginx provider; this Canary's provider is apisix"),
        Row("apisix", #"{"service": {"backendTimeout": "5s"}}"#, "spec.service.backendTimeout: used only by the Gateway API providers"),
        Row(
            "gloo", abTest(#"[{"headers": {"x-user": {"regex": "(?<=a)b"}}}]"#),
            "spec.analysis.match[0].headers.x-user.regex: \"(?<=a)b\" uses a lookbehind"),
        Row("gloo", abTest(#"[{"method": {"exact": "FETCH"}}]"#), #"spec.analysis.match[0].method.exact: "FETCH" is not an HTTP method"#),
        Row("gloo", #"{"routeRef": {"name": "podinfo"}}"#, "spec.routeRef: used only by the apisix provider; this Canary's provider is gloo"),
        Row("traefik", #"{"service": {"gatewayRefs": [{"name": "gateway"}]}}"#, "spec.service.gatewayRefs: used only by the Gateway API providers"),
        Row(
            "traefik", #"{"upstreamRef": {"name": "podinfo"}}"#, "spec.upstreamRef: used only by the gloo provider; this Canary's provider is traefik"
        ),
        Row("linkerd", #"{"service": {"hosts": ["Podinfo.Test"]}}"#, #"spec.service.hosts[0]: "Podinfo.Test" is not a Service name"#),
        Row(
            "linkerd", #"{"ingressRef": {"name": "podinfo"}}"#, "spec.ingressRef: used only by the nginx provider; this Canary's provider is linkerd"),
        Row("osm", #"{"routeRef": {"name": "podinfo"}}"#, "spec.routeRef: used only by the apisix provider; this Canary's provider is osm"),
        Row(
            "kubernetes", #"{"service": {"hosts": ["app.example.com"]}}"#,
            "spec.service.hosts: not used by the kubernetes provider: it writes no route"),
        Row("kubernetes", #"{"service": {"retries": {"attempts": 3}}}"#, "spec.service.retries: not used by the kubernetes provider"),
        Row(
            "kubernetes", #"{"ingressRef": {"name": "podinfo"}}"#,
            "spec.ingressRef: used only by the nginx provider; this Canary's provider is kubernetes"),
        Row(
            "kubernetes", #"{"service": {"gatewayRefs": [{"name": "gateway"}]}}"#, "spec.service.gatewayRefs: used only by the Gateway API providers"),
    ]
}
