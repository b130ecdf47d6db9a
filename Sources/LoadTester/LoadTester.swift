import Foundation
import Synchronization
import Hummingbird
import Logging
import NIOCore
import OutboundHTTP
import ServiceLifecycle

/// `serin loadtester`: a drop-in for Flagger's load tester. Canary webhooks post Flagger's payload to it; it
/// runs load tests (`cmd` and `ngrinder` tasks in the background, `bash`, `kubectl`, `helm` and `concord` tasks to
/// completion), keeps manual gates (`/gate/*`, `/rollback/*`) and serves its metrics (`/metrics`).
public final class LoadTester: Service, Sendable {
    let options: LoadTesterOptions
    let logger: Logger
    let tasks: CommandTasks
    /// The background runs of tasks that call another service (`ngrinder`).
    let runs: BackgroundRuns
    let gates = GateStore()
    /// What `/metrics` serves.
    public let metrics = LoadTesterMetrics()
    /// Requests to Concord and nGrinder (honouring `HTTPS_PROXY`/`NO_PROXY` as Flagger's Go client does).
    let http = OutboundHTTP()
    /// The directory of the `hey` shim that adds `-x <proxy>`, when `heyProxy` is set.
    let shimDirectory: URL?

    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(options: LoadTesterOptions, logger: Logger = Logger(label: "serin.loadtester")) throws {
        self.options = options
        self.logger = logger
        do { _ = try options.namespacePattern.map { try Regex($0) } } catch {
            throw SetupError(description: "failed to parse --namespace-regexp \"\(options.namespacePattern ?? "")\": \(error)")
        }
        var environment = options.environment
        if let proxy = options.heyProxy {
            let directory = try LoadTester.heyShim(proxy: proxy, path: environment["PATH"] ?? "")
            environment["PATH"] = directory.path + ":" + (environment["PATH"] ?? "")
            shimDirectory = directory
        } else {
            shimDirectory = nil
        }
        tasks = CommandTasks(policy: options.policy, timeout: options.timeout, environment: environment, metrics: metrics, logger: logger)
        runs = BackgroundRuns(metrics: metrics, logger: logger)
    }

    /// The largest request body read (a task payload is a few hundred bytes).
    public static let maximumBodySize = 1 << 20

    /// Serves until cancelled or graceful shutdown; calls `onListening` with the bound port.
    public func run(onListening: @escaping @Sendable (Int) -> Void) async throws {
        let listening = Atomic<Bool>(false)
        var serverLogger = logger
        if logger.logLevel > .debug { serverLogger.logLevel = .critical }  // the server's own shutdown noise
        let app = Application(
            responder: CallbackResponder<BasicRequestContext> { request, _ in
                var request = request
                let body: ByteBuffer
                do {
                    body = try await request.collectBody(upTo: LoadTester.maximumBodySize)
                } catch {
                    return self.text(.contentTooLarge, "request body larger than \(LoadTester.maximumBodySize) bytes")
                }
                return await self.respond(request, body: Array(buffer: body))
            },
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                listening.store(true, ordering: .relaxed)
                self.logger.info("listening", metadata: ["port": "\(port)"])
                onListening(port)
            }, logger: serverLogger)
        let outcome: Result<Void, any Error>
        do {
            // Three children, so that whichever ends first ends the others: the server failing (a port in
            // use), or a graceful shutdown.
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { try await app.run() }
                group.addTask {
                    while !Task.isCancelled {
                        await self.tasks.sweep()
                        do { try await Task.sleep(for: .milliseconds(500)) } catch { break }
                    }
                }
                group.addTask {
                    try await gracefulShutdown()
                    throw ShutDown()
                }
            }
            outcome = .success(())
        } catch is ShutDown {
            outcome = .success(())
        } catch  where !listening.load(ordering: .relaxed) && !(error is CancellationError) {
            outcome = .failure(SetupError(description: "failed to listen on \(options.host):\(options.port): \(error)"))
        } catch {
            outcome = .failure(error)
        }
        // However it ended (shutdown, cancellation, an error), no command outlives the load tester.
        await tasks.stopAll()
        await runs.stopAll()
        if let shimDirectory {
            do { try FileManager.default.removeItem(at: shimDirectory) } catch {
                logger.warning("failed to remove the hey shim", metadata: ["path": "\(shimDirectory.path)", "error": "\(error)"])
            }
        }
        try outcome.get()
    }

    public func run() async throws { try await run(onListening: { _ in }) }

    /// A graceful shutdown ended the serving (not an error).
    private struct ShutDown: Error {}

    /// Starts serving in a task of its own and returns once it listens, with the bound port and the task
    /// (cancel it to stop the load tester and every command it started).
    public func start() async -> (port: Int, task: Task<Void, any Error>) {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let task = Task { try await run(onListening: { continuation.yield($0) }) }
        var iterator = ports.makeAsyncIterator()
        return (await iterator.next() ?? 0, task)
    }

    /// The process ids of the running `cmd` tasks.
    public var runningCommands: [Int32] {
        get async { await tasks.pids }
    }

    /// Writes a `hey` that adds `-x <proxy>` unless the command sets its own proxy.
    static func heyShim(proxy: URL, path: String) throws -> URL {
        guard let hey = ChildProcess.lookUp("hey", in: path) else {
            throw SetupError(description: "failed to set up --hey-proxy: hey is not installed (Debian package hey)")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serin-loadtester-\(UUID().uuidString)")
        let script = """
            #!/bin/sh
            for argument in "$@"; do [ "$argument" = "-x" ] && exec \(hey) "$@"; done
            exec \(hey) -x '\(proxy.absoluteString)' "$@"

            """
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let file = directory.appendingPathComponent("hey")
            try script.write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file.path)
        } catch {
            throw SetupError(description: "failed to write the hey shim in \(directory.path): \(error)")
        }
        return directory
    }
}
