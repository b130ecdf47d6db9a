import CanaryAPI
import CanaryCore
import KubeCore
@testable import Routers
import Testing

/// The NGINX router's canary Ingress (Flagger's nginx tutorial), against golden JSON.
@Suite struct NginxRouterTests {
    static let user: JSONValue = [
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": [
            "name": "podinfo", "namespace": "test", "labels": ["app": "podinfo", "kustomize.toolkit.fluxcd.io/name": "apps"],
            "annotations": [
                "kubernetes.io/ingress.class": "nginx", "nginx.ingress.kubernetes.io/proxy-body-size": "8m",
                "kubectl.kubernetes.io/last-applied-configuration": "{}",
            ],
        ],
        "spec": [
            "ingressClassName": "nginx",
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
            ],
        ],
    ]

    static func canary(analysis: String = #"{"interval": "1m", "threshold": 5, "stepWeight": 10, "maxWeight": 50}"#) throws -> Canary {
        try JSONValue(
            parsing: Array(
                """
                {"apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": {"name": "podinfo", "namespace": "test", "uid": "c-1"},
                 "spec": {"provider": "nginx", "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
                          "ingressRef": {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "name": "podinfo"},
                          "service": {"port": 80, "targetPort": 9898}, "analysis": \(analysis)}}
                """.utf8)
        ).decode(as: Canary.self)
    }

    static let context = ValidationContext(meshProvider: .nginx, routers: [.nginx, .kubernetes], implementedRouters: [.istio, .kubernetes, .nginx])
        .routed

    @Test func theCanaryIngressCopiesTheUsersWithTheCanaryServiceAndNoTrafficYet() throws {
        let canary = try Self.canary()
        #expect(canary.validate(Self.context).isEmpty, "\(canary.validate(Self.context))")
        #expect(NginxRouter.sendsToApex(Self.user, canary: canary))
        let ingress = NginxRouter.desiredCanaryIngress(canary, user: Self.user, live: nil)
        try Golden.check(ingress, "ingress-canary-new")
        #expect(NginxRouter.weights(in: ingress, canary: canary) == .allPrimary)
    }

    @Test func weightsMoveInTheAnnotationAndAReconcileKeepsThemWhileFollowingTheUsersIngress() throws {
        let canary = try Self.canary()
        var live = NginxRouter.desiredCanaryIngress(canary, user: Self.user, live: nil)
        live = live.applyingMergePatch(["metadata": ["annotations": .object(NginxRouter.splitAnnotations(canary, Routes(primary: 70, canary: 30)))]])
        #expect(NginxRouter.weights(in: live, canary: canary) == Routes(primary: 70, canary: 30))
        var user = Self.user
        user[path: "metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-body-size"] = "16m"
        let desired = NginxRouter.desiredCanaryIngress(canary, user: user, live: live)
        #expect(NginxRouter.weights(in: desired, canary: canary) == Routes(primary: 70, canary: 30), "the live weight is kept")
        #expect(desired[path: "metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-body-size"] == "16m", "the user's change is carried over")
        #expect(NginxRouter.desiredCanaryIngress(canary, user: user, live: desired) == desired, "a second reconcile changes nothing")
        var broken = desired
        broken[path: "metadata", "annotations", "nginx.ingress.kubernetes.io/canary-weight"] = "thirty"
        #expect(NginxRouter.weights(in: broken, canary: canary) == nil, "not a number: no split read")
        #expect(
            NginxRouter.desiredCanaryIngress(canary, user: user, live: broken)[
                path: "metadata", "annotations", "nginx.ingress.kubernetes.io/canary-weight"] == "0")
    }

    @Test func anABTestRoutesByHeaderAndCookieWhileTheAnalysisRuns() throws {
        let canary = try Self.canary(
            analysis: #"""
                {"interval": "1m", "threshold": 5, "iterations": 10,
                 "match": [{"headers": {"x-canary": {"exact": "insider"}}}, {"headers": {"cookie": {"exact": "canary"}}}]}
                """#)
        #expect(canary.validate(Self.context).isEmpty, "\(canary.validate(Self.context))")
        var ingress = NginxRouter.desiredCanaryIngress(canary, user: Self.user, live: nil)
        ingress = ingress.applyingMergePatch([
            "metadata": ["annotations": .object(NginxRouter.splitAnnotations(canary, Routes(primary: 0, canary: 100)))]
        ])
        try Golden.check(ingress, "ingress-canary-ab")
        #expect(NginxRouter.weights(in: ingress, canary: canary) == Routes(primary: 0, canary: 100))
        let after = NginxRouter.splitAnnotations(canary, .allPrimary)
        #expect(
            after["nginx.ingress.kubernetes.io/canary-by-header"] == .null && after["nginx.ingress.kubernetes.io/canary-by-cookie"] == .null,
            "the matches go when the analysis ends: \(after)")
    }

    @Test func whatAnIngressCannotExpressIsRefusedByName() throws {
        var canary = try Self.canary(
            analysis: #"""
                {"interval": "1m", "threshold": 5, "iterations": 10, "mirror": true,
                 "match": [{"headers": {"x-a": {"exact": "1"}, "x-b": {"prefix": "2"}}, "uri": {"prefix": "/api"}}]}
                """#)
        canary.spec.service?.timeout = "10s"
        canary.spec.ingressRef?.kind = "HTTPProxy"
        let issues = canary.validate(Self.context).map(\.description).joined(separator: "\n")
        for expected in [
            #"spec.ingressRef.kind: "HTTPProxy" is not Ingress"#, "spec.service.timeout: not supported by the nginx router",
            "spec.analysis.mirror: not supported by the nginx router",
            "spec.analysis.match[0].uri: ingress-nginx matches a canary by a header or a cookie only",
            "spec.analysis.match[0].headers.x-b: matches by exact or regex only",
            "spec.analysis.match: ingress-nginx matches one header; these name x-a, x-b",
        ] {
            #expect(issues.contains(expected), "\(expected) in \(issues)")
        }
        canary.spec.ingressRef = nil
        #expect(canary.validate(Self.context).map(\.description).contains("spec.ingressRef: required by the nginx provider"))
    }

    @Test func anIngressRefUnderAnotherProviderIsRefused() throws {
        var canary = try Self.canary()
        canary.spec.provider = "kubernetes"
        canary.spec.analysis?.stepWeight = nil
        canary.spec.analysis?.maxWeight = nil
        canary.spec.analysis?.iterations = 5
        let issues = canary.validate(Self.context).map(\.description)
        #expect(issues.contains("spec.ingressRef: used only by the nginx provider; this Canary's provider is kubernetes"), "\(issues)")
    }

    @Test func theBuiltinQueriesAreFlaggersOverTheCanaryLabelOfTheMainIngress() {
        #expect(
            NginxRouter.queries.successRate.contains(
                #"nginx_ingress_controller_requests{namespace="{{ namespace }}",ingress="{{ ingress }}",canary!="",status!~"5.*"}"#))
        #expect(NginxRouter.queries.requestDuration.hasSuffix("* 1000") && NginxRouter.queries.durationToMilliseconds == 1)
    }

    @Test func anotherAnnotationPrefixIsWrittenAndReadBack() throws {
        let canary = try Self.canary()
        var ingress = NginxRouter.desiredCanaryIngress(canary, user: Self.user, live: nil, prefix: "custom.nginx.org")
        #expect(ingress[path: "metadata", "annotations", "custom.nginx.org/canary"] == "true")
        #expect(ingress[path: "metadata", "annotations", "custom.nginx.org/canary-weight"] == "0")
        ingress = ingress.applyingMergePatch([
            "metadata": ["annotations": .object(NginxRouter.splitAnnotations(canary, Routes(primary: 80, canary: 20), prefix: "custom.nginx.org"))]
        ])
        #expect(NginxRouter.weights(in: ingress, canary: canary, prefix: "custom.nginx.org") == Routes(primary: 80, canary: 20))
        #expect(
            ingress[path: "metadata", "annotations", "nginx.ingress.kubernetes.io/proxy-body-size"] == "8m",
            "the user's own nginx annotations are the user's")
    }
}
