import CanaryAPI
import CanaryCore
@testable import CanaryController
import Foundation
import KubeCore
import Logging
import Notifiers
import SerinTesting
import Synchronization
import Testing

/// The global provider's queue: Flagger's alert for an event, once, never repeated back to back.
@Suite struct OperatorAlertsTests {
    final class Recorder: Notifier {
        let alerts = Mutex<[Alert]>([])
        func post(_ alert: Alert) async throws { alerts.withLock { $0.append(alert) } }
    }

    @Test func aGateHaltingEveryIntervalAlertsOnceAndOtherEventsStillAlert() async throws {
        let recorder = Recorder()
        let alerts = OperatorAlerts(notifier: recorder, clusterName: "prod", logger: Logger(label: "test.alerts"))
        let canary = try JSONValue(parsing: #"{"metadata":{"name":"podinfo","namespace":"test"},"spec":{"targetRef":{"kind":"Deployment","name":"podinfo"},"analysis":{"threshold":3,"stepWeight":10,"maxWeight":50}}}"#)
            .decode(as: Canary.self)
        let delivery = Task { await alerts.run() }
        defer { delivery.cancel() }
        for _ in 0..<5 { alerts.post(.event(.warning, "Halt podinfo.test advancement waiting for approval gate"), canary: canary) }
        alerts.post(.event(.warning, "Halt podinfo.test advancement success rate 80% < 99%"), canary: canary)  // no alert for it
        alerts.post(.event(.warning, "Rolling back podinfo.test failed checks threshold reached 3"), canary: canary)
        #expect(try await eventually(timeout: .seconds(5)) { recorder.alerts.withLock { $0.count } == 2 })
        let sent = recorder.alerts.withLock { $0 }
        #expect(sent.map(\.message) == ["Canary is waiting for approval.", "Failed checks threshold reached 3"])
        #expect(sent.map(\.severity) == [.warn, .error] && sent[0].fields.map(\.name) == ["Cluster"] && sent[0].canary == "podinfo")
    }
}
