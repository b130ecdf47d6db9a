import AsyncHTTPClient
import ChildProcesses
import Foundation
import KubeCore
import KubeSandbox
import NIOCore
import NIOHTTP1
#if canImport(Glibc)
import Glibc
#endif

/// A real Prometheus (the Debian package) on loopback, scraping given targets every second — or, as a
/// second PromQL engine, VictoriaMetrics (Debian's `victoria-metrics`) scraping them the same way.
///
/// The scenario tests and `serin demo` use it; `make test` and `make demo` install Prometheus.
public final class PrometheusServer: Sendable {
    /// Which server answers PromQL.
    public enum Engine: Sendable {
        case prometheus
        /// VictoriaMetrics single-node, with its 30 s `-search.latencyOffset` off so that fresh samples count.
        case victoriaMetrics

        var name: String { self == .prometheus ? "Prometheus" : "VictoriaMetrics" }
    }

    public let url: String
    private let process: SpawnedProcess
    private let dataDirectory: String

    /// Starts Prometheus (or `engine`) scraping `targets` (`host:port`) at `/metrics`.
    ///
    /// The free port is only free when it was picked: a server that exits at once (another process took the
    /// port meanwhile) is started again on a new one. A loaded machine can take seconds to open the TSDB, so
    /// readiness is awaited for up to 60 s; a failure names the server's last error line.
    public static func start(scraping targets: [String], engine: Engine = .prometheus) async throws -> PrometheusServer {
        let folder = NSTemporaryDirectory() + "serin-prometheus-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        let config = """
            global: {scrape_interval: 1s, evaluation_interval: 1s}
            scrape_configs:
            - job_name: sandbox
              static_configs: [{targets: [\(targets.map { "'\($0)'" }.joined(separator: ", "))]}]
            """
        try config.write(toFile: folder + "/prometheus.yml", atomically: true, encoding: .utf8)
        var failure = ""
        for _ in 0..<3 {
            let port = try freePort()
            let process = try launch(engine, folder: folder, port: port)
            let server = PrometheusServer(url: "http://127.0.0.1:\(port)", process: process, dataDirectory: folder)
            if try await server.awaitReady(engine) { return server }
            await ProcessGroup.stop(process)
            failure = "\(engine.name) did not become ready on port \(port)\(lastErrorLine(in: folder))"
        }
        try? FileManager.default.removeItem(atPath: folder)
        throw SetupFailure(description: failure)
    }

    /// Starts the server with posix_spawn (``SpawnedProcess``: Foundation's `Process.run()` can crash a process
    /// with many open files), its errors in `server.log`.
    private static func launch(_ engine: Engine, folder: String, port: Int) throws -> SpawnedProcess {
        let arguments: [String]
        switch engine {
        case .prometheus:
            arguments = [
                "prometheus", "--config.file=\(folder)/prometheus.yml", "--storage.tsdb.path=\(folder)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
            ]
        case .victoriaMetrics:
            arguments = [
                "victoria-metrics", "-promscrape.config=\(folder)/prometheus.yml", "-storageDataPath=\(folder)/data",
                "-httpListenAddr=127.0.0.1:\(port)", "-loggerLevel=ERROR", "-search.latencyOffset=0s",
                "-promscrape.config.strictParse=false",
            ]
        }
        let log = folder + "/server.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        let null = try FileHandle(forUpdating: URL(fileURLWithPath: "/dev/null"))
        defer { for handle in [errors, null] { try? handle.close() } }  // the child has its own
        return try SpawnedProcess(
            path: "/usr/bin/env", arguments: arguments, environment: ProcessInfo.processInfo.environment, standardInput: null.fileDescriptor,
            standardOutput: null.fileDescriptor, standardError: errors.fileDescriptor)
    }

    /// Polls the readiness endpoint until it answers (true), the process exits or 60 s pass (false).
    private func awaitReady(_ engine: Engine) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while process.isRunning, ContinuousClock.now < deadline {
            if (try? await get(engine == .prometheus ? "/-/ready" : "/health")) != nil { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    private static func lastErrorLine(in folder: String) -> String {
        guard let text = try? String(contentsOfFile: folder + "/server.log", encoding: .utf8),
            let line = text.split(separator: "\n").last
        else { return "" }
        return ": " + line.prefix(300)
    }

    private init(url: String, process: SpawnedProcess, dataDirectory: String) {
        self.url = url
        self.process = process
        self.dataDirectory = dataDirectory
    }

    /// Ends Prometheus (its process group) and then removes its data, in the background: returns at once,
    /// so that `defer { prometheus.stop() }` never holds a thread of the concurrency pool while Prometheus
    /// shuts down.
    public func stop() {
        let folder = dataDirectory
        ProcessGroup.stopInBackground(process) { try? FileManager.default.removeItem(atPath: folder) }
    }

    /// Ends Prometheus (its process group, waited for, bounded) and removes its data.
    public func stopAndWait() async {
        await ProcessGroup.stop(process)
        try? FileManager.default.removeItem(atPath: dataDirectory)
    }

    /// The single value of an instant query, or `nil` when it has none.
    public func value(of query: String) async throws -> Double? {
        let json = try await answer(to: query)
        guard json["status"] == "success", let first = json[path: "data", "result"]?[0],
            let text = first["value"]?[1]?.stringValue
        else { return nil }
        return Double(text)
    }

    /// The whole answer to an instant query (`/api/v1/query`).
    public func answer(to query: String) async throws -> JSONValue {
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "query", value: query)]
        // URLComponents leaves `+` as it is, and Prometheus (Go's form decoding) reads it as a space:
        // `[0-9a-z]+` or `a + b` would arrive broken.
        let encoded = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
        return try JSONValue(parsing: try await get("/api/v1/query?" + encoded))
    }

    private func get(_ path: String) async throws -> [UInt8] {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url + path), timeout: .seconds(5))
        guard response.status.code == 200 else { throw SetupFailure(description: "GET \(path): \(response.status.code)") }
        return Array(buffer: try await response.body.collect(upTo: 1 << 20))
    }

    /// A TCP port nobody listens on right now.
    public static func freePort() throws -> Int { try FreePort.next() }
}

public struct SetupFailure: Error, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}
