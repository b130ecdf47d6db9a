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
    }

    public let url: String
    private let process: Process
    private let dataDirectory: String

    /// Starts Prometheus (or `engine`) scraping `targets` (`host:port`) at `/metrics`.
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
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        switch engine {
        case .prometheus:
            process.arguments = [
                "prometheus", "--config.file=\(folder)/prometheus.yml", "--storage.tsdb.path=\(folder)/data",
                "--web.listen-address=127.0.0.1:\(port)", "--log.level=warn",
            ]
        case .victoriaMetrics:
            process.arguments = [
                "victoria-metrics", "-promscrape.config=\(folder)/prometheus.yml", "-storageDataPath=\(folder)/data",
                "-httpListenAddr=127.0.0.1:\(port)", "-loggerLevel=ERROR", "-search.latencyOffset=0s",
                "-promscrape.config.strictParse=false",
            ]
        }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try process.run()
        let server = PrometheusServer(url: "http://127.0.0.1:\(port)", process: process, dataDirectory: folder)
        for _ in 0..<100 where process.isRunning {
            if (try? await server.get(engine == .prometheus ? "/-/ready" : "/health")) != nil { return server }
            try await Task.sleep(for: .milliseconds(100))
        }
        server.stop()
        throw SetupFailure(description: "\(engine == .prometheus ? "Prometheus" : "VictoriaMetrics") did not become ready on port \(port)")
    }

    private init(url: String, process: Process, dataDirectory: String) {
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
        var components = URLComponents()
        components.queryItems = [URLQueryItem(name: "query", value: query)]
        // URLComponents leaves `+` as it is, and Prometheus (Go's form decoding) reads it as a space:
        // `[0-9a-z]+` or `a + b` would arrive broken.
        let encoded = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B") ?? ""
        let body = try await get("/api/v1/query?" + encoded)
        let json = try JSONValue(parsing: body)
        guard json["status"] == "success", let first = json[path: "data", "result"]?[0],
            let text = first["value"]?[1]?.stringValue
        else { return nil }
        return Double(text)
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
