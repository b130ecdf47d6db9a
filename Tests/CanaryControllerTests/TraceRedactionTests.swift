import Foundation
import KubeCore
import Testing
@testable import OTLPTracing
@testable import CanaryController

/// What a span exports (OTLP/JSON to a collector) carries no credential, whatever failed inside it.
@Suite struct TraceRedactionTests {
    @Test func aSpansErrorAndAttributesAreRedactedWhenExported() {
        let span = TraceSpan(
            traceID: "t", spanID: "s", parentSpanID: nil, name: "metric errors", start: Date(), end: Date(),
            attributes: ["address": "http://reader:TRACE-pw-1@prom:9090"],
            error: "failed to query http://reader:TRACE-pw-2@prom:9090/api/v1/query: Bearer TRACE-token-3 refused")
        let exported = String(decoding: span.otlp.serialized(), as: UTF8.self)
        for secret in ["TRACE-pw-1", "TRACE-pw-2", "TRACE-token-3"] {
            #expect(!exported.contains(secret), "\(secret) in \(exported)")
        }
        #expect(exported.contains("http://reader:REDACTED@prom:9090"), "\(exported)")
    }
}
