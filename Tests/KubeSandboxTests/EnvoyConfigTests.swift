@testable import KubeAPIServer
import KubeCore
import Testing
@testable import KubeSandbox

@Suite struct EnvoyConfigTests {
    let primary = EnvoyMesh.Upstream(namespace: "demo", serviceName: "web-primary", workload: "web-primary")
    let canary = EnvoyMesh.Upstream(namespace: "demo", serviceName: "web-canary", workload: "web")

    var names: [EnvoyMesh.Upstream: String] { [primary: "c0", canary: "c1"] }

    @Test func anABRouteAndAWeightedRouteWithAMirrorBecomeEnvoyRoutesInOrder() {
        let mesh = EnvoyMesh(virtualHosts: [
            .init(
                name: "demo/web", domains: EnvoyMesh.domains("web", namespace: "demo"),
                routes: [
                    .init(
                        matches: [
                            ["headers": ["x-canary": ["exact": "insider"]]], ["headers": ["cookie": ["regex": "^(.*?;)?(canary=always)(;.*)?$"]]],
                        ],
                        destinations: [.init(weight: 100, upstreams: [canary])]),
                    .init(
                        matches: [],
                        destinations: [
                            .init(weight: 80, upstreams: [primary], responseHeaders: ["Set-Cookie": "flagger-cookie=x"]),
                            .init(weight: 20, upstreams: [canary]),
                        ],
                        mirror: .init(percent: 10, upstreams: [canary])),
                ])
        ])
        let configuration = EnvoyConfig.routeConfiguration(mesh, names: names)
        let host = configuration["resources"]?[0]?["virtual_hosts"]?[0]
        #expect(host?["domains"] == ["web", "web.demo", "web.demo.svc", "web.demo.svc.cluster.local"])
        let routes = host?["routes"]?.arrayValue ?? []
        #expect(routes.count == 3, "one Envoy route per match block")
        #expect(routes[0]["match"] == ["prefix": "/", "headers": [["name": "x-canary", "string_match": ["exact": "insider"]]]])
        #expect(routes[1][path: "match", "headers"]?[0]?["string_match"] == ["safe_regex": ["regex": "^(.*?;)?(canary=always)(;.*)?$"]])
        #expect(routes[0][path: "route", "weighted_clusters", "clusters"] == [["name": "c1", "weight": 10000]])
        #expect(
            routes[2][path: "route", "weighted_clusters", "clusters"] == [
                [
                    "name": "c0", "weight": 8000,
                    "response_headers_to_add": [
                        [
                            "header": ["key": "Set-Cookie", "value": "flagger-cookie=x"],
                            "append_action": "APPEND_IF_EXISTS_OR_ADD",
                        ]
                    ],
                ],
                ["name": "c1", "weight": 2000],
            ])
        #expect(
            routes[2][path: "route", "request_mirror_policies"] == [
                ["cluster": "c1", "runtime_fraction": ["default_value": ["numerator": 1000, "denominator": "TEN_THOUSAND"]]]
            ])
    }

    @Test func aRouteWithNothingReadyAnswers503AndUriMatchesTranslate() {
        let route = EnvoyMesh.Route(
            matches: [["uri": ["prefix": "/api"], "method": ["exact": "POST"]]],
            destinations: [.init(weight: 100, upstreams: [])])
        let translated = EnvoyConfig.routes(route, index: names)
        #expect(
            translated == [
                [
                    "match": ["prefix": "/api", "headers": [["name": ":method", "string_match": ["exact": "POST"]]]],
                    "direct_response": ["status": 503, "body": ["inline_string": "no healthy upstream\n"]],
                ]
            ])
        #expect(EnvoyConfig.match(["uri": ["regex": "/v[0-9]+/.*"]]) == ["safe_regex": ["regex": "/v[0-9]+/.*"]])
        #expect(EnvoyConfig.match(["withoutHeaders": ["x-beta": ["exact": "1"]]])["headers"]?[0]?["invert_match"] == true)
        #expect(EnvoyConfig.match(["sourceLabels": ["app": "x"]])["headers"]?[0]?["present_match"] == true, "an untranslated condition never holds")
    }

    @Test func envoysClusterStatisticsBecomeIstiosSeriesForTheClustersWorkload() {
        let envoy = """
            # TYPE envoy_cluster_upstream_rq counter
            envoy_cluster_upstream_rq{envoy_response_code="200",envoy_cluster_name="c1"} 40
            envoy_cluster_upstream_rq{envoy_response_code="503",envoy_cluster_name="c1"} 2
            envoy_cluster_upstream_rq{envoy_response_code="200",envoy_cluster_name="other"} 9
            envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name="c1",le="25"} 30
            envoy_cluster_upstream_rq_time_sum{envoy_cluster_name="c1"} 512.5
            envoy_cluster_upstream_rq_time_count{envoy_cluster_name="c1"} 42
            """
        let istio = EnvoyStats.istioExposition(envoy, clusters: ["c1": canary]).split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(istio.count == 5, "\(istio)")
        #expect(
            istio[0].hasPrefix("istio_requests_total{reporter=\"destination\"") && istio[0].contains(#"destination_workload="web""#)
                && istio[0].contains(#"destination_service_name="web-canary""#) && istio[0].hasSuffix(#"response_code="200"} 40"#))
        #expect(istio[1].hasSuffix(#"response_code="503"} 2"#))
        #expect(istio[2].hasPrefix("istio_request_duration_milliseconds_bucket{") && istio[2].hasSuffix(#"le="25"} 30"#))
        #expect(istio[4].hasPrefix("istio_request_duration_milliseconds_count{") && istio[4].hasSuffix(" 42"))
    }
}
