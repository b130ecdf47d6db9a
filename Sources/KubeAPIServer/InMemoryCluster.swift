import Foundation
import KubeClient
import KubeCore
import Logging

/// The sandbox's API server without a socket or a simulator: objects change only when a test (or the
/// code under test) writes them. For the fast tier: controllers reconcile against it through a real
/// ``KubeClient`` (``InProcessTransport``), with the sandbox's fault injection, and the test sets
/// workload status itself.
public final class InMemoryCluster: Sendable {
    public let store: ObjectStore
    public let faults: FaultInjector
    public let server: APIServer

    /// A cluster holding `seed` (the sandbox's `InMemoryCluster.start(meshes:)` seeds the simulated meshes' CRDs).
    /// `aggregated` makes the API groups it serves from the store (the sandbox's External Metrics adapter).
    public static func start(
        seed: ClusterSeed, aggregated: @Sendable (ObjectStore) -> [any AggregatedAPI] = { _ in [] },
        logger: Logger = Logger(label: "serin.in-memory")
    ) async throws -> InMemoryCluster {
        let store = ObjectStore(historyLimit: 10_000)
        try await seed.install(into: store)
        return InMemoryCluster(store: store, faults: FaultInjector(), aggregated: aggregated(store), logger: logger)
    }

    init(store: ObjectStore, faults: FaultInjector, aggregated: [any AggregatedAPI] = [], logger: Logger) {
        self.store = store
        self.faults = faults
        self.server = APIServer(store: store, faults: faults, bookmarkInterval: .seconds(1), aggregated: aggregated, logger: logger)
    }

    /// A client whose requests this cluster serves in-process, without a client-side rate limit.
    public func client(logger: Logger = Logger(label: "serin.kube-client")) -> KubeClient {
        var configuration = ClientConfiguration(server: URL(string: "http://in-memory")!, source: "in-memory cluster")
        configuration.qps = 0
        return KubeClient(configuration: configuration, logger: logger, transport: InProcessTransport(server: server))
    }
}
