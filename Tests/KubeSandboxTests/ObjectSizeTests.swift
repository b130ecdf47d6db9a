import AsyncHTTPClient
import Foundation
import KubeClient
import KubeCore
import KubeSandbox
import NIOCore
import NIOHTTP1
import SerinTesting
import Testing

/// Kubernetes' size limits: kube-apiserver refuses a body over 3 MiB with 413, etcd an object over 1.5 MiB
/// (passed on as a 500 "etcdserver: request is too large").
@Suite struct ObjectSizeTests {
    static var options: Sandbox.Options {
        var options = Sandbox.Options()
        options.meshes = SimulatedMesh.defaults.removing("istio", "keda")
        options.simulateTraffic = false
        options.simulateWorkloads = false
        return options
    }

    /// A ConfigMap whose one value is `bytes` long.
    static func configMap(_ name: String, bytes: Int) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string(name), "namespace": "default"],
            "data": ["big": .string(String(repeating: "x", count: bytes))],
        ]
    }

    func send(
        _ method: HTTPMethod, _ path: String, _ body: JSONValue, contentType: String = "application/json",
        to sandbox: Sandbox
    ) async throws -> (status: Int, body: JSONValue) {
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = http.shutdown() }
        var request = HTTPClientRequest(url: sandbox.url.absoluteString + path)
        request.method = method
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: body.serialized()))
        let response = try await http.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        return (Int(response.status.code), try JSONValue(parsing: Array(buffer: bytes)))
    }

    @Test func aBodyOverThreeMebibytesIsRefusedWith413() async throws {
        try await withSandbox(ObjectSizeTests.options) { sandbox in
            let answer = try await send(
                .POST, "/api/v1/namespaces/default/configmaps", ObjectSizeTests.configMap("huge", bytes: 3 << 20),
                to: sandbox)
            #expect(answer.status == 413)
            #expect(answer.body["reason"] == "RequestEntityTooLarge")
            #expect(answer.body["message"] == "Request entity too large: limit is 3145728")
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            #expect(try await client.resource(.configMaps, as: JSONValue.self).list(namespace: "default").items.isEmpty)
        }
    }

    @Test func anObjectOverEtcdsLimitIsRefusedAsARealAPIServerPassesItOn() async throws {
        try await withSandbox(ObjectSizeTests.options) { sandbox in
            let answer = try await send(
                .POST, "/api/v1/namespaces/default/configmaps", ObjectSizeTests.configMap("big", bytes: 2_000_000),
                to: sandbox)
            #expect(answer.status == 500)
            #expect(answer.body["message"] == "etcdserver: request is too large")
            #expect(answer.body["reason"] == nil, "kube-apiserver does not map etcd's error to a reason")
            let fits = try await send(
                .POST, "/api/v1/namespaces/default/configmaps", ObjectSizeTests.configMap("fits", bytes: 1_000_000),
                to: sandbox)
            #expect(fits.status == 201)
            let grow: JSONValue = ["data": ["more": .string(String(repeating: "y", count: 1_000_000))]]
            let grown = try await send(
                .PATCH, "/api/v1/namespaces/default/configmaps/fits", grow, contentType: "application/merge-patch+json",
                to: sandbox)
            #expect(grown.status == 500 && grown.body["message"] == "etcdserver: request is too large")
            let client = sandbox.client()
            defer { Task { try await client.shutdown() } }
            let stored = try await client.resource(.configMaps, as: JSONValue.self).get("fits", namespace: "default")
            #expect(stored["data"]?["more"] == nil, "the refused patch changed nothing")
        }
    }
}
