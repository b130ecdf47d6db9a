import CanaryAPI
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import Testing
@testable import CanaryController

/// `kubectl serin promote|abort|retry` through the operator's reconciler: each request gives exactly one
/// Event, also when a reconcile sees the request again after the status write that handled it.
@Suite struct RequestOnceTests {
    /// Writes `serin.dev/request` as `kubectl serin` does, for the revision under way.
    static func request(_ harness: ReconcilerHarness, _ action: ControlRequest.Action, by: String) async throws {
        let revision = try await harness.status("podinfo")["lastAppliedSpec"]?.stringValue ?? ""
        let value = ControlRequest(action: action, revision: revision, by: by, at: "2026-12-01T19:00:00Z").json.serialized()
        _ = try await harness.client.resource(ReconcilerHarness.canaries, as: JSONValue.self).patch(
            "podinfo", namespace: "demo",
            patch: .merge(["metadata": ["annotations": [.init(ControlRequest.annotation): .string(String(decoding: value, as: UTF8.self))]]]))
    }

    /// The annotation's removal fails once (a 500) after the status write went through: the next reconcile
    /// sees the request with the status that handled it, as when the removal's watch event comes late.
    static func failTheRemovalOnce(_ harness: ReconcilerHarness) async {
        await harness.cluster.faults.add(.init(verb: "patch", plural: "canaries", subresource: "status", code: 0, count: 1))
        await harness.cluster.faults.fail(verb: "patch", plural: "canaries", code: 500, count: 1)
    }

    static func annotation(_ harness: ReconcilerHarness) async throws -> JSONValue? {
        try await harness.get(ReconcilerHarness.canaries, "podinfo")[path: "metadata", "annotations", ControlRequest.annotation]
    }

    /// The Canary's Event messages, once every Event recorded so far is written.
    static func events(_ harness: ReconcilerHarness) async throws -> [String] {
        await harness.canaryOperator.events.flush()
        return try await harness.client.resource(.events, as: JSONValue.self).list(namespace: "demo").items.compactMap {
            $0[path: "involvedObject", "name"] == "podinfo" ? $0["message"]?.stringValue : nil
        }
    }

    /// Reconciles (readying both workloads, moving the clock an interval) until the Canary is in `phase`.
    static func drive(_ harness: ReconcilerHarness, to phase: String) async throws {
        for _ in 0..<15 {
            if try await harness.status("podinfo")["phase"]?.stringValue == phase { return }
            for deployment in ["podinfo", "podinfo-primary"] { try await harness.markReady(deployment) }
            harness.advance(by: 31)
            _ = try await harness.reconcile("podinfo")
        }
        #expect(try await harness.status("podinfo")["phase"]?.stringValue == phase, "the Canary reached \(phase)")
    }

    /// From Initialized or Succeeded, a new revision of the target under analysis.
    static func newRevision(_ harness: ReconcilerHarness, _ number: Int) async throws {
        _ = try await harness.client.resource(.deployments, as: JSONValue.self).patch(
            "podinfo", namespace: "demo",
            patch: .merge(
                ["spec": ["template": ["spec": ["containers": [["name": "app", "image": .string("podinfo:6.1.\(number)")]]]]]]))
        try await drive(harness, to: "Progressing")
    }

    @Test func aPromoteSeenAgainAfterItsStatusWriteGivesOneEventAndIsRemoved() async throws {
        try await ReconcilerHarness.with { harness in
            try await ReconcilerTests.initialized(harness, "podinfo")
            try await Self.newRevision(harness, 1)
            try await Self.request(harness, .promote, by: "alice")
            await Self.failTheRemovalOnce(harness)
            await #expect(throws: (any Error).self, "the removal fails") { _ = try await harness.reconcile("podinfo") }
            let status = try await harness.status("podinfo")
            #expect(status["phase"] == "Promoting" && status["lastHandledRequest"]?.stringValue?.hasPrefix("sha256:") == true)
            #expect(try await Self.annotation(harness) != nil, "the watch shows the request again, with the status that handled it")

            _ = try await harness.reconcile("podinfo")
            #expect(try await Self.annotation(harness) == nil, "removed by the next reconcile")
            let events = try await Self.events(harness)
            #expect(events.filter { $0.contains("alice") } == ["Promotion of podinfo.demo requested by alice: skipping the rest of the analysis"])
            #expect(!events.contains { $0.contains("ignored") }, "\(events)")
            try await Self.drive(harness, to: "Succeeded")
            #expect(try await Self.events(harness).filter { $0.contains("alice") || $0.contains("ignored") }.count == 1)
        }
    }

    @Test func thirtyRequestsGiveThirtyEvents() async throws {
        try await ReconcilerHarness.with { harness in
            try await ReconcilerTests.initialized(harness, "podinfo")
            try await Self.newRevision(harness, 0)
            let sequence: [(ControlRequest.Action, String)] = [(.abort, "Failed"), (.retry, "Progressing"), (.promote, "Promoting")]
            for index in 0..<30 {
                let (action, phase) = sequence[index % 3]
                let by = String(format: "ops-%02d", index)
                try await Self.request(harness, action, by: by)
                if index % 2 == 0 { await Self.failTheRemovalOnce(harness) }
                do { _ = try await harness.reconcile("podinfo") } catch {
                    #expect(index % 2 == 0, "only the injected fault fails a reconcile: \(error)")
                }
                #expect(try await harness.status("podinfo")["phase"]?.stringValue == phase, "\(by) \(action.rawValue)")
                _ = try await harness.reconcile("podinfo")
                #expect(try await Self.annotation(harness) == nil, "\(by)'s request is removed")
                let events = try await Self.events(harness)
                #expect(events.filter { $0.contains(by) }.count == 1, "\(by) \(action.rawValue): \(events.filter { $0.contains(by) })")
                if action == .promote {
                    try await Self.drive(harness, to: "Succeeded")
                    try await Self.newRevision(harness, index + 1)
                }
            }
            let events = try await Self.events(harness)
            #expect(events.filter { $0.contains("ops-") }.count == 30)
            #expect(!events.contains { $0.contains("ignored") }, "\(events.filter { $0.contains("ignored") })")
        }
    }
}
