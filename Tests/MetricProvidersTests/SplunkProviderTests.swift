import CanaryAPI
import Foundation
import KubeCore
@testable import MetricProviders
import OutboundHTTP
import SerinTesting
import Testing

/// Splunk Observability: Flagger's endpoints, SignalFlow's messages, and whole computations over a real
/// WebSocket against the stand-in.
@Suite struct SplunkProviderTests {
    @Test func theStreamAndValidationAddressesAreTheRealmsAsFlaggerDerivesThem() throws {
        let api = try SplunkProvider.endpoints(of: "https://api.us1.signalfx.com")
        #expect(api.stream == "wss://stream.us1.signalfx.com/v2/signalflow/connect")
        #expect(api.validation == "https://api.us1.signalfx.com/v2/metric?limit=1")
        let stream = try SplunkProvider.endpoints(of: "wss://stream.eu0.signalfx.com")
        #expect(stream.stream == "wss://stream.eu0.signalfx.com/v2/signalflow/connect")
        #expect(stream.validation == "https://api.eu0.signalfx.com/v2/metric?limit=1")
        let local = try SplunkProvider.endpoints(of: "http://127.0.0.1:8080")
        #expect(local.stream == "ws://127.0.0.1:8080/v2/signalflow/connect" && local.validation == "http://127.0.0.1:8080/v2/metric?limit=1")
        let rapid = try SplunkProvider.endpoints(of: "https://rapid.example.com")
        #expect(
            rapid.stream == "wss://rapid.example.com/v2/signalflow/connect",
            "only a first label `api` is the realm's API (Flagger rewrites any `api`)")
        #expect(throws: MetricError.self) { try SplunkProvider.endpoints(of: "ftp://api.us1.signalfx.com") }
    }

    @Test func binaryDataMessagesAreReadAsTheVendorsClientsReadThem() throws {
        // The example of a version 1 data message: channel ch-1, 1700000000000 ms, series 42 = 1.0 (a double).
        let header: [UInt8] = [1, 5, 0, 0] + Array("ch-1".utf8) + Array(repeating: 0, count: 12)
        let body: [UInt8] = [0, 0, 1, 0x8b, 0xcf, 0xe5, 0x68, 0, 0, 0, 0, 1] + [2, 0, 0, 0, 0, 0, 0, 0, 0x2a, 0x3f, 0xf0, 0, 0, 0, 0, 0, 0]
        let message = try SignalFlowMessage.decode(binary: header + body)
        #expect(message == .data(timestamp: 1_700_000_000_000, points: [.init(tsid: 42, value: 1.0)]))
        let long: [UInt8] =
            [0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2] + [1] + Array(repeating: 0, count: 7) + [7] + Array(repeating: 0, count: 7) + [9]
            + [0] + Array(repeating: 0, count: 7) + [8] + Array(repeating: 0, count: 8)
        #expect(
            try SignalFlowMessage.decode(binary: header + long)
                == .data(timestamp: 1, points: [.init(tsid: 7, value: 9), .init(tsid: 8, value: nil)]))
        #expect(throws: MetricError.self) { try SignalFlowMessage.decode(binary: header + Array(body.dropLast())) }
        #expect(throws: MetricError.self) { try SignalFlowMessage.decode(binary: [1, 5, 1, 0] + Array(header.dropFirst(4)) + body) }
        #expect(throws: MetricError.self) { try SignalFlowMessage.decode(binary: [1, 5]) }
        let json = [1, 1, 2, 0] + Array(header.dropFirst(4)) + Array(#"{"type":"control-message","event":"END_OF_CHANNEL"}"#.utf8)
        #expect(try SignalFlowMessage.decode(binary: json) == .control(event: "END_OF_CHANNEL", abortReason: nil))
    }

    @Test func theValueIsTheLastPointOfTheOnlySeries() throws {
        typealias Point = SignalFlowMessage.Point
        #expect(try SplunkProvider.value(of: .ended([Point(tsid: 1, value: 1), Point(tsid: 1, value: nil), Point(tsid: 1, value: 3)])) == 3)
        #expect(throws: MetricError.noValues) { try SplunkProvider.value(of: .ended([Point(tsid: 1, value: nil)])) }
        #expect(throws: MetricError.multipleValues) { try SplunkProvider.value(of: .ended([Point(tsid: 1, value: 1), Point(tsid: 2, value: 2)])) }
        #expect(throws: MetricError.query("splunk: error executing query: 400 (ANALYTICS_PROGRAM_NAME_ERROR): no such name")) {
            try SplunkProvider.value(of: .failed(code: 400, type: "ANALYTICS_PROGRAM_NAME_ERROR", message: "no such name"))
        }
        #expect(throws: MetricError.query("splunk: the computation was aborted: quota exceeded")) {
            try SplunkProvider.value(of: .aborted("quota exceeded"))
        }
    }

    static func provider(port: Int, token: String = "sf-token", interval: String = "1m") throws -> SplunkProvider {
        try SplunkProvider(
            config: MetricProviderConfig(
                address: "http://127.0.0.1:\(port)", secret: ["sf_token_key": token], http: OutboundHTTP(proxies: ProxySettings()),
                interval: interval))
    }

    @Test func aComputationRunsOverARealWebSocket() async throws {
        try await SignalFlowStandIn.serve(token: "sf-token", signal: { $0.contains("empty") ? nil : 99.5 }) { port, standIn in
            let provider = try Self.provider(port: port)
            let program = "data('spans.count', filter=filter('sf_service', 'podinfo.demo')).sum().publish()"
            #expect(try await provider.query(program) == 99.5)
            let sent = try standIn.requests.map { try JSONValue(parsing: $0.body) }
            #expect(sent.map { $0["type"] } == ["authenticate", "execute"])
            #expect(sent.first?["token"] == "sf-token")
            let execute = try #require(sent.last)
            #expect(execute["program"]?.stringValue == program && execute["channel"] == "ch-1" && execute["immediate"] == true)
            let start = try #require(execute["start"]?.int64Value), stop = try #require(execute["stop"]?.int64Value)
            #expect(stop - start == 600_000, "ten intervals of 1m, in milliseconds")
            await #expect(throws: MetricError.noValues) { try await provider.query("data('empty').publish()") }
            await #expect(throws: MetricError.self) { try await provider.query("data('x'.publish()") }
            #expect(await provider.isOnline())
        }
    }

    @Test func aWrongTokenIsNamedWithoutTheToken() async throws {
        try await SignalFlowStandIn.serve(token: "sf-token", signal: { _ in 1 }) { port, _ in
            let provider = try Self.provider(port: port, token: "revoked-token")
            let error = await #expect(throws: MetricError.self) { try await provider.query("data('x').publish()") }
            #expect(error?.message == "splunk: the stream closed before the computation ended: 4401 Invalid auth token")
            #expect(await !provider.isOnline())
        }
        #expect(throws: MetricError.configuration("splunk credentials does not contain sf_token_key")) {
            try SplunkProvider(config: MetricProviderConfig(address: "https://api.us1.signalfx.com"))
        }
        #expect(throws: MetricError.configuration("splunk endpoint is not set")) {
            try SplunkProvider(config: MetricProviderConfig(address: "", secret: ["sf_token_key": "t"]))
        }
    }
}
