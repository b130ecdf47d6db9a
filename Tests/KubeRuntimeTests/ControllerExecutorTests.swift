import KubeClient
import KubeCore
import KubeRuntime
import KubeSandbox
import NIOCore
import NIOPosix
import Synchronization
import Testing

@Suite struct ControllerExecutorTests {
    @Test func aTaskPreferringAnEventLoopExecutorRunsOnThatLoopAcrossSuspensions() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { Task { try await group.shutdownGracefully() } }
        let executors = group.makeIterator().map(EventLoopTaskExecutor.init)
        for executor in executors {
            let onLoop = await withTaskExecutorPreference(executor) {
                let before = executor.eventLoop.inEventLoop
                try? await Task.sleep(for: .milliseconds(5))
                await Task.yield()
                return before && executor.eventLoop.inEventLoop
            }
            #expect(onLoop, "the task ran on its loop before and after suspending")
        }
    }

    @Test func theWorkersRunOnTheirExecutorsTakenInTurnSoEveryLoopReconciles() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        defer { Task { try await group.shutdownGracefully() } }
        let executors = group.makeIterator().map(EventLoopTaskExecutor.init)
        try await Sandbox.with { sandbox in
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let maps = client.resource(.configMaps)
            for index in 0..<8 { _ = try await maps.create(configMap("spread-\(index)"), namespace: "default") }
            let loops = Mutex<(perLoop: [Int], elsewhere: Int)>(([0, 0], 0))
            let record = { @Sendable in
                let index = executors.firstIndex { $0.eventLoop.inEventLoop }
                loops.withLock { if let index { $0.perLoop[index] += 1 } else { $0.elsewhere += 1 } }
            }
            let reflector = Reflector<DynamicObject>(client: client, resource: .configMaps, namespace: "default")
            let reconciler = ReconcilerFunction { _, _ in
                record()
                try await Task.sleep(for: .milliseconds(50))  // the other workers take the other keys meanwhile
                record()
                return .awaitChange
            }
            var config = ControllerConfig(concurrency: 4)
            config.executors = executors
            let controller = Controller(name: "spread", primary: reflector, reconciler: reconciler, config: config)
            try await running([reflector.run, controller.run]) {
                #expect(await eventually(timeout: .seconds(20)) { loops.withLock { $0.perLoop.reduce(0, +) + $0.elsewhere } >= 16 })
            }
            let seen = loops.withLock { $0 }
            #expect(seen.elsewhere == 0, "every reconcile ran on one of the loops: \(seen)")
            #expect(seen.perLoop.allSatisfy { $0 > 0 }, "both loops reconciled: \(seen)")
        }
    }
}
