import ArgumentParser
import Foundation
import KubeCore

/// Decodes and re-encodes a list of realistic Deployments; reports MB/s and peak memory, next to
/// Foundation's `JSONSerialization` on the same input in the same run.
struct JSONBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "json", abstract: "Decode and re-encode a DeploymentList with the lossless JSONValue.")

    @Option(help: "How many Deployments in the list.")
    var count = 10_000

    @Option(help: "Timed repetitions (the best is reported).")
    var iterations = 5

    func run() throws {
        let bytes = DeploymentFixture.list(count: count)
        let megabytes = Double(bytes.count) / 1_000_000
        print("input: \(count) Deployments, \(String(format: "%.1f", megabytes)) MB (\(bytes.count / count) bytes each)")
        let baseline = MemoryUsage.residentBytes()

        var decoded: JSONValue = .null
        let decode = try best { decoded = try JSONValue(parsing: bytes) }
        let retained = MemoryUsage.residentBytes() - baseline
        var output: [UInt8] = []
        let encode = best { output = decoded.serialized() }
        guard output == bytes else { throw ValidationError("round trip changed the document") }
        let roundTrip = try best { _ = try JSONValue(parsing: bytes).serialized() }
        decoded = .null
        let peak = MemoryUsage.peakResidentBytes()

        let data = Data(bytes)
        let start = ContinuousClock.now
        let object = try JSONSerialization.jsonObject(with: data)
        _ = try JSONSerialization.data(withJSONObject: object)
        let foundation = (ContinuousClock.now - start).seconds

        func rate(_ seconds: Double) -> String { String(format: "%6.1f MB/s (%.3f s)", megabytes / seconds, seconds) }
        print("JSONValue decode:            \(rate(decode))")
        print("JSONValue encode:            \(rate(encode))")
        print("JSONValue decode + encode:   \(rate(roundTrip))")
        print("JSONSerialization dec + enc: \(rate(foundation))  (reference, not lossless)")
        print(
            String(
                format: "decoded document held in memory: %.1f MB (%.1f KB per Deployment)",
                Double(retained) / 1e6, Double(retained) / 1e3 / Double(count)))
        print(String(format: "peak resident memory (input, document and output; before the reference): %.1f MB", Double(peak) / 1e6))
        try answers(decoded: try JSONValue(parsing: bytes))
        try typed()
    }

    /// A write's answer read for its `resourceVersion`: the full parse against ``ResourceVersionScanner``, on one
    /// Deployment of the list as the API server answers a patch.
    private func answers(decoded list: JSONValue) throws {
        guard let first = list["items"]?[0] else { throw ValidationError("the fixture has no Deployment") }
        let answer = first.serialized()
        let repetitions = 10_000
        var parsed: String?
        let parse = try best {
            for _ in 0..<repetitions { parsed = try JSONValue(parsing: answer)[path: "metadata", "resourceVersion"]?.stringValue }
        }
        var scanned: String?
        let scan = best { for _ in 0..<repetitions { scanned = ResourceVersionScanner.resourceVersion(in: answer) } }
        guard scanned != nil, scanned == parsed else {
            throw ValidationError("the scanner read \(scanned ?? "nothing"), the parser \(parsed ?? "nothing")")
        }
        let perParse = parse / Double(repetitions) * 1e6, perScan = scan / Double(repetitions) * 1e6
        print(
            String(
                format: "a %d-byte answer read for its resourceVersion: parsed %.2f µs, scanned %.2f µs (%.0f× faster)", answer.count, perParse,
                perScan, perParse / perScan))
    }

    func best(_ body: () throws -> Void) rethrows -> Double {
        var fastest = Double.infinity
        for _ in 0..<max(iterations, 1) {
            let start = ContinuousClock.now
            try body()
            let elapsed = ContinuousClock.now - start
            fastest = min(fastest, elapsed.seconds)
        }
        return fastest
    }
}

/// Reads this process's memory from `/proc/self/status`.
enum MemoryUsage {
    static func residentBytes() -> Int { field("VmRSS:") }
    static func peakResidentBytes() -> Int { field("VmHWM:") }

    private static func field(_ name: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }),
            let kilobytes = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
        else { return 0 }
        return kilobytes * 1024
    }
}
