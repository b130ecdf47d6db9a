import CanaryAPI
import KubeCore
import Routers
import Testing

@Suite struct CanaryValidationTests {
    @Test func aValidCanaryHasNoIssues() {
        #expect(makeCanary().validate().isEmpty)
    }

    @Test func eachProblemNamesItsField() {
        var canary = makeCanary()
        canary.spec.targetRef = nil
        canary.spec.analysis?.interval = "1x"
        canary.spec.analysis?.metrics?.append(CanaryMetric(name: "error-budget"))
        canary.spec.provider = "linkerd"
        let issues = canary.validate().map(\.description)
        #expect(issues.contains("spec.targetRef: required: name the Deployment to ship"))
        #expect(issues.contains("spec.analysis.interval: invalid duration \"1x\": unknown unit \"x\""))
        #expect(issues.contains { $0.hasPrefix("spec.analysis.metrics[1]: \"error-budget\" is not a built-in metric") })
        #expect(issues.contains { $0.hasPrefix("spec.provider: \"linkerd\" is not supported") })
    }

    @Test(arguments: [
        ("linkerd", ValidationContext(), "spec.provider: \"linkerd\" is not supported yet (supported: istio, kubernetes)"),
        ("istio2", ValidationContext(), "spec.provider: \"istio2\" is not a known value (known: apisix, appmesh, appmesh:v1beta2,"),
        (
            "istio", ValidationContext(meshProvider: .kubernetes, routers: [.kubernetes], implementedRouters: [.istio, .kubernetes]),
            "spec.provider: \"istio\" is not enabled on this operator (--mesh-provider kubernetes enables: kubernetes)"
        ),
        (
            "kubernetes", RouterRegistry.validationContext(),
            "spec.provider: \"kubernetes\" splits no traffic: use analysis.iterations (blue/green) instead of stepWeight"
        ),
        ("", RouterRegistry.validationContext(meshProvider: .kubernetes, routers: [.kubernetes]), "spec.provider: \"kubernetes\" splits no traffic"),
    ])
    func aProviderTheOperatorDoesNotRouteIsRefusedNamingWhy(provider: String, context: ValidationContext, message: String) {
        var canary = makeCanary()
        canary.spec.provider = provider
        let issues = canary.validate(context).map(\.description)
        #expect(issues.contains { $0.hasPrefix(message) }, "\(issues)")
    }

    @Test func theOperatorsMeshProviderIsTheDefaultAndSpecProviderOverridesIt() {
        var canary = makeCanary()
        #expect(canary.meshProvider(default: .kubernetes) == .kubernetes)
        canary.spec.provider = "istio"
        #expect(canary.meshProvider(default: .kubernetes) == .istio)
        #expect(canary.validate(ValidationContext(meshProvider: .kubernetes, routers: [.istio, .kubernetes])).isEmpty)
        canary.spec.provider = "nope"
        #expect(canary.meshProvider(default: .istio) == nil)
    }

    @Test func aTargetKindIsKnownSupportedOrRefused() {
        var canary = makeCanary()
        canary.spec.targetRef?.kind = "DaemonSet"
        #expect(!canary.validate().map(\.field).contains("spec.targetRef.kind"))
        canary.spec.targetRef?.kind = "Service"
        #expect(
            canary.validate().map(\.description).contains("spec.targetRef.kind: \"Service\" is not supported yet (supported: DaemonSet, Deployment)"))
        canary.spec.targetRef?.kind = "CronJob"
        #expect(
            canary.validate().map(\.description).contains(
                "spec.targetRef.kind: \"CronJob\" is not a known kind (known: Deployment, DaemonSet, Service, StatefulSet)"))
    }

    @Test func intervalsDefaultAndClamp() {
        var canary = makeCanary()
        #expect(canary.analysisInterval() == .seconds(30))
        canary.spec.analysis?.interval = "2s"
        #expect(canary.analysisInterval() == .seconds(10), "Flagger's 10 s minimum")
        #expect(canary.analysisInterval(minimum: .seconds(1)) == .seconds(2))
        canary.spec.analysis?.interval = nil
        #expect(canary.analysisInterval() == .seconds(60))
    }
}

/// The judge's fields (Serin's) refused by name when they cannot work.
@Suite struct JudgeValidationTests {
    @Test func comparedMetricsAndLimitsAreCheckedByName() {
        var canary = makeCanary()
        var metric = CanaryMetric(name: "request-duration", interval: "1m")
        var compare = MetricComparison(direction: "sideways", maxIncrease: -1, minSamples: 30, resolution: "5s")
        compare.confidence = 1.5
        compare.weight = .infinity
        metric.compare = compare
        canary.spec.analysis?.metrics = [metric]
        canary.spec.analysis?.scoreThresholds = ScoreThresholds(pass: 70, marginal: 80)
        canary.spec.analysis?.inconclusiveLimit = 0
        let issues = canary.validate().map(\.description)
        for expected in [
            "spec.analysis.metrics[0].compare.direction: \"sideways\" is not one of increase, decrease, either",
            "spec.analysis.metrics[0].compare.maxIncrease: -1.0 is not a number between 0 and 1000000",
            "spec.analysis.metrics[0].compare.weight: inf is not a number between 0 and 1000000",
            "spec.analysis.metrics[0].compare.confidence: 1.5 is not between 0.5 and 0.9999",
            "spec.analysis.metrics[0].compare.resolution: a resolution of 5s gives 12 points in the metric's interval 1m, fewer than minSamples 30: every step would be inconclusive",
            "spec.analysis.scoreThresholds: marginal 80.0 is above pass 70.0",
        ] {
            #expect(issues.contains(expected), "\(issues)")
        }
        #expect(issues.contains { $0.hasPrefix("spec.analysis.inconclusiveLimit:") }, "\(issues)")
        // Without a resolution, the window divided by minSamples (no finer than 1 s) must still give minSamples points.
        canary.spec.analysis?.metrics?[0].compare = MetricComparison(minSamples: 100)
        #expect(
            canary.validate().map(\.description).contains(
                "spec.analysis.metrics[0].compare.minSamples: a resolution of 1s gives 60 points in the metric's interval 1m, fewer than minSamples 100: every step would be inconclusive"
            ), "\(canary.validate())")
    }

    @Test func aGoodComparisonIsValidAndConsecutiveSuccessesNeedTheCanaryStrategy() {
        var canary = makeCanary()
        var metric = CanaryMetric(name: "request-duration", interval: "1m")
        metric.compare = MetricComparison(direction: "either", maxIncrease: 10, minSamples: 10, resolution: "3s")
        metric.dryRun = true
        canary.spec.analysis?.metrics = [metric]
        canary.spec.analysis?.consecutiveSuccessLimit = 3
        #expect(canary.validate().isEmpty, "\(canary.validate())")
        canary.spec.analysis?.stepWeight = nil
        canary.spec.analysis?.iterations = 5
        #expect(
            canary.validate().map(\.description).contains(
                "spec.analysis.consecutiveSuccessLimit: holds the first weight of the canary strategy; this Canary is blue-green"),
            "\(canary.validate())")
    }
}
