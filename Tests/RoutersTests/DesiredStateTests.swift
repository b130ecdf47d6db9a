import CanaryAPI
import CanaryCore
import KubeCore
@testable import Routers
import Targets
import Testing

/// A Canary using every field the Istio router and the Services write.
func fullCanary() throws -> Canary {
    try JSONValue(
        parsing: #"""
            {"apiVersion": "flagger.app/v1beta1", "kind": "Canary",
             "metadata": {"name": "podinfo", "namespace": "test", "uid": "c-1"},
             "spec": {
               "targetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"},
               "service": {
                 "port": 9898, "targetPort": "http", "portName": "web", "appProtocol": "http",
                 "gateways": ["public-gateway.istio-system.svc.cluster.local"], "hosts": ["app.example.com"],
                 "match": [{"uri": {"prefix": "/api"}}], "rewrite": {"uri": "/"}, "timeout": "5s",
                 "retries": {"attempts": 3, "perTryTimeout": "1s", "retryOn": "gateway-error,connect-failure"},
                 "headers": {"request": {"add": {"x-envoy-upstream-rq-timeout-ms": "15000"}}},
                 "corsPolicy": {"allowOrigins": [{"exact": "https://example.com"}], "allowMethods": ["GET"]},
                 "trafficPolicy": {"tls": {"mode": "ISTIO_MUTUAL"}},
                 "apex": {"labels": {"team": "web"}, "annotations": {"note": "apex"}},
                 "canary": {"labels": {"track": "canary"}}
               },
               "analysis": {"interval": "1m", "threshold": 5, "stepWeight": 10, "maxWeight": 50}
             }}
            """#
    ).decode(as: Canary.self)
}

/// Each desired-state builder's output for a fresh object and for a live one with fields Serin does not
/// own, against golden JSON.
@Suite struct DesiredStateTests {
    let target: JSONValue = [
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": [
            "name": "podinfo", "namespace": "test",
            "annotations": [
                "kubectl.kubernetes.io/last-applied-configuration": "{}", "kustomize.toolkit.fluxcd.io/name": "apps",
                "owner": "web-team",
            ],
        ],
        "spec": [
            "replicas": 3, "minReadySeconds": 5, "selector": ["matchLabels": ["app": "podinfo"]],
            "template": [
                "metadata": ["labels": ["app": "podinfo"]],
                "spec": ["containers": [["name": "podinfo", "image": "ghcr.io/stefanprodan/podinfo:6.0.0"]]],
            ],
        ],
    ]

    @Test func aNewVirtualServiceRoutesEverythingToThePrimary() throws {
        try Golden.check(IstioRouter.desiredVirtualService(try fullCanary(), live: nil), "virtualservice-new")
    }

    @Test func aLiveVirtualServiceKeepsItsWeightsAndEveryFieldSerinDoesNotOwn() throws {
        let live: JSONValue = [
            "apiVersion": "networking.istio.io/v1beta1", "kind": "VirtualService",
            "metadata": ["name": "podinfo", "namespace": "test", "resourceVersion": "42", "annotations": ["other.io/x": "1"]],
            "spec": [
                "hosts": ["old.example.com"], "exportTo": ["."],
                "http": [
                    [
                        "fault": ["delay": ["fixedDelay": "1s"]], "timeout": "30s",
                        "route": [
                            ["destination": ["host": "podinfo-primary"], "weight": 70],
                            ["destination": ["host": "podinfo-canary"], "weight": 30],
                        ],
                    ],
                    ["name": "legacy", "route": [["destination": ["host": "legacy"]]]],
                ],
            ],
        ]
        let desired = IstioRouter.desiredVirtualService(try fullCanary(), live: live)
        try Golden.check(desired, "virtualservice-live")
        #expect(desired[path: "spec", "http"]?[0]?["fault"] == live[path: "spec", "http"]?[0]?["fault"], "a member Serin does not own")
        #expect(desired[path: "spec", "http"]?[1] == live[path: "spec", "http"]?[1], "a further route")
        #expect(desired[path: "spec", "exportTo"] == ["."])
        #expect(desired[path: "spec", "http"]?[0]?["route"]?[1]?["weight"] == 30, "reconcile never moves traffic")
    }

    @Test func aVirtualServiceOfOtherHostsIsTakenOverAtAllPrimary() throws {
        let live: JSONValue = ["spec": ["http": [["route": [["destination": ["host": "podinfo"]]]]]]]
        let desired = IstioRouter.desiredVirtualService(try fullCanary(), live: live)
        #expect(desired[path: "spec", "http"]?[0]?["route"]?[0]?["weight"] == 100)
        #expect(desired[path: "spec", "http"]?[0]?["route"]?[0]?[path: "destination", "host"] == "podinfo-primary")
    }

    @Test func destinationRulesCarryTheTrafficPolicyAndLoseItWhenItIsUnset() throws {
        var canary = try fullCanary()
        try Golden.check(IstioRouter.desiredDestinationRule(canary, host: "podinfo-canary", live: nil), "destinationrule-new")
        canary.spec.service?.trafficPolicy = nil
        let live: JSONValue = ["spec": ["host": "podinfo-canary", "trafficPolicy": ["tls": ["mode": "DISABLE"]], "subsets": [["name": "v1"]]]]
        let desired = IstioRouter.desiredDestinationRule(canary, host: "podinfo-canary", live: live)
        #expect(desired == ["spec": ["host": "podinfo-canary", "subsets": [["name": "v1"]]]])
    }

    @Test func theThreeServicesSelectThePrimaryAndTheCanaryPods() throws {
        let canary = try fullCanary()
        let services = KubernetesServiceRouter.roles(canary, selector: ("app", "podinfo")).map { role -> JSONValue in
            var service = KubernetesServiceRouter.desiredService(canary, role: role, live: nil)
            service[path: "metadata", "name"] = .string(role.name)
            return service
        }
        try Golden.check(.array(services), "services-new")
    }

    @Test func aLiveServiceKeepsItsNodePortAndLabelsUnlessItsPortChanged() throws {
        let canary = try fullCanary()
        let apex = KubernetesServiceRouter.roles(canary, selector: ("app", "podinfo"))[0]
        let live: JSONValue = [
            "metadata": ["name": "podinfo", "labels": ["team": "ops", "env": "prod"]],
            "spec": [
                "type": "NodePort", "clusterIP": "10.0.0.7", "selector": ["app": "podinfo"],
                "ports": [["name": "web", "port": 9898, "targetPort": "http", "nodePort": 30080, "protocol": "TCP"]],
            ],
        ]
        let desired = KubernetesServiceRouter.desiredService(canary, role: apex, live: live)
        #expect(desired[path: "spec", "ports"] == live[path: "spec", "ports"], "same port and targetPort: the node port stays")
        #expect(desired[path: "spec", "selector"] == ["app": "podinfo-primary"])
        #expect(desired[path: "spec", "clusterIP"] == "10.0.0.7")
        #expect(desired[path: "metadata", "labels"] == ["team": "web", "env": "prod", "app": "podinfo"])
        var moved = live
        moved[path: "spec", "ports"] = [["name": "web", "port": 80, "targetPort": 8080, "nodePort": 30080]]
        #expect(KubernetesServiceRouter.desiredService(canary, role: apex, live: moved)[path: "spec", "ports"]?[0]?["nodePort"] == nil)
    }

    /// `service.apex` follows the Canary on every reconcile, but for the keys `unmanagedMetadata` leaves to other
    /// tools; keys Serin does not write stay; `trafficDistribution` is kept in step.
    @Test func unmanagedKeysAreSetAtCreationOnlyAndTrafficDistributionFollowsTheCanary() throws {
        var json = try JSONValue(encoding: try fullCanary())
        json[path: "spec", "service", "apex"] = ["labels": ["team": "web", "cost": "a"], "annotations": ["note": "apex", "dns": "app.test"]]
        json[path: "spec", "service", "unmanagedMetadata"] = ["labels": ["cost"], "annotations": ["dns"]]
        json[path: "spec", "service", "trafficDistribution"] = "PreferClose"
        let canary = try json.decode(as: Canary.self)
        let apex = KubernetesServiceRouter.roles(canary, selector: ("app", "podinfo"))[0]
        let created = KubernetesServiceRouter.desiredService(canary, role: apex, live: nil)
        #expect(created[path: "metadata", "labels", "cost"] == "a", "an unmanaged key is set when the Service is created")
        #expect(created[path: "metadata", "annotations", "dns"] == "app.test")
        #expect(created[path: "spec", "trafficDistribution"] == "PreferClose")
        let live: JSONValue = [
            "metadata": [
                "name": "podinfo", "labels": ["team": "ops", "cost": "b", "app": "podinfo"],
                "annotations": ["note": "old", "dns": "external-dns.test", "lb": "cloud"],
            ],
            "spec": ["selector": ["app": "podinfo"], "ports": created[path: "spec", "ports"] ?? [], "trafficDistribution": "PreferSameNode"],
        ]
        let desired = KubernetesServiceRouter.desiredService(canary, role: apex, live: live)
        #expect(desired[path: "metadata", "labels"] == ["team": "web", "cost": "b", "app": "podinfo"], "cost is another tool's")
        #expect(desired[path: "metadata", "annotations"] == ["note": "apex", "dns": "external-dns.test", "lb": "cloud"])
        #expect(desired[path: "spec", "trafficDistribution"] == "PreferClose")
    }

    @Test func thePrimaryDeploymentIsTheTargetWithPrimaryLabelsAndNoToolingAnnotations() throws {
        let primary = DeploymentTarget.desiredPrimary(target, key: "app", value: "podinfo", live: nil, id: "00000000-0000-0000-0000-000000000001")
        try Golden.check(primary, "deployment-primary-new")
        let live: JSONValue = ["spec": ["replicas": 7]]
        #expect(
            DeploymentTarget.desiredPrimary(target, key: "app", value: "podinfo", live: live, id: "x") == live,
            "an existing primary changes only by promotion")
    }

    @Test func thePrimaryHPAScalesThePrimaryWithTheTargetHPAsSpec() throws {
        let source: JSONValue = [
            "metadata": ["name": "podinfo"],
            "spec": [
                "scaleTargetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"], "minReplicas": 2, "maxReplicas": 4,
                "metrics": [["type": "Resource", "resource": ["name": "cpu", "target": ["type": "Utilization", "averageUtilization": 80]]]],
            ],
        ]
        try Golden.check(AutoscalerTarget.desiredPrimary(try fullCanary(), source: source, live: nil), "hpa-primary-new")
        let live: JSONValue = ["metadata": ["name": "podinfo-primary", "labels": ["keep": "me"]], "spec": ["maxReplicas": 9, "behavior": [:]]]
        let desired = AutoscalerTarget.desiredPrimary(try fullCanary(), source: source, live: live)
        #expect(desired[path: "metadata", "labels"] == ["keep": "me"])
        #expect(desired[path: "spec", "maxReplicas"] == 4)
        #expect(desired[path: "spec", "behavior"] == nil, "the spec is the source's")
    }

    @Test func anABTestRoutesMatchingRequestsByTheFirstRouteAndEveryOtherToThePrimary() throws {
        var canary = try fullCanary()
        canary.spec.analysis?.stepWeight = nil
        canary.spec.analysis?.iterations = 10
        canary.spec.analysis?.match = [
            ["headers": ["x-canary": ["exact": "insider"]]], ["headers": ["cookie": ["regex": "^(.*?;)?(canary=always)(;.*)?$"]]],
        ]
        let desired = IstioRouter.desiredVirtualService(canary, live: nil)
        try Golden.check(desired, "virtualservice-ab")
        let http = desired[path: "spec", "http"]?.arrayValue ?? []
        #expect(http.count == 2)
        #expect(http[0]["match"]?.arrayValue?.count == 2, "each analysis match merged into the one service match, ORed")
        #expect(http[0]["match"]?[0]?["uri"] == ["prefix": "/api"] && http[0]["match"]?[0]?["headers"]?["x-canary"] == ["exact": "insider"])
        #expect(http[1]["match"] == [["uri": ["prefix": "/api"]]])
        #expect(http[1]["route"]?.arrayValue?.count == 1 && http[1]["route"]?[0]?["weight"] == 100)

        var live = desired
        live[path: "spec", "http"] = .array([http[0], http[1], ["name": "mine", "route": [["destination": ["host": "other"]]]]])
        #expect(IstioRouter.desiredVirtualService(canary, live: live)[path: "spec", "http"] == live[path: "spec", "http"], "stable")
        canary.spec.analysis?.iterations = nil
        canary.spec.analysis?.match = nil
        canary.spec.analysis?.stepWeight = 10
        let after = IstioRouter.desiredVirtualService(canary, live: live)[path: "spec", "http"]?.arrayValue ?? []
        #expect(after.count == 2 && after[1]["name"] == "mine", "the default route goes with the A/B test; the user's route stays")
        #expect(after[0]["match"] == [["uri": ["prefix": "/api"]]])
    }

    @Test func aDelegateVirtualServiceHasNoHostsAndNoGateways() throws {
        var canary = try fullCanary()
        canary.spec.service?.hosts = nil
        canary.spec.service?.gateways = nil
        canary.spec.service?.delegation = true
        #expect(canary.validate(ValidationContext().routed).isEmpty)
        let desired = IstioRouter.desiredVirtualService(canary, live: nil)
        try Golden.check(desired, "virtualservice-delegate")
        #expect(desired[path: "spec", "hosts"] == [] && desired[path: "spec", "gateways"] == [])
        canary.spec.service?.hosts = ["app.example.com"]
        #expect(canary.validate(ValidationContext().routed).map(\.field) == ["spec.service.delegation"])
    }

    @Test func portDiscoveryAddsTheTargetsOtherContainerPortsAsFlaggerNamesThem() throws {
        var canary = try fullCanary()
        canary.spec.service?.portDiscovery = true
        canary.spec.service?.targetPort = .int(9898)
        let target: JSONValue = [
            "spec": [
                "template": [
                    "spec": [
                        "containers": [
                            [
                                "name": "podinfo",
                                "ports": [
                                    ["name": "http", "containerPort": 9898], ["containerPort": 9797], ["name": "grpc", "containerPort": 9999],
                                ],
                            ],
                            ["name": "istio-proxy", "ports": [["name": "http-envoy-prom", "containerPort": 15090]]],
                        ]
                    ]
                ]
            ]
        ]
        let apex = KubernetesServiceRouter.roles(canary, selector: ("app", "podinfo"), target: target)[0]
        let created = KubernetesServiceRouter.desiredService(canary, role: apex, live: nil)
        try Golden.check(created[path: "spec", "ports"] ?? .null, "service-ports-discovered")
        #expect((created[path: "spec", "ports"]?.arrayValue ?? []).compactMap { $0["name"]?.stringValue } == ["web", "tcp-podinfo-1", "grpc"])
        var live = created
        live[path: "spec", "ports"] = [
            ["name": "web", "port": 9898, "targetPort": 9898, "nodePort": 30001], ["name": "grpc", "port": 9999, "nodePort": 30002],
        ]
        let corrected = KubernetesServiceRouter.desiredService(canary, role: apex, live: live)[path: "spec", "ports"]?.arrayValue ?? []
        #expect(corrected.count == 3)
        #expect(corrected.compactMap { $0["nodePort"]?.intValue } == [30001, 30002], "node ports stay, by name")
    }

    @Test func aTCPServiceGetsOneWeightedTCPRouteAndNoHTTPRoute() throws {
        var canary = try fullCanary()
        canary.spec.service?.appProtocol = "tcp"
        canary.spec.service?.match = [["port": 9898]]
        canary.spec.service?.gateways = nil
        #expect(canary.validate(ValidationContext().routed).isEmpty)
        let desired = IstioRouter.desiredVirtualService(canary, live: nil)
        try Golden.check(desired, "virtualservice-tcp")
        #expect(desired[path: "spec", "http"] == nil)
        #expect(desired[path: "spec", "tcp"]?[0]?["match"] == [["port": 9898]])
        var live = desired
        live[path: "spec", "tcp"] = [
            [
                "match": [["port": 9898]],
                "route": [
                    ["destination": ["host": "podinfo-primary"], "weight": 60],
                    ["destination": ["host": "podinfo-canary"], "weight": 40],
                ],
            ]
        ]
        let weights = IstioRouter.desiredVirtualService(canary, live: live)[path: "spec", "tcp"]?[0]?["route"]
        #expect(weights?[1]?["weight"] == 40, "reconcile keeps the live TCP weights")
        canary.spec.analysis?.iterations = 2
        canary.spec.analysis?.match = [["headers": ["x-canary": ["exact": "insider"]]]]
        #expect(canary.validate(ValidationContext().routed).map(\.field).contains("spec.analysis.match"))
    }

    @Test func mirroringSetsAndRemovesSerinsMirrorOnTheFirstRouteOnly() throws {
        var canary = try fullCanary()
        canary.spec.analysis?.mirror = true
        canary.spec.analysis?.mirrorWeight = 50
        let service = IstioRouter.desiredVirtualService(canary, live: nil)
        let mirrored = try #require(IstioRouter.routed(service, canary: canary, routes: Routes(primary: 100, canary: 0, mirrored: true)))
        try Golden.check(mirrored, "virtualservice-mirrored-http")
        #expect(mirrored[0]?["mirror"] == ["host": "podinfo-canary"] && mirrored[0]?["mirrorPercentage"] == ["value": 50])
        var live = service
        live[path: "spec", "http"] = mirrored
        #expect(IstioRouter.desiredVirtualService(canary, live: live)[path: "spec", "http"] == mirrored, "reconcile keeps the live mirror")
        let stopped = try #require(IstioRouter.routed(live, canary: canary, routes: Routes(primary: 0, canary: 100)))
        #expect(stopped[0]?["mirror"] == nil && stopped[0]?["mirrorPercentage"] == nil)
        let users: JSONValue = [
            "spec": ["http": [["mirror": ["host": "shadow"], "route": [["destination": ["host": "podinfo-primary"], "weight": 100]]]]]
        ]
        let kept = try #require(IstioRouter.routed(users, canary: canary, routes: .allPrimary))
        #expect(kept[0]?["mirror"] == ["host": "shadow"], "a user's own mirror stays")
    }

    @Test func sessionAffinityPinsCookieHoldersToTheCanaryThenExpiresTheCookie() throws {
        var canary = try fullCanary()
        var affinity = SessionAffinity(cookieName: "flagger-cookie")
        affinity.maxAge = 21600
        affinity.secure = true
        canary.spec.analysis?.sessionAffinity = affinity
        var status = CanaryStatus(phase: .progressing)
        status.canaryWeight = 10
        status.sessionAffinityCookie = "flagger-cookie=abcdefghij"
        canary.status = status
        let service = IstioRouter.desiredVirtualService(canary, live: nil)
        let pinned = try #require(IstioRouter.routed(service, canary: canary, routes: Routes(primary: 90, canary: 10)))
        try Golden.check(pinned, "virtualservice-sticky")
        #expect(pinned[0]?["name"] == "sticky-route" && pinned[0]?["route"]?[1]?["weight"] == 100)
        #expect(pinned[0]?["match"]?[0]?[path: "headers", "Cookie"] == ["regex": ".*flagger-cookie.*abcdefghij.*"])
        #expect(pinned[1]?["route"]?[1]?[path: "headers", "response", "add", "Set-Cookie"] == "flagger-cookie=abcdefghij; Max-Age=21600; Secure")
        var live = service
        live[path: "spec", "http"] = pinned
        #expect(IstioRouter.weights(in: live, canary: canary) == Routes(primary: 90, canary: 10), "weights are read from the weighted route")

        status.canaryWeight = 0
        status.previousSessionAffinityCookie = status.sessionAffinityCookie
        status.sessionAffinityCookie = nil
        canary.status = status
        let expired = try #require(IstioRouter.routed(live, canary: canary, routes: .allPrimary))
        #expect(expired.arrayValue?.count == 2)
        #expect(expired[0]?[path: "headers", "response", "add", "Set-Cookie"] == "flagger-cookie=abcdefghij; Max-Age=-1")
        #expect(expired[0]?["route"]?[0]?["weight"] == 100 && expired[1]?["route"]?[1]?["headers"] == nil)
    }

    @Test func aPrimaryCookieKeepsUsersWhoReachedThePrimaryThereForOneInterval() throws {
        var canary = try fullCanary()
        var affinity = SessionAffinity(cookieName: "flagger-cookie")
        affinity.primaryCookieName = "flagger-primary"
        canary.spec.analysis?.sessionAffinity = affinity
        canary.spec.analysis?.interval = "30s"
        var status = CanaryStatus(phase: .progressing)
        status.canaryWeight = 10
        status.sessionAffinityCookie = "flagger-cookie=abcdefghij"
        status.primarySessionAffinityCookie = "flagger-primary=klmnopqrst"
        canary.status = status
        let service = IstioRouter.desiredVirtualService(canary, live: nil)
        let pinned = try #require(IstioRouter.routed(service, canary: canary, routes: Routes(primary: 90, canary: 10)))
        try Golden.check(pinned, "virtualservice-sticky-primary")
        #expect(pinned.arrayValue?.count == 3 && pinned[0]?["name"] == "sticky-route" && pinned[1]?["name"] == "sticky-primary-route")
        #expect(pinned[1]?["match"]?[0]?[path: "headers", "Cookie"] == ["regex": ".*flagger-primary.*klmnopqrst.*"])
        #expect(pinned[1]?["route"]?[0]?["weight"] == 100 && pinned[1]?["route"]?[1]?["weight"] == 0)
        #expect(pinned[2]?["route"]?[0]?[path: "headers", "response", "add", "Set-Cookie"] == "flagger-primary=klmnopqrst; Max-Age=30")
        var live = service
        live[path: "spec", "http"] = pinned
        #expect(
            IstioRouter.weights(in: live, canary: canary) == Routes(primary: 90, canary: 10), "both sticky routes are skipped when reading weights")
        #expect(IstioRouter.routed(live, canary: canary, routes: Routes(primary: 90, canary: 10)) == pinned, "routing again changes nothing")

        status.canaryWeight = 0
        status.previousSessionAffinityCookie = status.sessionAffinityCookie
        status.sessionAffinityCookie = nil
        status.primarySessionAffinityCookie = nil
        canary.status = status
        let expired = try #require(IstioRouter.routed(live, canary: canary, routes: .allPrimary))
        #expect(expired.arrayValue?.count == 2, "the primary's sticky route goes with the analysis")
        #expect(expired[1]?["route"]?[0]?["headers"] == nil, "the primary's answers set no cookie any more")
    }
}
