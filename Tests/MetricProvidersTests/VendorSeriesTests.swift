import CanaryAPI
import Foundation
import HTTPTypes
import Hummingbird
import KubeCore
@testable import MetricProviders
import NIOCore
import OutboundHTTP
import SerinTesting
import Synchronization
import Testing

/// The series of the HTTP query providers (compared metrics): the window and step each sends, the points in
/// the order the vendor lists them with nulls dropped, and what no points or a broken answer are.
@Suite struct VendorSeriesTests {
    static let time = VirtualTime()
    static let now = Int64(time.date.timeIntervalSince1970)

    static func config(_ port: Int, secret: [String: String]?, region: String? = nil, environment: [String: String] = [:]) -> MetricProviderConfig {
        MetricProviderConfig(
            address: "http://127.0.0.1:\(port)", secret: secret, http: OutboundHTTP(proxies: ProxySettings()), region: region,
            clock: .virtual(time), environment: environment)
    }

    /// Serves `body` as the answer to every request; returns the path and query of each request received.
    static func answering(_ body: String, _ run: (Int) async throws -> Void) async throws -> [(path: String, query: String, body: String)] {
        let seen = Mutex<[(path: String, query: String, body: String)]>([])
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            let sent = try await String(buffer: request.body.collect(upTo: 1 << 20))
            seen.withLock { $0.append((request.uri.path, request.uri.query ?? "", sent)) }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
        try await StubServer.serve(responder, run)
        return seen.withLock { $0 }
    }

    @Test func datadogAsksForTheWindowAndGivesTheFirstSeriesOldestFirst() async throws {
        let standIn = DatadogStandIn(apiKey: "dd-api-4f1e", applicationKey: "dd-app-9c2a") { $0.contains("empty") ? nil : 8 }
        try await StubServer.serve(standIn.responder) { port in
            let provider = try DatadogProvider(config: Self.config(port, secret: VendorProviderTests.datadogSecret))
            // One-minute buckets over five minutes, the newest half filled (the stand-in's answer).
            #expect(try await provider.series("sum:requests{*}.as_count()", window: .seconds(300), resolution: .seconds(30)) == [8, 8, 8, 8, 8, 4])
            await #expect(throws: MetricError.noValues) { try await provider.series("empty", window: .seconds(300), resolution: .seconds(30)) }
            await #expect(throws: MetricError.noValues) { try await provider.series("x", window: .milliseconds(500), resolution: .seconds(1)) }
        }
        let request = try #require(standIn.state.requests.first)
        #expect(request.parameters["from"] == "\(Self.now - 300)" && request.parameters["to"] == "\(Self.now)")
        #expect(standIn.state.requests.count == 2, "a window shorter than a second is not asked for")
        let api = VendorAPI(provider: .datadog, config: MetricProviderConfig(address: ""), timeout: .seconds(5))
        func series(_ json: String) throws(MetricError) -> [Double] { try DatadogProvider.series(from: Array(json.utf8), api: api) }
        #expect(try series(#"{"series": [{"pointlist": [[1,1.5],[2,null],[3],[4,2]]}, {"pointlist": [[1,9]]}]}"#) == [1.5, 2])
        #expect(throws: MetricError.noValues) { try series(#"{"series": [{"pointlist": [[1,null]]}]}"#) }
        let error = #expect(throws: MetricError.self) { try series(#"{"series": {"pointlist": []}}"#) }
        #expect(error?.message.hasPrefix("datadog: error unmarshaling result:") == true, "\(String(describing: error))")
    }

    @Test func dynatraceSendsTheResolutionInWholeMinutesAndGivesTheLastSeries() async throws {
        #expect(DynatraceProvider.resolution(.seconds(6)) == "1m" && DynatraceProvider.resolution(.seconds(60)) == "1m")
        #expect(DynatraceProvider.resolution(.seconds(90)) == "2m" && DynatraceProvider.resolution(.seconds(600)) == "10m")
        let body = #"""
            {"totalCount":2,"nextPageKey":null,"resolution":"1m","result":[{"metricId":"builtin:service.response.time","data":[
              {"dimensions":["SERVICE-1"],"timestamps":[1,2,3],"values":[9,9,9]},
              {"dimensions":["SERVICE-2"],"timestamps":[1,2,3,4],"values":[1.5,null,3,4]}]}]}
            """#
        let seen = try await Self.answering(body) { port in
            let provider = try DynatraceProvider(config: Self.config(port, secret: ["dynatrace_token": "t0k3n"]))
            #expect(try await provider.series("builtin:service.response.time", window: .seconds(300), resolution: .seconds(90)) == [1.5, 3, 4])
        }
        let query = try #require(seen.first?.query)
        #expect(query.contains("resolution=2m") && query.contains("from=\((Self.now - 300) * 1000)") && query.contains("to=\(Self.now * 1000)"))
        let empty = #"{"totalCount":0,"nextPageKey":null,"result":[{"metricId":"x","data":[]}]}"#
        _ = try await Self.answering(empty) { port in
            let provider = try DynatraceProvider(config: Self.config(port, secret: ["dynatrace_token": "t0k3n"]))
            await #expect(throws: MetricError.noValues) { try await provider.series("x", window: .seconds(60), resolution: .seconds(60)) }
        }
        _ = try await Self.answering(#"{"result":[{"data":[{"values":"none"}]}]}"#) { port in
            let provider = try DynatraceProvider(config: Self.config(port, secret: ["dynatrace_token": "t0k3n"]))
            let error = await #expect(throws: MetricError.self) { try await provider.series("x", window: .seconds(60), resolution: .seconds(60)) }
            #expect(error?.message.hasPrefix("dynatrace: error unmarshaling result:") == true, "\(String(describing: error))")
        }
    }

    @Test func graphiteReplacesTheQuerysFromAndUntilWithTheWindowAndDropsNulls() async throws {
        let body = #"[{"target":"sum","datapoints":[[10,1],[null,2],["2.5",3],[1e9999,4],[5,5]]}]"#
        let seen = try await Self.answering(body) { port in
            let provider = try GraphiteProvider(config: Self.config(port, secret: nil))
            let values = try await provider.series(
                "target=sumSeries(app.*.count)&from=-2min&until=now", window: .seconds(60), resolution: .seconds(6))
            #expect(values == [10, 2.5, .infinity, 5])
        }
        #expect(seen.first?.path == "/render")
        #expect(seen.first?.query == "format=json&from=\(Self.now - 60)&target=sumSeries%28app.%2A.count%29&until=\(Self.now)")
        let api = VendorAPI(provider: .graphite, config: MetricProviderConfig(address: ""), timeout: .seconds(5))
        func series(_ json: String) throws(MetricError) -> [Double] { try GraphiteProvider.series(from: Array(json.utf8), api: api) }
        #expect(throws: MetricError.noValues) { try series("[]") }
        #expect(throws: MetricError.noValues) { try series(#"[{"target":"a","datapoints":[[null,1]]}]"#) }
        #expect(throws: MetricError.multipleValues) { try series(#"[{"target":"a","datapoints":[[1,1]]},{"target":"b","datapoints":[[2,1]]}]"#) }
        let error = #expect(throws: MetricError.self) { try series(#"{"target":"a"}"#) }
        #expect(error?.message.hasPrefix("graphite: error unmarshaling result:") == true, "\(String(describing: error))")
    }

    @Test func cloudWatchAsksForTheWindowOldestFirstAndKeepsTheQuerysPeriod() async throws {
        let environment = ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "env-secret"]
        let body = #"{"MetricDataResults":[{"Id":"e1","StatusCode":"Complete","Timestamps":[1,2,3],"Values":[0.5,0.25,1]},{"Id":"e2","Values":[7]}]}"#
        let seen = try await Self.answering(body) { port in
            let config = Self.config(port, secret: nil, region: "eu-west-1", environment: environment)
            let provider = try CloudWatchProvider(config: config)
            #expect(
                try await provider.series(CloudWatchProviderTests.flaggerQuery, window: .seconds(600), resolution: .seconds(60)) == [0.5, 0.25, 1])
        }
        let request = try JSONValue(parsing: try #require(seen.first?.body))
        #expect(request["StartTime"]?.intValue == Int(Self.now - 600) && request["EndTime"]?.intValue == Int(Self.now))
        #expect(request["ScanBy"] == "TimestampAscending" && request["MaxDatapoints"]?.intValue == SeriesPoints.limit)
        #expect(request["MetricDataQueries"]?[1]?["MetricStat"]?["Period"] == 60, "the query's own Period is the step")
        let empty = #"{"MetricDataResults":[{"Id":"e1","StatusCode":"Complete","Timestamps":[],"Values":[]}],"Messages":[]}"#
        for (answer, expected) in [
            (empty, "no values found"), (#"{"MetricDataResults":[{"Values":["x"]}]}"#, "cloudwatch: error unmarshaling result:"),
        ] {
            _ = try await Self.answering(answer) { port in
                let provider = try CloudWatchProvider(config: Self.config(port, secret: nil, region: "eu-west-1", environment: environment))
                let error = await #expect(throws: MetricError.self) {
                    try await provider.series(CloudWatchProviderTests.flaggerQuery, window: .seconds(600), resolution: .seconds(60))
                }
                #expect(error?.message.hasPrefix(expected) == true, "\(String(describing: error))")
            }
        }
    }
}
