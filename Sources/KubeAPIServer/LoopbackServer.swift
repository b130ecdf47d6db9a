import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle

/// An HTTP server on loopback (the sandbox's, a test's receiver), stopped gracefully: it stops accepting, lets the requests
/// in flight finish, then ends. (Cancelling a Hummingbird server instead races with connections being
/// accepted: NIO traps on a connection handler dropped unused — "Deinited NIOAsyncWriter without calling
/// finish()" — which a load generator still hitting the sandbox at a test's end made happen.)
public struct LoopbackServer: Sendable {
    public let port: Int
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    /// Starts serving `responder` on `127.0.0.1:port` (0: a free port), over TLS when given, and returns once it listens.
    public static func start(
        _ responder: CallbackResponder<BasicRequestContext>, port: Int, tls: TLSConfiguration? = nil, logger: Logger
    )
        async throws -> LoopbackServer
    {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var quiet = logger
        quiet.logLevel = .critical
        let server: HTTPServerBuilder = try tls.map { try .tls(.http1(), tlsConfiguration: $0) } ?? .http1()
        let app = Application(
            responder: responder, server: server, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: quiet)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: [app], logger: quiet))
        let task = Task {
            defer { continuation.finish() }  // a server that cannot bind ends here: start must not wait for a port
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next(), bound > 0 else {
            task.cancel()
            let reason =
                switch await task.result {
                case .failure(let error): "\(error)"
                case .success: "the server stopped before listening"
                }
            throw SandboxError(step: "listen on 127.0.0.1:\(port)", reason: reason)
        }
        return LoopbackServer(port: bound, group: group, task: task)
    }

    /// Stops gracefully; after `patience`, cancels what still runs.
    public func stop(patience: Duration = .seconds(5)) async {
        await group.triggerGracefulShutdown()
        let task = self.task
        let deadline = Task {
            try await Task.sleep(for: patience)
            task.cancel()
        }
        _ = await task.result
        deadline.cancel()
    }
}
