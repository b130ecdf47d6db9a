import Analysis
import CanaryAPI
import CanaryCore
import KubeCore
@testable import Routers
import Testing

/// The Skipper router's canary Ingress (Flagger's Skipper tutorial), its split, and its queries, against
/// golden JSON and Flagger's own expected PromQL.
@Suite struct SkipperRouterTests {
    static let user: JSONValue = [
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": [
            "name": "podinfo", "namespace": "test", "labels": ["app": "podinfo"],
            "annotations": [
                "kubernetes.io/ingress.class": "skipper", "zalando.org/skipper-predicate": "Header(\"X-Beta\", \"yes\")",
                "kubectl.kubernetes.io/last-applied-configuration": "{}",
            ],
        ],
        "spec": [
            "rules": [
                [
                    "host": "app.example.com",
                    "http": [
                        "paths": [
                            ["path": "/", "pathType": "Prefix", "backend": ["service": ["name": "podinfo", "port": ["number": 80]]]],
                            ["path": "/static", "pathType": "Prefix", "backend": ["service": ["name": "assets", "port": ["number": 80]]]],
                        ]
                    ],
                ]
            ]
        ],
    ]

    static func canary(match: String = "") throws -> Canary {
        try JSONValue(
            parsing: Array(
                """
                {"apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": {"name": "podinfo", "namespace": "test", "uid": "c-1"},
                 "spec": {"provider": "skipper", "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
                          "ingressRef": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": "podinfo"},
                          "service": {"port": 80, "targetPort": 9898},
                          "analysis": {"interval": "10s", "threshold": 10, "stepWeight": 5, "maxWeight": 50\(match)}}}
                """.utf8)
        ).decode(as: Canary.self)
    }

    static let context = ValidationContext(
        meshProvider: .skipper, routers: [.skipper, .kubernetes], implementedRouters: [.istio, .kubernetes, .nginx, .skipper]
    ).routed

    @Test func theCanaryIngressSendsThePathToThePrimaryAndTheCanaryAndStartsDisabled() throws {
        let canary = try Self.canary()
        #expect(canary.validate(Self.context).isEmpty, "\(canary.validate(Self.context))")
        #expect(SkipperRouter.sendsToApex(Self.user, canary: canary))
        let ingress = SkipperRouter.desiredCanaryIngress(canary, user: Self.user, live: nil)
        try Golden.check(ingress, "skipper-ingress-canary-new")
        #expect(SkipperRouter.weights(in: ingress, canary: canary) == .allPrimary)
        #expect(ingress[path: "metadata", "annotations", "zalando.org/skipper-predicate"] == #"False() && Header("X-Beta", "yes")"#)
    }

    @Test func aSplitWeighsTheBackendsAndLeadsThePredicateAndAReconcileKeepsIt() throws {
        let canary = try Self.canary()
        var live = SkipperRouter.desiredCanaryIngress(canary, user: Self.user, live: nil)
        let predicate = live[path: "metadata", "annotations", "zalando.org/skipper-predicate"]?.stringValue
        let split = SkipperRouter.splitAnnotations(canary, Routes(primary: 90, canary: 10), predicate: predicate)
        #expect(split["zalando.org/backend-weights"] == #"{"podinfo-canary":10,"podinfo-primary":90}"#, "Go's map order")
        #expect(split["zalando.org/skipper-predicate"] == #"Weight(100) && Header("X-Beta", "yes")"#)
        live = live.applyingMergePatch(["metadata": ["annotations": .object(split)]])
        #expect(SkipperRouter.weights(in: live, canary: canary) == Routes(primary: 90, canary: 10))
        var user = Self.user
        user[path: "metadata", "annotations", "zalando.org/ratelimit"] = "ratelimit(20, \"1m\")"
        let desired = SkipperRouter.desiredCanaryIngress(canary, user: user, live: live)
        #expect(SkipperRouter.weights(in: desired, canary: canary) == Routes(primary: 90, canary: 10), "the live split is kept")
        #expect(desired[path: "metadata", "annotations", "zalando.org/skipper-predicate"] == split["zalando.org/skipper-predicate"])
        #expect(desired[path: "metadata", "annotations", "zalando.org/ratelimit"] == "ratelimit(20, \"1m\")", "the user's change is carried")
        #expect(SkipperRouter.desiredCanaryIngress(canary, user: user, live: desired) == desired, "a second reconcile changes nothing")
        let back = SkipperRouter.splitAnnotations(canary, .allPrimary, predicate: split["zalando.org/skipper-predicate"]?.stringValue)
        #expect(back["zalando.org/skipper-predicate"] == #"False() && Header("X-Beta", "yes")"#, "no canary traffic: disabled")
        var broken = desired
        broken[path: "metadata", "annotations", "zalando.org/backend-weights"] = "{podinfo-primary: 90"
        #expect(SkipperRouter.weights(in: broken, canary: canary) == nil, "unreadable: no split read")
    }

    @Test func aUsersIngressWithoutThePathAndAnABTestAreRefusedByName() throws {
        var other = Self.user
        other[path: "spec", "rules"] = [
            [
                "host": "app.example.com",
                "http": ["paths": [["path": "/", "pathType": "Prefix", "backend": ["service": ["name": "assets", "port": ["number": 80]]]]]],
            ]
        ]
        #expect(!SkipperRouter.sendsToApex(other, canary: try Self.canary()))
        let abTest = try Self.canary(match: #", "iterations": 10, "match": [{"headers": {"x-canary": {"exact": "insider"}}}]"#)
        #expect(abTest.validate(Self.context).map(\.field).contains("spec.analysis.match"), "\(abTest.validate(Self.context))")
    }

    /// Flagger's `pkg/metrics/observers/skipper_test.go`: namespace `skipper`, ingress `skipper-ingress`,
    /// service `backend`, interval `1m`; the names rendered with non-word characters as `_`.
    @Test func theQueriesAreFlaggersWithTheNamesEncodedAsSkipperNamesRoutes() throws {
        let values = MetricAnalysis.wordCharactersOnly(["namespace": "skipper", "ingress": "skipper-ingress", "service": "backend", "interval": "1m"])
        let template = QueryTemplate(values: values)
        let route = #"kube(ew)?_skipper__skipper_ingress_canary__.*__backend_canary(_[0-9]+)?"#
        func flat(_ text: String) -> String { text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
        #expect(
            flat(try template.render(SkipperRouter.queries.successRate))
                == #"sum(rate(skipper_response_duration_seconds_bucket{route=~"\#(route)",code!~"5..",le="+Inf"}[1m])) / sum(rate(skipper_response_duration_seconds_bucket{route=~"\#(route)",le="+Inf"}[1m])) * 100"#
        )
        #expect(
            flat(try template.render(SkipperRouter.queries.requestDuration))
                == #"sum(rate(skipper_serve_route_duration_seconds_sum{route=~"\#(route)"}[1m])) / sum(rate(skipper_serve_route_duration_seconds_count{route=~"\#(route)"}[1m])) * 1000"#
        )
        #expect(SkipperRouter.queries.wordCharactersOnly && SkipperRouter.queries.durationToMilliseconds == 1)
        #expect(MetricAnalysis.wordCharactersOnly(["interval": "1m", "namespace": "a.b-c"]) == ["interval": "1m", "namespace": "a_b_c"])
    }
}
