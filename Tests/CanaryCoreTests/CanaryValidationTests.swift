import CanaryAPI
import KubeCore
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
