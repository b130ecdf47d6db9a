import CanaryAPI
import Foundation
import KubeCore
import KubeSandbox
import SerinTesting
import Testing

/// `kubectl serin undo` on Istio with a real Prometheus: a release promoted, then undone — the primary runs
/// the earlier image again, the Canary is Failed at the undone revision and starts no rollout of it, and a
/// second undo has nothing to give back.
@Suite(.serialized) struct UndoScenarioTests {
    /// Writes what `kubectl serin <action>` writes (a request at another time is another request).
    static func request(_ world: Scenario, _ action: ControlRequest.Action, at: String = "2026-12-06T15:00:00Z") async throws {
        let revision = try await world.status("podinfo", namespace: "test")["lastAppliedSpec"]?.stringValue ?? ""
        let request = String(
            decoding: ControlRequest(action: action, revision: revision, by: "alice", at: at).json.serialized(), as: UTF8.self)
        try await world.kubectl.succeed(["annotate", "--overwrite", "canary", "podinfo", "-n", "test", "\(ControlRequest.annotation)=\(request)"])
    }

    static func primaryImage(_ world: Scenario) async throws -> String? {
        try await world.json(["get", "deploy", "podinfo-primary", "-n", "test"])[path: "spec", "template", "spec", "containers"]?[0]?["image"]?
            .stringValue
    }

    @Test func aPromotedReleaseIsUndoneToThePreviousImage() async throws {
        try await Scenario.run { world in
            try await world.kubectl.succeed(["apply", "-f", "-"], stdin: Podinfo.workload + "\n---\n" + Podinfo.canary(provider: "istio"))
            #expect(try await world.waitForPhase("Initialized", name: "podinfo", namespace: "test"))
            try await world.releasePodinfo()
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", namespace: "test"))
            #expect(try await Self.primaryImage(world) == "ghcr.io/stefanprodan/podinfo:6.0.1")

            try await Self.request(world, .undo)
            #expect(try await world.waitForPhase("Failed", name: "podinfo", namespace: "test"))
            #expect(try await eventually(timeout: .seconds(20)) { try await Self.primaryImage(world) == "ghcr.io/stefanprodan/podinfo:6.0.0" })
            let events = try await world.events("podinfo", namespace: "test")
            #expect(events.contains { $0.hasPrefix("Undo of podinfo.test requested by alice: podinfo-primary goes back to revision ") }, "\(events)")
            let primary = try await world.json(["get", "deploy", "podinfo-primary", "-n", "test"])
            #expect(primary[path: "metadata", "annotations", "serin.dev/previous-template"] == nil, "the record goes with the undo")
            #expect(
                try await world.json(["get", "deploy", "podinfo", "-n", "test"])[path: "spec", "replicas"] == 0,
                "no new rollout of the undone revision")

            try await Self.request(world, .undo, at: "2026-12-06T15:01:00Z")
            #expect(
                try await eventually(timeout: .seconds(20)) {
                    try await world.events("podinfo", namespace: "test").contains {
                        $0.contains("the primary runs the last good version (the Canary is Failed)")
                    }
                })
        }
    }
}
