@testable import Analysis
import CanaryAPI
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import KubeCore
@testable import MetricProviders
import NIOCore
import OutboundHTTP
import SerinTesting
import Synchronization
import Testing

@Suite struct QueryTemplateTests {
    let template = QueryTemplate(values: ["namespace": "demo", "target": "httpbin", "interval": "1m"], variables: ["threshold": "0.5"])

    @Test func rendersFlaggersPlaceholdersAndCollapsesWhitespace() throws {
        let rendered = try template.render(
            """
            sum(rate(x{ns="{{ namespace }}",w=~"{{target}}"}[{{ interval }}]))
              > {{ variables.threshold }}
            """)
        #expect(rendered == #"sum(rate(x{ns="demo",w=~"httpbin"}[1m])) > 0.5"#)
    }

    @Test func aTemplateUsingAPlaceholderIsFoundWhateverItsSpacing() {
        #expect(QueryTemplate.uses("ingress", in: "sum(x{ingress=\"{{ingress}}\"})"))
        #expect(QueryTemplate.uses("route", in: "a {{  route }} b"))
        #expect(!QueryTemplate.uses("route", in: "a {{ target }} route }} {{ b"))
    }

    @Test func unknownNamesAndMissingVariablesAreErrors() {
        #expect(throws: MetricError.render("function \"pod\" not defined")) { try template.render("{{ pod }}") }
        #expect(throws: MetricError.render("map has no entry for key \"missing\" (set it in templateVariables)")) {
            try template.render("{{ variables.missing }}")
        }
        #expect(throws: MetricError.self) { try template.render("{{ namespace") }
    }
}

@Suite struct PrometheusResultTests {
    @Test func theLastSeriesOfAVectorWins() throws {
        let body = #"{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"1.5"]},{"value":[1,"99.25"]}]}}"#
        #expect(try PrometheusProvider.value(from: Array(body.utf8)) == 99.25)
    }

    @Test func emptyNaNAndMatricesAreNamedErrors() {
        let empty = #"{"status":"success","data":{"resultType":"vector","result":[]}}"#
        let nan = #"{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"NaN"]}]}}"#
        let matrix = #"{"status":"success","data":{"resultType":"matrix","result":[]}}"#
        #expect(throws: MetricError.noValues) { try PrometheusProvider.value(from: Array(empty.utf8)) }
        #expect(throws: MetricError.noValues) { try PrometheusProvider.value(from: Array(nan.utf8)) }
        #expect(throws: MetricError.multipleValues) { try PrometheusProvider.value(from: Array(matrix.utf8)) }
    }

    @Test func infinitiesAreErrorsNotValuesAThresholdCouldPass() throws {
        for text in ["+Inf", "-Inf", "Inf"] {
            let body = #"{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"\#(text)"]}]}}"#
            #expect(throws: MetricError.notFinite(text)) { try PrometheusProvider.value(from: Array(body.utf8)) }
        }
        let huge = #"{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"1e300"]}]}}"#
        #expect(try PrometheusProvider.value(from: Array(huge.utf8)) == 1e300)
    }
}

@Suite struct PrometheusProviderHTTPTests {
    @Test func theQueryAndTheSecretsAuthorizationReachTheServer() async throws {
        let seen = Mutex<(query: String, authorization: String, custom: String)>(("", "", ""))
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var components = URLComponents()
            components.percentEncodedQuery = request.uri.query
            let query = components.queryItems?.first { $0.name == "query" }?.value ?? ""
            seen.withLock { $0 = (query, request.headers[.authorization] ?? "", request.headers[HTTPField.Name("X-Scope")!] ?? "") }
            let body = #"{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"42"]}]}}"#
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        try await StubServer.serve(responder) { port throws in
            let provider = PrometheusProvider(
                address: "http://127.0.0.1:\(port)/", authorization: "Bearer s3cret",
                headers: ["X-Scope": ["tenant-a"]], timeout: .seconds(60),
                http: OutboundHTTP(proxies: ProxySettings()))
            #expect(try await provider.query(#"sum(rate(x{a="b"}[1m]))"#) == 42)
        }
        let request = seen.withLock { $0 }
        #expect(request.query == #"sum(rate(x{a="b"}[1m]))"#)
        #expect(request.authorization == "Bearer s3cret" && request.custom == "tenant-a")
    }

    /// Prometheus decodes its query string as a form (Go's `url.ParseQuery`): a `+` not sent as `%2B` is a
    /// space, which breaks a pod regex (`podinfo-[0-9a-zA-Z]+`) or an addition.
    @Test func aPlusInTheQueryReachesPrometheusAsAPlus() async throws {
        let seen = Mutex("")
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let raw = (request.uri.query ?? "").split(separator: "&").first { $0.hasPrefix("query=") }.map { String($0.dropFirst(6)) } ?? ""
            seen.withLock { $0 = raw.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            let body = #"{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"3"]}]}}"#
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        let query = #"sum(rate(x{pod=~"podinfo-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)"}[1m])) + vector(1)"#
        try await StubServer.serve(responder) { port throws in
            let provider = PrometheusProvider(
                address: "http://127.0.0.1:\(port)", authorization: nil, headers: [:], timeout: .seconds(60),
                http: OutboundHTTP(proxies: ProxySettings()))
            #expect(try await provider.query(query) == 3)
        }
        #expect(seen.withLock { $0 } == query)
    }
}

/// The pure half of the analysis: thresholds and Flagger's texts, without a provider.
@Suite struct MetricJudgeTests {
    let canary = Canary(
        metadata: ObjectMeta(name: "podinfo", namespace: "test"),
        spec: CanarySpec(targetRef: TargetReference(apiVersion: "apps/v1", kind: "Deployment", name: "podinfo")))

    @Test func aSuccessRateBelowItsMinimumHaltsWithFlaggersText() {
        let metric = CanaryMetric(name: "request-success-rate", thresholdRange: ThresholdRange(min: 99))
        let verdict = MetricJudge.builtin(metric, canary: canary, mesh: "istio", outcome: .success(98.694))
        #expect(verdict == MetricJudge.Verdict(failure: "Halt podinfo.test advancement success rate 98.69% < 99%", value: 98.694))
        #expect(MetricJudge.builtin(metric, canary: canary, mesh: "istio", outcome: .success(99)).failure == nil, "bounds pass inclusively")
    }

    @Test func aDurationInSecondsIsJudgedInMillisecondsAndRecordedInSeconds() {
        let metric = CanaryMetric(name: "request-duration", thresholdRange: ThresholdRange(max: 500))
        let verdict = MetricJudge.builtin(metric, canary: canary, mesh: "kubernetes", outcome: .success(1.515), durationToMilliseconds: 1000)
        #expect(verdict.failure == "Halt podinfo.test advancement request duration 1.515s > 500ms")
        #expect(verdict.value == 1.515)
    }

    @Test func noValuesNamesTheMeshAndInfinityIsNotASuccess() {
        let rate = CanaryMetric(name: "request-success-rate", thresholdRange: ThresholdRange(min: 99))
        let none = MetricJudge.builtin(rate, canary: canary, mesh: "istio", outcome: .failure(.noValues))
        #expect(
            none.failure
                == "Halt advancement no values found for istio metric request-success-rate probably podinfo.test is not receiving traffic: no values found"
        )
        let custom = CanaryMetric(name: "errors", thresholdRange: ThresholdRange(min: 1))
        let infinite = MetricJudge.custom(custom, canary: canary, outcome: .failure(.notFinite("+Inf")))
        #expect(infinite.failure == "Halt podinfo.test advancement errors: the query returned +Inf, not a finite number")
    }
}
