import AsyncHTTPClient
import Foundation
@testable import KubeAPIServer
import KubeCore
import NIOCore
import NIOHTTP1
import Testing
@testable import KubeSandbox

let protobufDeployment: JSONValue = [
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": [
        "name": "web", "namespace": "demo", "labels": ["app": "web"], "creationTimestamp": "2026-12-02T00:00:00Z",
        "generation": 3,
    ],
    "spec": [
        "replicas": 0, "paused": true,
        "selector": ["matchLabels": ["app": "web"]],
        "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": 0]],
        "template": [
            "metadata": ["labels": ["app": "web"]],
            "spec": [
                "automountServiceAccountToken": false,
                "containers": [
                    [
                        "name": "web", "image": "web:1", "args": ["--port", "80"],
                        "ports": [["containerPort": 80, "protocol": "TCP"]],
                        "resources": ["limits": ["cpu": "500m", "memory": "128Mi"]],
                        "readinessProbe": ["httpGet": ["path": "/healthz", "port": "http"], "periodSeconds": 5],
                        "env": [["name": "A", "value": "1"]],
                    ]
                ],
                "volumes": [["name": "config", "configMap": ["name": "settings", "defaultMode": 420]]],
            ],
        ],
    ],
]

@Suite struct ProtobufTests {
    func roundTrip(_ object: JSONValue) throws -> JSONValue {
        let body = try #require(try ProtobufCodec.body(for: object))
        #expect(Array(body.prefix(4)) == ProtobufCodec.magic)
        return try ProtobufCodec.object(fromBody: body)
    }

    @Test func aDeploymentSurvivesProtobufAndBackWithEveryKindOfField() throws {
        let again = try roundTrip(protobufDeployment)
        #expect(again == protobufDeployment, "\(again.jsonString)")
        #expect(
            again[path: "spec", "template", "spec", "volumes"]?[0]?[path: "configMap", "name"] == "settings",
            "an inlined VolumeSource sits in the Volume")
        #expect(
            again[path: "spec", "template", "spec", "containers"]?[0]?[path: "readinessProbe", "httpGet", "port"] == "http",
            "a named IntOrString port; the probe's handler is inlined")
    }

    @Test func secretsKeepBytesAsBase64AndZeroPointersSurvive() throws {
        let secret: JSONValue = [
            "apiVersion": "v1", "kind": "Secret", "metadata": ["name": "s"], "immutable": false,
            "data": ["key": .string(Data([0, 1, 2, 255]).base64EncodedString())], "type": "Opaque",
        ]
        #expect(try roundTrip(secret) == secret)
    }

    @Test func goZeroValuesThatAreNotPointersAreDroppedAsGoDoes() throws {
        var writer = ProtobufWire.Writer()
        writer.bytes(1, Array("c".utf8))  // name
        writer.bytes(2, Array("".utf8))  // generateName: empty, omitempty → dropped
        writer.varint(7, 0)  // generation 0 → dropped
        var unknown = ProtobufWire.Writer()
        var typeMeta = ProtobufWire.Writer()
        typeMeta.bytes(1, Array("v1".utf8))
        typeMeta.bytes(2, Array("ConfigMap".utf8))
        var configMap = ProtobufWire.Writer()
        configMap.bytes(1, writer.bytes)
        configMap.varint(99, 7)  // an unknown field is skipped
        unknown.bytes(1, typeMeta.bytes)
        unknown.bytes(2, configMap.bytes)
        let object = try ProtobufCodec.object(fromBody: ProtobufCodec.magic + unknown.bytes)
        #expect(object == ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c"]])
    }

    @Test func malformedBodiesAreRefusedByNameAndNeverTrap() throws {
        let body = try #require(try ProtobufCodec.body(for: protobufDeployment))
        #expect(throws: APIError.self) { try ProtobufCodec.object(fromBody: Array("{}".utf8)) }
        #expect(throws: APIError.self) { try ProtobufCodec.object(fromBody: Array(body.dropLast(7))) }
        do {
            _ = try ProtobufCodec.object(fromBody: ProtobufCodec.magic + [0x0a, 0xff])
            Issue.record("a truncated body was accepted")
        } catch {
            #expect(error.status.code == 400 && (error.status.message ?? "").contains("not valid protobuf"), "\(error)")
        }
        var generator = SplitMix(seed: 19)
        var refused = 0
        for _ in 0..<3_000 {
            var mutated = body
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                mutated[Int.random(in: 4..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            }
            do { _ = try ProtobufCodec.object(fromBody: mutated) } catch { refused += 1 }
        }
        #expect(refused > 0, "some mutations must be refused")
    }

    @Test func aKindOutsideTheTableIsNamedNotGuessed() throws {
        var unknown = ProtobufWire.Writer()
        var typeMeta = ProtobufWire.Writer()
        typeMeta.bytes(1, Array("example.com/v1".utf8))
        typeMeta.bytes(2, Array("Widget".utf8))
        unknown.bytes(1, typeMeta.bytes)
        do {
            _ = try ProtobufCodec.object(fromBody: ProtobufCodec.magic + unknown.bytes)
            Issue.record("an unknown kind was accepted")
        } catch {
            #expect(error.status.code == 415 && (error.status.message ?? "").contains("Widget"), "\(error)")
        }
        #expect(try ProtobufCodec.body(for: ["apiVersion": "example.com/v1", "kind": "Widget"]) == nil)
    }

    @Test func onlyAnAcceptHeaderWithoutJSONGetsProtobuf() {
        #expect(ProtobufCodec.wantsProtobufOnly(accept: "application/vnd.kubernetes.protobuf"))
        #expect(!ProtobufCodec.wantsProtobufOnly(accept: "application/vnd.kubernetes.protobuf,application/json"))
        #expect(!ProtobufCodec.wantsProtobufOnly(accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"))
        #expect(!ProtobufCodec.wantsProtobufOnly(accept: "*/*"))
        #expect(!ProtobufCodec.wantsProtobufOnly(accept: nil))
    }

    @Test func aClientThatAcceptsOnlyProtobufIsAnsweredInProtobuf() async throws {
        let sandbox = try await Sandbox.start()
        let http = HTTPClient.shared
        func get(_ path: String) async throws -> HTTPClientResponse {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(sandbox.port)\(path)")
            request.headers.add(name: "Accept", value: ProtobufCodec.mediaType)
            return try await http.execute(request, timeout: .seconds(10))
        }
        let response = try await get("/api/v1/namespaces/default")
        #expect(response.headers.first(name: "Content-Type") == ProtobufCodec.mediaType)
        let namespace = try ProtobufCodec.object(fromBody: Array(buffer: try await response.body.collect(upTo: 1 << 20)))
        #expect(namespace[path: "metadata", "name"] == "default" && namespace["kind"] == "Namespace", "\(namespace)")
        #expect(try await get("/api/v1/namespaces?watch=true").status.code == 406, "watch streams are JSON only")
        await sandbox.stop()
    }
}
