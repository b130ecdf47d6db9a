import Synchronization
import CanaryAPI
import Foundation
import Hummingbird
import HummingbirdCore
import KubeClient
import KubeCore
import KubeRuntime
import Logging
import ServiceLifecycle

/// `serin dashboard`: a local web page on `127.0.0.1` that shows the Canaries live and sends people's
/// requests, all with the user's own client (their kubeconfig): it sees and does exactly what their RBAC
/// allows, with no identity of its own. One watch on Canaries feeds every page (server-sent events).
public final class DashboardServer: Sendable {
    public let port: Int
    public let token: String
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// The address to open.
    public var url: String { "http://127.0.0.1:\(port)/" }

    /// Starts watching the Canaries (of `namespace`, or all) and serving on `127.0.0.1:port` (0: a free
    /// port); returns once it listens.
    ///
    /// - Parameter user: who the kubeconfig says is asking, written into each request.
    public static func start(client: KubeClient, user: String, namespace: String?, port: Int, logger: Logger) async throws -> DashboardServer {
        let reflector = Reflector<DynamicObject>(client: client, resource: Canary.resource, namespace: namespace, logger: logger)
        let token = DashboardGuard.newToken()
        let ports = AsyncStream.makeStream(of: Int.self)
        let routes = DashboardRoutes(
            canaries: reflector, reader: DashboardReader(client: client), writer: CanaryRequestWriter(client: client, user: user),
            namespace: namespace,
            token: token)
        var quiet = logger
        quiet.logLevel = .critical
        let app = Application(
            responder: routes.responder(port: { routes.port.withLock { $0 } }), server: .http1(),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
            onServerRunning: { channel in
                ports.continuation.yield(channel.localAddress?.port ?? 0)
                ports.continuation.finish()
            }, logger: quiet)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [reflector, app], logger: quiet))
        let task = Task {
            defer { ports.continuation.finish() }
            try await group.run()
        }
        var iterator = ports.stream.makeAsyncIterator()
        guard let bound = await iterator.next(), bound > 0 else {
            task.cancel()
            let reason = if case .failure(let error) = await task.result { "\(error)" } else { "the server stopped before listening" }
            throw DashboardError(message: "failed to listen on 127.0.0.1:\(port): \(reason)")
        }
        routes.port.withLock { $0 = bound }
        return DashboardServer(port: bound, token: token, group: group, task: task)
    }

    private init(port: Int, token: String, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.token = token
        self.group = group
        self.task = task
    }

    /// Serves until the task is cancelled (Ctrl-C), then stops.
    public func wait() async {
        await withTaskCancellationHandler {
            _ = await task.result
        } onCancel: {
            Task { await self.stop() }
        }
    }

    /// Stops gracefully: open streams end, the watch stops.
    public func stop() async {
        await group.triggerGracefulShutdown()
        let task = self.task
        let deadline = Task {
            try await Task.sleep(for: .seconds(5))
            task.cancel()
        }
        _ = await task.result
        deadline.cancel()
    }
}

/// The dashboard could not start.
public struct DashboardError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
