import AsyncHTTPClient
import ChildProcesses
import Foundation
import KubeCore
import KubeSandbox
import NIOCore
import NIOHTTP1
import NIOPosix

/// A real Graphite on loopback: Debian's `graphite-carbon` (carbon-cache, which takes points) and
/// `graphite-web` (Django's server, which answers the render API), two child processes with everything they
/// write in one temporary folder and every port free ones.
///
/// The scenario tests query it through Serin's `graphite` metric provider; `make test` installs both
/// packages (`scripts/install-deps.sh carbon-cache`).
///
/// ```swift
/// try await GraphiteServer.with { graphite in
///     try await graphite.write([.init(path: "app.requests", value: 5, timestamp: now)])
///     // a MetricTemplate with `provider: {type: graphite, address: graphite.url}`
/// }
/// ```
///
/// ## Guarantees
/// - Points written are readable at once (graphite-web asks carbon's cache), but a brand-new series only
///   once carbon has made its file: poll for it (``render(_:from:)``), as the feed's `announce` does.
/// - One slot a second for an hour: every point written a second apart is kept as it was written.
///
/// ## Errors
/// ``start()`` fails naming the program that did not come up and the end of its output.
public final class GraphiteServer: Sendable {
    /// graphite-web's base URL: a MetricTemplate's `provider.address`. The render API is `<url>/render`.
    public let url: String
    /// carbon's plaintext receiver (`path value timestamp` lines over TCP).
    public let linePort: Int
    let ports: Ports
    let folder: String
    let carbon: SpawnedProcess
    let web: SpawnedProcess

    /// How long carbon and graphite-web have to answer (a loaded machine needed 4 s for both, cold).
    public static let startTimeout: Duration = .seconds(60)

    /// Starts carbon-cache, migrates graphite-web's database (its users and tags tables), starts graphite-web,
    /// and returns once carbon's ports and graphite-web's render API answer.
    ///
    /// A free port is only free when it was picked: when a program exits during the start (another process
    /// took one of its ports meanwhile), Graphite is started again on three new ports, up to three times.
    public static func start() async throws -> GraphiteServer {
        var exited: ProgramExited?
        for _ in 0..<3 {
            do { return try await start(ports: freePorts()) } catch let error as ProgramExited { exited = error }
        }
        throw SetupFailure(description: exited?.description ?? "failed to start Graphite")
    }

    /// Starts a Graphite, runs `body` with it, and ends it, waited for, whether `body` returns or throws: no
    /// program outlives the test, even when the test process exits right after.
    public static func with<T>(_ body: (GraphiteServer) async throws -> T) async throws -> T {
        let server = try await start()
        let outcome: Result<T, any Error>
        do { outcome = .success(try await body(server)) } catch { outcome = .failure(error) }
        await server.stopAndWait()
        return try outcome.get()
    }

    /// ``start()`` on given ports.
    static func start(ports: Ports) async throws -> GraphiteServer {
        for program in [python, carbonCache, djangoAdmin] where !FileManager.default.isExecutableFile(atPath: program) {
            let install = "scripts/install-deps.sh carbon-cache installs graphite-carbon and graphite-web"
            throw SetupFailure(description: "failed to start Graphite: \(program) is missing (\(install))")
        }
        let folder = NSTemporaryDirectory() + "serin-graphite-" + UUID().uuidString
        guard !folder.contains("'") else { throw SetupFailure(description: "failed to start Graphite: its folder \(folder) has a quote") }
        var started: [SpawnedProcess] = []
        do {
            try writeConfiguration(in: folder, ports: ports)
            let carbon = try launch(
                "carbon-cache", [carbonCache, "--config=\(folder)/conf/carbon.conf", "--nodaemon", "start"], folder: folder)
            started.append(carbon)
            try await migrate(folder)
            let web = try launch("graphite-web", [djangoAdmin, "runserver", "127.0.0.1:\(ports.web)", "--noreload"], folder: folder)
            started.append(web)
            let server = GraphiteServer(ports: ports, folder: folder, carbon: carbon, web: web)
            try await server.waitUntilAnswering(within: startTimeout)
            return server
        } catch {
            // The error holds the programs' output already: nothing of them stays.
            for process in started { await ProcessGroup.stop(process) }
            try? FileManager.default.removeItem(atPath: folder)  // best effort, as in stopAndWait()
            throw error
        }
    }

    init(ports: Ports, folder: String, carbon: SpawnedProcess, web: SpawnedProcess) {
        self.ports = ports
        self.folder = folder
        self.carbon = carbon
        self.web = web
        url = "http://127.0.0.1:\(ports.web)"
        linePort = ports.line
    }

    /// Ends both programs (their process groups, waited for, bounded: SIGTERM, SIGKILL after 5 s) and removes
    /// the folder. There is no background `stop()` as Prometheus has: a stop that has not finished when the test
    /// process exits leaves the programs behind (``with(_:)`` calls this).
    public func stopAndWait() async {
        async let webStopped: Void = ProcessGroup.stop(web)
        async let carbonStopped: Void = ProcessGroup.stop(carbon)
        _ = await (webStopped, carbonStopped)
        // Best effort: a temporary folder, and the programs' output is in no error to come.
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// Sends `points` to carbon's plaintext receiver, over one TCP connection.
    public func write(_ points: [Point]) async throws {
        let text = try points.map { try $0.line() }.joined()
        do {
            let channel = try await GraphiteServer.connect(port: linePort)
            try await channel.executeThenClose { _, outbound in try await outbound.write(ByteBuffer(string: text)) }
        } catch let cancelled as CancellationError {
            throw cancelled
        } catch {
            throw SetupFailure(description: "failed to write \(points.count) points to carbon on port \(linePort): \(error)")
        }
    }

    /// The render API's JSON answer for `target` (`[{"target": …, "datapoints": [[value, time], …]}]`).
    public func render(_ target: String, from: String = "-1min") async throws -> JSONValue {
        var components = URLComponents(string: url + "/render")
        components?.queryItems = [.init(name: "target", value: target), .init(name: "from", value: from), .init(name: "format", value: "json")]
        // URLComponents leaves `+` alone, and graphite-web (Django's form decoding) reads it as a space.
        guard let address = components?.string?.replacingOccurrences(of: "+", with: "%2B") else {
            throw SetupFailure(description: "failed to render \(target): not a URL")
        }
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: address), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 4 << 20)
        guard response.status.code == 200 else {
            throw SetupFailure(description: "failed to render \(target): graphite-web answered \(response.status.code)")
        }
        return try JSONValue(parsing: Array(buffer: body))
    }

    /// Whether Graphite has `path` yet: a series is readable only once carbon has made its file.
    public func hasSeries(_ path: String) async throws -> Bool {
        try await render(path).arrayValue?.isEmpty == false
    }
}

extension GraphiteServer {
    /// One point of carbon's plaintext protocol.
    public struct Point: Sendable, Equatable {
        /// A dotted series name: `sandbox.test.podinfo.requests.total`.
        public var path: String
        public var value: Double
        /// Seconds since 1970.
        public var timestamp: Int

        public init(path: String, value: Double, timestamp: Int) {
            self.path = path
            self.value = value
            self.timestamp = timestamp
        }

        /// `path value timestamp` and a newline. Carbon drops (and only logs) a line it cannot read, so a
        /// path that would break the line fails here instead.
        public func line() throws -> String {
            guard !path.isEmpty, !path.contains(where: \.isWhitespace) else {
                throw SetupFailure(description: "failed to write a point to Graphite: the path '\(path)' is empty or has whitespace")
            }
            return "\(path) \(value) \(timestamp)\n"
        }
    }
}
