import CanaryAPI
import KubeCore
import Routers
import Testing

/// `analysis.bake` is refused by name where it cannot give the primary back the last good version, or where
/// `keepPrevious` cannot route to it.
@Suite struct BakeValidationTests {
    static func canary(provider: String? = nil, bake: CanaryBake = CanaryBake(duration: "30m")) -> Canary {
        var canary = makeCanary()
        canary.spec.provider = provider
        canary.spec.analysis?.bake = bake
        if provider?.hasPrefix("gatewayapi") == true { canary.spec.service?.gatewayRefs = [["name": "gateway"]] }
        return canary
    }

    static let everyRouter = RouterRegistry.validationContext(routers: RouterRegistry.implemented)

    @Test func aBakeOnADeploymentIsValidOnEveryRouterAndKeepPreviousWhereItCanBeRouted() {
        for provider in ["istio", "gatewayapi:v1", "linkerd", "contour"] {
            #expect(Self.canary(provider: provider).validate(Self.everyRouter).isEmpty, "\(provider)")
        }
        for provider in ["istio", "gatewayapi:v1"] {
            let keeping = Self.canary(provider: provider, bake: CanaryBake(duration: "30m", keepPrevious: true))
            #expect(keeping.validate(Self.everyRouter).isEmpty, "\(provider): \(keeping.validate(Self.everyRouter))")
        }
        var nginxCanary = Self.canary(provider: "nginx", bake: CanaryBake(duration: "30m", keepPrevious: true))
        nginxCanary.spec.ingressRef = TargetReference(apiVersion: "networking.k8s.io/v1", kind: "Ingress", name: "podinfo")
        let nginx = nginxCanary.validate(Self.everyRouter)
        #expect(nginx.count == 1, "only keepPrevious is refused: \(nginx)")
        #expect(
            nginx.contains {
                $0.field == "spec.analysis.bake.keepPrevious" && $0.message.hasPrefix("the nginx router cannot route to a third destination")
            }, "\(nginx)")
    }

    @Test func badDurationsOtherKindsAndABakeWithoutAChecksAreRefusedByName() {
        let zero = Self.canary(bake: CanaryBake(duration: "0s", interval: "soon")).validate(Self.everyRouter)
        #expect(zero.contains { $0.field == "spec.analysis.bake.duration" && $0.message == "must be longer than 0s" }, "\(zero)")
        #expect(zero.contains { $0.field == "spec.analysis.bake.interval" }, "\(zero)")
        let long = Self.canary(bake: CanaryBake(duration: "200h")).validate(Self.everyRouter)
        #expect(long.contains { $0.field == "spec.analysis.bake.duration" && $0.message.contains("longer than the maximum") }, "\(long)")

        var daemons = Self.canary()
        daemons.spec.targetRef?.kind = "DaemonSet"
        #expect(
            daemons.validate(Self.everyRouter).contains {
                $0.field == "spec.analysis.bake" && $0.message.hasPrefix("a DaemonSet target keeps no previous version")
            })

        var compareOnly = CanaryMetric(name: "latency", templateRef: TemplateReference(name: "latency"))
        compareOnly.compare = MetricComparison()
        let uncheckable = Self.canary(bake: CanaryBake(duration: "30m", metrics: [compareOnly])).validate(Self.everyRouter)
        #expect(uncheckable.contains { $0.field == "spec.analysis.bake.metrics" && $0.message.hasPrefix("the bake has no check") }, "\(uncheckable)")
        let badMetric = Self.canary(bake: CanaryBake(duration: "30m", metrics: [CanaryMetric(name: "")])).validate(Self.everyRouter)
        #expect(badMetric.contains { $0.field == "spec.analysis.bake.metrics[0].name" }, "\(badMetric)")
    }

    @Test func theBakeAnalysesThePrimaryWithoutComparing() {
        var compared = CanaryMetric(name: "request-duration", thresholdRange: ThresholdRange(max: 500))
        compared.compare = MetricComparison()
        var compareOnly = CanaryMetric(name: "latency", templateRef: TemplateReference(name: "latency"))
        compareOnly.compare = MetricComparison()
        var canary = Self.canary()
        canary.spec.analysis?.metrics = [compared, compareOnly]
        #expect(canary.bakeMetrics.map(\.name) == ["request-duration"] && canary.bakeMetrics.allSatisfy { $0.compare == nil })
        #expect(!canary.isBaking)
        canary.status = CanaryStatus(phase: .finalising)
        canary.status?.bakeStarted = "2026-12-06T16:00:00Z"
        #expect(canary.isBaking && canary.previousName == "httpbin-previous")
    }
}
