import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// `serin operator` as a process of its own: its endpoints, and its memory and CPU from `/proc`.
final class OperatorProcess: Sendable {
    let process: Process
    let port: Int
    let started: ContinuousClock.Instant
    private let http = HTTPClient(eventLoopGroupProvider: .singleton)
    /// `/healthz` probes: how many, how many failed or took over a second, and the slowest answer.
    private let probes = Mutex<(count: Int, failed: Int, slowest: Duration)>((0, 0, .zero))

    /// - Parameter wrapper: a command the operator runs under (its path, then its arguments), such as
    ///   valgrind; the wrapper must run the operator in its own process (valgrind does), so that `/proc`
    ///   still reads the operator.
    init(binary: String, kubeconfig: String, port: Int, arguments: [String], wrapper: [String] = []) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: wrapper.first ?? binary)
        process.arguments =
            (wrapper.isEmpty ? [] : Array(wrapper.dropFirst()) + [binary])
            + [
                "operator", "--kubeconfig", kubeconfig, "--port", "\(port)", "--log-level", "error",
                "--metrics-server", "http://127.0.0.1:1",
            ] + arguments
        process.standardOutput = FileHandle.nullDevice
        self.port = port
        started = ContinuousClock.now
        try process.run()
    }

    func stop() async throws {
        process.terminate()
        process.waitUntilExit()
        try await http.shutdown()
    }

    /// The status and body of `GET path`, or `nil` when nothing answered within `timeout`.
    func get(_ path: String, timeout: Duration = .seconds(1)) async -> (status: UInt, body: String)? {
        do {
            let response = try await http.execute(
                HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)"), timeout: .milliseconds(timeout.milliseconds.rounded().int64))
            let body = try await response.body.collect(upTo: 64 << 20)
            return (response.status.code, String(buffer: body))
        } catch { return nil }
    }

    /// Waits until `/readyz` answers 200; returns the time since the process started.
    func waitUntilReady() async throws -> Duration {
        while await get("/readyz")?.status != 200 {
            guard process.isRunning else { throw BenchmarkFailure("the operator exited with status \(process.terminationStatus)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        return ContinuousClock.now - started
    }

    /// Probes `/healthz` every 100 ms until cancelled.
    func probeHealth() async {
        while !Task.isCancelled {
            let sent = ContinuousClock.now
            let answer = await get("/healthz")
            let took = ContinuousClock.now - sent
            probes.withLock { probes in
                probes.count += 1
                if answer?.status != 200 { probes.failed += 1 }
                probes.slowest = max(probes.slowest, took)
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    var healthProbes: (count: Int, failed: Int, slowest: Duration) { probes.withLock { $0 } }

    /// The sum of a counter on `/metrics` over all its label sets.
    func counter(_ name: String) async throws -> Double {
        guard let answer = await get("/metrics", timeout: .seconds(10)), answer.status == 200 else {
            throw BenchmarkFailure("/metrics did not answer")
        }
        return answer.body.split(separator: "\n").filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
    }

    /// A gauge on `/metrics` by the value of its one label `label`.
    func gauge(_ name: String, by label: String) async throws -> [String: Double] {
        guard let answer = await get("/metrics", timeout: .seconds(10)), answer.status == 200 else {
            throw BenchmarkFailure("/metrics did not answer")
        }
        var values: [String: Double] = [:]
        for line in answer.body.split(separator: "\n") where line.hasPrefix(name + "{\(label)=\"") {
            let rest = line.dropFirst(name.count + label.count + 3)
            guard let quote = rest.firstIndex(of: "\""), let value = rest.split(separator: " ").last.flatMap({ Double($0) }) else { continue }
            values[String(rest[..<quote]), default: 0] += value
        }
        return values
    }

    /// Resident memory now and at its peak, in MiB.
    var memory: (resident: Double, peak: Double) {
        func field(_ name: String) -> Double {
            guard let status = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8),
                let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") })
            else { return 0 }
            return (Double(line.split(separator: " ").dropFirst().first ?? "") ?? 0) / 1024
        }
        return (field("VmRSS"), field("VmHWM"))
    }

    /// User plus system CPU time the process has used, in seconds.
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let end = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        // After the command: state is field 3, utime 14 and stime 15 (1-based, /proc/[pid]/stat).
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension Double {
    var int64: Int64 { Int64(self) }
}
