import CanaryAPI
import KubeCore
import Routers
import Testing

/// `analysis.baseline` is refused by name wherever it cannot run beside the canary on equal traffic.
@Suite struct BaselineValidationTests {
    static func canary(provider: String? = nil) -> Canary {
        var canary = makeCanary(maxWeight: 50)
        canary.spec.provider = provider
        canary.spec.analysis?.baseline = CanaryBaseline()
        return canary
    }

    static let everyRouter = RouterRegistry.validationContext(routers: RouterRegistry.implemented)

    @Test(arguments: ["istio", "gatewayapi:v1", "gatewayapi:v1beta1"])
    func routersThatSplitThreeWaysTakeABaseline(provider: String) {
        var canary = Self.canary(provider: provider)
        if provider.hasPrefix("gatewayapi") { canary.spec.service?.gatewayRefs = [["name": "gateway"]] }
        #expect(canary.validate(Self.everyRouter).isEmpty, "\(canary.validate(Self.everyRouter))")
        #expect(RouterRegistry.validationRules[MeshProvider(rawValue: provider)!]?.splitsThreeWays == true)
    }

    @Test(arguments: ["kubernetes", "nginx", "linkerd", "contour", "traefik", "skipper", "apisix", "gloo", "osm"])
    func everyOtherRouterIsRefusedByName(provider: String) {
        let issues = Self.canary(provider: provider).validate(Self.everyRouter)
        #expect(
            issues.contains {
                $0.field == "spec.analysis.baseline" && $0.message.hasPrefix("the \(provider) router cannot split traffic three ways")
                    && $0.message.hasSuffix("routers that can: gatewayapi:v1, gatewayapi:v1beta1, istio")
            }, "\(issues)")
    }

    @Test func otherStrategiesAndDaemonSetsAreRefusedByName() {
        var blueGreen = Self.canary()
        blueGreen.spec.analysis?.iterations = 5
        #expect(
            blueGreen.validate(Self.everyRouter).contains {
                $0.field == "spec.analysis.baseline" && $0.message.hasPrefix("the blue-green strategy has no weights to share")
            })
        var abTesting = blueGreen
        abTesting.spec.analysis?.match = [["headers": ["x-canary": ["exact": "insider"]]]]
        #expect(abTesting.validate(Self.everyRouter).contains { $0.message.hasPrefix("the ab-testing strategy has no weights to share") })
        var daemonSet = Self.canary()
        daemonSet.spec.targetRef?.kind = "DaemonSet"
        #expect(daemonSet.validate(Self.everyRouter).contains { $0.field == "spec.analysis.baseline" && $0.message.hasPrefix("a DaemonSet") })
    }

    @Test func weightsAbove50MirroringAndSessionAffinityAreRefused() {
        var canary = Self.canary()
        canary.spec.analysis?.maxWeight = 60
        canary.spec.analysis?.mirror = true
        canary.spec.analysis?.sessionAffinity = SessionAffinity(cookieName: "flagger-cookie")
        let fields = canary.validate(Self.everyRouter).map(\.description)
        #expect(fields.contains { $0.hasPrefix("spec.analysis.maxWeight: 60 is above 50: with a baseline") })
        #expect(fields.contains { $0.hasPrefix("spec.analysis.baseline: mirroring copies requests") })
        #expect(fields.contains { $0.hasPrefix("spec.analysis.baseline: session affinity keeps users") })
        canary = Self.canary()
        canary.spec.analysis?.stepWeight = nil
        canary.spec.analysis?.maxWeight = nil
        canary.spec.analysis?.stepWeights = [10, 30, 60]
        #expect(canary.validate(Self.everyRouter).map(\.description).contains { $0.hasPrefix("spec.analysis.stepWeights: 60 is above 50") })
        canary.spec.analysis?.baseline = CanaryBaseline(enabled: false)
        #expect(canary.validate(Self.everyRouter).isEmpty, "a disabled baseline is no baseline")
    }

    @Test func anUnsetMaxWeightIs50WithABaseline() {
        var canary = Self.canary()
        canary.spec.analysis?.maxWeight = nil
        #expect(canary.validate(Self.everyRouter).isEmpty && canary.maxWeight == 50)
    }
}
