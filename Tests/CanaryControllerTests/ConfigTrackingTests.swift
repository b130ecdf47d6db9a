import CanaryAPI
@testable import CanaryController
import KubeClient
import KubeCore
import KubeRuntime
import Targets
import Testing

/// Config tracking through the reconciler: the ConfigMaps and Secrets a target uses are part of its
/// revision, and the primary runs on `-primary` copies that only promotion updates.
@Suite struct ConfigTrackingTests {
    /// podinfo mounting `podinfo-config`, reading `podinfo-env` (opted out) and the Secret `podinfo-secret`,
    /// and pulling with a registry Secret (never tracked).
    static func deployment() -> JSONValue {
        var deployment = ReconcilerHarness.deployment("podinfo")
        deployment[path: "spec", "template", "spec"] = [
            "volumes": [
                ["name": "config", "configMap": ["name": "podinfo-config"]],
                ["name": "registry", "secret": ["secretName": "registry"]],
            ],
            "initContainers": [["name": "init", "image": "busybox", "envFrom": [["secretRef": ["name": "podinfo-secret"]]]]],
            "containers": [
                [
                    "name": "app", "image": "podinfo:6.0.0",
                    "env": [["name": "LEVEL", "valueFrom": ["configMapKeyRef": ["name": "podinfo-env", "key": "level"]]]],
                    "envFrom": [["secretRef": ["name": "podinfo-secret"]]],
                ]
            ],
        ]
        return deployment
    }

    static func configs(_ harness: ReconcilerHarness) async throws {
        try await harness.apply(.configMaps, ["metadata": ["name": "podinfo-config", "labels": ["team": "web"]], "data": ["color": "blue"]])
        try await harness.apply(
            .configMaps,
            [
                "metadata": ["name": "podinfo-env", "annotations": [.init(ConfigTracker.optOutAnnotation): "disabled"]],
                "data": ["level": "info"],
            ])
        try await harness.apply(.secrets, ["metadata": ["name": "podinfo-secret"], "stringData": ["token": "s3cret"]])
        try await harness.apply(
            .secrets,
            [
                "metadata": ["name": "registry"], "type": "kubernetes.io/dockerconfigjson",
                "data": ["dockerconfigjson": "e30="],
            ])
    }

    static func initialized(_ harness: ReconcilerHarness) async throws {
        try await configs(harness)
        try await harness.apply(.deployments, deployment())
        try await harness.apply(ReconcilerHarness.canaries, ReconcilerHarness.canary("podinfo"))
        _ = try await harness.reconcile("podinfo")
        try await harness.markReady("podinfo-primary")
        _ = try await harness.reconcile("podinfo")
        #expect(try await harness.status("podinfo")["phase"] == "Initialized")
    }

    static func edit(_ harness: ReconcilerHarness, _ resource: KubeResource, _ name: String, _ patch: JSONValue) async throws {
        _ = try await harness.client.resource(resource, as: JSONValue.self).patch(name, namespace: "demo", patch: .merge(patch))
    }

    @Test func thePrimaryRunsOnOwnedCopiesOfTheTrackedConfigsAndTheStatusNamesThem() async throws {
        try await ReconcilerHarness.with { harness in
            try await Self.initialized(harness)
            let copy = try await harness.get(.configMaps, "podinfo-config-primary")
            #expect(copy["data"] == ["color": "blue"] && copy[path: "metadata", "ownerReferences"]?[0]?["kind"] == "Canary")
            let secret = try await harness.get(.secrets, "podinfo-secret-primary")
            #expect(secret["data"] == ["token": "czNjcmV0"] && secret["type"] == "Opaque")
            let spec = try await harness.get(.deployments, "podinfo-primary")[path: "spec", "template", "spec"]
            #expect(spec?["volumes"]?[0]?[path: "configMap", "name"] == "podinfo-config-primary")
            #expect(spec?["volumes"]?[1]?[path: "secret", "secretName"] == "registry", "a registry Secret is not tracked")
            #expect(spec?["containers"]?[0]?["envFrom"]?[0]?[path: "secretRef", "name"] == "podinfo-secret-primary")
            #expect(spec?["initContainers"]?[0]?["envFrom"]?[0]?[path: "secretRef", "name"] == "podinfo-secret-primary", "init containers too")
            #expect(
                spec?["containers"]?[0]?["env"]?[0]?[path: "valueFrom", "configMapKeyRef", "name"] == "podinfo-env", "an opted-out config is shared")
            let tracked = try await harness.status("podinfo")["trackedConfigs"]?.objectValue ?? [:]
            #expect(Set(tracked.keys) == ["configmap/podinfo-config", "secret/podinfo-secret"], "\(tracked)")
            #expect(tracked["configmap/podinfo-config"] == .string(ConfigTracker.checksum(["data": ["color": "blue"]])))
        }
    }

    @Test func aConfigMapEditIsANewRevisionAndOnlyPromotionGivesItToThePrimary() async throws {
        try await ReconcilerHarness.with { harness in
            try await Self.initialized(harness)
            try await Self.edit(harness, .configMaps, "podinfo-env", ["data": ["level": "debug"]])
            _ = try await harness.reconcile("podinfo")
            #expect(try await harness.status("podinfo")["phase"] == "Initialized", "an opted-out config changes nothing")

            try await Self.edit(harness, .configMaps, "podinfo-config", ["data": ["color": "green"]])
            _ = try await harness.reconcile("podinfo")
            #expect(try await harness.status("podinfo")["phase"] == "Progressing")
            #expect(try await harness.get(.deployments, "podinfo")[path: "spec", "replicas"] == 2, "the canary is scaled up")
            #expect(try await harness.get(.configMaps, "podinfo-config-primary")["data"] == ["color": "blue"], "the primary keeps the old data")
            try await harness.markReady("podinfo")
            var phase: String?
            for _ in 0..<8 where phase != "Succeeded" {
                harness.advance(by: 31)
                try await harness.markReady("podinfo-primary")
                _ = try await harness.reconcile("podinfo")
                phase = try await harness.status("podinfo")["phase"]?.stringValue
            }
            #expect(phase == "Succeeded")
            #expect(try await harness.get(.configMaps, "podinfo-config-primary")["data"] == ["color": "green"], "promotion copied the new data")
            // The earlier data is kept beside the copy, and `kubectl serin undo` gives it back with the template.
            #expect(try await harness.get(.configMaps, "podinfo-config-primary-previous")["data"] == ["color": "blue"])
            let annotations = try await harness.get(.deployments, "podinfo-primary")[path: "metadata", "annotations"]
            #expect(annotations?["serin.dev/previous-template"] != nil && annotations?["serin.dev/previous-revision"] != nil)
            let revision = try await harness.status("podinfo")["lastAppliedSpec"]?.stringValue ?? ""
            let undo = ControlRequest(action: .undo, revision: revision, by: "alice", at: "2026-12-06T15:30:00Z")
            try await Self.edit(
                harness, ReconcilerHarness.canaries, "podinfo",
                ["metadata": ["annotations": [ControlRequest.annotation: .string(String(decoding: undo.json.serialized(), as: UTF8.self))]]])
            _ = try await harness.reconcile("podinfo")
            let undone = try await harness.status("podinfo")
            let events = try await harness.client.resource(.events, as: JSONValue.self).list(namespace: "demo").items.compactMap {
                $0["message"]?.stringValue
            }
            #expect(undone["phase"] == "Failed", "\(undone) \(events.suffix(3))")
            #expect(try await harness.get(.configMaps, "podinfo-config-primary")["data"] == ["color": "blue"], "undo gave the old data back")
        }
    }

    @Test func aSecretEditIsANewRevisionToo() async throws {
        try await ReconcilerHarness.with { harness in
            try await Self.initialized(harness)
            try await Self.edit(harness, .secrets, "podinfo-secret", ["data": ["token": "bmV3"]])
            _ = try await harness.reconcile("podinfo")
            #expect(try await harness.status("podinfo")["phase"] == "Progressing")
            #expect(try await harness.get(.secrets, "podinfo-secret-primary")["data"] == ["token": "czNjcmV0"])
        }
    }

    @Test func withTrackingDisabledThePrimarySharesTheTargetsConfigs() async throws {
        var options = OperatorOptions(metricsServer: "http://127.0.0.1:1")
        options.configTracking = false
        try await ReconcilerHarness.with(options: options) { harness in
            try await Self.initialized(harness)
            let spec = try await harness.get(.deployments, "podinfo-primary")[path: "spec", "template", "spec"]
            #expect(spec?["volumes"]?[0]?[path: "configMap", "name"] == "podinfo-config")
            await #expect(throws: (any Error).self) { _ = try await harness.get(.configMaps, "podinfo-config-primary") }
            #expect(try await harness.status("podinfo")["trackedConfigs"] == nil)
        }
    }

    @Test func includedLabelPrefixesReachThePrimaryAndTheConfigCopies() async throws {
        var options = OperatorOptions(metricsServer: "http://127.0.0.1:1")
        options.includeLabelPrefixes = ["team", "app.kubernetes.io"]
        try await ReconcilerHarness.with(options: options) { harness in
            try await Self.configs(harness)
            var deployment = Self.deployment()
            deployment[path: "metadata", "labels"] = ["app": "podinfo", "team": "web", "app.kubernetes.io/part-of": "shop", "secret-label": "no"]
            deployment[path: "metadata", "annotations"] = ["team/owner": "alice"]
            try await harness.apply(.deployments, deployment)
            try await harness.apply(ReconcilerHarness.canaries, ReconcilerHarness.canary("podinfo"))
            _ = try await harness.reconcile("podinfo")
            let primary = try await harness.get(.deployments, "podinfo-primary")
            #expect(primary[path: "metadata", "labels"] == ["app": "podinfo-primary", "team": "web", "app.kubernetes.io/part-of": "shop"])
            #expect(try await harness.get(.configMaps, "podinfo-config-primary")[path: "metadata", "labels"] == ["team": "web"])
            try await harness.markReady("podinfo-primary")
            _ = try await harness.reconcile("podinfo")
            try await Self.edit(
                harness, .deployments, "podinfo",
                [
                    "metadata": ["labels": ["team": "payments"], "annotations": ["team/owner": "bob"]],
                    "spec": ["template": ["metadata": ["annotations": ["v": "2"]]]],
                ])
            _ = try await harness.reconcile("podinfo")
            try await harness.markReady("podinfo")
            for _ in 0..<8 where try await harness.status("podinfo")["phase"] != "Succeeded" {
                harness.advance(by: 31)
                try await harness.markReady("podinfo-primary")
                _ = try await harness.reconcile("podinfo")
            }
            let promoted = try await harness.get(.deployments, "podinfo-primary")
            #expect(
                promoted[path: "metadata", "labels", "team"] == "payments" && promoted[path: "metadata", "annotations", "team/owner"] == "bob",
                "promotion copies them again")
        }
    }
}
