@testable import Alerting
import CanaryAPI
import CanaryCore
import Foundation
import KubeCore
import Logging
import Notifiers
import SerinTesting
import Synchronization
import Testing
@testable import CanaryController

/// The alert queue: Flagger's alert for an event, routed by severity to the Canary's providers or the
/// global ones, never repeated back to back, a long-closed gate reminded once, a failing receiver retried
/// and counted.
@Suite struct OperatorAlertsTests {
    final class Recorder: Notifier {
        let alerts = Mutex<[Alert]>([])
        /// The first `failing` posts fail as a receiver that does not answer.
        let failing: Int
        init(failing: Int = 0) { self.failing = failing }
        func post(_ alert: Alert) async throws {
            let count = alerts.withLock { alerts in
                alerts.append(alert)
                return alerts.count
            }
            if count <= failing { throw NotifierError("sending notification failed: the receiver did not answer", retryable: true) }
        }
        var messages: [String] { alerts.withLock { $0.map(\.message) } }
    }

    static func canary(_ analysis: String = "") throws -> Canary {
        try JSONValue(
            parsing:
                #"{"metadata":{"name":"podinfo","namespace":"test"},"spec":{"targetRef":{"kind":"Deployment","name":"podinfo"},"analysis":{"threshold":3,"stepWeight":10,"maxWeight":50"#
                + analysis + "}}}"
        )
        .decode(as: Canary.self)
    }

    @Test func aGateHaltingEveryIntervalAlertsOnceAndOtherEventsStillAlert() async throws {
        let recorder = Recorder()
        let alerts = OperatorAlerts(globals: [.slack: recorder], resolver: nil, clusterName: "prod", logger: Logger(label: "test.alerts"))
        let canary = try Self.canary()
        let delivery = Task { await alerts.run() }
        defer { delivery.cancel() }
        for _ in 0..<5 { alerts.post(.event(.warning, "Halt podinfo.test advancement waiting for approval gate"), canary: canary) }
        alerts.post(.event(.warning, "Halt podinfo.test advancement success rate 80% < 99%"), canary: canary)  // no alert for it
        alerts.post(.event(.warning, "Rolling back podinfo.test failed checks threshold reached 3"), canary: canary)
        #expect(try await eventually(timeout: .seconds(30)) { recorder.alerts.withLock { $0.count } == 2 })
        let sent = recorder.alerts.withLock { $0 }
        #expect(sent.map(\.message) == ["Canary is waiting for approval.", "Failed checks threshold reached 3"])
        #expect(sent.map(\.severity) == [.warn, .error] && sent[0].fields.map(\.name) == ["Cluster"] && sent[0].canary == "podinfo")
    }

    @Test func eachAlertEntryReceivesTheSeveritiesFlaggerSendsIt() throws {
        let canary = try Self.canary(
            #","alerts":[{"name":"all","severity":"info","providerRef":{"name":"chat"}},{"name":"unset","providerRef":{"name":"quiet"}},{"name":"warnings","severity":"warn","providerRef":{"name":"oncall","namespace":"ops"}},{"name":"errors","severity":"error","providerRef":{"name":"pager","namespace":"test"}}]"#
        )
        func names(_ severity: CanaryAlerts.Severity) -> [String] {
            AlertDestination.destinations(of: canary, severity: severity, globals: [.slack]).map(\.metricLabel)
        }
        #expect(names(.info) == ["test/chat", "test/quiet"], "an entry without a severity is info, as Flagger documents")
        #expect(names(.warn) == ["test/chat", "test/quiet", "ops/oncall"])
        #expect(names(.error) == ["test/chat", "test/quiet", "ops/oncall", "test/pager"], "providerRef.namespace picks the provider's namespace")
        #expect(
            AlertDestination.destinations(of: try Self.canary(), severity: .info, globals: [.slack, .wecom]).map(\.metricLabel)
                == ["global/slack", "global/wecom"], "without analysis.alerts, the global providers")
        #expect(AlertDestination.destinations(of: try Self.canary(), severity: .info, globals: []).isEmpty)
    }

    @Test func aMutedWebhookHaltsWithoutAlertingAndFailedHooksAlertWhereFlaggerIsSilent() throws {
        let canary = try Self.canary(
            #","webhooks":[{"name":"gate","type":"confirm-rollout","url":"http://x/","muteAlert":true},{"name":"loud","type":"confirm-promotion","url":"http://x/"},{"name":"db-migrate","type":"pre-rollout","url":"http://x/"}]"#
        )
        #expect(CanaryAlerts.alert(for: "Halt podinfo.test advancement waiting for approval gate", canary: canary) == nil)
        #expect(
            CanaryAlerts.alert(for: "Halt podinfo.test advancement waiting for promotion approval loud", canary: canary)?.message
                == "Canary promotion is waiting for approval.")
        let preRollout = CanaryAlerts.alert(
            for: "Halt podinfo.test advancement pre-rollout check db-migrate failed 500 migration locked", canary: canary)
        #expect(
            preRollout
                == .init(
                    message: "Pre-rollout check db-migrate failed: 500 migration locked", severity: .warn, withMetadata: false, gate: "db-migrate"))
        #expect(CanaryAlerts.invalid("spec.analysis.stepWeight: must be at least 0").severity == .error)
    }

    @Test func aGateClosedLongerThanTheLimitIsRemindedOnce() async throws {
        let recorder = Recorder()
        let time = VirtualTime(start: Date(timeIntervalSince1970: 1_700_000_000))
        let alerts = OperatorAlerts(
            globals: [.slack: recorder], resolver: nil, clusterName: "", stuckGateAfter: .seconds(3600),
            logger: Logger(label: "test.alerts"), clock: .virtual(time))
        let canary = try Self.canary()
        let delivery = Task { await alerts.run() }
        defer { delivery.cancel() }
        let halt = CanaryAction.event(.warning, "Halt podinfo.test advancement waiting for promotion approval release-manager")
        for _ in 0..<6 {  // every 15 minutes for 75 minutes
            alerts.post(halt, canary: canary)
            time.advance(by: .seconds(900))
        }
        #expect(try await eventually(timeout: .seconds(30)) { recorder.messages.count == 2 })
        #expect(
            recorder.messages == [
                "Canary promotion is waiting for approval.",
                "Canary promotion is waiting for approval for 1h0m0s (webhook release-manager).",
            ])
        for _ in 0..<4 { alerts.post(halt, canary: canary); time.advance(by: .seconds(3600)) }
        // A barrier, not a sleep: an alert posted after them arrives, so any reminder they queued came before it.
        alerts.postInvalid("sentinel", canary: canary)
        #expect(try await eventually(timeout: .seconds(30)) { recorder.messages.contains { $0.hasSuffix("sentinel") } })
        #expect(recorder.messages.count == 3, "one reminder, not one an hour: \(recorder.messages)")
    }

    @Test func aReceiverThatDoesNotAnswerIsRetriedThenCountedAsFailed() async throws {
        let metrics = OperatorMetrics(version: "test", meshProvider: "istio")
        let flaky = Recorder(failing: 2), dead = Recorder(failing: 100)
        let alerts = OperatorAlerts(
            globals: [.slack: flaky, .wecom: dead], resolver: nil, clusterName: "", retries: 2, retryDelay: .milliseconds(5),
            metrics: metrics, logger: Logger(label: "test.alerts"))
        let delivery = Task { await alerts.run() }
        defer { delivery.cancel() }
        alerts.post(.event(.warning, "Rolling back podinfo.test failed checks threshold reached 3"), canary: try Self.canary())
        // Each destination has its own lane: wait for both outcomes, not for one and then read the other.
        #expect(
            try await eventually(timeout: .seconds(30)) {
                metrics.exposition().contains(#"serin_alerts_total{provider="global/wecom",result="failed"} 1"#)
            })
        #expect(
            try await eventually(timeout: .seconds(30)) {
                metrics.exposition().contains(#"serin_alerts_total{provider="global/slack",result="sent"} 1"#)
            })
        #expect(flaky.messages.count == 3, "two failures, then delivered")
        #expect(dead.messages.count == 3, "three attempts in all, then given up")
    }

    @Test func atMostTwentyPostsAMinuteGoToOneDestination() {
        var window = AlertSendWindow()
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        let delays = (0..<22).map { window.delay(at: start.addingTimeInterval(Double($0))) }
        #expect(delays.prefix(20).allSatisfy { $0 == 0 })
        #expect(delays[20] == 40 && delays[21] == 40, "the 21st waits for the minute after the 1st, the 22nd after the 2nd")
    }
}
