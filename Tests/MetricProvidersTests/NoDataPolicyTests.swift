import Analysis
import CanaryAPI
import CanaryCore
import Foundation
import Hummingbird
import HummingbirdCore
import KubeClient
import KubeCore
import KubeRuntime
import MetricProviders
import NIOCore
import SerinTesting
import Synchronization
import Testing

/// `noData` and `minRequests` against a Prometheus stand-in over real HTTP: the request count decides
/// whether a built-in metric is judged, and no data fails, is skipped, or holds the step.
@Suite struct NoDataPolicyTests {
    /// Answers the request-count query with `requests`, every other query with no values.
    static func prometheus(requests: Double, _ body: (String) async throws -> Void) async throws {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var components = URLComponents()
            components.percentEncodedQuery = request.uri.query
            let query = components.queryItems?.first { $0.name == "query" }?.value ?? ""
            let result = query.hasPrefix("sum(increase(") ? #"[{"value":[1,"\#(requests)"]}]"# : "[]"
            let body = #"{"status":"success","data":{"resultType":"vector","result":\#(result)}}"#
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        try await StubServer.serve(responder) { port in try await body("http://127.0.0.1:\(port)") }
    }

    static func canary(_ metric: CanaryMetric) -> Canary {
        var analysis = CanaryAnalysis(interval: "30s", threshold: 2, maxWeight: 50, stepWeight: 10)
        analysis.metrics = [metric]
        return Canary(
            metadata: ObjectMeta(name: "podinfo", namespace: "test"),
            spec: CanarySpec(targetRef: TargetReference(apiVersion: "apps/v1", kind: "Deployment", name: "podinfo"), analysis: analysis))
    }

    static func run(_ metric: CanaryMetric, server: String) async throws -> CheckResults {
        let client = KubeClient(configuration: ClientConfiguration(server: URL(string: "http://127.0.0.1:1")!, source: "test"))
        let analysis = MetricAnalysis(client: client, templates: ObjectCache(), metricsServer: server)
        let queries = BuiltinQueries(
            successRate: "sum(rate(requests_ok[1m]))", requestDuration: "histogram_quantile(0.99, x)",
            requestCount: "sum(increase(requests[{{ interval }}]))")
        let results = await analysis.run(canary(metric), mesh: .istio, queries: queries)
        try await client.shutdown()
        return results
    }

    @Test func tooFewRequestsIsNoDataAndEachPolicyDecidesWhatThatMeans() async throws {
        try await Self.prometheus(requests: 3) { server in
            var metric = CanaryMetric(name: "request-success-rate", interval: "1m", thresholdRange: ThresholdRange(min: 99))
            metric.minRequests = 20
            let failed = try await Self.run(metric, server: server)
            #expect(
                failed.failures == ["Halt podinfo.test advancement request-success-rate: 3 requests in 1m, fewer than minRequests 20"],
                "the default is Flagger's: a failed check")
            metric.noData = "skip"
            let skipped = try await Self.run(metric, server: server)
            #expect(skipped.passed && skipped.held.isEmpty && skipped.records.first?.message == "no data: skipped (noData: skip)")
            metric.noData = "hold"
            let held = try await Self.run(metric, server: server)
            #expect(
                held.passed
                    && held.held == [
                        "Halt podinfo.test advancement: request-success-rate has no data, holding (noData: hold): Halt podinfo.test advancement request-success-rate: 3 requests in 1m, fewer than minRequests 20"
                    ])
            #expect(
                held.records.first?.passed == false && held.records.first?.query == "sum(increase(requests[1m]))", "the journal shows the count query"
            )
        }
    }

    @Test func enoughRequestsLetTheMetricBeJudgedAndNoValuesFollowThePolicy() async throws {
        try await Self.prometheus(requests: 500) { server in
            var metric = CanaryMetric(name: "request-success-rate", interval: "1m", thresholdRange: ThresholdRange(min: 99))
            metric.minRequests = 20
            metric.noData = "hold"
            let held = try await Self.run(metric, server: server)
            #expect(held.held.first?.contains("no values found for istio metric request-success-rate") == true, "judged, then no values: \(held)")
            #expect(held.records.first?.query == "sum(rate(requests_ok[1m]))")
        }
    }

    @Test func aHeldStepNeitherAdvancesNorCountsAFailure() {
        var canary = Self.canary(CanaryMetric(name: "request-success-rate", thresholdRange: ThresholdRange(min: 99)))
        var status = CanaryStatus(phase: .progressing)
        status.canaryWeight = 20
        status.failedChecks = 1
        status.lastAppliedSpec = "v2"
        status.lastTransitionTime = KubeTime(Date(timeIntervalSince1970: 1_000)).description
        canary.status = status
        let v2 = WorkloadState(templateHash: "v2", readiness: .ready, replicas: 1)
        var observation = Observation(
            now: Date(timeIntervalSince1970: 1_031), canary: canary, target: v2, primary: v2,
            routes: Routes(primary: 80, canary: 20), checks: CheckResults(failures: [], held: ["Halt podinfo.test advancement: holding"]))
        observation.splitsTraffic = true
        let decision = CanaryStateMachine.decide(observation)
        #expect(decision.status.canaryWeight == 20 && decision.status.failedChecks == 1 && decision.status.phase == .progressing)
        #expect(decision.events == ["Halt podinfo.test advancement: holding"] && decision.requeueAfter == .seconds(30))
        #expect(decision.status.lastTransitionTime != status.lastTransitionTime, "the next try is an interval away")
    }

    @Test func anUnknownPolicyOrMinRequestsOnACustomMetricIsRefusedByName() {
        var metric = CanaryMetric(name: "request-success-rate", thresholdRange: ThresholdRange(min: 99))
        metric.noData = "ignore"
        var custom = CanaryMetric(name: "errors", templateRef: TemplateReference(name: "errors"))
        custom.minRequests = 10
        var canary = Self.canary(metric)
        canary.spec.analysis?.metrics?.append(custom)
        canary.spec.service = CanaryService(port: 9898)
        let issues = canary.validate().map(\.description)
        #expect(issues.contains("spec.analysis.metrics[0].noData: \"ignore\" is not a policy (fail, skip, hold)"), "\(issues)")
        #expect(
            issues.contains("spec.analysis.metrics[1].minRequests: applies to the built-in request-success-rate and request-duration only"),
            "\(issues)")
    }
}
