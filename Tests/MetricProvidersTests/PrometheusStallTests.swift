import Foundation
import HTTPTypes
import Hummingbird
import MetricProviders
import NIOCore
import OutboundHTTP
import SerinTesting
import Testing

/// A Prometheus that sends its headers and then stalls its body fails the query at the provider's
/// timeout, saying so: the analysis counts a failed check instead of waiting as long as the stall lasts.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1",
        "a wall-clock deadline of 1 s; make test runs it alone")) struct PrometheusStallTests
{
    @Test func aQueryWhoseAnswerStallsFailsAtTheTimeout() async throws {
        let responder = CallbackResponder<BasicRequestContext> { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: ResponseBody { writer in
                    try await writer.write(ByteBuffer(string: #"{"status":"success","#))
                    try await Task.sleep(for: .seconds(30))
                    try await writer.write(ByteBuffer(string: #""data":{"resultType":"vector","result":[]}}"#))
                    try await writer.finish(nil)
                })
        }
        try await StubServer.serve(responder) { port in
            let provider = PrometheusProvider(
                address: "http://127.0.0.1:\(port)", timeout: .seconds(1),
                http: OutboundHTTP(proxies: ProxySettings()))
            let started = ContinuousClock.now
            do {
                let value = try await provider.query("vector(1)")
                Issue.record("the query answered \(value) after \(ContinuousClock.now - started)")
            } catch {
                #expect("\(error)".contains("timed out after 1s"), "\(error)")
            }
            #expect(ContinuousClock.now - started < .seconds(10), "the query waited \(ContinuousClock.now - started)")
        }
    }
}
