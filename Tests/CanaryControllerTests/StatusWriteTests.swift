import Alerting
import CanaryAPI
import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import Testing
@testable import CanaryController

/// The status write: the whole status, with `null` for what the stored status had and the new one has not.
@Suite struct StatusWriteTests {
    @Test func membersTheStoredStatusHadAndTheNewOneLacksAreRemoved() async throws {
        try await ReconcilerHarness.with { harness in
            let canaries = harness.client.resource(ReconcilerHarness.canaries, as: JSONValue.self)
            _ = try await canaries.create(
                [
                    "metadata": ["name": "podinfo"],
                    "spec": [
                        "targetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"],
                        "analysis": ["interval": "1m", "threshold": 2, "maxWeight": 50, "stepWeight": 10],
                    ],
                ], namespace: "demo")
            let stored: JSONValue = [
                "phase": "Progressing", "canaryWeight": 20, "previousSessionAffinityCookie": "old",
                "trackedConfigs": ["configmap/a": "1", "secret/b": "2"],
            ]
            let written = try await canaries.patch("podinfo", namespace: "demo", patch: .merge(["status": stored]), subresource: "status")
            let canary = try written.decode(as: Canary.self)
            var next = try #require(canary.status)
            next.previousSessionAffinityCookie = nil
            next.trackedConfigs = ["configmap/a": "1"]
            next.canaryWeight = 30
            let recorder = CanaryStatusRecorder(
                canaries: canaries, events: EventRecorder(client: harness.client, component: "serin"),
                alerts: OperatorAlerts(globals: [:], resolver: nil, clusterName: "", logger: Logger(label: "test.alerts")),
                clock: .system)
            try await recorder.write(next, of: canary, from: canary.status, stored: written["status"])
            let status = try await canaries.get("podinfo", namespace: "demo")["status"]
            #expect(status == ["phase": "Progressing", "canaryWeight": 30, "trackedConfigs": ["configmap/a": "1"]])
        }
    }
}
