import ArgumentParser
import AsyncHTTPClient
import Foundation
import KubeAPIServer
import KubeClient
import KubeCore
import KubeSandbox
import NIOCore
import NIOHTTP1

/// Creates one ConfigMap with many keys and, while it is being written, patches another ConfigMap one key at a
/// time: how long the big write takes, and how long the small ones wait behind it.
struct BigObjectBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "big-object", abstract: "A 100,000-key ConfigMap while a one-key patch elsewhere is timed.")

    @Option(help: "How many keys the big ConfigMap has.")
    var keys = 100_000

    @Option(help: "The body's encoding: json or protobuf.")
    var encoding = "json"

    func run() async throws {
        var options = Sandbox.Options.apiServerOnly
        // Its managedFields double the stored object; a real cluster stores it only with etcd's --max-request-bytes raised.
        options.maximumObjectBytes = 16 << 20
        let sandbox = try await Sandbox.start(options)
        let client = sandbox.client()
        let configMaps = client.resource(.configMaps, as: JSONValue.self)
        _ = try await configMaps.create(["metadata": ["name": "small"], "data": ["n": "0"]], namespace: "default")
        let body = try bigBody()
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let (created, patches) = try await withThrowingTaskGroup(of: Double?.self) { group in
            let done = ManagedAtomicFlag()
            group.addTask {
                let start = ContinuousClock.now
                try await self.post(body, to: sandbox.url, with: http)
                done.set()
                return (ContinuousClock.now - start).seconds
            }
            var latencies: [Double] = []
            var index = 0
            while !done.isSet {
                index += 1
                let start = ContinuousClock.now
                _ = try await configMaps.patch("small", namespace: "default", patch: .merge(["data": ["n": .string("\(index)")]]))
                latencies.append((ContinuousClock.now - start).seconds)
            }
            let created = try await group.next()!!
            return (created, latencies)
        }
        try await http.shutdown()
        let stored = try await configMaps.get("big", namespace: "default")
        guard stored["data"]?.objectValue?.count == keys else { throw ValidationError("the stored ConfigMap has the wrong keys") }
        print(String(format: "created a %d-key ConfigMap (%.1f MB of %@) in %.2f s", keys, Double(body.count) / 1e6, encoding, created))
        let sorted = patches.sorted()
        print(
            String(
                format: "meanwhile %d one-key patches of another ConfigMap: median %.1f ms, slowest %.1f ms",
                patches.count, sorted[sorted.count / 2] * 1000, (sorted.last ?? 0) * 1000))
        try await client.shutdown()
        await sandbox.stop()
    }

    /// The big ConfigMap's body: `k000000`… with one-character values.
    private func bigBody() throws -> [UInt8] {
        let names = (0..<keys).map { String(format: "k%06d", $0) }
        switch encoding {
        case "json":
            var data = JSONObject()
            for name in names { data[name] = "v" }
            return JSONValue.object([
                "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "big", "namespace": "default"],
                "data": .object(data),
            ]).serialized()
        case "protobuf": return ProtobufConfigMap.body(name: "big", namespace: "default", data: names.map { ($0, "v") })
        default: throw ValidationError("--encoding is json or protobuf")
        }
    }

    private func post(_ body: [UInt8], to url: URL, with http: HTTPClient) async throws {
        var request = HTTPClientRequest(url: url.absoluteString + "/api/v1/namespaces/default/configmaps")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: encoding == "json" ? "application/json" : ProtobufConfigMap.mediaType)
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await http.execute(request, timeout: .seconds(600))
        let answer = try await response.body.collect(upTo: 64 << 20)
        guard response.status == .created else {
            throw ValidationError("failed to create the big ConfigMap: \(response.status.code) \(String(buffer: answer).prefix(300))")
        }
    }
}

/// A flag one task sets and another polls.
final class ManagedAtomicFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

/// A ConfigMap as Kubernetes' protobuf (`k8s\0` + `runtime.Unknown`), written by hand: the sandbox's codec is internal.
enum ProtobufConfigMap {
    static let mediaType = "application/vnd.kubernetes.protobuf"

    static func body(name: String, namespace: String, data: [(String, String)]) -> [UInt8] {
        var metadata: [UInt8] = []
        field(1, Array(name.utf8), into: &metadata)
        field(3, Array(namespace.utf8), into: &metadata)
        var configMap: [UInt8] = []
        field(1, metadata, into: &configMap)
        for (key, value) in data {
            var entry: [UInt8] = []
            field(1, Array(key.utf8), into: &entry)
            field(2, Array(value.utf8), into: &entry)
            field(2, entry, into: &configMap)
        }
        var typeMeta: [UInt8] = []
        field(1, Array("v1".utf8), into: &typeMeta)
        field(2, Array("ConfigMap".utf8), into: &typeMeta)
        var unknown: [UInt8] = []
        field(1, typeMeta, into: &unknown)
        field(2, configMap, into: &unknown)
        return [0x6b, 0x38, 0x73, 0x00] + unknown
    }

    /// A length-delimited field.
    private static func field(_ number: Int, _ bytes: [UInt8], into out: inout [UInt8]) {
        varint(UInt64(number << 3 | 2), into: &out)
        varint(UInt64(bytes.count), into: &out)
        out += bytes
    }

    private static func varint(_ value: UInt64, into out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(value & 0x7f) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }
}
