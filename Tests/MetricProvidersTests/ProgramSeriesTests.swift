import CanaryAPI
import Foundation
import HTTPTypes
import Hummingbird
import KubeCore
@testable import MetricProviders
import NIOCore
import OutboundHTTP
import SerinTesting
import Testing

/// The series of the providers whose query is a program (Flux, MQL, SignalFlow): what each sends of the
/// window, the points in order with nulls dropped, and what no points, several series or a broken answer are.
@Suite struct ProgramSeriesTests {
    static let time = VirtualTime()

    /// Flagger's fixture table (influxdb_test.go) with a null record, then a second table.
    static let twoTables = """
        #datatype,string,long,dateTime:RFC3339,double,string\r
        #group,false,false,false,false,true\r
        #default,_result,,,,\r
        ,result,table,_time,_value,_field\r
        ,,0,2020-02-18T10:34:08Z,1.4,f\r
        ,,0,2020-02-18T10:35:08Z,,f\r
        ,,0,2020-02-18T10:36:08Z,6.6,f\r
        ,,1,2020-02-18T10:34:08Z,2,g\r
        \r

        """

    @Test func everyProviderWithASeriesAPIIsRegisteredWithOne() {
        let series = MetricProviderRegistry.registrations.filter(\.series).map(\.type.rawValue).sorted()
        #expect(series == ["cloudwatch", "datadog", "dynatrace", "graphite", "influxdb", "prometheus", "splunk", "stackdriver"])
    }

    @Test func fluxRecordsAreTheSeriesInOrderAndASecondTableIsSeveralSeries() throws {
        let api = VendorAPI(provider: .influxdb, config: MetricProviderConfig(address: ""), timeout: .seconds(5))
        let oneTable = Self.twoTables.replacingOccurrences(of: ",,1,2020-02-18T10:34:08Z,2,g\r\n", with: "")
        #expect(try FluxCSV.values(in: oneTable, api: api) == [1.4, 6.6])
        #expect(throws: MetricError.multipleValues) { try FluxCSV.values(in: Self.twoTables, api: api) }
        let nextBlock =
            oneTable + "#datatype,string,long,double\r\n#group,false,false,false\r\n#default,_result,,\r\n,result,table,_value\r\n,,0,3\r\n"
        #expect(throws: MetricError.multipleValues) { try FluxCSV.values(in: nextBlock, api: api) }
        #expect(throws: MetricError.noValues) { try FluxCSV.values(in: "", api: api) }
        let failed = "#datatype,string,string\n#group,true,true\n#default,,\n,error,reference\n,\"undefined identifier x\",\n"
        #expect(throws: MetricError.query("influxdb: query error: undefined identifier x")) { try FluxCSV.values(in: failed, api: api) }
        let text = "#datatype,string,long,string\n#group,false,false,false\n#default,_result,,\n,result,table,_value\n,,0,up\n"
        let error = #expect(throws: MetricError.self) { try FluxCSV.values(in: text, api: api) }
        #expect(error?.message == "influxdb: invalid response: _value up is a string, not a number")
    }

    @Test func influxDBSendsItsClockAsTheQuerysNow() async throws {
        let standIn = InfluxDBStandIn(token: "influx-t0ken", organisation: "acme") { $0.contains("empty") ? nil : 0.75 }
        try await StubServer.serve(standIn.responder) { port in
            let config = MetricProviderConfig(
                address: "http://127.0.0.1:\(port)", secret: ["token": "influx-t0ken", "org": "acme"], http: OutboundHTTP(proxies: ProxySettings()),
                clock: .virtual(Self.time))
            let provider = try InfluxDBProvider(config: config)
            let flux = #"from(bucket: "istio") |> range(start: -5m) |> aggregateWindow(every: 30s, fn: mean)"#
            #expect(try await provider.series(flux, window: .seconds(300), resolution: .seconds(30)) == [0.75])
            await #expect(throws: MetricError.noValues) { try await provider.series("empty", window: .seconds(300), resolution: .seconds(30)) }
        }
        let body = try JSONValue(parsing: try #require(standIn.state.requests.first?.body))
        #expect(body["now"]?.stringValue == "2027-01-15T08:00:00Z" && body["type"] == "flux")
    }

    /// A metadata server's token and a `timeSeries:query` answer with `pointData` newest first.
    static func monitoring(_ answer: String) -> CallbackResponder<BasicRequestContext> {
        CallbackResponder { request, _ in
            let body = request.uri.path.hasSuffix("/token") ? #"{"access_token":"ya29.t","expires_in":3599,"token_type":"Bearer"}"# : answer
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
        }
    }

    static func point(_ value: String, minute: Int) -> String {
        #"{"values":[\#(value)],"timeInterval":{"startTime":"2026-01-01T00:0\#(minute - 1):00Z","endTime":"2026-01-01T00:0\#(minute):00Z"}}"#
    }

    @Test func stackdriverGivesTheFirstSeriesOldestFirst() async throws {
        let points = [Self.point(#"{"doubleValue":4}"#, minute: 4), Self.point("{}", minute: 3), Self.point(#"{"int64Value":"2"}"#, minute: 2)]
        let answers = [
            (
                #"{"timeSeriesData":[{"pointData":[\#(points.joined(separator: ","))]},{"pointData":[\#(Self.point(#"{"doubleValue":9}"#, minute: 1))]}]}"#,
                nil
            ),
            ("{}", "no values found"),
            (#"{"timeSeriesData":[{"pointData":[\#(Self.point(#"{"stringValue":"up"}"#, minute: 1))]}]}"#, "stackdriver: the point is not a number"),
            (#"{"timeSeriesData":{"pointData":[]}}"#, "stackdriver: error unmarshaling result:"),
        ]
        for (answer, expected) in answers {
            try await StubServer.serve(Self.monitoring(answer)) { port in
                let config = MetricProviderConfig(
                    address: "http://127.0.0.1:\(port)", secret: ["project": "serin-tests"], http: OutboundHTTP(proxies: ProxySettings()),
                    environment: ["GCE_METADATA_HOST": "127.0.0.1:\(port)"])
                let provider = try StackdriverProvider(config: config)
                let mql = "fetch k8s_container | metric 'istio.io/service/server/request_count' | align rate(1m) | every 30s | within 5m"
                guard let expected else {
                    #expect(try await provider.series(mql, window: .seconds(300), resolution: .seconds(30)) == [2, 4])
                    return
                }
                let error = await #expect(throws: MetricError.self) {
                    try await provider.series(mql, window: .seconds(300), resolution: .seconds(30))
                }
                #expect(error?.message.hasPrefix(expected) == true, "\(String(describing: error))")
            }
        }
    }

    @Test func splunkRunsTheProgramOverTheWindowAtTheResolution() async throws {
        try await SignalFlowStandIn.serve(token: "sf-token", signal: { $0.contains("empty") ? nil : 12 }) { port, standIn in
            let provider = try SplunkProvider(
                config: MetricProviderConfig(
                    address: "http://127.0.0.1:\(port)", secret: ["sf_token_key": "sf-token"], http: OutboundHTTP(proxies: ProxySettings()),
                    clock: .virtual(Self.time)))
            #expect(
                try await provider.series("data('spans.count').sum().publish()", window: .seconds(300), resolution: .seconds(60)) == [12, 12, 12])
            await #expect(throws: MetricError.noValues) {
                try await provider.series("data('empty').publish()", window: .seconds(300), resolution: .seconds(60))
            }
            let execute = try JSONValue(parsing: try #require(standIn.requests.first { $0.body.contains("execute") }?.body))
            let now = Int64(Self.time.date.timeIntervalSince1970) * 1000
            #expect(execute["start"]?.int64Value == now - 300_000 && execute["stop"]?.int64Value == now && execute["resolution"] == 60_000)
        }
        typealias Point = SignalFlowMessage.Point
        #expect(
            try SplunkProvider.series(
                of: .ended([Point(tsid: 1, value: 1), Point(tsid: 1, value: nil), Point(tsid: 1, value: .nan), Point(tsid: 1, value: 3)])) == [1, 3])
        #expect(throws: MetricError.multipleValues) { try SplunkProvider.series(of: .ended([Point(tsid: 1, value: 1), Point(tsid: 2, value: 2)])) }
        #expect(throws: MetricError.noValues) { try SplunkProvider.series(of: .ended([Point(tsid: 1, value: nil)])) }
        #expect(throws: MetricError.query("splunk: the computation was aborted: quota exceeded")) {
            try SplunkProvider.series(of: .aborted("quota exceeded"))
        }
    }
}
