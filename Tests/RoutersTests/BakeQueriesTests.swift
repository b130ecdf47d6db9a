@testable import Analysis
import CanaryAPI
import CanaryCore
import KubeCore
import Routers
import Testing

/// During a bake (`analysis.bake`) the new primary is what is analysed: `{{ target }}` and `{{ variant }}`
/// render as `<target>-primary`, and a router whose built-in query measures the canary's route (no
/// `{{ target }}`) is refused for the bake by name.
@Suite struct BakeQueriesTests {
    static func canary(provider: String, baking: Bool) -> Canary {
        var canary = Canary(
            metadata: ObjectMeta(name: "podinfo", namespace: "test"),
            spec: CanarySpec(
                targetRef: TargetReference(apiVersion: "apps/v1", kind: "Deployment", name: "podinfo"), service: CanaryService(port: 80),
                analysis: CanaryAnalysis(interval: "1m", threshold: 2, stepWeight: 10)))
        canary.spec.provider = provider
        canary.spec.analysis?.metrics = [CanaryMetric(name: "request-success-rate", thresholdRange: ThresholdRange(min: 99))]
        canary.spec.analysis?.bake = CanaryBake(duration: "30m")
        if baking {
            canary.status = CanaryStatus(phase: .finalising)
            canary.status?.bakeStarted = "2026-12-06T16:00:00Z"
        }
        return canary
    }

    @Test func theBakeRendersTheTargetAsThePrimary() throws {
        let metric = CanaryMetric(name: "request-success-rate")
        let analysing = MetricAnalysis.placeholderValues(Self.canary(provider: "istio", baking: false), metric: metric)
        let baking = MetricAnalysis.placeholderValues(Self.canary(provider: "istio", baking: true), metric: metric)
        #expect(analysing["target"] == "podinfo" && analysing["variant"] == "podinfo")
        #expect(baking["target"] == "podinfo-primary" && baking["variant"] == "podinfo-primary" && baking["service"] == "podinfo")
        let rendered = try QueryTemplate(values: baking).render(IstioRouter.queries.successRate)
        #expect(rendered.contains(#"destination_workload=~"podinfo-primary""#), "\(rendered)")
    }

    @Test func routersWhoseBuiltinsMeasureTheCanarysRouteAreRefusedForTheBake() {
        #expect(MetricAnalysis.bakeIssues(Self.canary(provider: "istio", baking: false), queries: IstioRouter.queries).isEmpty)
        #expect(MetricAnalysis.bakeIssues(Self.canary(provider: "kubernetes", baking: false), queries: NoMeshRouter.queries).isEmpty)
        let nginx = MetricAnalysis.bakeIssues(Self.canary(provider: "nginx", baking: false), queries: NginxRouter.queries)
        #expect(
            nginx.map(\.field) == ["spec.analysis.metrics[0]"]
                && nginx.first?.message.hasPrefix("the nginx router's built-in request-success-rate measures the canary's route") == true,
            "\(nginx)")
        var templated = Self.canary(provider: "nginx", baking: false)
        templated.spec.analysis?.bake?.metrics = [CanaryMetric(name: "errors", templateRef: TemplateReference(name: "errors"))]
        #expect(MetricAnalysis.bakeIssues(templated, queries: NginxRouter.queries).isEmpty, "a template of the bake's own is the way out")
    }
}
