import Foundation
import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import Synchronization
import Testing

func electorConfig(_ identity: String) -> LeaderElector.Config {
    var config = LeaderElector.Config(leaseName: "serin", namespace: "default", identity: identity)
    config.leaseDuration = .seconds(2)
    config.renewDeadline = .milliseconds(1200)
    config.retryPeriod = .milliseconds(200)
    return config
}

@Suite(.serialized) struct LeaderElectionTests {
    @Test func twoElectorsRaceAndExactlyOneLeadsThenStoppingItHandsOver() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let a = LeaderElector(client: client, config: electorConfig("a"))
            let b = LeaderElector(client: client, config: electorConfig("b"))
            let leaders = Leaders()
            let runA = Task { try await a.run(whileLeading: leaders.lead("a")) }
            let runB = Task { try await b.run(whileLeading: leaders.lead("b")) }
            defer { runA.cancel(); runB.cancel() }
            #expect(await eventually { leaders.count == 1 })
            try await Task.sleep(for: .seconds(1))
            #expect(leaders.count == 1, "exactly one leads")
            #expect(a.isLeader != b.isLeader)
            let (leader, standby) = a.isLeader ? (runA, b) : (runB, a)
            let stopped = ContinuousClock.now
            leader.cancel()  // stopping the leader releases the lease
            #expect(await eventually { standby.isLeader })
            #expect(ContinuousClock.now - stopped < .seconds(2), "handed over within the lease duration")
            let lease = try await client.resource(.leases).get("serin", namespace: "default")
            #expect(lease.json[path: "spec", "leaseTransitions"] == 1)
        }
    }

    @Test func aLeaderWhoseRenewalsFailStopsWritingBeforeTheLeaseExpires() async throws {
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let elector = LeaderElector(client: client, config: electorConfig("a"))
            var fenced = sandbox.clientConfiguration
            fenced.writeFence = elector.fence
            let writer = KubeClient(configuration: fenced)
            defer { Task { try await writer.shutdown() } }
            let outcome = Task { try await elector.run(whileLeading: Leaders().lead("a")) }
            #expect(await eventually { elector.isLeader })
            _ = try await writer.resource(.configMaps).create(configMap("while-leading"), namespace: "default")

            await sandbox.faults.fail(verb: "get", plural: "leases", code: 500, count: 1000)
            let lost = ContinuousClock.now
            #expect(await eventually { !elector.isLeader })
            let fencedAfter = ContinuousClock.now - lost
            #expect(fencedAfter < electorConfig("a").leaseDuration, "fenced after \(fencedAfter), before the lease could expire")
            let refused = await #expect(throws: WriteFencedError.self) {
                _ = try await writer.resource(.configMaps).create(configMap("after-losing"), namespace: "default")
            }
            #expect(refused?.description.contains("does not hold the leader lease") == true)
            await #expect(throws: LeaderElectionError.self) { try await outcome.value }
            await sandbox.faults.reset()
            #expect(try await client.resource(.configMaps).list(namespace: "default").items.compactMap(\.name) == ["while-leading"])
        }
    }
}

/// Records which electors became leader; each body then waits until cancelled.
final class Leaders: Sendable {
    private let names = Mutex<[String]>([])

    var count: Int { names.withLock { $0.count } }

    func lead(_ name: String) -> @Sendable () async throws -> Void {
        { [self] in
            names.withLock { $0.append(name) }
            try await Task.sleep(for: .seconds(3600))
        }
    }
}
