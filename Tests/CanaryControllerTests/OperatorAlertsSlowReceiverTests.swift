@testable import Alerting
import CanaryAPI
import CanaryCore
import Foundation
import Hummingbird
import KubeCore
import Logging
import NIOCore
import Notifiers
import SerinTesting
import Testing
@testable import CanaryController

/// An alert receiver that answers its headers at once and trickles its body (a byte every 200 ms) gets a
/// failed delivery at the notifier's 5 s deadline, counted `failed` (the branch that records `AlertFailed`),
/// never `sent`.
@Suite(
    .enabled(
        if: ProcessInfo.processInfo.environment["SERIN_ISOLATED_TESTS"] == "1",
        "wall-clock deadlines of seconds; make test runs it alone")) struct OperatorAlertsSlowReceiverTests
{
    @Test func aTricklingReceiverIsCountedAsFailedNotSent() async throws {
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            var request = request
            _ = try await request.collectBody(upTo: 1 << 20)
            return Response(
                status: .ok,
                body: ResponseBody { writer in
                    for _ in 0..<1000 {
                        try await writer.write(ByteBuffer(string: "."))
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    try await writer.finish(nil)
                })
        }
        try await StubServer.serve(responder) { port in
            let metrics = OperatorMetrics(version: "test", meshProvider: "istio")
            let slack = try SlackNotifier(NotifierConfig(address: "http://127.0.0.1:\(port)/services/T0/B0/x"))
            let alerts = OperatorAlerts(
                globals: [.slack: slack], resolver: nil, clusterName: "", retries: 0, metrics: metrics,
                logger: Logger(label: "test.alerts"))
            let delivery = Task { await alerts.run() }
            defer { delivery.cancel() }
            let started = ContinuousClock.now
            alerts.post(.event(.warning, "Rolling back podinfo.test failed checks threshold reached 3"), canary: try OperatorAlertsTests.canary())
            #expect(
                try await eventually(timeout: .seconds(20)) {
                    metrics.exposition().contains(#"serin_alerts_total{provider="global/slack",result="failed"} 1"#)
                })
            #expect(ContinuousClock.now - started < .seconds(10), "the post took \(ContinuousClock.now - started)")
            #expect(!metrics.exposition().contains(#"result="sent""#))
        }
    }
}
