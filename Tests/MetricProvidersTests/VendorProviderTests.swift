import CanaryAPI
import Foundation
import KubeCore
@testable import MetricProviders
import OutboundHTTP
import SerinTesting
import Synchronization
import Testing

/// The SaaS providers against their stand-ins: the request each sends (method, path, parameters, headers,
/// window), how each reads its vendor's answers, and what each says when the vendor refuses.
@Suite struct VendorProviderTests {
    static let time = VirtualTime()
    static let now = Int64(time.date.timeIntervalSince1970)

    static func config(_ port: Int, secret: [String: String]?, interval: String = "1m", time: VirtualTime = time) -> MetricProviderConfig {
        MetricProviderConfig(
            address: "http://127.0.0.1:\(port)", secret: secret, http: OutboundHTTP(proxies: ProxySettings()), interval: interval,
            clock: .virtual(time))
    }

    static let datadogSecret = ["datadog_api_key": "dd-api-4f1e", "datadog_application_key": "dd-app-9c2a"]

    @Test func datadogSendsItsKeysAndATenIntervalWindowAndReadsTheOldestPoint() async throws {
        let standIn = DatadogStandIn(apiKey: "dd-api-4f1e", applicationKey: "dd-app-9c2a") { _ in 99.5 }
        try await StubServer.serve(standIn.responder) { port in
            let provider = try DatadogProvider(config: Self.config(port, secret: Self.datadogSecret, interval: "30s"))
            #expect(try await provider.query("sum:istio.mesh.request.count{*}.as_count()") == 99.5)
            #expect(await provider.isOnline())
        }
        let request = try #require(standIn.state.requests.first)
        #expect(request.method == "GET" && request.path == "/api/v1/query")
        #expect(request.parameters["query"] == "sum:istio.mesh.request.count{*}.as_count()")
        #expect(request.parameters["to"] == "\(Self.now)" && request.parameters["from"] == "\(Self.now - 300)")
        #expect(request.headers["dd-api-key"] == "dd-api-4f1e" && request.headers["dd-application-key"] == "dd-app-9c2a")
        #expect(standIn.state.requests.last?.path == "/api/v1/validate")
    }

    /// Flagger's fixtures (datadog_test.go), and the null and short points Flagger reads as 0 or panics on.
    @Test func datadogAnswersAreReadAsFlaggerReadsThemWithoutItsZeroForNull() throws {
        let api = VendorAPI(provider: .datadog, config: MetricProviderConfig(address: ""), timeout: .seconds(5))
        func value(_ json: String) throws(MetricError) -> Double { try DatadogProvider.value(from: Array(json.utf8), api: api) }
        let flagger = #"{"series": [{"pointlist": [[1577232000000,1.111110],[1577318400000,56294.46758591842],[1577404800000,29325.102158814265]]}]}"#
        #expect(try value(flagger) == 1.11111)
        #expect(throws: MetricError.noValues) { try value(#"{"series": [{"pointlist": []}]}"#) }
        #expect(throws: MetricError.noValues) { try value(#"{"series": []}"#) }
        #expect(try value(#"{"series": [{"pointlist": [[1,null],[2,7.5]]}]}"#) == 7.5)
        #expect(throws: MetricError.noValues) { try value(#"{"series": [{"pointlist": [[1,null],[2]]}]}"#) }
        #expect(throws: MetricError.self) { try value(#"{"status":"error","error":"Rate limit of 300 requests"}"#) }
    }

    @Test func aWrongKeyIsNamedByProviderAndStatusWithoutTheKey() async throws {
        let standIn = DatadogStandIn(apiKey: "the-right-key", applicationKey: "dd-app-9c2a") { _ in 1 }
        try await StubServer.serve(standIn.responder) { port in
            let provider = try DatadogProvider(config: Self.config(port, secret: Self.datadogSecret))
            let error = await #expect(throws: MetricError.self) { try await provider.query("avg:x{*}") }
            #expect(error?.message == #"datadog: 403 Forbidden: {"errors":["Forbidden"]}"#)
            #expect(error?.message.contains("dd-api-4f1e") == false)
            #expect(await provider.isOnline() == false)
        }
    }

    @Test func missingCredentialsAndABadIntervalAreRefusedWithFlaggersTexts() {
        #expect(throws: MetricError.configuration("datadog credentials does not contain datadog_api_key")) {
            try DatadogProvider(config: MetricProviderConfig(address: "", secret: [:]))
        }
        #expect(throws: MetricError.configuration("newrelic credentials does not contain newrelic_account_id")) {
            try NewRelicProvider(config: MetricProviderConfig(address: "", secret: ["newrelic_query_key": "k"]))
        }
        #expect(throws: MetricError.configuration("dynatrace endpoint is not set")) {
            try DynatraceProvider(config: MetricProviderConfig(address: "", secret: ["dynatrace_token": "t"]))
        }
        let error = #expect(throws: MetricError.self) {
            try DatadogProvider(config: MetricProviderConfig(address: "", secret: Self.datadogSecret, interval: "1min"))
        }
        #expect(error?.message.hasPrefix("error parsing metric interval:") == true, "\(String(describing: error))")
    }

    /// A 429 is waited out on the operator's clock when its wait fits in the check's deadline, and named when not.
    @Test func aRateLimitIsWaitedOutWithinTheDeadlineAndNamedBeyondIt() async throws {
        let time = VirtualTime()
        let standIn = DatadogStandIn(apiKey: "dd-api-4f1e", applicationKey: "dd-app-9c2a") { _ in 42 }
        try await StubServer.serve(standIn.responder) { port in
            let provider = try DatadogProvider(config: Self.config(port, secret: Self.datadogSecret, time: time))
            standIn.state.throttle(next: 1, retryAfter: 2)
            let answer = Task { try await provider.query("avg:x{*}") }
            #expect(try await eventually { time.sleepers.count == 1 })
            time.advance(by: .seconds(2))
            #expect(try await answer.value == 42)
            #expect(standIn.state.requests.count == 2)

            standIn.state.throttle(next: 1, retryAfter: 30)
            let error = await #expect(throws: MetricError.self) { try await provider.query("avg:x{*}") }
            #expect(error?.message.hasPrefix("datadog: 429 Too Many Requests") == true, "\(String(describing: error))")
            #expect(error?.message.hasSuffix("(Retry-After 30s is past the check's 5s timeout)") == true, "\(String(describing: error))")
        }
    }

    @Test func newRelicSendsTheNRQLWithFlaggersSinceClauseAndItsQueryKey() async throws {
        let standIn = NewRelicStandIn(accountID: "1234567", queryKey: "NRIQ-abcd") { _ in 1.11111 }
        let secret = ["newrelic_account_id": "1234567", "newrelic_query_key": "NRIQ-abcd"]
        try await StubServer.serve(standIn.responder) { port in
            let provider = try NewRelicProvider(config: Self.config(port, secret: secret))
            #expect(try await provider.query("SELECT sum(nginx_ingress_controller_requests) / 1 FROM Metric WHERE status = '200'") == 1.11111)
            #expect(await provider.isOnline())
        }
        let request = try #require(standIn.state.requests.first)
        #expect(request.path == "/v1/accounts/1234567/query" && request.headers["x-query-key"] == "NRIQ-abcd")
        #expect(
            request.parameters["nrql"] == "SELECT sum(nginx_ingress_controller_requests) / 1 FROM Metric WHERE status = '200' SINCE 60 seconds ago")
        let api = VendorAPI(provider: .newrelic, config: MetricProviderConfig(address: ""), timeout: .seconds(5))
        let answer = try api.decode(NewRelicProvider.Answer.self, from: Array(#"{"results":[{"result": 1.111110}]}"#.utf8))
        #expect(answer.results?.first?.result == 1.11111)
    }

    @Test func newRelicWithoutOneResultHasNoValues() async throws {
        let standIn = NewRelicStandIn(accountID: "1", queryKey: "NRIQ-abcd") { _ in nil }
        try await StubServer.serve(standIn.responder) { port in
            let provider = try NewRelicProvider(config: Self.config(port, secret: ["newrelic_account_id": "1", "newrelic_query_key": "NRIQ-abcd"]))
            await #expect(throws: MetricError.noValues) { try await provider.query("SELECT count(*) FROM Metric") }
        }
    }

    @Test func dynatraceSendsTheSelectorWithAWindowInMillisecondsAndItsApiToken() async throws {
        let standIn = DynatraceStandIn(token: "dt0c01.ABC") { _ in 1.11111 }
        try await StubServer.serve(standIn.responder) { port in
            let provider = try DynatraceProvider(config: Self.config(port, secret: ["dynatrace_token": "dt0c01.ABC"]))
            #expect(try await provider.query("builtin:host.cpu.usage") == 1.11111)
            #expect(await provider.isOnline())
        }
        let request = try #require(standIn.state.requests.first)
        #expect(request.path == "/api/v2/metrics/query" && request.headers["authorization"] == "Api-Token dt0c01.ABC")
        #expect(request.parameters["metricSelector"] == "builtin:host.cpu.usage" && request.parameters["resolution"] == "Inf")
        #expect(request.parameters["to"] == "\(Self.now * 1000)" && request.parameters["from"] == "\(Self.now * 1000 - 600_000)")
        #expect(standIn.state.requests.last?.path == "/api/v2/metrics" && standIn.state.requests.last?.parameters["pageSize"] == "1")
    }

    /// Flagger's fixture (dynatrace_test.go), and the null Dynatrace writes for a window without data.
    @Test func dynatraceAnswersAreReadFromTheLastSeriesAndNullHasNoValues() async throws {
        let fixture =
            #"{"totalCount":1,"nextPageKey":null,"result":[{"metricId":"builtin:host.cpu.usage","data":[{"dimensions":["HOST-0990886B7D39FE29"],"timestamps":[1589455320000],"values":[1.111110]}]}]}"#
        let answer = try JSONDecoder().decode(DynatraceProvider.Answer.self, from: Data(fixture.utf8))
        #expect(answer.result?.first?.data?.last?.values?.first == 1.11111)
        let standIn = DynatraceStandIn(token: "t0k3n") { _ in .nan }
        try await StubServer.serve(standIn.responder) { port in
            let provider = try DynatraceProvider(config: Self.config(port, secret: ["dynatrace_token": "t0k3n"]))
            await #expect(throws: MetricError.noValues) { try await provider.query("builtin:x") }
        }
    }

    @Test func influxDBPostsTheFluxQueryWithTokenAndOrgAndReadsTheFirstValue() async throws {
        let standIn = InfluxDBStandIn(token: "influx-t0ken", organisation: "acme") { _ in 1.4 }
        try await StubServer.serve(standIn.responder) { port in
            let provider = try InfluxDBProvider(config: Self.config(port, secret: ["token": "influx-t0ken", "org": "acme"]))
            #expect(try await provider.query(#"from(bucket: "default") |> range(start: -2h)"#) == 1.4)
            let wrong = try InfluxDBProvider(config: Self.config(port, secret: ["token": "influx-t0ken", "org": "other"]))
            let error = await #expect(throws: MetricError.self) { try await wrong.query("x") }
            #expect(error?.message.hasPrefix("influxdb: 404 Not Found:") == true, "\(String(describing: error))")
        }
        let request = try #require(standIn.state.requests.first)
        #expect(request.method == "POST" && request.path == "/api/v2/query" && request.parameters["org"] == "acme")
        #expect(request.headers["authorization"] == "Token influx-t0ken" && request.headers["content-type"] == "application/json")
        let body = try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any]
        #expect(body?["query"] as? String == #"from(bucket: "default") |> range(start: -2h)"# && body?["type"] as? String == "flux")
    }

    /// Flagger's fixture (influxdb_test.go), a `count()` (a long), an error table, an empty answer.
    @Test func fluxCSVIsReadAsInfluxDBWritesIt() throws {
        let api = VendorAPI(provider: .influxdb, config: MetricProviderConfig(address: ""), timeout: .seconds(5))
        let flagger = """
            #datatype,string,long,dateTime:RFC3339,dateTime:RFC3339,dateTime:RFC3339,double,string,string,string,string
            #group,false,false,true,true,false,false,true,true,true,true
            #default,_result,,,,,,,,,
            ,result,table,_start,_stop,_time,_value,_field,_measurement,a,b
            ,,0,2020-02-17T22:19:49.747562847Z,2020-02-18T22:19:49.747562847Z,2020-02-18T10:34:08.135814545Z,1.4,f,test,1,adsfasdf
            ,,0,2020-02-17T22:19:49.747562847Z,2020-02-18T22:19:49.747562847Z,2020-02-18T22:08:44.850214724Z,6.6,f,test,1,adsfasdf

            """
        #expect(try FluxCSV.firstValue(in: flagger, api: api) == 1.4)
        let count = "#datatype,string,long,long\r\n#group,false,false,false\r\n#default,count,,\r\n,result,table,_value\r\n,,0,17\r\n"
        #expect(try FluxCSV.firstValue(in: count, api: api) == 17)
        let failed =
            "#datatype,string,string\n#group,true,true\n#default,,\n,error,reference\n,\"type error 1:1-1:5: undefined identifier \"\"x\"\"\",\n"
        let error = #expect(throws: MetricError.self) { try FluxCSV.firstValue(in: failed, api: api) }
        #expect(error?.message == #"influxdb: query error: type error 1:1-1:5: undefined identifier "x""#)
        #expect(throws: MetricError.noValues) { try FluxCSV.firstValue(in: "", api: api) }
        let text = "#datatype,string,long,string\n#group,false,false,false\n#default,_result,,\n,result,table,_value\n,,0,up\n"
        #expect(throws: MetricError.self) { try FluxCSV.firstValue(in: text, api: api) }
    }
}
