@testable import Analysis
import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import KubeRuntime
@testable import Routers
import Targets
import Testing

/// The Knative router's `spec.traffic` and the Knative Service target (Flagger's Knative example Canary),
/// against golden JSON, Flagger's checks and queries.
@Suite struct KnativeRouterTests {
    static func canary(_ spec: String = #""provider": "knative""#) throws -> Canary {
        try JSONValue(
            parsing: Array(
                """
                {"apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": {"name": "podinfo", "namespace": "test", "uid": "c-1"},
                 "spec": {\(spec), "targetRef": {"apiVersion": "serving.knative.dev/v1", "kind": "Service", "name": "podinfo"},
                          "progressDeadlineSeconds": 60,
                          "analysis": {"interval": "15s", "threshold": 15, "maxWeight": 50, "stepWeight": 10}}}
                """.utf8)
        ).decode(as: Canary.self)
    }

    /// A Knative Service as Knative reports it: `podinfo-00001` promoted, `podinfo-00002` created since.
    static func service(primary: String? = "podinfo-00001", latest: String = "podinfo-00002", traffic: JSONValue? = nil) -> JSONValue {
        var service: JSONValue = [
            "apiVersion": "serving.knative.dev/v1", "kind": "Service",
            "metadata": ["name": "podinfo", "namespace": "test", "generation": 2],
            "spec": [
                "template": ["spec": ["containers": [["image": "ghcr.io/stefanprodan/podinfo:6.0.1", "ports": [["containerPort": 9898]]]]]]
            ],
            "status": ["latestCreatedRevisionName": .string(latest), "latestReadyRevisionName": "podinfo-00001", "observedGeneration": 2],
        ]
        if let primary { service[path: "metadata", "annotations", KnativeServing.primaryRevisionAnnotation] = .string(primary) }
        if let traffic { service[path: "spec", "traffic"] = traffic }
        return service
    }

    static let context = ValidationContext(
        meshProvider: .knative, routers: [.knative, .kubernetes], implementedRouters: [.istio, .kubernetes, .knative],
        targets: [.deployment, .daemonSet, .knativeService]
    ).routed

    @Test func flaggersKnativeCanaryIsAKnativeServiceTargetWithoutAServiceBlock() throws {
        let canary = try Self.canary()
        #expect(canary.targetKind == .knativeService)
        #expect(canary.validate(Self.context).isEmpty, "\(canary.validate(Self.context))")
        var core = canary
        core.spec.targetRef?.apiVersion = "v1"
        #expect(core.targetKind == .service, "a core Service is another kind")
        core.spec.targetRef?.kind = "Service.serving.knative.dev"
        #expect(core.targetKind == nil, "the enum's spelling is not a kind")
    }

    @Test func theTrafficNamesBothRevisionsAndKeepsTheTemplate() throws {
        var service = Self.service()
        let traffic = try KnativeRouter.traffic(of: service, Routes(primary: 90, canary: 10))
        service[path: "spec", "traffic"] = traffic
        try Golden.check(service, "knative-service-traffic")
        #expect(KnativeRouter.weights(in: service) == Routes(primary: 90, canary: 10))
        let promoted = try KnativeRouter.traffic(of: Self.service(primary: "podinfo-00002"), .allPrimary)
        #expect(promoted == [["revisionName": "podinfo-00002", "percent": 100, "latestRevision": false]], "one entry for one revision")
    }

    @Test func aTaggedEntryWithoutTrafficIsKeptAndAStaleGenerationWaits() throws {
        let tagged: JSONValue = [
            ["revisionName": "podinfo-00001", "percent": 100], ["revisionName": "podinfo-00001", "tag": "stable", "percent": 0],
            ["latestRevision": true, "tag": "latest"],
        ]
        let traffic = try KnativeRouter.traffic(of: Self.service(traffic: tagged), Routes(primary: 80, canary: 20))
        #expect(traffic.arrayValue?.count == 4, "\(traffic)")
        #expect(traffic[2] == ["revisionName": "podinfo-00001", "tag": "stable", "percent": 0])
        #expect(traffic[3] == ["latestRevision": true, "tag": "latest"])
        var service = Self.service()
        #expect(KnativeRouter.readiness(of: service) == .ready)
        service[path: "metadata", "generation"] = 3
        #expect(KnativeRouter.readiness(of: service) == .pending("Knative has observed generation 2 of 3"))
    }

    @Test func trafficNotPinnedToThePrimaryIsNotThePrimarys() throws {
        #expect(KnativeRouter.weights(in: Self.service()) == Routes(primary: 0, canary: 100), "Knative's default: all to the latest")
        let flaggers: JSONValue = [
            ["latestRevision": true, "percent": 20], ["revisionName": "podinfo-00001", "percent": 80],
        ]
        #expect(KnativeRouter.weights(in: Self.service(traffic: flaggers)) == Routes(primary: 80, canary: 20), "Flagger's own traffic reads")
        #expect(KnativeRouter.weights(in: Self.service(primary: nil)) == nil, "not initialized: no routes")
        #expect(throws: RouterError.self) { try KnativeRouter.traffic(of: Self.service(primary: nil), .allPrimary) }
    }

    @Test func flaggersCrossChecksAreKeptWithItsMessages() throws {
        var deployment = try Self.canary()
        deployment.spec.targetRef = TargetReference(apiVersion: "apps/v1", kind: "Deployment", name: "podinfo")
        deployment.spec.service = CanaryService(port: 9898)
        let refused = deployment.validate(Self.context).map(\.description)
        #expect(refused.contains("spec.targetRef: can't use apps/v1/Deployment as target if provider is set to knative"), "\(refused)")
        let istioOperator = ValidationContext(
            meshProvider: .istio, routers: [.istio, .kubernetes], implementedRouters: [.istio, .kubernetes, .knative],
            targets: [.deployment, .daemonSet, .knativeService]
        ).routed
        let istio = try Self.canary(#""provider": "istio""#).validate(istioOperator)
        #expect(istio.map(\.description).contains("spec.provider: can't use istio provider with Knative Service as target"), "\(istio)")
        var scaled = try Self.canary()
        scaled.spec.autoscalerRef = TargetReference(apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", name: "podinfo")
        #expect(scaled.validate(Self.context).map(\.description).contains("spec.autoscalerRef: can't use autoscaler with Knative Service"))
    }

    @Test func whatKnativeTrafficCannotCarryIsRefusedByName() throws {
        var routed = try Self.canary(#""provider": "knative", "service": {"port": 80, "timeout": "10s"}"#)
        routed.spec.analysis?.mirror = true
        routed.spec.analysis?.match = [["headers": ["x-canary": ["exact": "insider"]]]]
        routed.spec.analysis?.iterations = 5
        let issues = routed.validate(Self.context).map(\.description).joined(separator: "\n")
        for expected in [
            "spec.analysis.match: A/B testing is not supported by the knative provider",
            "spec.analysis.mirror: not supported by the knative provider",
            "spec.service.timeout: not supported by the knative provider",
        ] {
            #expect(issues.contains(expected), "\(expected) in \(issues)")
        }
    }

    @Test func theBuiltinQueriesAreFlaggersOverTheCanaryRevisionsEnvoyCluster() throws {
        var canary = try Self.canary()
        canary.status = CanaryStatus(phase: .progressing)
        canary.status?.lastAppliedSpec = "podinfo-00002"
        let values = MetricAnalysis.placeholderValues(canary, metric: CanaryMetric(name: "request-success-rate", interval: "1m"))
        #expect(values["route"] == "podinfo-00002", "the revision analysed")
        let template = QueryTemplate(values: values)
        #expect(
            try template.render(KnativeRouter.queries.successRate)
                == #"sum(rate(envoy_cluster_upstream_rq{envoy_cluster_name=~"test/podinfo-00002",envoy_response_code!~"5.*"}[1m])) / sum(rate(envoy_cluster_upstream_rq{envoy_cluster_name=~"test/podinfo-00002",}[1m])) * 100"#
        )
        #expect(
            try template.render(KnativeRouter.queries.requestDuration)
                == #"histogram_quantile(0.99, sum(rate(envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name=~"test/podinfo-00002",}[1m])) by (le))"#
        )
    }

    @Test func theRegistrationsWatchKnativesCRDsOnlyWithTheKnativeProvider() throws {
        let registration = try #require(RouterRegistry.registration(for: .knative))
        #expect(registration.resources.compactMap(\.crd) == ["services.serving.knative.dev", "revisions.serving.knative.dev"])
        #expect(PolicyRule.permissions(of: registration.rules).contains(.init(group: "serving.knative.dev", resource: "services", verb: "patch")))
        #expect(TargetRegistry.enabled(meshProvider: .knative).map(\.kind) == [.deployment, .daemonSet, .service, .knativeService, .statefulSet])
        #expect(TargetRegistry.enabled(meshProvider: .istio).map(\.kind) == [.deployment, .daemonSet, .service, .statefulSet])
    }

    @Test func aRevisionIsReadyByItsReadyConditionAndFailsPastTheDeadline() throws {
        var canary = try Self.canary()
        let start = Date(timeIntervalSince1970: 1_000_000)
        canary.status = CanaryStatus(phase: .progressing)
        canary.status?.lastTransitionTime = KubeTime(start).description
        let ready: JSONValue = ["status": ["conditions": [["type": "Ready", "status": "True"]]]]
        let pending: JSONValue = ["status": ["conditions": [["type": "Ready", "status": "Unknown"]]]]
        #expect(KnativeServiceTarget.readiness(of: "podinfo-00002", object: ready, canary: canary, now: start) == .ready)
        #expect(
            KnativeServiceTarget.readiness(of: "podinfo-00002", object: pending, canary: canary, now: start)
                == .waiting("Knative Revision podinfo-00002.test is not ready"))
        #expect(
            KnativeServiceTarget.readiness(of: "podinfo-00002", object: nil, canary: canary, now: start.addingTimeInterval(61))
                == .failed("Knative Revision podinfo-00002.test not found after progressDeadlineSeconds: 60"))
    }
}
