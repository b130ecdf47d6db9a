import Foundation
import KubeCore
import SerinTesting
import Testing

/// Replacing Flagger with Serin: the cluster holds what Flagger left (the primary it promoted, the three
/// Services, the VirtualService and DestinationRules it owns through the Canary, a `Succeeded` status with
/// Flagger's own hashes); Serin starts, adopts it all without moving traffic, rolling the primary or
/// analysing the revision the primary already runs, and ships the next release as usual.
@Suite(.serialized) struct SwitchingFromFlaggerScenarioTests {
    static let template: JSONValue = [
        "metadata": ["labels": ["app": "podinfo"], "annotations": ["sandbox.serin.dev/ready-after": "100ms"]],
        "spec": [
            "containers": [["name": "podinfod", "image": "ghcr.io/stefanprodan/podinfo:6.0.0", "ports": [["name": "http", "containerPort": 9898]]]]
        ],
    ]

    /// What Flagger 1.x leaves for a promoted Canary `podinfo`, owned by the Canary `uid`.
    static func flaggersObjects(uid: String) -> [JSONValue] {
        let owner: JSONValue = [
            [
                "apiVersion": "flagger.app/v1beta1", "kind": "Canary", "name": "podinfo", "uid": .string(uid),
                "controller": true, "blockOwnerDeletion": true,
            ]
        ]
        func meta(_ name: String) -> JSONValue { ["name": .string(name), "namespace": "demo", "ownerReferences": owner] }
        var primaryTemplate = template
        primaryTemplate[path: "metadata", "labels", "app"] = "podinfo-primary"
        primaryTemplate[path: "metadata", "annotations", "flagger-id"] = "7d1c3d7e-0000-4000-8000-000000000001"
        func service(_ name: String, selecting app: String) -> JSONValue {
            [
                "apiVersion": "v1", "kind": "Service", "metadata": meta(name),
                "spec": ["selector": ["app": .string(app)], "ports": [["name": "http", "port": 9898, "targetPort": 9898, "protocol": "TCP"]]],
            ]
        }
        func destinationRule(_ host: String) -> JSONValue {
            ["apiVersion": "networking.istio.io/v1beta1", "kind": "DestinationRule", "metadata": meta(host), "spec": ["host": .string(host)]]
        }
        return [
            [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta("podinfo-primary"),
                "spec": ["replicas": 1, "selector": ["matchLabels": ["app": "podinfo-primary"]], "template": primaryTemplate],
            ],
            service("podinfo", selecting: "podinfo-primary"), service("podinfo-primary", selecting: "podinfo-primary"),
            service("podinfo-canary", selecting: "podinfo"), destinationRule("podinfo-primary"), destinationRule("podinfo-canary"),
            [
                "apiVersion": "networking.istio.io/v1beta1", "kind": "VirtualService", "metadata": meta("podinfo"),
                "spec": [
                    "hosts": ["podinfo"], "gateways": ["mesh"],
                    "http": [
                        [
                            "route": [
                                ["destination": ["host": "podinfo-primary"], "weight": 100],
                                ["destination": ["host": "podinfo-canary"], "weight": 0],
                            ]
                        ]
                    ],
                ],
            ],
        ]
    }

    static func weights(_ world: Scenario) async throws -> [Int] {
        let route = try await world.json(["get", "virtualservice", "podinfo", "-n", "demo"])[path: "spec", "http"]?[0]?["route"]?.arrayValue ?? []
        return route.map { $0["weight"]?.intValue ?? -1 }
    }

    static func apply(_ world: Scenario, _ objects: [JSONValue]) async throws {
        try await world.kubectl.succeed(
            ["apply", "-f", "-"], stdin: objects.map { String(decoding: $0.serialized(), as: UTF8.self) }.joined(separator: "\n"))
    }

    @Test func serinAdoptsWhatFlaggerLeftWithoutMovingTrafficOrAnalysingAgain() async throws {
        try await Scenario.run { world in
            world.killOperator()  // Flagger runs the cluster until now
            try await Self.apply(
                world,
                [
                    ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "demo"]],
                    [
                        "apiVersion": "apps/v1", "kind": "Deployment",
                        "metadata": ["name": "podinfo", "namespace": "demo", "labels": ["app": "podinfo"]],
                        "spec": ["replicas": 0, "selector": ["matchLabels": ["app": "podinfo"]], "template": Self.template],
                    ],
                    [
                        "apiVersion": "flagger.app/v1beta1", "kind": "Canary", "metadata": ["name": "podinfo", "namespace": "demo"],
                        "spec": [
                            "targetRef": ["apiVersion": "apps/v1", "kind": "Deployment", "name": "podinfo"], "service": ["port": 9898],
                            "analysis": ["interval": "1s", "threshold": 2, "maxWeight": 30, "stepWeight": 10],
                        ],
                    ],
                ])
            let uid = try await world.kubectl.succeed(["get", "canary", "podinfo", "-n", "demo", "-o", "jsonpath={.metadata.uid}"])
            try await Self.apply(world, Self.flaggersObjects(uid: uid))
            let flaggerStatus =
                #"{"status":{"phase":"Succeeded","canaryWeight":0,"failedChecks":0,"iterations":0,"lastAppliedSpec":"5486d8cc9b","lastPromotedSpec":"5486d8cc9b","trackedConfigs":{},"lastTransitionTime":"2026-11-30T10:00:00Z","conditions":[{"type":"Promoted","status":"True","reason":"Succeeded","message":"Canary analysis completed successfully, promotion finished.","lastUpdateTime":"2026-11-30T10:00:00Z","lastTransitionTime":"2026-11-30T10:00:00Z"}]}}"#
            try await world.kubectl.succeed(["patch", "canary", "podinfo", "-n", "demo", "--subresource=status", "--type=merge", "-p", flaggerStatus])
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    try await world.kubectl.succeed(["get", "deploy", "podinfo-primary", "-n", "demo", "-o", "jsonpath={.status.readyReplicas}"])
                        == "1"
                })
            let generation = try await world.kubectl.succeed([
                "get", "deploy", "podinfo-primary", "-n", "demo", "-o", "jsonpath={.metadata.generation}",
            ])

            world.restartOperator()
            #expect(
                try await eventually(timeout: .seconds(30)) {
                    try await world.status("podinfo")["lastAppliedSpec"]?.stringValue != "5486d8cc9b"
                }, "Serin takes the revision the primary runs as its own")
            let adopted = try await world.status("podinfo")
            #expect(adopted["phase"] == "Succeeded" && adopted["lastPromotedSpec"] == adopted["lastAppliedSpec"], "\(adopted)")
            var seen: Set<[Int]> = []
            for _ in 0..<20 {
                seen.insert(try await Self.weights(world))
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(seen == [[100, 0]], "traffic never moved: \(seen)")
            #expect(
                try await world.kubectl.succeed(["get", "deploy", "podinfo-primary", "-n", "demo", "-o", "jsonpath={.metadata.generation}"])
                    == generation,
                "the primary was not rolled")
            #expect(try await !world.events("podinfo").contains { $0.hasPrefix("New revision detected") }, "no analysis of what already runs")

            try await world.kubectl.succeed(["set", "image", "deploy/podinfo", "-n", "demo", "podinfod=ghcr.io/stefanprodan/podinfo:6.0.1"])
            #expect(try await world.waitForPhase("Progressing", name: "podinfo", timeout: .seconds(10)))
            #expect(try await world.waitForPhase("Succeeded", name: "podinfo", timeout: .seconds(60)))
            #expect(
                try await world.kubectl.succeed([
                    "get", "deploy", "podinfo-primary", "-n", "demo", "-o", "jsonpath={.spec.template.spec.containers[0].image}",
                ])
                    == "ghcr.io/stefanprodan/podinfo:6.0.1", "the next release ships as usual")
        }
    }
}
